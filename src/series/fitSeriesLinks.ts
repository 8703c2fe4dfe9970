/**
 * Fits the series-to-series model (`LinkageModel.seriesLinks`) on solved cases: the detected series of the
 * training data, compared pair by pair, labelled by whether their members' majority offender is the same.
 */

import { evaluatePartition } from '../evaluation/evaluatePartition'
import { SERIES_LINK_FEATURES, type SeriesLinkModel, SeriesLinkModelSchema } from '../model/linkageModel'
import type { CaseTable } from '../table/CaseTable'
import { mergeByProbability, seriesPairProbabilities } from './linkSeriesByModel'
import { SERIES_LINK_REACH_DEFAULTS, type SeriesLinkReach, seriesPairFeatures } from './seriesPairFeatures'

/** Options of {@link fitSeriesLinks}. */
export interface FitSeriesLinksOptions {
  /** Which pairs of series are compared. Default {@link SERIES_LINK_REACH_DEFAULTS}. */
  reach?: SeriesLinkReach
  /**
   * L2 penalty on the standardised weights' distance from the prior's. Default
   * {@link PRIOR_L2} with a prior (the prior weighs about as much as a few hundred pairs of series), 1
   * without.
   */
  l2?: number
  /**
   * A series-to-series model the fit shrinks toward (the L2 penalty pulls the weights to this model's,
   * not to 0), e.g. the built-in model's: a small solved set gives a few dozen pairs of series, too few to
   * fit 14 weights alone. With fewer than {@link MIN_PAIRS_FOR_THRESHOLDS} pairs its merge and veto
   * thresholds are kept too. Default none (`null` too): shrink toward 0.
   */
  prior?: SeriesLinkModel | null
}

/**
 * The L2 penalty toward a prior: each pair of series adds at most 1/4 to the fit's curvature, so the prior
 * counts about as much as 400 pairs. With the penalty 1, the 81 pairs of series a 20k province solved set
 * gives moved the weights far from the built-in model's (the planted impersonator at 20k: 34 of his 121
 * crimes in one series, F1 0.44; with 100, 81 of them, F1 0.80; the built-in model alone, 0.85).
 *
 * @example
 * fitSeriesLinks(table, membership, { prior, l2: PRIOR_L2 / 4 }) // a prior worth about 100 pairs
 */
export const PRIOR_L2 = 100

/** Below this many pairs of labelled series, the prior's thresholds are kept instead of the grid's. */
export const MIN_PAIRS_FOR_THRESHOLDS = 500

/** Merge thresholds tried; the one giving the best B³ F1 on the training data is kept. */
const MIN_PROBABILITIES = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98]
/** Veto thresholds tried with each. */
const VETO_PROBABILITIES = [0.02, 0.05, 0.1, 0.2, 0.3]

/**
 * Fits a series-to-series model from a table with `series` labels and the detected series of its rows
 * (a membership, e.g. `linkIncidents(...).partition.membership` on the same incidents). Each detected
 * series of two or more members takes the label most of its members carry (a row's first label; ties to
 * the smallest); two series are linked when their labels agree. The weights are an L2-regularised logistic
 * regression over standardised {@link SERIES_LINK_FEATURES} (Newton's method); the merge and veto
 * thresholds are those of a small grid that give the best B³ F1 on the training data after merging.
 * Returns undefined when no pair of labelled series is within reach or no pair is linked (nothing to learn).
 * Deterministic.
 *
 * @example
 * const { partition, table } = linkIncidents(solved, { timeZone: 'Asia/Shanghai', model })
 * const seriesLinks = fitSeriesLinks(table, partition.membership)
 */
export function fitSeriesLinks(
  table: CaseTable,
  membership: Int32Array,
  options: FitSeriesLinksOptions = {},
): SeriesLinkModel | undefined {
  const reach = options.reach ?? SERIES_LINK_REACH_DEFAULTS
  const l2 = options.l2 ?? (options.prior == null ? 1 : PRIOR_L2)
  if (!(l2 >= 0 && Number.isFinite(l2))) {
    throw new RangeError(`caselink: fitSeriesLinks l2 must be a finite number >= 0, got ${l2}`)
  }
  const pairs = seriesPairFeatures(table, membership, reach)
  const label = majorityLabels(table, pairs.start, pairs.rows, pairs.communities)
  const F = SERIES_LINK_FEATURES.length
  const used: number[] = []
  for (let k = 0; k < pairs.count; k++) if (label[pairs.a[k]] >= 0 && label[pairs.b[k]] >= 0) used.push(k)
  const y = new Uint8Array(used.length)
  let linked = 0
  for (let u = 0; u < used.length; u++) {
    y[u] = label[pairs.a[used[u]]] === label[pairs.b[used[u]]] ? 1 : 0
    linked += y[u]
  }
  if (linked === 0 || linked === used.length) return undefined
  const center = new Float64Array(F)
  const scale = new Float64Array(F)
  for (const k of used) for (let d = 0; d < F; d++) center[d] += pairs.features[k * F + d]
  for (let d = 0; d < F; d++) center[d] /= used.length
  for (const k of used) for (let d = 0; d < F; d++) scale[d] += (pairs.features[k * F + d] - center[d]) ** 2
  for (let d = 0; d < F; d++) scale[d] = Math.sqrt(scale[d] / used.length) || 1
  const x = new Float64Array(used.length * F)
  for (let u = 0; u < used.length; u++) {
    for (let d = 0; d < F; d++) x[u * F + d] = (pairs.features[used[u] * F + d] - center[d]) / scale[d]
  }
  // the prior's weights in this fit's standardisation (feature by name; a feature it lacks weighs 0)
  const start = new Float64Array(F + 1)
  const prior = options.prior ?? undefined
  if (prior !== undefined) {
    start[F] = prior.intercept
    prior.features.forEach((name, e) => {
      const d = SERIES_LINK_FEATURES.indexOf(name)
      start[d] = (prior.weights[e] * scale[d]) / prior.scale[e]
      start[F] += (prior.weights[e] * (center[d] - prior.center[e])) / prior.scale[e]
    })
  }
  const { weights, intercept } = fitLogistic(x, y, F, l2, prior === undefined ? undefined : start)
  const fitted: SeriesLinkModel = {
    features: [...SERIES_LINK_FEATURES],
    weights: Array.from(weights, round),
    intercept: round(intercept),
    center: Array.from(center, round),
    scale: Array.from(scale, round),
    minProbability: 0.5,
    vetoProbability: 0.1,
    reach: { ...reach },
  }

  // thresholds: the best B³ F1 on the training rows after merging
  const probability = seriesPairProbabilities(pairs, fitted)
  // the training rows with their labels, for the project's B³ (unlabelled rows are left out)
  const labelled = table.ids.map((id, i) => ({
    id,
    series: Array.from(
      table.seriesIds.subarray(table.seriesStart[i], table.seriesStart[i + 1]),
      (s) => table.seriesValues[s],
    ),
  }))
  let best = { f1: -1, minProbability: 0.5, vetoProbability: 0.1 }
  const grid = prior === undefined || used.length >= MIN_PAIRS_FOR_THRESHOLDS
  for (const minProbability of grid ? MIN_PROBABILITIES : [(prior as SeriesLinkModel).minProbability]) {
    for (const vetoProbability of grid ? VETO_PROBABILITIES : [(prior as SeriesLinkModel).vetoProbability]) {
      const { root } = mergeByProbability(
        pairs,
        probability,
        minProbability,
        vetoProbability,
        (c, t) => c - t,
      )
      const predicted = new Int32Array(table.size)
      for (let i = 0; i < table.size; i++) predicted[i] = root[membership[i]]
      const f1 = evaluatePartition(predicted, labelled).bcubed.f1
      if (f1 > best.f1 + 1e-9) best = { f1, minProbability, vetoProbability }
    }
  }
  return SeriesLinkModelSchema.parse({
    ...fitted,
    minProbability: best.minProbability,
    vetoProbability: best.vetoProbability,
    training: {
      pairs: used.length,
      linked,
      series: countSeries(pairs.start, pairs.communities),
      note: `logistic regression (L2 ${l2}${prior === undefined ? '' : ' toward the prior'}) on ${used.length} pairs of detected series within ${reach.maxDistanceMeters / 1000} km and ${reach.maxGapDays} days (${linked} of one offender); merge at p ≥ ${best.minProbability}, veto below ${best.vetoProbability}${grid ? '' : " (the prior's)"}: training B³ F1 ${best.f1.toFixed(4)}`,
    },
  })
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6
}

function countSeries(start: Uint32Array, communities: number): number {
  let count = 0
  for (let c = 0; c < communities; c++) if (start[c + 1] - start[c] >= 2) count++
  return count
}

/** The label most members of each community carry first (-1 for lone rows and unlabelled series). */
function majorityLabels(
  table: CaseTable,
  start: Uint32Array,
  rows: Uint32Array,
  communities: number,
): Int32Array {
  const label = new Int32Array(communities).fill(-1)
  const votes = new Map<number, number>()
  for (let c = 0; c < communities; c++) {
    if (start[c + 1] - start[c] < 2) continue
    votes.clear()
    for (let k = start[c]; k < start[c + 1]; k++) {
      const i = rows[k]
      if (table.seriesStart[i] === table.seriesStart[i + 1]) continue
      const s = table.seriesIds[table.seriesStart[i]]
      votes.set(s, (votes.get(s) ?? 0) + 1)
    }
    let bestCount = 0
    for (const [s, count] of votes) {
      if (count > bestCount || (count === bestCount && s < label[c])) {
        bestCount = count
        label[c] = s
      }
    }
  }
  return label
}

/**
 * L2-regularised logistic regression by Newton's method with step halving: the penalty pulls the weights
 * toward `prior` (0 without one); the intercept is unpenalised.
 */
function fitLogistic(
  x: Float64Array,
  y: Uint8Array,
  F: number,
  l2: number,
  prior: Float64Array | undefined,
): { weights: Float64Array; intercept: number } {
  const N = y.length
  const D = F + 1
  const center = prior ?? new Float64Array(D)
  let beta = Float64Array.from(center)
  let positives = 0
  for (let u = 0; u < N; u++) positives += y[u]
  if (prior === undefined) beta[F] = Math.log(positives / (N - positives))
  const gradient = new Float64Array(D)
  const hessian = new Float64Array(D * D)
  // penalised negative log-likelihood
  const loss = (b: Float64Array): number => {
    let sum = 0
    for (let u = 0; u < N; u++) {
      let z = b[F]
      for (let d = 0; d < F; d++) z += b[d] * x[u * F + d]
      // log(1 + e^z) − y z, computed without overflow
      sum += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[u] * z
    }
    for (let d = 0; d < F; d++) sum += (l2 * (b[d] - center[d]) ** 2) / 2
    return sum
  }
  let current = loss(beta)
  for (let iteration = 0; iteration < 100; iteration++) {
    gradient.fill(0)
    hessian.fill(0)
    for (let u = 0; u < N; u++) {
      let z = beta[F]
      for (let d = 0; d < F; d++) z += beta[d] * x[u * F + d]
      const p = 1 / (1 + Math.exp(-z))
      const r = y[u] - p
      const w = Math.max(p * (1 - p), 1e-12)
      for (let d = 0; d < D; d++) {
        const xd = d === F ? 1 : x[u * F + d]
        gradient[d] += r * xd
        for (let e = d; e < D; e++) hessian[d * D + e] += w * xd * (e === F ? 1 : x[u * F + e])
      }
    }
    for (let d = 0; d < F; d++) {
      gradient[d] -= l2 * (beta[d] - center[d])
      hessian[d * D + d] += l2
    }
    for (let d = 0; d < D; d++) for (let e = 0; e < d; e++) hessian[d * D + e] = hessian[e * D + d]
    const step = solve(hessian, gradient, D)
    // halve the step until the loss does not grow (Newton overshoots where classes nearly separate)
    let scale = 1
    let next = beta
    let value = current
    for (let halving = 0; halving < 30; halving++, scale /= 2) {
      next = beta.map((b, d) => b + scale * step[d])
      value = loss(next)
      if (value <= current) break
    }
    if (!(value <= current)) break
    const improvement = current - value
    beta = next
    current = value
    if (improvement < 1e-9 * Math.max(1, current)) break
  }
  return { weights: beta.slice(0, F), intercept: beta[F] }
}

/** Solves A s = b for a symmetric positive definite A (Cholesky). */
function solve(a: Float64Array, b: Float64Array, D: number): Float64Array {
  const l = new Float64Array(D * D)
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * D + j]
      for (let k = 0; k < j; k++) sum -= l[i * D + k] * l[j * D + k]
      l[i * D + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * D + j]
    }
  }
  const z = new Float64Array(D)
  for (let i = 0; i < D; i++) {
    let sum = b[i]
    for (let k = 0; k < i; k++) sum -= l[i * D + k] * z[k]
    z[i] = sum / l[i * D + i]
  }
  const s = new Float64Array(D)
  for (let i = D - 1; i >= 0; i--) {
    let sum = z[i]
    for (let k = i + 1; k < D; k++) sum -= l[k * D + i] * s[k]
    s[i] = sum / l[i * D + i]
  }
  return s
}
