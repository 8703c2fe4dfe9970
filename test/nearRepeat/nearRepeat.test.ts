import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  approximateDistance,
  halfAngles,
  latLonDistance,
  nearPairs,
  pairDistance,
  ROUNDING_METERS,
} from '../../src/nearRepeat/nearPairs'
import { nearRepeat } from '../../src/nearRepeat/nearRepeat'
import { createRandom, randomInt } from '../../src/util/random'

const DAY_MS = 86_400_000

/** The 522 arsons NearRepeat ships (fixtures/near-repeat/README.md), with coordinates to `decimals`. */
function arsons(decimals?: number) {
  const lines = readFileSync('fixtures/near-repeat/chicago-arson.csv', 'utf8').trim().split('\n').slice(1)
  const round = (v: number) => (decimals === undefined ? v : Math.round(v * 10 ** decimals) / 10 ** decimals)
  return lines.map((line) => {
    const [id, x, y, time] = line.split(',')
    return { id, x: round(Number(x)), y: round(Number(y)), time }
  })
}

/** Six planar incidents whose pairs sit on the breaks (hand-counted tables below). */
const SMALL = [
  { id: 'A', x: 0, y: 0, time: '2024-01-01' },
  { id: 'B', x: 0, y: 0, time: '2024-01-01' },
  { id: 'C', x: 100, y: 0, time: '2024-01-08' },
  { id: 'D', x: 0, y: 200, time: '2024-01-15' },
  { id: 'E', x: 300, y: 0, time: '2024-01-16' },
  { id: 'F', x: 60, y: 60, time: '2024-01-03' },
]
const SMALL_OPTIONS = { distanceBreaks: [0, 100, 200], timeBreaks: [0, 7, 14], permutations: 9 }

describe('nearRepeat', () => {
  it("counts the Near Repeat Calculator's own table for NearRepeat's 522 Chicago arsons", () => {
    // The Calculator's output shipped with the data (chicago_arson_NRverbose_2019-09-23_145637.csv):
    // bandwidth 200 m × 3, 1 day × 3, Manhattan, coordinates read to 0.1 (its SOURCE DATA listing), its
    // counts closed on the left ("0 to 1" days holds lag 0, "1 to 200" m holds [0.001, 200)).
    const result = nearRepeat(arsons(1), {
      distanceBreaks: [0, 200, 400, 600],
      timeBreaks: [0, 1, 2, 3],
      closed: 'left',
      permutations: 99,
      seed: 1,
    })
    expect(result.incidents).toBe(522)
    expect(result.observed).toEqual([
      [0, 2, 0, 8],
      [9, 1, 1, 45],
      [4, 0, 0, 140],
      [6, 0, 0, 234],
      [393, 710, 770, 133658],
    ])
    // with full-precision coordinates a pair 399.96 m apart stays below 400: one pair moves a band
    expect(
      nearRepeat(arsons(), {
        distanceBreaks: [0, 200, 400, 600],
        timeBreaks: [0, 1, 2, 3],
        closed: 'left',
        permutations: 1,
      }).observed[2][3],
    ).toBe(141)
  })

  it("expects what permuting times gives on average: the exact expectation, and the Calculator's 99-run means", () => {
    const result = nearRepeat(arsons(1), {
      distanceBreaks: [0, 200, 400, 600],
      timeBreaks: [0, 1, 2, 3],
      closed: 'left',
      permutations: 999,
      seed: 7,
    })
    // a fixed pair gets the times of a uniformly drawn pair: E = pairs in the distance band × share of
    // all pairs in the lag band
    const total = result.pairs
    const byDistance = result.observed.map((row) => row.reduce((a, b) => a + b, 0))
    const byLag = result.observed[0].map((_, t) => result.observed.reduce((s, row) => s + row[t], 0))
    // the Calculator's means over its 99 runs (same file), last column and last row
    const calculator: [number, number, number][] = [
      [0, 3, 9.82828282828283],
      [1, 3, 55.3535353535354],
      [2, 3, 142.050505050505],
      [3, 3, 236.707070707071],
      [4, 0, 410.747474747475],
      [4, 1, 710.727272727273],
      [4, 2, 768.464646464646],
    ]
    for (let d = 0; d < byDistance.length; d++) {
      for (let t = 0; t < byLag.length; t++) {
        const exact = (byDistance[d] * byLag[t]) / total
        // binomial-like spread of one run's count, over 999 runs: 5 standard errors
        const tolerance = 5 * Math.sqrt(exact / 999) + 1e-9
        expect(Math.abs(result.expected[d][t] - exact)).toBeLessThanOrEqual(tolerance)
      }
    }
    for (const [d, t, mean] of calculator) {
      const exact = (byDistance[d] * byLag[t]) / total
      expect(Math.abs(mean - exact)).toBeLessThanOrEqual(5 * Math.sqrt(exact / 99))
      expect(Math.abs(result.expected[d][t] - mean)).toBeLessThanOrEqual(5 * Math.sqrt(exact / 99))
    }
  })

  it('hand-counted tables: right vs left closed, Manhattan vs Euclidean, pairs on every break', () => {
    const rightManhattan = nearRepeat(SMALL, SMALL_OPTIONS)
    expect(rightManhattan.distanceBands.map((b) => b.label)).toEqual([
      'same location',
      '0–100 m',
      '101–200 m',
      '> 200 m',
    ])
    expect(rightManhattan.timeBands.map((b) => b.label)).toEqual(['0–7 days', '8–14 days', '> 14 days'])
    expect(rightManhattan.observed).toEqual([
      [1, 0, 0],
      [3, 0, 0],
      [2, 4, 0],
      [2, 1, 2],
    ])
    expect(nearRepeat(SMALL, { ...SMALL_OPTIONS, metric: 'euclidean' }).observed).toEqual([
      [1, 0, 0],
      [5, 0, 0],
      [0, 4, 0],
      [2, 1, 2],
    ])
    const left = nearRepeat(SMALL, { ...SMALL_OPTIONS, closed: 'left' })
    expect(left.distanceBands.map((b) => b.label)).toEqual([
      'same location',
      '[0, 100) m',
      '[100, 200) m',
      '≥ 200 m',
    ])
    expect(left.observed).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [3, 2, 0],
      [1, 4, 4],
    ])
    // without the same-location band, A–B (0 m) counts in the first band; without beyond, only pairs
    // within 200 m and 14 days
    expect(nearRepeat(SMALL, { ...SMALL_OPTIONS, sameLocation: false }).observed[0]).toEqual([4, 0, 0])
    const inside = nearRepeat(SMALL, { ...SMALL_OPTIONS, beyond: false })
    expect(inside.observed).toEqual([
      [1, 0],
      [3, 0],
      [2, 4],
    ])
    expect(inside.distanceBands.at(-1)?.kind).toBe('band')
  })

  it('lags in calendar days on the time zone clock, or in exact days', () => {
    const rows = [
      { id: 'a', x: 0, y: 0, time: '2024-03-01T23:30:00+08:00' },
      { id: 'b', x: 10, y: 0, time: '2024-03-02T00:30:00+08:00' },
    ]
    const options = {
      distanceBreaks: [0, 100],
      timeBreaks: [0, 0.5, 1],
      permutations: 1,
      closed: 'left',
    } as const
    // Shanghai dates 1 day apart; UTC dates the same day (15:30 and 16:30 on 1 March); exact: 1 hour
    expect(nearRepeat(rows, { ...options, timeZone: 'Asia/Shanghai' }).observed[1]).toEqual([0, 0, 1])
    expect(nearRepeat(rows, { ...options, timeZone: 'UTC' }).observed[1]).toEqual([1, 0, 0])
    expect(nearRepeat(rows, { ...options, timeUnit: 'exact' }).observed[1]).toEqual([1, 0, 0])
    const windows = nearRepeat(
      [
        { id: 'a', x: 0, y: 0, timeFrom: '2024-03-01T23:30:00+08:00', timeTo: '2024-03-02T08:00:00+08:00' },
        rows[1],
      ],
      options,
    )
    expect(windows.issues).toEqual([])
    expect(windows.windows).toBe(1)
    expect(windows.notes[0]).toMatch(/start of each window is used/)
  })

  it('sums to n(n − 1)/2, is deterministic whatever the input order, and skips what it cannot place', () => {
    const rows = [
      ...arsons().slice(0, 200),
      { id: 'nowhere', time: '2016-05-01' },
      { id: 'other', x: 350000, y: 570000, time: '2016-05-01', category: 'theft' },
    ].map((row) => ({ category: 'arson', ...row }))
    const forward = nearRepeat(rows, { permutations: 49, seed: 3, category: 'arson' })
    const backward = nearRepeat([...rows].reverse(), { permutations: 49, seed: 3, category: 'arson' })
    expect(forward.incidents).toBe(200)
    expect(forward.skipped).toEqual({ category: 1, noLocation: 1 })
    expect(forward.observed.flat().reduce((a, b) => a + b, 0)).toBe((200 * 199) / 2)
    expect(backward).toEqual(forward)
    expect(nearRepeat(rows, { permutations: 49, seed: 4, category: 'arson' }).p).not.toEqual(forward.p)
  })

  it('p-values, expectations and zones as a slow, obvious implementation computes them', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            x: fc.integer({ min: 0, max: 12 }).map((v) => v * 50),
            y: fc.integer({ min: 0, max: 12 }).map((v) => v * 50),
            day: fc.integer({ min: 0, max: 40 }),
          }),
          { minLength: 2, maxLength: 40 },
        ),
        fc.constantFrom('right', 'left'),
        fc.constantFrom('manhattan', 'euclidean'),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (points, closed, metric, sameLocation, beyond, seed) => {
          const rows = points.map((p, k) => ({
            id: `P${String(k).padStart(2, '0')}`,
            x: p.x,
            y: p.y,
            time: new Date(Date.UTC(2024, 0, 1) + p.day * DAY_MS).toISOString(),
          }))
          const options = {
            distanceBreaks: [0, 100, 250, 400],
            timeBreaks: [0, 3, 7, 14],
            closed,
            metric,
            sameLocation,
            beyond,
            permutations: 19,
            seed,
            zones: [{ maxDistance: 150, maxDays: 5 }],
          } as const
          const fast = nearRepeat(rows, options)
          const slow = slowNearRepeat(rows, options)
          expect(fast.observed).toEqual(slow.observed)
          expect(fast.p).toEqual(slow.p)
          expect(fast.expected).toEqual(slow.sum.map((row) => row.map((v) => v / 19)))
          expect(fast.zones[0].observed).toBe(slow.zone.observed)
          expect(fast.zones[0].p).toBe(slow.zone.p)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('finds every pair within reach on lat/lon, as all pairs do (haversine and Manhattan legs)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            lat: fc.double({ min: 39.9, max: 39.95, noNaN: true }),
            lon: fc.double({ min: 116.3, max: 116.36, noNaN: true }),
          }),
          {
            minLength: 2,
            maxLength: 80,
          },
        ),
        fc.double({ min: 50, max: 3000, noNaN: true }),
        fc.constantFrom('manhattan', 'euclidean'),
        (points, reach, metric) => {
          const found = nearPairs(points, reach, metric, () => 0)
          const got = new Set<string>()
          for (let g = 0; g < points.length; g++) {
            for (let e = found.start[g]; e < found.start[g + 1]; e++) {
              const i = found.order[g]
              const j = found.order[found.partner[e]]
              got.add(i < j ? `${i}-${j}` : `${j}-${i}`)
            }
          }
          const want = new Set<string>()
          for (let i = 0; i < points.length; i++) {
            for (let j = i + 1; j < points.length; j++) {
              if (pairDistance(points[i], points[j], metric) <= reach) want.add(`${i}-${j}`)
            }
          }
          expect(got).toEqual(want)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('bounds its small-angle lat/lon distance: the exact one is within the bound, up to 50 km and 80°', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: -179, max: 179, noNaN: true }),
        fc.double({ min: -0.3, max: 0.3, noNaN: true }),
        fc.double({ min: -0.3, max: 0.3, noNaN: true }),
        fc.constantFrom(true, false),
        (lat, lon, dLat, dLon, manhattan) => {
          const h = new Float64Array([...halfAngles(lat, lon), ...halfAngles(lat + dLat, lon + dLon)])
          const exact = latLonDistance(h, 0, h, 1, manhattan)
          if (exact > 50_000) return
          const out = new Float64Array(2)
          approximateDistance(h, 0, 1, manhattan, out)
          expect(Math.abs(out[0] - exact)).toBeLessThanOrEqual(out[1] + exact * 1e-12 + ROUNDING_METERS)
        },
      ),
      { numRuns: 2000, examples: [[61.82308696332496, 0, -1.7763568394002505e-14, 0, false]] },
    )
  })

  it('bins lat/lon pairs as their exact distances do', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            lat: fc.double({ min: 51.5, max: 51.506, noNaN: true }),
            lon: fc.double({ min: -0.13, max: -0.12, noNaN: true }),
            day: fc.integer({ min: 0, max: 30 }),
          }),
          { minLength: 2, maxLength: 60 },
        ),
        fc.constantFrom('manhattan', 'euclidean'),
        (points, metric) => {
          const rows = points.map((p, k) => ({
            id: `L${String(k).padStart(2, '0')}`,
            lat: p.lat,
            lon: p.lon,
            time: new Date(Date.UTC(2024, 0, 1) + p.day * DAY_MS).toISOString(),
          }))
          const breaks = [0, 100, 250, 400]
          const result = nearRepeat(rows, {
            distanceBreaks: breaks,
            timeBreaks: [0, 3, 7],
            metric,
            permutations: 1,
          })
          const table = result.observed.map((row) => row.map(() => 0))
          for (let i = 0; i < rows.length; i++) {
            for (let j = i + 1; j < rows.length; j++) {
              const d = pairDistance(rows[i], rows[j], metric)
              const lag = Math.abs(points[i].day - points[j].day)
              const db = d <= 0.001 ? 0 : d <= 100 ? 1 : d <= 250 ? 2 : d <= 400 ? 3 : 4
              const tb = lag <= 3 ? 0 : lag <= 7 ? 1 : 2
              table[db][tb]++
            }
          }
          expect(result.observed).toEqual(table)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('measures lat/lon distances as haversine or as north–south plus east–west legs', () => {
    const a = { lat: 40, lon: 116 }
    const b = { lat: 40.01, lon: 116.01 }
    const northSouth = 6_371_008.8 * 0.01 * (Math.PI / 180)
    expect(pairDistance(a, { lat: 40.01, lon: 116 }, 'manhattan')).toBeCloseTo(northSouth, 6)
    expect(pairDistance(a, b, 'manhattan')).toBeGreaterThan(pairDistance(a, b, 'euclidean'))
    expect(pairDistance(a, b, 'euclidean')).toBeCloseTo(1400.6, 0)
  })

  it('refuses bad options with the option named', () => {
    expect(() => nearRepeat(SMALL, { closed: 'both' as 'left' })).toThrow(/closed must be 'right' or 'left'/)
    expect(() => nearRepeat(SMALL, { metric: 'chebyshev' as 'euclidean' })).toThrow(/metric/)
    expect(() => nearRepeat(SMALL, { distanceBreaks: [100, 200] })).toThrow(/distanceBreaks must start at 0/)
    expect(() => nearRepeat(SMALL, { timeBreaks: [0, 7, 7] })).toThrow(/timeBreaks must increase/)
    expect(() => nearRepeat(SMALL, { permutations: 0 })).toThrow(/permutations/)
    expect(() => nearRepeat(SMALL, { permutation: 9 } as never)).toThrow(/no option 'permutation'/)
    expect(() => nearRepeat(SMALL, { zones: [{ maxDistance: -1, maxDays: 3 }] })).toThrow(/zones/)
    expect(() => nearRepeat([...SMALL, { id: 'G', lat: 40, lon: 116, time: '2024-01-02' }])).toThrow(
      /one location system: 1 incidents have lat\/lon and 6 x\/y/,
    )
  })

  it('reports rejected rows and keeps them out', () => {
    const result = nearRepeat([...SMALL, { id: 'bad', x: 1, y: 1 }], SMALL_OPTIONS)
    expect(result.incidents).toBe(6)
    expect(result.issues.some((issue) => issue.id === 'bad' && issue.severity === 'error')).toBe(true)
  })
})

interface SlowOptions {
  distanceBreaks: readonly number[]
  timeBreaks: readonly number[]
  closed: 'right' | 'left'
  metric: 'manhattan' | 'euclidean'
  sameLocation: boolean
  beyond: boolean
  permutations: number
  seed: number
  zones: readonly { maxDistance: number; maxDays: number }[]
}

/**
 * All pairs, every permutation counted from scratch: the documented null model (times shuffled
 * Fisher–Yates in id order with the seeded generator), planar points, UTC dates.
 */
function slowNearRepeat(rows: { id: string; x: number; y: number; time: string }[], options: SlowOptions) {
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))
  const days = sorted.map((r) => Math.floor(Date.parse(r.time) / DAY_MS))
  const band = (value: number, breaks: readonly number[], same: boolean): number => {
    if (same && value <= 0.001) return 0
    const offset = same ? 1 : 0
    for (let k = 1; k < breaks.length; k++) {
      if (options.closed === 'right' ? value <= breaks[k] : value < breaks[k]) return offset + k - 1
    }
    return options.beyond ? offset + breaks.length - 1 : -1
  }
  const D = (options.sameLocation ? 1 : 0) + options.distanceBreaks.length - 1 + (options.beyond ? 1 : 0)
  const T = options.timeBreaks.length - 1 + (options.beyond ? 1 : 0)
  const within = (v: number, max: number) => (options.closed === 'right' ? v <= max : v < max)
  const count = (times: number[]) => {
    const table = Array.from({ length: D }, () => new Array(T).fill(0))
    let zone = 0
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const dx = sorted[i].x - sorted[j].x
        const dy = sorted[i].y - sorted[j].y
        const d = options.metric === 'manhattan' ? Math.abs(dx) + Math.abs(dy) : Math.hypot(dx, dy)
        const lag = Math.abs(times[i] - times[j])
        const db = band(d, options.distanceBreaks, options.sameLocation)
        const tb = band(lag, options.timeBreaks, false)
        if (db >= 0 && tb >= 0) table[db][tb]++
        if (within(d, options.zones[0].maxDistance) && within(lag, options.zones[0].maxDays)) zone++
      }
    }
    return { table, zone }
  }
  const observed = count(days)
  const sum = Array.from({ length: D }, () => new Array(T).fill(0))
  const atLeast = Array.from({ length: D }, () => new Array(T).fill(0))
  let zoneAtLeast = 0
  const random = createRandom(options.seed)
  const shuffled = [...days]
  for (let r = 0; r < options.permutations; r++) {
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = randomInt(random, i + 1)
      ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
    }
    const run = count(shuffled)
    for (let d = 0; d < D; d++) {
      for (let t = 0; t < T; t++) {
        sum[d][t] += run.table[d][t]
        if (run.table[d][t] >= observed.table[d][t]) atLeast[d][t]++
      }
    }
    if (run.zone >= observed.zone) zoneAtLeast++
  }
  return {
    observed: observed.table,
    sum,
    p: atLeast.map((row) => row.map((a) => (a + 1) / (options.permutations + 1))),
    zone: { observed: observed.zone, p: (zoneAtLeast + 1) / (options.permutations + 1) },
  }
}
