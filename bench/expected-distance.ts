/**
 * Closed forms of the time comparisons against Monte Carlo: for random windows (a quarter of them
 * points), E|X − Y| (time gap) and the expected circular distance on 24 h and 7 d (time of day, day of
 * week) against the mean of 10⁶ sampled pairs; also symmetry and self-comparison (length / 3).
 *
 *   nice npx tsx bench/expected-distance.ts [trials=40] [samples=1000000]
 *
 * Writes bench/results/expected-distance.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import {
  expectedAbsoluteDifference,
  expectedCircularDistance,
  expectedCircularDistancePiecewise,
} from '../src/compare/expectedDistance'
import { createRandom } from '../src/util/random'

const trials = Number(process.argv[2] ?? 40)
const samples = Number(process.argv[3] ?? 1_000_000)
const HOUR = 3_600_000
const DAY = 24 * HOUR
const WEEK = 7 * DAY
const random = createRandom(2026)

function circular(u: number, period: number): number {
  const r = u - period * Math.floor(u / period)
  return Math.min(r, period - r)
}

let worstLinear = 0
let worstDay = 0
let worstWeek = 0
let worstSymmetry = 0
let worstSelf = 0
let worstClosedVsPiecewise = 0
const started = performance.now()
for (let trial = 0; trial < trials; trial++) {
  const base = Date.UTC(2024, 0, 1)
  const a1 = base + random() * 10 * DAY
  const a2 = base + random() * 10 * DAY
  // windows up to 6 days (below the week period; the day comparison treats >= 24 h as uniform)
  const l1 = trial % 4 === 0 ? 0 : random() * random() * 6 * DAY
  const l2 = trial % 4 === 1 ? 0 : random() * random() * 6 * DAY
  let linear = 0
  let day = 0
  let week = 0
  for (let k = 0; k < samples; k++) {
    const d = a1 + random() * l1 - (a2 + random() * l2)
    linear += Math.abs(d)
    day += circular(d, DAY)
    week += circular(d, WEEK)
  }
  const relative = (mc: number, exact: number) => Math.abs(mc / samples - exact) / exact
  worstLinear = Math.max(worstLinear, relative(linear, expectedAbsoluteDifference(a1, a1 + l1, a2, a2 + l2)))
  if (l1 < DAY && l2 < DAY) {
    worstDay = Math.max(worstDay, relative(day, expectedCircularDistance(a1, a1 + l1, a2, a2 + l2, DAY)))
  }
  worstWeek = Math.max(worstWeek, relative(week, expectedCircularDistance(a1, a1 + l1, a2, a2 + l2, WEEK)))
  worstSymmetry = Math.max(
    worstSymmetry,
    Math.abs(
      expectedCircularDistance(a1, a1 + l1, a2, a2 + l2, WEEK) -
        expectedCircularDistance(a2, a2 + l2, a1, a1 + l1, WEEK),
    ) / WEEK,
    Math.abs(
      expectedAbsoluteDifference(a1, a1 + l1, a2, a2 + l2) -
        expectedAbsoluteDifference(a2, a2 + l2, a1, a1 + l1),
    ) /
      (l1 + l2 + Math.abs(a1 - a2)),
  )
  if (l1 > 0) {
    worstSelf = Math.max(
      worstSelf,
      Math.abs(expectedAbsoluteDifference(a1, a1 + l1, a1, a1 + l1) - l1 / 3) / (l1 / 3),
    )
  }
  worstClosedVsPiecewise = Math.max(
    worstClosedVsPiecewise,
    Math.abs(
      expectedCircularDistance(a1, a1 + l1, a2, a2 + l2, WEEK) -
        expectedCircularDistancePiecewise(a1, a1 + l1, a2, a2 + l2, WEEK),
    ) / expectedCircularDistancePiecewise(a1, a1 + l1, a2, a2 + l2, WEEK),
  )
}

// speed of the closed forms (calls per second), windows of up to 12 h
const calls = 2_000_000
const from = new Float64Array(calls)
const length = new Float64Array(calls)
for (let k = 0; k < calls; k++) {
  from[k] = Date.UTC(2024, 0, 1) + random() * 30 * DAY
  length[k] = random() < 0.4 ? 0 : random() * 12 * HOUR
}
let sink = 0
let t = performance.now()
for (let k = 1; k < calls; k++) {
  sink += expectedAbsoluteDifference(from[k - 1], from[k - 1] + length[k - 1], from[k], from[k] + length[k])
}
const linearNs = ((performance.now() - t) * 1e6) / calls
t = performance.now()
for (let k = 1; k < calls; k++) {
  sink += expectedCircularDistance(
    from[k - 1],
    from[k - 1] + length[k - 1],
    from[k],
    from[k] + length[k],
    DAY,
  )
}
const circularNs = ((performance.now() - t) * 1e6) / calls

const result = {
  trials,
  samplesPerTrial: samples,
  maxRelativeErrorVsMonteCarlo: {
    timeGap: Number(worstLinear.toExponential(3)),
    timeOfDay24h: Number(worstDay.toExponential(3)),
    dayOfWeek7d: Number(worstWeek.toExponential(3)),
  },
  within05Percent: Math.max(worstLinear, worstDay, worstWeek) < 0.005,
  maxAsymmetry: Number(worstSymmetry.toExponential(3)),
  maxSelfComparisonErrorVsLengthOver3: Number(worstSelf.toExponential(3)),
  maxClosedFormVsPiecewise: Number(worstClosedVsPiecewise.toExponential(3)),
  nanosecondsPerCall: { timeGap: Number(linearNs.toFixed(1)), circular24h: Number(circularNs.toFixed(1)) },
  seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  sink: sink > 0,
}
console.log(JSON.stringify(result, null, 2))
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(
  new URL('./results/expected-distance.json', import.meta.url),
  `${JSON.stringify(result, null, 2)}\n`,
)
