import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluatePartition } from '../../src/evaluation/evaluatePartition'

// Truth: {a,b,c} {d,e} {f}; g unlabelled. Prediction: X={a,b}, Y={c,d,e,(g)}, f alone.
const incidents = [
  { id: 'a', series: 'S1' },
  { id: 'b', series: ['S1'] },
  { id: 'c', series: 'S1' },
  { id: 'd', series: 'S2' },
  { id: 'e', series: 'S2' },
  { id: 'f', series: 'S3' },
  { id: 'g' },
]
const predicted = { a: 'X', b: 'X', c: 'Y', d: 'Y', e: 'Y', f: null, g: 'Y' }

describe('evaluatePartition', () => {
  it('matches hand-computed pairwise, B-cubed, ARI, NMI and rebuilding values', () => {
    const m = evaluatePartition(predicted, incidents)
    expect(m.incidents).toBe(6)
    expect(m.trueSeries).toBe(3)
    expect(m.predictedSeries).toBe(3)
    // true pairs ab ac bc de = 4; predicted pairs ab cd ce de = 4; both: ab de = 2
    expect(m.pairwise).toMatchObject({ truePairs: 4, predictedPairs: 4, truePositives: 2 })
    expect(m.pairwise.precision).toBeCloseTo(0.5, 12)
    expect(m.pairwise.recall).toBeCloseTo(0.5, 12)
    expect(m.pairwise.f1).toBeCloseTo(0.5, 12)
    // B-cubed precision: (2²/2 + 1²/3 + 2²/3 + 1²/1) / 6 = 7/9; recall: (2²/3 + 1²/3 + 2²/2 + 1) / 6 = 7/9
    expect(m.bcubed.precision).toBeCloseTo(7 / 9, 12)
    expect(m.bcubed.recall).toBeCloseTo(7 / 9, 12)
    expect(m.bcubed.f1).toBeCloseTo(7 / 9, 12)
    // ARI: expected = 4·4/15, max = 4 → (2 − 16/15) / (4 − 16/15) = 7/22
    expect(m.adjustedRand).toBeCloseTo(7 / 22, 12)
    // NMI: MI = Σ n/N log(N n / (a b)); H(true) = H(pred) = entropy of (3,2,1)/6
    const h = -(0.5 * Math.log(0.5) + (1 / 3) * Math.log(1 / 3) + (1 / 6) * Math.log(1 / 6))
    const mi =
      (2 / 6) * Math.log((6 * 2) / (3 * 2)) +
      (1 / 6) * Math.log((6 * 1) / (3 * 3)) +
      (2 / 6) * Math.log((6 * 2) / (2 * 3)) +
      (1 / 6) * Math.log((6 * 1) / (1 * 1))
    expect(m.nmi).toBeCloseTo(mi / h, 12)
    // by hand: MI = ⅔·ln 2 + ⅙·ln ⅔ + ⅙·ln 6 = ln 2; H = ½ln2 + ⅓ln3 + ⅙ln6 = 1.011404 → 0.685331
    expect(mi).toBeCloseTo(Math.LN2, 12)
    expect(m.nmi).toBeCloseTo(0.685331, 6)
    // only {a,b,c} has size ≥ 3; best Jaccard is X: 2 / (3 + 2 − 2) = 2/3 → matched, not exact
    expect(m.seriesRebuilt).toEqual({ series: 1, matched: 1, exact: 0, matchedShare: 1, exactShare: 0 })
  })

  it('accepts a Map, and a membership array aligned with incidents, with the same result', () => {
    const fromRecord = evaluatePartition(predicted, incidents)
    const fromMap = evaluatePartition(new Map(Object.entries(predicted)), incidents)
    const fromArray = evaluatePartition(Int32Array.from([0, 0, 1, 1, 1, -1, 1]), incidents)
    expect(fromMap).toEqual(fromRecord)
    expect(fromArray).toEqual(fromRecord)
  })

  it('joins co-offended series into one true group (connected components of shared labels)', () => {
    const co = [
      { id: 'p', series: ['A'] },
      { id: 'q', series: ['A', 'B'] },
      { id: 'r', series: ['B'] },
    ]
    const m = evaluatePartition({ p: 'Z', q: 'Z', r: 'Z' }, co)
    expect(m.trueSeries).toBe(1)
    expect(m.pairwise.truePairs).toBe(3)
    expect(m.pairwise.f1).toBe(1)
    expect(m.seriesRebuilt.exact).toBe(1)
  })

  it('counts missing assignments as singletons and ignores unlabelled incidents', () => {
    const m = evaluatePartition({ a: 'X', b: 'X', c: 'X', g: 'X' }, incidents)
    expect(m.pairwise.predictedPairs).toBe(3)
    expect(m.pairwise.precision).toBe(1)
    expect(m.pairwise.recall).toBeCloseTo(3 / 4, 12)
  })

  it('detects one exact rebuild and rejects a low-Jaccard match', () => {
    const big = [
      ...['1', '2', '3'].map((id) => ({ id, series: 'A' })),
      ...['4', '5', '6', '7'].map((id) => ({ id, series: 'B' })),
    ]
    // A exactly; B split 1+1+1+1 → best Jaccard 1/4
    const m = evaluatePartition({ 1: 'x', 2: 'x', 3: 'x', 4: 'y', 5: 'z', 6: null, 7: 'w' }, big)
    expect(m.seriesRebuilt).toEqual({ series: 2, matched: 1, exact: 1, matchedShare: 0.5, exactShare: 0.5 })
  })

  it('throws on duplicate ids and on a wrong-length membership array', () => {
    expect(() => evaluatePartition({}, [{ id: 'a' }, { id: 'a' }])).toThrow(/caselink: duplicate/)
    expect(() => evaluatePartition([0, 1], incidents)).toThrow(/caselink:/)
  })

  it('does not mutate frozen input', () => {
    const frozen = Object.freeze(incidents.map((i) => Object.freeze({ ...i })))
    expect(() => evaluatePartition(Object.freeze({ ...predicted }), frozen)).not.toThrow()
  })
})

/** Random labelled incidents: up to 40, labels from a small pool, some with two labels, some none. */
const labelledIncidents = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 9 }).map((l) => [`L${l}`]) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }))
          .map(([x, y]) => [`L${x}`, `L${y}`]),
      },
      { weight: 1, arbitrary: fc.constant([] as string[]) },
    ),
    { minLength: 1, maxLength: 40 },
  )
  .map((labels) => labels.map((series, i) => ({ id: `i${i}`, series })))

function components(list: { id: string; series: string[] }[]): Record<string, string> {
  const parent = list.map((_, i) => i)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])))
  const first = new Map<string, number>()
  list.forEach((inc, i) => {
    for (const l of inc.series) {
      const f = first.get(l)
      if (f === undefined) first.set(l, i)
      else parent[find(i)] = find(f)
    }
  })
  const out: Record<string, string> = {}
  list.forEach((inc, i) => {
    if (inc.series.length > 0) out[inc.id] = `T${find(i)}`
  })
  return out
}

describe('evaluatePartition properties', () => {
  it('a perfect partition scores 1 on every metric', () => {
    fc.assert(
      fc.property(labelledIncidents, (list) => {
        const m = evaluatePartition(components(list), list)
        expect(m.pairwise.precision).toBe(1)
        expect(m.pairwise.recall).toBe(1)
        expect(m.bcubed.f1).toBeCloseTo(1, 12)
        expect(m.adjustedRand).toBeCloseTo(1, 12)
        expect(m.nmi).toBeCloseTo(1, 12)
        expect(m.seriesRebuilt.exactShare).toBe(1)
      }),
    )
  })

  it('renaming predicted series (a bijection on names) changes nothing', () => {
    fc.assert(
      fc.property(
        labelledIncidents,
        fc.array(fc.integer({ min: -1, max: 6 }), { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        (list, raw, salt) => {
          const a: Record<string, string | null> = {}
          const b: Record<string, string | null> = {}
          list.forEach((inc, i) => {
            a[inc.id] = raw[i] < 0 ? null : `c${raw[i]}`
            b[inc.id] = raw[i] < 0 ? null : `renamed-${(raw[i] * 7919 + salt) % 100003}`
          })
          expect(evaluatePartition(b, list)).toEqual(evaluatePartition(a, list))
        },
      ),
    )
  })

  it('all singletons give pairwise recall 0 (when true pairs exist) and B-cubed precision 1', () => {
    fc.assert(
      fc.property(labelledIncidents, (list) => {
        const m = evaluatePartition({}, list)
        if (m.pairwise.truePairs > 0) {
          expect(m.pairwise.recall).toBe(0)
          expect(m.pairwise.f1).toBe(0)
        }
        expect(m.bcubed.precision).toBe(1)
      }),
    )
  })

  it('pair counts and B-cubed equal a brute-force O(n²) reference', () => {
    fc.assert(
      fc.property(
        labelledIncidents,
        fc.array(fc.integer({ min: -1, max: 5 }), { minLength: 40, maxLength: 40 }),
        (list, raw) => {
          const assignment: Record<string, string | null> = {}
          list.forEach((inc, i) => {
            assignment[inc.id] = raw[i] < 0 ? null : `c${raw[i]}`
          })
          const truth = components(list)
          const ids = list.filter((x) => x.series.length > 0).map((x) => x.id)
          const pred = (id: string) => assignment[id] ?? `single-${id}`
          let tp = 0
          let pp = 0
          let tpairs = 0
          let bp = 0
          let br = 0
          for (const x of ids) {
            let same = 0
            let inPred = 0
            let inTrue = 0
            for (const y of ids) {
              const p = pred(x) === pred(y)
              const t = truth[x] === truth[y]
              if (p) inPred++
              if (t) inTrue++
              if (p && t) same++
            }
            bp += same / inPred
            br += same / inTrue
            for (const y of ids) {
              if (y <= x) continue
              const p = pred(x) === pred(y)
              const t = truth[x] === truth[y]
              if (p) pp++
              if (t) tpairs++
              if (p && t) tp++
            }
          }
          const m = evaluatePartition(assignment, list)
          expect(m.pairwise.truePositives).toBe(tp)
          expect(m.pairwise.predictedPairs).toBe(pp)
          expect(m.pairwise.truePairs).toBe(tpairs)
          if (ids.length > 0) {
            expect(m.bcubed.precision).toBeCloseTo(bp / ids.length, 10)
            expect(m.bcubed.recall).toBeCloseTo(br / ids.length, 10)
          }
        },
      ),
    )
  })
})
