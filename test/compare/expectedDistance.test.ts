import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  expectedAbsoluteDifference,
  expectedCircularDistance,
  expectedCircularDistancePiecewise,
  haversineMeters,
} from '../../src/compare/expectedDistance'
import { createRandom } from '../../src/util/random'

const DAY = 86_400_000

function circular(u: number, period: number): number {
  const r = u - period * Math.floor(u / period)
  return Math.min(r, period - r)
}

/** Monte Carlo estimates of E|X−Y| and E d_circ(X, Y) with X, Y uniform on the windows. */
function monteCarlo(
  a1: number,
  l1: number,
  a2: number,
  l2: number,
  period: number,
  samples: number,
  seed: number,
) {
  const random = createRandom(seed)
  let linear = 0
  let circle = 0
  for (let k = 0; k < samples; k++) {
    const d = a1 + random() * l1 - (a2 + random() * l2)
    linear += Math.abs(d)
    circle += circular(d, period)
  }
  return { linear: linear / samples, circle: circle / samples }
}

describe('expectedAbsoluteDifference', () => {
  it('gives length/3 for a window against itself (crimelinkage compareTemporal)', () => {
    expect(expectedAbsoluteDifference(0, 3, 0, 3)).toBeCloseTo(1, 12)
    const from = Date.UTC(2021, 4, 13, 8)
    expect(expectedAbsoluteDifference(from, from + 9 * 3_600_000, from, from + 9 * 3_600_000)).toBeCloseTo(
      3 * 3_600_000,
      3,
    )
  })

  it('handles points, disjoint windows and a point inside a window exactly', () => {
    expect(expectedAbsoluteDifference(5, 5, 2, 2)).toBe(3)
    expect(expectedAbsoluteDifference(0, 2, 10, 10)).toBe(9)
    expect(expectedAbsoluteDifference(0, 2, 4, 8)).toBe(5)
    // point t in [0, L]: (t² + (L − t)²) / 2L
    expect(expectedAbsoluteDifference(1, 1, 0, 4)).toBeCloseTo((1 + 9) / 8, 12)
  })

  it('stays accurate on epoch milliseconds (no cancellation of large cubes)', () => {
    const t = 1.7e12
    expect(expectedAbsoluteDifference(t, t + 1, t, t + 86_400_000)).toBeCloseTo(43_200_000 - 0.5, 2)
  })

  it('is symmetric and at least the gap between midpoints (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (a1, l1, a2, l2) => {
          const e12 = expectedAbsoluteDifference(a1, a1 + l1, a2, a2 + l2)
          const e21 = expectedAbsoluteDifference(a2, a2 + l2, a1, a1 + l1)
          const scale = 1 + Math.abs(a1) + Math.abs(a2) + l1 + l2
          expect(Math.abs(e12 - e21)).toBeLessThanOrEqual(1e-7 * scale)
          const midGap = Math.abs(a1 + l1 / 2 - a2 - l2 / 2)
          expect(e12).toBeGreaterThanOrEqual(midGap - 1e-7 * scale)
          expect(e12).toBeLessThanOrEqual(midGap + (l1 + l2) / 4 + 1e-7 * scale)
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('expectedCircularDistance', () => {
  it('is uniform (period/4) when a window covers a full period', () => {
    expect(expectedCircularDistance(0, DAY, 5, 5, DAY)).toBe(DAY / 4)
    expect(expectedCircularDistance(3, 3, 0, 3 * DAY, DAY)).toBe(DAY / 4)
  })

  it('wraps around midnight and gives length/3 against itself up to half a period', () => {
    const hour = 3_600_000
    expect(expectedCircularDistance(23 * hour, 23 * hour, DAY + hour, DAY + hour, DAY)).toBeCloseTo(
      2 * hour,
      3,
    )
    expect(expectedCircularDistance(22 * hour, 28 * hour, 22 * hour, 28 * hour, DAY)).toBeCloseTo(2 * hour, 3)
    expect(expectedCircularDistance(0, 12, 0, 12, 24)).toBeCloseTo(4, 12)
  })

  it('is symmetric, periodic, and within [0, period/2] (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 23.99, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 23.99, noNaN: true }),
        fc.integer({ min: -3, max: 3 }),
        (a1, l1, a2, l2, turns) => {
          const e12 = expectedCircularDistance(a1, a1 + l1, a2, a2 + l2, 24)
          const e21 = expectedCircularDistance(a2, a2 + l2, a1, a1 + l1, 24)
          const shifted = expectedCircularDistance(a1 + 24 * turns, a1 + l1 + 24 * turns, a2, a2 + l2, 24)
          expect(Math.abs(e12 - e21)).toBeLessThan(1e-6)
          expect(Math.abs(e12 - shifted)).toBeLessThan(1e-6)
          expect(e12).toBeGreaterThanOrEqual(-1e-12)
          expect(e12).toBeLessThanOrEqual(12 + 1e-12)
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('circular closed form', () => {
  it('agrees with exact piecewise integration (1e-8 of the period) on both sides of its switch', () => {
    const random = createRandom(21)
    for (let k = 0; k < 20_000; k++) {
      const period = k % 2 === 0 ? 24 : 7 * DAY
      const a1 = (random() - 0.5) * 4 * period
      const a2 = (random() - 0.5) * 4 * period
      const l1 = random() < 0.2 ? 0 : random() ** 6 * period * 0.999
      const l2 = random() < 0.2 ? 0 : random() ** 6 * period * 0.999
      const closed = expectedCircularDistance(a1, a1 + l1, a2, a2 + l2, period)
      const piecewise = expectedCircularDistancePiecewise(a1, a1 + l1, a2, a2 + l2, period)
      expect(Math.abs(closed - piecewise)).toBeLessThanOrEqual(1e-8 * period)
    }
  })
})

describe('closed forms against Monte Carlo', () => {
  // the bench (bench/expected-distance.ts) uses 10^6 samples and a 0.5% bound; here 2·10^5 samples,
  // whose standard error is about 0.2%, so the bound is 1%
  it('agree within 1% over random windows (linear and 24 h circle, points included)', () => {
    const random = createRandom(7)
    for (let trial = 0; trial < 12; trial++) {
      const a1 = random() * 40
      const l1 = trial % 4 === 0 ? 0 : random() * 23.9
      const a2 = random() * 40
      const l2 = trial % 6 === 1 ? 0 : random() * 23.9
      const mc = monteCarlo(a1, l1, a2, l2, 24, 200_000, 100 + trial)
      const linear = expectedAbsoluteDifference(a1, a1 + l1, a2, a2 + l2)
      const circle = expectedCircularDistance(a1, a1 + l1, a2, a2 + l2, 24)
      expect(Math.abs(mc.linear - linear) / linear).toBeLessThan(0.01)
      expect(Math.abs(mc.circle - circle) / circle).toBeLessThan(0.01)
    }
  })
})

describe('haversineMeters', () => {
  it('measures known distances', () => {
    expect(haversineMeters(31.2304, 121.4737, 32.0603, 118.7969) / 1000).toBeCloseTo(268, -1)
    expect(haversineMeters(0, 0, 0, 1)).toBeCloseTo(111_195, -1)
    expect(haversineMeters(10, 20, 10, 20)).toBe(0)
  })
})
