import { describe, expect, it } from 'vitest'
import type { Incident } from '../../src/schema/incident'
import { backgroundRates } from '../../src/score/backgroundRates'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const DAY = 86_400_000

function at(id: string, x: number, day: number, category = 'burglary'): Incident {
  const time = (day + 0.5) * DAY
  return {
    id,
    timeFrom: time,
    timeTo: time,
    x,
    y: 0,
    category,
    mo: [],
    evidence: [],
    series: [],
    attributes: {},
  }
}

// R = 1000 m, T = 5 days. Row A at x = 0, day 100.5: its box is the cells x, y ∈ [−1000, 1000) (the 2 × 2
// cells whose centres are nearest), its window the buckets of days [95, 105).
const rows = [
  at('A', 0, 100),
  at('B', 100, 10),
  at('C', 100, 20),
  at('D', 200, 30),
  at('E', 50, 101), // near in space and time: A's own neighbourhood
  at('F', 5000, 102), // in A's weeks, far away
  at('G', 5000, 50),
]
const options = { maxDistanceMeters: 1000, maxGapDays: 5 }

describe('backgroundRates', () => {
  it('counts the place outside the row’s weeks and scales it by the weeks’ share (hand-computed)', () => {
    const rates = backgroundRates(buildCaseTable(rows), options)
    // A: N = 6 others, S = {B, C, D, E} = 4, W = {E} = 1, Tn = {E, F} = 2
    // expected = π/4 · N · (S − W)/(N − Tn) · (Tn − W)/(N − S) = π/4 · 6 · 3/4 · 1/2
    expect(rates.expected[0]).toBeCloseTo((Math.PI / 4) * 2.25, 12)
    // G at x = 5000, day 50.5: box holds F only (F is outside G's weeks); window [45, 55) holds nothing else
    expect(rates.expected[6]).toBeCloseTo(1e-3, 12)
  })

  it('counts only the row’s category, and never the row itself', () => {
    const mixed = [...rows, at('H', 10, 60, 'theft'), at('I', 20, 100, 'theft')]
    const rates = backgroundRates(buildCaseTable(mixed), options)
    expect(rates.expected[0]).toBeCloseTo((Math.PI / 4) * 2.25, 12)
    // H (theft, day 60.5): N = 1, S = {I} = 1, W = 0, Tn = 0: no other theft in its weeks → the floor
    expect(rates.expected[7]).toBeCloseTo(1e-3, 12)
  })

  it('places an incident of another table by its location (not counting itself when it is in the base)', () => {
    const base = buildCaseTable(rows)
    const rates = backgroundRates(base, options)
    const other = buildCaseTable([at('A', 0, 100), at('NEW', 0, 100)])
    const expected = rates.expectedFor(other)
    expect(expected[0]).toBe(rates.expected[0])
    // NEW is not in the base: N = 7, S = 5, W = 2, Tn = 3 → π/4 · 7 · 3/4 · 1/2
    expect(expected[1]).toBeCloseTo((Math.PI / 4) * 2.625, 12)
  })

  it('a burst of one offender at the place does not make the place look busy', () => {
    // a busy category spread over a year and a town; row 0 a lone incident, then a burst of 20 beside it
    const town: Incident[] = []
    for (let k = 0; k < 2000; k++) town.push(at(`T${k}`, (k * 7919) % 20_000, (k * 13) % 365))
    const lone = at('L', 3000, 200)
    const burst = Array.from({ length: 20 }, (_, k) => at(`B${k}`, 3000 + k * 10, 200 + k * 0.1))
    const before = backgroundRates(buildCaseTable([lone, ...town]), options).expected[0]
    const after = backgroundRates(buildCaseTable([lone, ...town, ...burst]), options).expected[0]
    // only N grows (by 20 of 2000): the shares are measured away from the burst
    expect(after / before).toBeGreaterThan(0.99)
    expect(after / before).toBeLessThan(1.02)
  })

  it('leaves rows without location out (NaN) and is the same whatever the row order', () => {
    const withMissing = [...rows, { ...at('M', 0, 100), x: undefined, y: undefined }]
    const table = buildCaseTable(withMissing)
    const rates = backgroundRates(table, options)
    expect(Number.isNaN(rates.expected[7])).toBe(true)
    const reversed = backgroundRates(buildCaseTable([...withMissing].reverse()), options)
    expect(Array.from(reversed.expected).reverse()).toEqual(Array.from(rates.expected))
  })

  it('rejects a neighbourhood that is not positive', () => {
    const table = buildCaseTable(rows)
    expect(() => backgroundRates(table, { maxDistanceMeters: 0 })).toThrow(/maxDistanceMeters/)
    expect(() => backgroundRates(table, { maxGapDays: Number.NaN })).toThrow(/maxGapDays/)
  })
})
