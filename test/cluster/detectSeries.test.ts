import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { detectSeries } from '../../src/cluster/detectSeries'
import { canonicalizeMembership } from '../../src/cluster/partition'
import { cpmQuality } from '../../src/cluster/quality'
import { type SimilarityGraph, similarityGraphFromEdges } from '../../src/graph/similarityGraph'
import { createRandom } from '../../src/util/random'
import { adjustedRand, plantedGraph } from './planted'

/** Same partition (ids may differ). */
function samePartition(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  const a = Int32Array.from(x)
  const b = Int32Array.from(y)
  canonicalizeMembership(a)
  canonicalizeMembership(b)
  return a.every((v, i) => v === b[i])
}

/** Random graph from fast-check: n nodes, edges with weights in (0, 1]. */
const randomGraph = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: n - 1 }),
        fc.integer({ min: 0, max: n - 1 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
      ),
      { maxLength: 45 },
    ),
    resolution: fc.constantFrom(0, 0.05, 0.2, 0.5, 0.9),
    seed: fc.integer({ min: 0, max: 1000 }),
  }),
)

function build(n: number, edges: [number, number, number][]): SimilarityGraph {
  return similarityGraphFromEdges(
    n,
    Uint32Array.from(edges.map((e) => e[0])),
    Uint32Array.from(edges.map((e) => e[1])),
    Float64Array.from(edges.map((e) => e[2])),
  )
}

function components(graph: SimilarityGraph, member: (u: number) => boolean, start: number): Set<number> {
  const seen = new Set([start])
  const stack = [start]
  while (stack.length > 0) {
    const u = stack.pop() as number
    for (let k = graph.offsets[u]; k < graph.offsets[u + 1]; k++) {
      const v = graph.targets[k]
      if (!seen.has(v) && member(v)) {
        seen.add(v)
        stack.push(v)
      }
    }
  }
  return seen
}

/** Brute force: (1/2W) Σ_ij (A_ij − γ) δ(c_i, c_j) over ordered pairs, i = j included. */
function bruteForceQuality(
  n: number,
  edges: [number, number, number][],
  membership: Int32Array,
  gamma: number,
) {
  const A = Array.from({ length: n }, () => new Float64Array(n))
  for (const [u, v, w] of edges) {
    if (u === v) continue
    A[u][v] = Math.max(A[u][v], w)
    A[v][u] = A[u][v]
  }
  let total = 0
  let sum = 0
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      total += A[i][j]
      if (membership[i] === membership[j]) sum += A[i][j] - gamma
    }
  }
  return total === 0 ? 0 : sum / total
}

describe('detectSeries leiden-cpm', () => {
  it('recovers well-separated planted series exactly', () => {
    const sizes = Array.from({ length: 300 }, (_, i) => 1 + ((i * 7) % 25))
    const planted = plantedGraph(sizes, { seed: 3, noisePerNode: 2, wNoiseMax: 0.05 })
    const result = detectSeries(planted.graph, { resolution: 0.2, seed: 1 })
    expect(result.method).toBe('leiden-cpm')
    expect(result.objective).toBe('cpm')
    expect(result.count).toBe(sizes.length)
    expect(samePartition(result.membership, planted.truth)).toBe(true)
    expect(adjustedRand(result.membership, planted.truth)).toBe(1)
  })

  it('numbers communities 0..count-1 by smallest node index', () => {
    const graph = build(5, [
      [3, 4, 1],
      [1, 2, 1],
    ])
    const { membership, count } = detectSeries(graph, { resolution: 0.5 })
    expect(count).toBe(3)
    expect([...membership]).toEqual([0, 1, 1, 2, 2])
  })

  it('never merges disconnected parts, even at resolution 0', () => {
    const graph = build(6, [
      [0, 1, 1],
      [1, 2, 1],
      [3, 4, 0.2],
      [4, 5, 0.2],
    ])
    const result = detectSeries(graph, { resolution: 0 })
    expect([...result.membership]).toEqual([0, 0, 0, 1, 1, 1])
  })

  it('gives no fewer communities at a higher resolution on a nested planted graph', () => {
    // 12 groups of 4 subgroups of 5: weight 0.95 inside a subgroup, 0.3 between subgroups of a group.
    const random = createRandom(11)
    const edges: [number, number, number][] = []
    const groups = 12
    const subgroups = 4
    const size = 5
    const n = groups * subgroups * size
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const sameGroup = Math.floor(i / (subgroups * size)) === Math.floor(j / (subgroups * size))
        const sameSub = Math.floor(i / size) === Math.floor(j / size)
        if (sameSub) edges.push([i, j, 0.9 + 0.1 * random()])
        else if (sameGroup && random() < 0.8) edges.push([i, j, 0.25 + 0.1 * random()])
      }
    }
    const graph = build(n, edges)
    const resolutions = [0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.99]
    const counts = resolutions.map((resolution) => detectSeries(graph, { resolution, seed: 5 }).count)
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1])
    expect(counts[0]).toBe(groups)
    expect(counts[counts.length - 2]).toBe(groups * subgroups)
  })

  it('is deterministic for a seed', () => {
    const planted = plantedGraph(
      Array.from({ length: 200 }, (_, i) => 1 + ((i * 13) % 17)),
      { seed: 8, noisePerNode: 4, wNoiseMax: 0.4 },
    )
    const first = detectSeries(planted.graph, { resolution: 0.15, seed: 42 })
    const second = detectSeries(planted.graph, { resolution: 0.15, seed: 42 })
    expect([...second.membership]).toEqual([...first.membership])
    expect(second.quality).toBe(first.quality)
    expect(second.iterations).toBe(first.iterations)
  })

  it('gives the same partition on a permuted graph (planted, with noise)', () => {
    const sizes = Array.from({ length: 150 }, (_, i) => 1 + ((i * 11) % 20))
    const planted = plantedGraph(sizes, { seed: 21, noisePerNode: 3, wNoiseMax: 0.3 })
    const n = planted.graph.nodeCount
    const random = createRandom(99)
    const perm = Uint32Array.from({ length: n }, (_, i) => i)
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[perm[i], perm[j]] = [perm[j], perm[i]]
    }
    const permuted = similarityGraphFromEdges(
      n,
      planted.a.map((u) => perm[u]),
      planted.b.map((u) => perm[u]),
      planted.weight,
    )
    const result = detectSeries(planted.graph, { resolution: 0.2, seed: 4 })
    const other = detectSeries(permuted, { resolution: 0.2, seed: 4 })
    const back = new Int32Array(n)
    for (let i = 0; i < n; i++) back[i] = other.membership[perm[i]]
    expect(adjustedRand(back, planted.truth)).toBe(1)
    expect(adjustedRand(result.membership, planted.truth)).toBe(1)
    expect(samePartition(back, result.membership)).toBe(true)
    expect(other.quality).toBeCloseTo(result.quality, 12)
  })

  it('uses caller node keys for the order, so relabelled rows give the same partition', () => {
    const planted = plantedGraph([4, 4, 4, 4, 4, 4], { seed: 2, pIn: 1, wInMin: 0.5, noisePerNode: 0 })
    const keys = Uint32Array.from({ length: 24 }, (_, i) => (i * 2654435761) >>> 0)
    const result = detectSeries(planted.graph, { resolution: 0.3, nodeKeys: keys })
    expect(samePartition(result.membership, planted.truth)).toBe(true)
    expect(() => detectSeries(planted.graph, { nodeKeys: [1, 2] })).toThrow(/caselink:.*nodeKeys/)
  })

  it('is invariant under relabelling on random graphs (property)', () => {
    fc.assert(
      fc.property(randomGraph, fc.integer(), ({ n, edges, resolution, seed }, permSeed) => {
        const random = createRandom(permSeed)
        const perm = Array.from({ length: n }, (_, i) => i)
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1))
          ;[perm[i], perm[j]] = [perm[j], perm[i]]
        }
        const graph = build(n, edges)
        const permuted = build(
          n,
          edges.map(([u, v, w]) => [perm[u], perm[v], w]),
        )
        const x = detectSeries(graph, { resolution, seed })
        const y = detectSeries(permuted, { resolution, seed })
        // Ties between structural keys are the only possible source of order dependence; random weights
        // make them rare enough that the partitions agree exactly.
        expect(y.quality).toBeCloseTo(x.quality, 9)
        const back = Int32Array.from({ length: n }, (_, i) => y.membership[perm[i]])
        expect(samePartition(back, x.membership)).toBe(true)
      }),
      { numRuns: 150 },
    )
  })

  it('reports the CPM quality igraph reports, equal to a brute-force recomputation (property)', () => {
    fc.assert(
      fc.property(randomGraph, ({ n, edges, resolution, seed }) => {
        const graph = build(n, edges)
        const result = detectSeries(graph, { resolution, seed })
        const expected = bruteForceQuality(n, edges, result.membership, resolution)
        expect(result.quality).toBeCloseTo(expected, 10)
        expect(cpmQuality(graph, result.membership, resolution)).toBe(result.quality)
      }),
      { numRuns: 200 },
    )
  })

  it('returns connected communities, locally optimal for every node (property)', () => {
    fc.assert(
      fc.property(randomGraph, ({ n, edges, resolution, seed }) => {
        const graph = build(n, edges)
        const { membership, count } = detectSeries(graph, { resolution, seed, maxIterations: -1 })
        expect(Math.max(-1, ...membership)).toBe(count - 1)
        const size = new Float64Array(count)
        for (let i = 0; i < n; i++) size[membership[i]]++
        for (let c = 0; c < count; c++) {
          const first = membership.indexOf(c)
          const reached = components(graph, (u) => membership[u] === c, first)
          expect(reached.size).toBe(size[c])
        }
        // No single node can gain by moving to a neighbouring community or to a new one.
        for (let v = 0; v < n; v++) {
          const toCluster = new Map<number, number>()
          for (let k = graph.offsets[v]; k < graph.offsets[v + 1]; k++) {
            const c = membership[graph.targets[k]]
            toCluster.set(c, (toCluster.get(c) ?? 0) + graph.weights[k])
          }
          const own = membership[v]
          const stay = (toCluster.get(own) ?? 0) - resolution * (size[own] - 1)
          expect(stay).toBeGreaterThanOrEqual(-1e-9)
          for (const [c, w] of toCluster) {
            if (c !== own) expect(w - resolution * size[c]).toBeLessThanOrEqual(stay + 1e-9)
          }
        }
      }),
      { numRuns: 200 },
    )
  })

  it('handles graphs without nodes or edges', () => {
    const empty = build(0, [])
    expect(detectSeries(empty)).toMatchObject({ count: 0, quality: 0 })
    const lonely = build(3, [])
    const result = detectSeries(lonely)
    expect([...result.membership]).toEqual([0, 1, 2])
    expect(result.count).toBe(3)
  })

  it('validates options with caselink errors', () => {
    const graph = build(2, [[0, 1, 1]])
    expect(() => detectSeries(graph, { resolution: -1 })).toThrow(/caselink:.*resolution/)
    expect(() => detectSeries(graph, { beta: 0 })).toThrow(/caselink:.*beta/)
    expect(() => detectSeries(graph, { maxIterations: 1.5 })).toThrow(/caselink:.*maxIterations/)
    expect(() => detectSeries(graph, { method: 'spectral' as never })).toThrow(/caselink:.*method/)
  })

  it('stops after maxIterations', () => {
    const planted = plantedGraph([5, 5, 5], { seed: 1, noisePerNode: 1, wNoiseMax: 0.5 })
    expect(detectSeries(planted.graph, { maxIterations: 1 }).iterations).toBe(1)
  })
})

describe('detectSeries louvain and components', () => {
  const planted = plantedGraph(
    Array.from({ length: 40 }, () => 6),
    { seed: 5, noisePerNode: 1, wNoiseMax: 0.05 },
  )

  it('louvain reports modularity and is deterministic for a seed', () => {
    const first = detectSeries(planted.graph, { method: 'louvain', seed: 3 })
    const second = detectSeries(planted.graph, { method: 'louvain', seed: 3 })
    expect(first.objective).toBe('modularity')
    expect(first.resolution).toBe(1)
    expect([...second.membership]).toEqual([...first.membership])
    expect(first.quality).toBeGreaterThan(0.5)
    expect(adjustedRand(first.membership, planted.truth)).toBeGreaterThan(0.8)
    expect(first.membership[0]).toBe(0)
  })

  it('components joins every edge at threshold 0 and only heavy edges above it', () => {
    const all = detectSeries(planted.graph, { method: 'components' })
    const heavy = detectSeries(planted.graph, { method: 'components', threshold: 0.5 })
    expect(all.count).toBeLessThan(40)
    expect(heavy.count).toBe(40)
    expect(samePartition(heavy.membership, planted.truth)).toBe(true)
    expect(heavy.quality).toBe(cpmQuality(planted.graph, heavy.membership, 0.1))
    expect(heavy.iterations).toBe(0)
  })
})
