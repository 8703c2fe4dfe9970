import { describe, expect, it } from 'vitest'
import { evaluateRanking } from '../../src/evaluation/evaluateRanking'

const incidents = [
  { id: 'a', series: 'S1' },
  { id: 'b', series: 'S1' },
  { id: 'c', series: 'S1' },
  { id: 'd', series: 'S2' },
  { id: 'e', series: 'S2' },
  { id: 'f', series: 'S3' },
]

describe('evaluateRanking', () => {
  it('matches hand-computed hit rates, median first rank and MRR', () => {
    const m = evaluateRanking(
      {
        a: ['d', 'b', 'c'], // first true link at rank 2
        b: [{ id: 'a' }], // rank 1
        d: ['a', 'b', 'c', 'f'], // none
        e: ['e', 'd'], // itself skipped → rank 1
        f: ['a'], // f has no true partner: skipped
        zz: ['a'], // unknown query: skipped
      },
      incidents,
    )
    expect(m.queries).toBe(4)
    expect(m.skipped).toBe(2)
    expect(m.notFound).toBe(1)
    expect(m.top1).toBe(0.5)
    expect(m.top5).toBe(0.75)
    expect(m.top10).toBe(0.75)
    expect(m.top50).toBe(0.75)
    expect(m.hitRate).toEqual({ 1: 0.5, 5: 0.75, 10: 0.75, 50: 0.75 })
    // ranks 1, 1, 2, ∞ → median (1 + 2) / 2
    expect(m.medianFirstRank).toBe(1.5)
    expect(m.meanReciprocalRank).toBeCloseTo((0.5 + 1 + 0 + 1) / 4, 12)
  })

  it('accepts a Map and [{ query, candidates }] with the same result, and custom ks', () => {
    const rec = { a: ['d', 'd', 'e', 'b'] }
    const m1 = evaluateRanking(rec, incidents, { ks: [2, 3] })
    const m2 = evaluateRanking(new Map(Object.entries(rec)), incidents, { ks: [2, 3] })
    const m3 = evaluateRanking([{ query: 'a', candidates: rec.a }], incidents, { ks: [2, 3] })
    // duplicate d counted once → b at rank 3
    expect(m1.medianFirstRank).toBe(3)
    expect(m1.hitRate).toEqual({ 2: 0, 3: 1 })
    expect(m2).toEqual(m1)
    expect(m3).toEqual(m1)
  })

  it('reports Infinity as the median when most queries find nothing', () => {
    const m = evaluateRanking({ a: ['d'], b: ['e'], d: ['e'] }, incidents)
    expect(m.medianFirstRank).toBe(Number.POSITIVE_INFINITY)
    expect(m.top1).toBeCloseTo(1 / 3, 12)
  })
})
