import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  nodeStrengths,
  type SimilarityGraph,
  similarityGraphFromEdges,
  totalEdgeWeight,
} from '../../src/graph/similarityGraph'

/** Reference: a Map of merged edges "u,v" (u < v) → weight, built naively. */
function reference(n: number, a: number[], b: number[], w: number[], mode: 'max' | 'sum', minWeight: number) {
  const map = new Map<string, number>()
  for (let k = 0; k < a.length; k++) {
    if (a[k] === b[k]) continue
    const key = a[k] < b[k] ? `${a[k]},${b[k]}` : `${b[k]},${a[k]}`
    const old = map.get(key)
    map.set(key, old === undefined ? w[k] : mode === 'max' ? Math.max(old, w[k]) : old + w[k])
  }
  for (const [key, value] of map) if (value < minWeight) map.delete(key)
  expect(n).toBeGreaterThanOrEqual(0)
  return map
}

function edgesOf(graph: SimilarityGraph): Map<string, number> {
  const map = new Map<string, number>()
  for (let u = 0; u < graph.nodeCount; u++) {
    for (let k = graph.offsets[u]; k < graph.offsets[u + 1]; k++) {
      const v = graph.targets[k]
      if (v > u) map.set(`${u},${v}`, graph.weights[k])
    }
  }
  return map
}

function checkInvariants(graph: SimilarityGraph): void {
  const { nodeCount, offsets, targets, weights } = graph
  expect(offsets.length).toBe(nodeCount + 1)
  expect(offsets[nodeCount]).toBe(targets.length)
  expect(targets.length).toBe(2 * graph.edgeCount)
  for (let u = 0; u < nodeCount; u++) {
    for (let k = offsets[u]; k < offsets[u + 1]; k++) {
      const v = targets[k]
      expect(v).not.toBe(u)
      if (k > offsets[u]) expect(targets[k - 1]).toBeLessThan(v)
      // symmetric: v's row holds u with the same weight
      let found = -1
      for (let j = offsets[v]; j < offsets[v + 1]; j++) if (targets[j] === u) found = j
      expect(found).toBeGreaterThanOrEqual(0)
      expect(weights[found]).toBe(weights[k])
    }
  }
}

describe('similarityGraphFromEdges', () => {
  it('stores each edge in both rows, merges duplicates by max, drops self-loops and light edges', () => {
    const graph = similarityGraphFromEdges(
      4,
      Uint32Array.of(0, 1, 1, 2, 3),
      Uint32Array.of(1, 0, 2, 2, 0),
      Float64Array.of(0.8, 0.9, 0.05, 1, 0.5),
      { minWeight: 0.1 },
    )
    checkInvariants(graph)
    expect(graph.edgeCount).toBe(2)
    expect([...graph.offsets]).toEqual([0, 2, 3, 3, 4])
    expect([...graph.targets]).toEqual([1, 3, 0, 0])
    expect([...graph.weights]).toEqual([0.9, 0.5, 0.9, 0.5])
    // pair 1 (weight 0.9) is the kept duplicate; pair 4 is {3,0}
    expect([...graph.pairIndex]).toEqual([1, 4, 1, 4])
  })

  it('sums duplicates when asked, and filters after merging', () => {
    const graph = similarityGraphFromEdges(
      2,
      Uint32Array.of(0, 1),
      Uint32Array.of(1, 0),
      Float64Array.of(0.06, 0.06),
      { duplicates: 'sum', minWeight: 0.1 },
    )
    expect(graph.edgeCount).toBe(1)
    expect(graph.weights[0]).toBeCloseTo(0.12, 12)
    expect(totalEdgeWeight(graph)).toBeCloseTo(0.12, 12)
  })

  it('keeps the input weight type and does not modify its inputs', () => {
    const a = Uint32Array.of(2, 0, 1)
    const b = Uint32Array.of(0, 1, 2)
    const w = Float32Array.of(0.25, 0.5, 0.75)
    const graph = similarityGraphFromEdges(3, a, b, w)
    expect(graph.weights).toBeInstanceOf(Float32Array)
    expect([...a]).toEqual([2, 0, 1])
    expect([...b]).toEqual([0, 1, 2])
    expect([...w]).toEqual([0.25, 0.5, 0.75])
    expect([...nodeStrengths(graph)]).toEqual([0.75, 1.25, 1])
  })

  it('sorts long rows (a hub with duplicates in random order) like short ones', () => {
    const leaves = 300
    const a: number[] = []
    const b: number[] = []
    const w: number[] = []
    let x = 12345
    for (let k = 0; k < 3 * leaves; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      const leaf = 1 + (x % leaves)
      a.push(k % 2 === 0 ? 0 : leaf)
      b.push(k % 2 === 0 ? leaf : 0)
      w.push(((x >>> 8) % 1000) / 1000)
    }
    for (const mode of ['max', 'sum'] as const) {
      const graph = similarityGraphFromEdges(
        leaves + 1,
        Uint32Array.from(a),
        Uint32Array.from(b),
        Float64Array.from(w),
        { duplicates: mode },
      )
      checkInvariants(graph)
      const expected = reference(leaves + 1, a, b, w, mode, 0)
      const actual = edgesOf(graph)
      expect(actual.size).toBe(expected.size)
      for (const [key, value] of expected) expect(actual.get(key)).toBeCloseTo(value, 12)
      if (mode === 'max') {
        for (let k = graph.offsets[0]; k < graph.offsets[1]; k++)
          expect(w[graph.pairIndex[k]]).toBe(graph.weights[k])
      }
    }
  })

  it('handles an empty graph and isolated nodes', () => {
    const graph = similarityGraphFromEdges(5, new Uint32Array(0), new Uint32Array(0), new Float64Array(0))
    expect(graph.edgeCount).toBe(0)
    expect([...graph.offsets]).toEqual([0, 0, 0, 0, 0, 0])
  })

  it('rejects bad input with caselink errors', () => {
    const one = Uint32Array.of(0)
    expect(() => similarityGraphFromEdges(1, one, Uint32Array.of(1), Float64Array.of(1))).toThrow(
      /caselink:.*node/,
    )
    expect(() => similarityGraphFromEdges(2, one, Uint32Array.of(1), Float64Array.of(Number.NaN))).toThrow(
      /caselink:.*weight/,
    )
    expect(() => similarityGraphFromEdges(2, one, Uint32Array.of(1), Float64Array.of(-1))).toThrow(
      /caselink:/,
    )
    expect(() => similarityGraphFromEdges(2, one, Uint32Array.of(1, 0), Float64Array.of(1))).toThrow(
      /caselink:.*equal lengths/,
    )
    expect(() => similarityGraphFromEdges(-1, one, one, Float64Array.of(1))).toThrow(/caselink:.*nodeCount/)
  })

  it('matches a naive reference and does not depend on pair order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            edges: fc.array(
              fc.tuple(
                fc.integer({ min: 0, max: n - 1 }),
                fc.integer({ min: 0, max: n - 1 }),
                fc.double({ min: 0, max: 1, noNaN: true }),
              ),
              { maxLength: 40 },
            ),
            mode: fc.constantFrom('max' as const, 'sum' as const),
            minWeight: fc.constantFrom(0, 0.3),
            seed: fc.integer(),
          }),
        ),
        ({ n, edges, mode, minWeight, seed }) => {
          const a = edges.map((e) => e[0])
          const b = edges.map((e) => e[1])
          const w = edges.map((e) => e[2])
          const graph = similarityGraphFromEdges(
            n,
            Uint32Array.from(a),
            Uint32Array.from(b),
            Float64Array.from(w),
            {
              duplicates: mode,
              minWeight,
            },
          )
          checkInvariants(graph)
          const expected = reference(n, a, b, w, mode, minWeight)
          const actual = edgesOf(graph)
          expect(actual.size).toBe(expected.size)
          for (const [key, value] of expected) expect(actual.get(key)).toBeCloseTo(value, 12)
          for (let k = 0; k < graph.targets.length; k++) {
            const p = graph.pairIndex[k]
            expect([a[p], b[p]]).toContain(graph.targets[k])
          }
          // reversed pair order, swapped ends: same graph (max is exact; sums may differ in the last bit)
          const order = edges.map((_, i) => i).reverse()
          if (seed % 2 === 0) order.reverse()
          const again = similarityGraphFromEdges(
            n,
            Uint32Array.from(order.map((i) => b[i])),
            Uint32Array.from(order.map((i) => a[i])),
            Float64Array.from(order.map((i) => w[i])),
            { duplicates: mode, minWeight },
          )
          expect([...again.offsets]).toEqual([...graph.offsets])
          expect([...again.targets]).toEqual([...graph.targets])
          if (mode === 'max') expect([...again.weights]).toEqual([...graph.weights])
        },
      ),
      { numRuns: 200 },
    )
  })
})
