import { sortByKey } from '../blocking/pairBuffer'
import type { PairScorer } from '../score/pairScorer'
import type { CandidatePairs } from '../score/scorePairs'
import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { fmix32, hashString } from '../util/random'
import { type LinkageModel, PAIR_CLASSES, type PairClass } from './linkageModel'

/** Options of {@link estimatePriors}. */
export interface EstimatePriorsOptions {
  /**
   * Pairs of each blocking rule sampled (uniformly, by pair hash) and classed, binned and scored: the kinds'
   * gap counts, pair counts and mean probabilities are measured on them, weighted by the rule's inverse
   * sampling fraction. Default 100,000.
   */
  maxSampledPairs?: number
  /** Sampled pairs of each kind given a time-permuted partner for the chance gap distribution. Default 200,000. */
  maxNullPairs?: number
  /**
   * Standard errors by which the estimated linked share is lowered before it is used, on the log scale
   * (the share the data shows beyond chance with this confidence; 0 uses the estimate itself), times the
   * data's share of the estimate's precision. Default 1.
   */
  confidence?: number
  /**
   * Standard error of the model's own belief about a kind's linked share (its mean probability over the
   * kind's pairs at its fitted prior): the estimate combines that belief and the data's estimate by their
   * precisions (1 / standard error²), so a kind with few pairs (a small data set), whose gaps say little,
   * keeps about the model's prior, and a kind with many pairs gets what its data show. Default 0.05.
   */
  priorStandardError?: number
  /** Seed of the sampling. Default 1. */
  seed?: number
}

/**
 * Defaults of {@link EstimatePriorsOptions}.
 *
 * @example
 * estimatePriors(table, candidates, scorer, { ...ESTIMATE_PRIORS_DEFAULTS, confidence: 0 })
 */
export const ESTIMATE_PRIORS_DEFAULTS = {
  maxSampledPairs: 100_000,
  maxNullPairs: 200_000,
  confidence: 1,
  priorStandardError: 0.05,
  seed: 1,
} as const

/** The estimate for one kind of pair. */
export interface PairClassEstimate {
  kind: PairClass
  /** Candidate pairs of this kind (estimated from the sample). */
  pairs: number
  /** Of them sampled. */
  sampledPairs: number
  /** The longest window gap among them, days (the time horizon that selected them). */
  horizonDays: number
  /** Pairs given a time-permuted partner (the chance gap distribution). */
  nullPairs: number
  /** The model's mean probability over them at its own prior: its belief about their linked share. */
  modelShare?: number
  /**
   * Total variation distance between the linked and the chance gap distributions (0: time cannot tell
   * linked pairs of this kind from chance ones here; 1: it always can).
   */
  separation?: number
  /**
   * The maximum-likelihood share of linked pairs among them, from how their window gaps mix the gaps of
   * linked pairs (the model's `linkedGapShares`) and of chance pairs (the permuted partners).
   */
  dataShare?: number
  /**
   * How much worse the gap mixture fits than sampling explains (Pearson χ² per degree of freedom, at
   * least 1); the data's standard error is widened by its square root.
   */
  dispersion?: number
  /**
   * The chance gap distribution measured here (shares per bin, half a pair added to each): what
   * training stores as the model's `chanceGapShares`.
   */
  chanceGapShares?: number[]
  /**
   * The share of linked pairs among them: `dataShare` and `modelShare` combined by their precisions (see
   * `priorStandardError`); NaN when not estimated.
   */
  linkedShare: number
  standardError: number
  /**
   * The share used: `linkedShare · exp(−confidence · w · standardError / linkedShare)` (lowered on the log
   * scale), at least 1e-9, where w is the data's
   * share of the precision (1 when the data decide, 0 when only the model's belief does).
   */
  linkedShareUsed: number
  /** The kind's prior offset before and after, bits. */
  offsetBits: number
  estimatedOffsetBits: number
  /** Why the kind kept the model's prior, when it did. */
  kept?: string
}

/** What {@link estimatePriors} returns. */
export interface EstimatedPriors {
  /** The model with each kind's prior offset re-estimated (the model itself when it has no `pairPriors`). */
  model: LinkageModel
  estimates: PairClassEstimate[]
}

const DAY_MS = 86_400_000
/** Least linked share: below it a kind links (almost) nothing. */
const MIN_SHARE = 1e-9
/** Offsets are kept within ±this many bits. */
const MAX_OFFSET = 64

/**
 * Re-estimates the prior of each kind of pair (near, sharing evidence, far; see `PAIR_CLASSES`) on the
 * data being linked, so that probabilities mean the same at any size, density and make-up of the data.
 *
 * Two steps per kind, on a sample of the candidate pairs (`maxSampledPairs` of each blocking rule, weighted
 * back to the rule's size):
 * 1. The linked share λ. Same-offender pairs come close in time (an offender's crimes come in runs);
 *    chance pairs have the gaps that random incidents of their categories have. Each pair's window gap
 *    is binned (`pairPriors.gapBinsDays`); the chance distribution is measured on the same pairs with the
 *    second incident's time window taken from a random incident of its category (a permutation null,
 *    restricted to the kind's time horizon, the longest gap observed), the linked distribution is the
 *    model's `linkedGapShares` (from the data it was fitted on). λ is the maximum-likelihood weight of the
 *    mixture λ · linked + (1 − λ) · chance (EM with both components fixed; one parameter), combined
 *    with the model's own belief by precision (`priorStandardError`), lowered by `confidence` standard errors
 *    on the log scale (observed information, widened for the null's sample). Data whose pairs are no closer in time than chance, as
 *    time-permuted data, get λ ≈ 0; a kind with few pairs keeps about the model's prior.
 * 2. The offset. The kind's prior offset is shifted so that the model's mean probability over the kind's
 *    pairs equals λ (scored with the model's weights, background and term frequencies): the model keeps
 *    ranking pairs; the data sets how many of them are linked.
 *
 * The weights themselves are not changed. A kind without pairs, or without `linkedGapShares` in the
 * model, keeps its offset (`kept` says why). Deterministic for a seed; the samples are drawn by pair hash,
 * independent of row order. Runs in O(candidates) plus the samples: 1.4 s at 1,000,000 incidents (21.5M
 * candidate pairs) on the development machine.
 *
 * @example
 * const scorer = createPairScorer(table, model)
 * const { model: calibrated, estimates } = estimatePriors(table, candidates, scorer)
 * estimates.map((e) => `${e.kind}: ${e.linkedShareUsed}`)
 */
export function estimatePriors(
  table: CaseTable,
  candidates: CandidatePairs & { rule?: Uint8Array },
  scorer: PairScorer,
  options: EstimatePriorsOptions = {},
): EstimatedPriors {
  const maxSampled = options.maxSampledPairs ?? ESTIMATE_PRIORS_DEFAULTS.maxSampledPairs
  const maxNull = options.maxNullPairs ?? ESTIMATE_PRIORS_DEFAULTS.maxNullPairs
  const confidence = options.confidence ?? ESTIMATE_PRIORS_DEFAULTS.confidence
  const seed = options.seed ?? ESTIMATE_PRIORS_DEFAULTS.seed
  const priorStandardError = options.priorStandardError ?? ESTIMATE_PRIORS_DEFAULTS.priorStandardError
  if (!(priorStandardError > 0)) {
    throw new RangeError(
      `caselink: estimatePriors priorStandardError must be a number > 0, got ${priorStandardError}`,
    )
  }
  const priorPrecision = 1 / (priorStandardError * priorStandardError)
  for (const [name, value] of [
    ['maxSampledPairs', maxSampled],
    ['maxNullPairs', maxNull],
  ] as const) {
    if (!(Number.isInteger(value) && value >= 1)) {
      throw new RangeError(`caselink: estimatePriors ${name} must be a positive integer, got ${value}`)
    }
  }
  if (!(confidence >= 0) || !Number.isFinite(confidence)) {
    throw new RangeError(
      `caselink: estimatePriors confidence must be a finite number >= 0, got ${confidence}`,
    )
  }
  const model = scorer.model
  const priors = model.pairPriors
  if (priors === undefined) return { model, estimates: [] }
  const bins = priors.gapBinsDays
  const B = bins.length + 1
  const spec = model.background as NonNullable<LinkageModel['background']>
  const background = {
    maxDistanceMeters: spec.maxDistanceMeters,
    gapMs: Math.round(spec.maxGapDays * DAY_MS),
  }
  const { count } = candidates

  // A uniform sample of each blocking rule's pairs (by pair hash: the same pairs whatever the row order),
  // each pair weighted by its rule's inverse sampling fraction: its kind, gap bin and match weight
  const rules = candidates.rule ?? new Uint8Array(count)
  const pairA = candidates.a
  const pairB = candidates.b
  const stratumCount = new Float64Array(256)
  for (let k = 0; k < count; k++) stratumCount[rules[k]]++
  const cut = Float64Array.from(stratumCount, (n) => (n > 0 ? (Math.min(maxSampled, n) / n) * 4294967296 : 0))
  const weightOf = Float64Array.from(stratumCount, (n) => (n > 0 ? n / Math.min(maxSampled, n) : 0))
  const idHash = Uint32Array.from(table.ids, hashString)
  const seedMix = hashString(`priors:${seed}`)
  // integer counts per (kind, rule): gap bins and match-weight bins (1/64 bit), weighted only when combined
  // in a fixed order, so that the result does not depend on the order of the pairs
  let strata = 1
  for (let s = 0; s < stratumCount.length; s++) if (stratumCount[s] > 0) strata = s + 1
  const gapCounts = PAIR_CLASSES.map(() => Array.from({ length: strata }, () => new Float64Array(B)))
  const weightCounts = PAIR_CLASSES.map(() =>
    Array.from({ length: strata }, () => new Float64Array(HISTOGRAM_BINS)),
  )
  const sampled = new Float64Array(3)
  const horizon = new Float64Array(3)
  const nullSample: number[][] = [[], [], []]
  for (let k = 0; k < count; k++) {
    const stratum = rules[k]
    const i = pairA[k]
    const j = pairB[k]
    const x = idHash[i]
    const y = idHash[j]
    const key = fmix32((x < y ? x : y) ^ Math.imul((x < y ? y : x) ^ seedMix, 0x9e3779b1))
    if (key >= cut[stratum]) continue
    const kind = scorer.pairClass(i, j)
    const gap = windowGapDays(table, i, j)
    gapCounts[kind][stratum][binIndex(bins, gap)]++
    weightCounts[kind][stratum][histogramBin(scorer.matchWeight(i, j))]++
    sampled[kind]++
    if (gap > horizon[kind]) horizon[kind] = gap
    nullSample[kind].push(k, key)
  }
  const pairs = new Float64Array(3)
  const observed = PAIR_CLASSES.map(() => new Float64Array(B))
  const weightHistogram = PAIR_CLASSES.map(() => new Float64Array(HISTOGRAM_BINS))
  for (let kind = 0; kind < 3; kind++) {
    for (let s = 0; s < strata; s++) {
      const w = weightOf[s]
      for (let b = 0; b < B; b++) {
        observed[kind][b] += w * gapCounts[kind][s][b]
        pairs[kind] += w * gapCounts[kind][s][b]
      }
      for (let b = 0; b < HISTOGRAM_BINS; b++) weightHistogram[kind][b] += w * weightCounts[kind][s][b]
    }
  }
  const rowsOfCategory = categoryRows(table, idHash)
  const estimates: PairClassEstimate[] = []
  for (let kind = 0; kind < 3; kind++) {
    const name = PAIR_CLASSES[kind]
    const offsetBits = priors[name].offsetBits
    const base: PairClassEstimate = {
      kind: name,
      pairs: Math.round(pairs[kind]),
      sampledPairs: sampled[kind],
      horizonDays: horizon[kind],
      nullPairs: 0,
      linkedShare: Number.NaN,
      standardError: Number.NaN,
      linkedShareUsed: Number.NaN,
      offsetBits,
      estimatedOffsetBits: offsetBits,
    }
    const linkedShares = priors[name].linkedGapShares
    if (sampled[kind] === 0) {
      estimates.push({ ...base, kept: 'no candidate pairs of this kind' })
      continue
    }
    if (linkedShares === undefined) {
      estimates.push({ ...base, kept: 'the model has no linked gap distribution for this kind' })
      continue
    }
    // the chance gaps: sampled pairs' second incident takes the window of a random incident of its
    // category (drawn by hash; as many draws a pair as make `maxNullPairs`), kept when within the kind's
    // horizon
    const chance = new Float64Array(B)
    const horizonMs = horizon[kind] * DAY_MS
    const sample = nullSample[kind]
    const draws = Math.max(1, Math.floor(maxNull / sampled[kind]))
    let nullPairs = 0
    for (let s = 0; s < sample.length; s += 2) {
      const k = sample[s]
      // the pair's incident whose id hashes lower keeps its window (roles independent of row order)
      const swap = idHash[candidates.a[k]] > idHash[candidates.b[k]]
      const i = swap ? candidates.b[k] : candidates.a[k]
      const j = swap ? candidates.a[k] : candidates.b[k]
      const pool = rowsOfCategory(table.category[j])
      // a pair of the same category and place is near exactly when close in time: drawn as another kind,
      // its permuted partner must stay as far in time as that kind's pairs are (as selected)
      const minGapMs = kind !== 0 && placeNear(table, i, j, background) ? background.gapMs : -1
      for (let draw = 0; draw < draws; draw++) {
        const key = fmix32(sample[s + 1] ^ Math.imul(draw, 0x9e3779b1))
        for (let tries = 1; tries <= 64; tries++) {
          const p = pool[fmix32(key ^ fmix32(tries)) % pool.length]
          if (p === i || p === j) continue
          const gapMs = windowGapMs(table.timeFrom[i], table.timeTo[i], table.timeFrom[p], table.timeTo[p])
          if (gapMs > horizonMs || gapMs <= minGapMs) continue
          chance[binIndex(bins, gapMs / DAY_MS)]++
          nullPairs++
          break
        }
      }
    }
    const linked = truncated(
      relativeToChance(linkedShares, priors[name].chanceGapShares, chance),
      bins,
      horizon[kind],
    )
    const modelShare = meanOfHistogram(weightHistogram[kind], 0)
    const fit = mixtureShare(observed[kind], chance, linked, sampled[kind], nullPairs)
    const separation = totalVariation(linked, chance)
    // the data's estimate and the model's belief, combined by their precisions
    const dataPrecision = 1 / (fit.standardError * fit.standardError)
    const share = (dataPrecision * fit.share + priorPrecision * modelShare) / (dataPrecision + priorPrecision)
    const standardError = Math.sqrt(1 / (dataPrecision + priorPrecision))
    // lowered by the share of the standard error that is the data's: the lowering guards against chance
    // in the data's estimate; where the share is the model's belief (few pairs), there is none to guard
    // against (on the bundled 300-incident sample, lowering by the whole error linked half the pairs)
    const dataWeight = dataPrecision / (dataPrecision + priorPrecision)
    // on the log scale (the share's relative error is the standard error of its logarithm): a noisy
    // estimate is divided by at most e^(its relative error) instead of taken to nothing; subtracting the
    // error took a kind whose error matched its share to 1e-9, 40 bits below its pairs, and ranked every
    // pair of that kind below all others (2k generated city-plain: all-pairs AUC 0.648, against 0.832
    // now and 0.670 for distance and gap alone; Chicago's null-test share 5.9% → 6.2%)
    const lowering = confidence * dataWeight * standardError
    const used = Math.max(MIN_SHARE, share * Math.exp(-lowering / Math.max(share, MIN_SHARE)))
    // the offset at which the model's mean probability over the kind's (sampled) pairs is the used share
    const shift = shiftForHistogram(weightHistogram[kind], used)
    const estimated = Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, offsetBits + shift))
    estimates.push({
      ...base,
      nullPairs,
      modelShare,
      separation,
      dataShare: fit.share,
      dispersion: fit.dispersion,
      chanceGapShares: smoothedShares(chance),
      linkedShare: share,
      standardError,
      linkedShareUsed: used,
      estimatedOffsetBits: estimated,
    })
  }
  const estimatedModel: LinkageModel = {
    ...model,
    pairPriors: {
      ...priors,
      near: { ...priors.near, offsetBits: estimates[0].estimatedOffsetBits },
      evidence: { ...priors.evidence, offsetBits: estimates[1].estimatedOffsetBits },
      far: { ...priors.far, offsetBits: estimates[2].estimatedOffsetBits },
    },
  }
  return { model: estimatedModel, estimates }
}

/**
 * Whether rows i and j are neighbours in all but time (the rest of the kernels' `near` test): located in
 * the same system, of the same category (or both without one), within the distance.
 */
function placeNear(
  table: CaseTable,
  i: number,
  j: number,
  background: { maxDistanceMeters: number },
): boolean {
  if (table.hasLocation[i] === 0 || table.hasLocation[j] === 0) return false
  if (table.hasLatLon[i] !== table.hasLatLon[j] || table.category[i] !== table.category[j]) return false
  const R = background.maxDistanceMeters
  if (table.hasLatLon[i] === 0) return Math.hypot(table.x[i] - table.x[j], table.y[i] - table.y[j]) <= R
  const dLat = ((table.lat[j] - table.lat[i]) * Math.PI) / 180
  const dLon = ((table.lon[j] - table.lon[i]) * Math.PI) / 180
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos((table.lat[i] * Math.PI) / 180) *
      Math.cos((table.lat[j] * Math.PI) / 180) *
      Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(Math.min(1, h))) <= R
}

/** Window gap of rows i and j in days (0 when the windows overlap), as blocking measures it. */
export function windowGapDays(table: CaseTable, i: number, j: number): number {
  return windowGapMs(table.timeFrom[i], table.timeTo[i], table.timeFrom[j], table.timeTo[j]) / DAY_MS
}

function windowGapMs(fromI: number, toI: number, fromJ: number, toJ: number): number {
  const gap = (fromI > fromJ ? fromI : fromJ) - (toI < toJ ? toI : toJ)
  return gap > 0 ? gap : 0
}

/** Index of the bin holding `gapDays`: the first upper end it does not exceed, else the last (open) bin. */
export function binIndex(bins: readonly number[], gapDays: number): number {
  for (let b = 0; b < bins.length; b++) if (gapDays <= bins[b]) return b
  return bins.length
}

/** The linked shares restricted to the bins a gap within `horizonDays` can fall in, renormalised. */
function truncated(shares: readonly number[], bins: readonly number[], horizonDays: number): Float64Array {
  const last = binIndex(bins, horizonDays)
  const out = new Float64Array(shares.length)
  let sum = 0
  for (let b = 0; b <= last; b++) sum += shares[b]
  for (let b = 0; b <= last; b++) out[b] = sum > 0 ? shares[b] / sum : 1 / (last + 1)
  return out
}

/** Total variation distance between the linked shares and the chance counts (normalised). */
function totalVariation(linked: Float64Array, chanceCounts: Float64Array): number {
  let total = 0
  for (const x of chanceCounts) total += x
  let distance = 0
  for (let b = 0; b < linked.length; b++)
    distance += Math.abs(linked[b] - (total > 0 ? chanceCounts[b] / total : 0))
  return distance / 2
}

/**
 * Maximum-likelihood weight λ of `linked` in the mixture λ · linked + (1 − λ) · chance fitted to the
 * observed bin counts (EM with both components fixed), and its standard error from the observed information,
 * widened by (1 + n / nullPairs) for the chance distribution's own sampling. Chance shares get a half count
 * per bin so that no bin is impossible.
 */
export function mixtureShare(
  observed: Float64Array,
  chanceCounts: Float64Array,
  linked: Float64Array,
  n: number,
  nullPairs: number,
): { share: number; standardError: number; dispersion: number } {
  const B = observed.length
  // the observed counts may be weighted (a stratified sample): the fit uses their shares, the standard
  // error the n pairs actually seen
  let total = 0
  for (let b = 0; b < B; b++) total += observed[b]
  const scale = total > 0 ? n / total : 0
  const chance = new Float64Array(B)
  let chanceTotal = 0
  for (let b = 0; b < B; b++) chanceTotal += chanceCounts[b] + 0.5
  for (let b = 0; b < B; b++) chance[b] = (chanceCounts[b] + 0.5) / chanceTotal
  let share = 0.1
  for (let iteration = 0; iteration < 500; iteration++) {
    let sum = 0
    for (let b = 0; b < B; b++) {
      if (observed[b] === 0) continue
      const m = share * linked[b]
      sum += (observed[b] * scale * m) / (m + (1 - share) * chance[b])
    }
    const next = sum / n
    const done = Math.abs(next - share) < 1e-12
    share = next
    if (done) break
  }
  let information = 0
  for (let b = 0; b < B; b++) {
    if (observed[b] === 0) continue
    const d = linked[b] - chance[b]
    const mix = share * linked[b] + (1 - share) * chance[b]
    information += (observed[b] * scale * d * d) / (mix * mix)
  }
  // the data's information, widened for the null's own sampling
  const nullInflation = 1 + n / Math.max(1, nullPairs)
  const dataInformation = information / nullInflation
  // Pearson dispersion of the fitted mixture: the two gap distributions are taken as known, and when
  // they are not what this data holds (the linked gaps were measured on other data; a kind whose linked
  // pairs are spread in time like chance ones) the histogram fits worse than sampling explains, and the
  // standard error widens by the square root of that excess (quasi-likelihood)
  let pearson = 0
  let cells = 0
  for (let b = 0; b < B; b++) {
    const expected = n * (share * linked[b] + (1 - share) * chance[b])
    if (expected <= 0) continue
    const o = observed[b] * scale
    pearson += ((o - expected) * (o - expected)) / (expected * nullInflation)
    cells++
  }
  const dispersion = cells > 2 ? Math.max(1, pearson / (cells - 2)) : 1
  return {
    share,
    dispersion,
    standardError: dataInformation > 0 ? Math.sqrt(dispersion / dataInformation) : 1,
  }
}

/** Shares of counts with half a count added to each bin. */
function smoothedShares(counts: Float64Array): number[] {
  let total = 0
  for (let b = 0; b < counts.length; b++) total += counts[b] + 0.5
  return Array.from(counts, (c) => (c + 0.5) / total)
}

/**
 * The linked gap distribution measured on the model's data, moved to this data's time span: each bin's
 * linked share times this data's chance share over the model data's chance share, renormalised (a span
 * that makes every gap shorter makes linked gaps shorter alike). As given when the model has no chance
 * shares. Half a pair per bin keeps every ratio finite.
 */
function relativeToChance(
  linked: readonly number[],
  modelChance: readonly number[] | undefined,
  chanceCounts: Float64Array,
): number[] {
  if (modelChance === undefined) return [...linked]
  const here = smoothedShares(chanceCounts)
  const out = linked.map((share, b) => (share * here[b]) / Math.max(modelChance[b], 1e-9))
  const sum = out.reduce((x, y) => x + y, 0)
  return sum > 0 ? out.map((x) => x / sum) : [...linked]
}

/** Match-weight histogram: bins of 1/64 bit over [−128, 128] bits (weights beyond fall in the end bins). */
const HISTOGRAM_LOW = -128
const HISTOGRAM_BINS = 256 * 64 + 1

function histogramBin(matchWeight: number): number {
  const w =
    matchWeight < HISTOGRAM_LOW ? HISTOGRAM_LOW : matchWeight > -HISTOGRAM_LOW ? -HISTOGRAM_LOW : matchWeight
  return Math.round((w - HISTOGRAM_LOW) * 64)
}

/** Mean of σ(w + shift) over a (weighted) match-weight histogram. */
function meanOfHistogram(histogram: Float64Array, shift: number): number {
  let sum = 0
  let total = 0
  for (let b = 0; b < histogram.length; b++) {
    if (histogram[b] === 0) continue
    const x = HISTOGRAM_LOW + b / 64 + shift
    sum += histogram[b] * (x >= 0 ? 1 / (1 + 2 ** -x) : 2 ** x / (1 + 2 ** x))
    total += histogram[b]
  }
  return total > 0 ? sum / total : 0
}

/**
 * The shift δ (bits) such that the mean of σ(w + δ) over a match-weight histogram equals `target`, by
 * bisection (the histogram makes the cost independent of the number of pairs).
 */
export function shiftForHistogram(histogram: Float64Array, target: number): number {
  let a = -2 * MAX_OFFSET
  let b = 2 * MAX_OFFSET
  for (let iteration = 0; iteration < 60; iteration++) {
    const mid = (a + b) / 2
    if (meanOfHistogram(histogram, mid) > target) b = mid
    else a = mid
  }
  return (a + b) / 2
}

/**
 * Rows of each category (−1 = no category), each list in the order of the ids' hashes, so that a partner
 * drawn by hash does not depend on the order of the rows (up to ids with equal 32-bit hashes).
 */
function categoryRows(table: CaseTable, idHash: Uint32Array): (category: number) => Uint32Array {
  const keys = new Float64Array(table.size)
  for (let i = 0; i < table.size; i++) keys[i] = (table.category[i] + 1) * 4294967296 + idHash[i]
  const rows = sortByKey(keys)
  const start = new Uint32Array(table.categoryValues.length + 2)
  for (let i = 0; i < table.size; i++) start[table.category[i] + 2]++
  for (let c = 1; c < start.length; c++) start[c] += start[c - 1]
  return (category) => rows.subarray(start[category + 1], start[category + 2])
}
