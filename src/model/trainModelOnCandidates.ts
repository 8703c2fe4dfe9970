import { BLOCKING_DEFAULTS } from '../blocking/blockingOptions'
import { type GenerateCandidatesOptions, generateCandidates } from '../blocking/generateCandidates'
import type { Incident } from '../schema/incident'
import { backgroundRates } from '../score/backgroundRates'
import { createPairScorer, type PairScorer } from '../score/pairScorer'
import type { CandidatePairs } from '../score/scorePairs'
import type { CaseTable } from '../table/CaseTable'
import { fmix32, hashString } from '../util/random'
import { binIndex, windowGapDays } from './estimatePriors'
import { fitLevelWeights } from './fitLevelWeights'
import {
  addPair,
  emptyCounts,
  FIT_DEFAULTS,
  type FitModelOptions,
  probabilitiesFromCounts,
  shareLabel,
  tableFor,
  templateFor,
  withProbabilities,
} from './fitting'
import {
  type ComparisonKind,
  type LinkageModel,
  levelLabels,
  levelMatchWeights,
  matchProbability,
  PAIR_CLASSES,
  priorMatchWeight,
} from './linkageModel'

/** Options of {@link trainModelOnCandidates}. */
export interface TrainModelOnCandidatesOptions extends FitModelOptions {
  /** Blocking of the training incidents: use the options the model will be applied with. */
  blocking?: GenerateCandidatesOptions
  /** The candidate pairs, when already generated (then `blocking` is not used). */
  candidates?: CandidatePairs
  /**
   * How level weights are fitted. `'logistic'` (default): jointly, by L2-regularised logistic regression
   * on the candidates (each level keeps its measured m and u and gets a fitted `weight`; evidence keeps
   * its frequency-based weights, per value); `'frequencies'`: naive Bayes, weight log2(m / u).
   */
  fit?: 'logistic' | 'frequencies'
  /**
   * Without a template: weigh MO and category agreement by how common the shared values are, and closeness
   * by the local background rate (see `termFrequencies`, `backgroundRates`), with a prior per kind of pair.
   * Default true; false fits the plain layout.
   */
  adjustments?: boolean
  /** L2 penalty of the logistic fit. Default 1. */
  l2?: number
  /**
   * Candidate pairs fitted at most: above this, a uniform sample of about this many (chosen by a hash of
   * the two case numbers and `seed`, so the same whatever the row order). Default 4,000,000 (about 45 s
   * at 1M incidents, blocking included, and 52 MB of level matrix; a year of a province's solved cases
   * gives 17–22M candidates, and a 15% sample fitted the same model: B³ F1 0.8805 against 0.8806 at 1M).
   */
  maxPairs?: number
}

/**
 * Defaults of {@link TrainModelOnCandidatesOptions} not shared with the other fits.
 *
 * @example
 * trainModelOnCandidates(solved, { maxPairs: TRAIN_ON_CANDIDATES_DEFAULTS.maxPairs / 4 })
 */
export const TRAIN_ON_CANDIDATES_DEFAULTS = { maxPairs: 4_000_000 } as const

/**
 * Trains a model from solved series on the population it will score: the candidate pairs of blocking.
 * m is each level's share among candidate pairs that share a `series` label, u its share among those
 * that do not. Because blocking already selects pairs that are close in space and time (or share
 * evidence or a rare MO value), u measured on random pairs would count that closeness as evidence a
 * second time and make every candidate look linked; measured on the candidates, the weights say what
 * distinguishes a same-offender pair among its neighbours. Apply the model with the same blocking
 * options.
 *
 * By default the level weights are then fitted jointly by logistic regression (`fit: 'logistic'`):
 * comparisons that echo one another (category, MO values, MO groups and narrative all follow the
 * offender's habits) are not counted twice, as naive Bayes (`fit: 'frequencies'`, weight log2(m / u),
 * λ the linked share) counts them. Evidence keeps its per-value term-frequency weights as a fixed part
 * of the fit. On generated province data this raised B³ F1 at 100k from 0.887 to 0.90 (bench/run.ts).
 * Without a `template`, the layout is the default model's with MO groups and finer thresholds (9 distance,
 * 8 time-gap, 9 MO and 7 narrative cut points). Missing levels weigh 0. Runs in O(candidates ×
 * comparisons²) per Newton iteration (about 10).
 *
 * @example
 * const model = trainModelOnCandidates(solved, { timeZone: 'Asia/Shanghai' })
 * const result = linkIncidents(newCases, { timeZone: 'Asia/Shanghai', model })
 */
export function trainModelOnCandidates(
  incidents: readonly Incident[],
  options: TrainModelOnCandidatesOptions = {},
): LinkageModel {
  const table = tableFor(incidents, options)
  const template =
    options.template === undefined
      ? withAdjustments(withFittingThresholds(templateFor(table, options)), table, options)
      : options.template
  const smoothing = options.smoothing ?? FIT_DEFAULTS.smoothing
  const maxPairs = options.maxPairs ?? TRAIN_ON_CANDIDATES_DEFAULTS.maxPairs
  if (!(maxPairs >= 1) || !Number.isInteger(maxPairs)) {
    throw new RangeError(
      `caselink: trainModelOnCandidates maxPairs must be a positive integer, got ${maxPairs}`,
    )
  }
  const all = options.candidates ?? generateCandidates(table, options.blocking)
  const candidates = samplePairs(table, all, maxPairs, options.seed ?? FIT_DEFAULTS.seed)
  const sampled = candidates.count < all.count ? `, a sample of ${all.count} candidate pairs` : ''
  const scorer = createPairScorer(table, template)
  const C = scorer.comparisonCount
  const levels = new Int8Array(C)
  const mCounts = emptyCounts(template)
  const uCounts = emptyCounts(template)
  const logistic = (options.fit ?? 'logistic') === 'logistic'
  const levelMatrix = new Int8Array(logistic ? candidates.count * C : 0)
  const linkedFlags = new Uint8Array(logistic ? candidates.count : 0)
  let linked = 0
  for (let k = 0; k < candidates.count; k++) {
    const i = candidates.a[k]
    const j = candidates.b[k]
    scorer.levels(i, j, levels)
    if (logistic) levelMatrix.set(levels, k * C)
    if (shareLabel(table, i, j)) {
      linked++
      if (logistic) linkedFlags[k] = 1
      addPair(mCounts, levels, 1)
    } else {
      addPair(uCounts, levels, 1)
    }
  }
  if (linked === 0 || linked === candidates.count) {
    throw new Error(
      `caselink: trainModelOnCandidates needs linked and unlinked candidate pairs; got ${linked} linked of ${candidates.count}`,
    )
  }
  const u = probabilitiesFromCounts(uCounts, smoothing)
  const m = probabilitiesFromCounts(mCounts, smoothing, u, uCounts)
  const note = `on ${candidates.count} candidate pairs (${linked} linked${sampled}): m, u and the prior conditional on blocking`
  const frequencies = withProbabilities(template, m, u, linked / candidates.count, {
    method: 'supervised',
    pairs: candidates.count,
    note,
  })
  if ((options.fit ?? 'logistic') === 'frequencies') return frequencies
  return fitLogistic(frequencies, table, candidates, levelMatrix, linkedFlags, options.l2, sampled)
}

/**
 * The candidate pairs when at most `maxPairs`, else those whose hash of the two case numbers (in either
 * order) and the seed falls below `maxPairs / count`: a uniform sample that does not depend on the order of
 * the rows or of the pairs.
 */
function samplePairs(
  table: PairScorer['table'],
  candidates: CandidatePairs,
  maxPairs: number,
  seed: number,
): CandidatePairs {
  if (candidates.count <= maxPairs) return candidates
  const idHash = Uint32Array.from(table.ids, (id) => hashString(id))
  const cut = (maxPairs / candidates.count) * 4294967296
  const seedMix = hashString(`pairs:${seed}`)
  let kept = 0
  const keep = new Uint8Array(candidates.count)
  for (let k = 0; k < candidates.count; k++) {
    const x = idHash[candidates.a[k]]
    const y = idHash[candidates.b[k]]
    if (pairHash(x < y ? x : y, x < y ? y : x, seedMix) < cut) {
      keep[k] = 1
      kept++
    }
  }
  const a = new Uint32Array(kept)
  const b = new Uint32Array(kept)
  for (let k = 0, out = 0; k < candidates.count; k++) {
    if (keep[k] === 0) continue
    a[out] = candidates.a[k]
    b[out++] = candidates.b[k]
  }
  return { count: kept, a, b }
}

/** Murmur3-style hash of two 32-bit values and a seed, uniform on [0, 2³²). */
function pairHash(x: number, y: number, seed: number): number {
  return fmix32(mixInto(mixInto(seed, x), y))
}

function mixInto(h: number, value: number): number {
  let k = Math.imul(value, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  h ^= Math.imul(k, 0x1b873593)
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

/**
 * The default layout's value- and place-specific parts: term frequencies on MO and category agreement, and
 * closeness weighed against the background over blocking's space-time horizon, with the training data's
 * geometric-mean background as the reference.
 */
function withAdjustments(
  template: LinkageModel,
  table: CaseTable,
  options: TrainModelOnCandidatesOptions,
): LinkageModel {
  if (options.adjustments === false) return template
  const maxDistanceMeters = options.blocking?.maxDistanceMeters ?? BLOCKING_DEFAULTS.maxDistanceMeters
  const maxGapDays = options.blocking?.maxGapDays ?? BLOCKING_DEFAULTS.maxGapDays
  const rates = backgroundRates(table, { maxDistanceMeters, maxGapDays })
  return {
    ...template,
    comparisons: template.comparisons.map((comparison) =>
      comparison.kind === 'mo' || comparison.kind === 'category'
        ? { ...comparison, termFrequencyAdjustment: true }
        : comparison,
    ),
    background: { maxDistanceMeters, maxGapDays, referenceExpected: rates.geometricMean },
  }
}

/**
 * Thresholds of the layout fitted when no template is given: finer than the default model's, because a
 * fitted model can afford a level per distinction the data supports (L2 keeps thin levels near 0). Measured
 * on held-out province data at 100k: B³ F1 0.908 → 0.913 against the default layout.
 */
const FITTING_THRESHOLDS: Partial<Record<ComparisonKind, number[]>> = {
  distance: [250, 500, 1000, 1500, 2000, 5000, 10000, 30000, 80000],
  timeGap: [6, 24, 72, 168, 336, 504, 720, 2160],
  timeOfDay: [0.5, 1, 2, 3, 4, 6],
  dayOfWeek: [0.25, 0.5, 1, 1.5, 2.5],
  mo: [0.9, 0.75, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05],
  narrative: [0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.15],
}

/** The template with {@link FITTING_THRESHOLDS} (placeholder m = u: only the layout is used). */
function withFittingThresholds(template: LinkageModel): LinkageModel {
  return {
    ...template,
    comparisons: template.comparisons.map((comparison) => {
      const thresholds = FITTING_THRESHOLDS[comparison.kind]
      if (thresholds === undefined) return comparison
      const labels = levelLabels(comparison.kind, thresholds, comparison.group ?? '')
      return { ...comparison, thresholds, levels: labels.map((label) => ({ label, m: 0.5, u: 0.5 })) }
    }),
  }
}

/** The model with level weights fitted jointly on the candidates (see {@link trainModelOnCandidates}). */
function fitLogistic(
  frequencies: LinkageModel,
  table: CaseTable,
  candidates: CandidatePairs,
  levels: Int8Array,
  linked: Uint8Array,
  l2: number | undefined,
  sampled: string,
): LinkageModel {
  const comparisons = frequencies.comparisons
  const C = comparisons.length
  // one more column: the kind of pair (near, sharing evidence, far), whose weights are its prior offsets
  const classed = frequencies.background !== undefined
  const D = classed ? C + 1 : C
  const levelStart = new Int32Array(D + 1)
  for (let c = 0; c < C; c++) levelStart[c + 1] = levelStart[c] + comparisons[c].levels.length
  if (classed) levelStart[D] = levelStart[C] + 1 + PAIR_CLASSES.length
  const fitted = new Uint8Array(D).fill(1)
  const evidence = comparisons.findIndex((comparison) => comparison.kind === 'evidence')
  if (evidence >= 0) fitted[evidence] = 0
  // fixed part of every pair's score: evidence by the frequency of the shared value, the term-frequency
  // bits of shared MO values and categories, the background term (a scorer whose other weights are 0)
  const offsetScorer = createPairScorer(table, offsetModel(frequencies))
  const offsetBits = new Float64Array(candidates.count)
  const design = classed ? new Int8Array(candidates.count * D) : levels
  const kinds = new Uint8Array(candidates.count)
  for (let k = 0; k < candidates.count; k++) {
    const i = candidates.a[k]
    const j = candidates.b[k]
    offsetBits[k] = offsetScorer.matchWeight(i, j)
    if (!classed) continue
    kinds[k] = offsetScorer.pairClass(i, j)
    design.set(levels.subarray(k * C, k * C + C), k * D)
    design[k * D + C] = 1 + kinds[k]
  }
  // start from naive Bayes: the same levels, already near the solution where comparisons are independent
  const startBits = new Float64Array(levelStart[D])
  for (let c = 0; c < C; c++) startBits.set(levelMatchWeights(comparisons[c]), levelStart[c])
  const result = fitLevelWeights(
    { count: candidates.count, comparisonCount: D, levels: design, levelStart, fitted, offsetBits, linked },
    {
      ...(l2 === undefined ? {} : { l2 }),
      start: { weightBits: startBits, interceptBits: priorMatchWeight(frequencies) },
    },
  )
  const prior = matchProbability(result.interceptBits)
  let linkedCount = 0
  for (let k = 0; k < linked.length; k++) linkedCount += linked[k]
  const model: LinkageModel = {
    ...frequencies,
    priorProbability: Math.min(1 - 1e-12, Math.max(1e-12, prior)),
    comparisons: comparisons.map((comparison, c) => {
      if (fitted[c] === 0) return comparison
      const { minMatchWeight: _floor, ...rest } = comparison
      return {
        ...rest,
        levels: comparison.levels.map((level, l) =>
          l === 0 ? level : { ...level, weight: result.weightBits[levelStart[c] + l] },
        ),
      }
    }),
    training: {
      method: 'supervised',
      pairs: candidates.count,
      iterations: result.iterations,
      converged: result.converged,
      note: `logistic regression on ${candidates.count} candidate pairs (${linkedCount} linked${sampled}): level weights fitted jointly, evidence by frequency, term frequencies and background as fixed parts${classed ? ', a prior per kind of pair' : ''}; λ is the intercept`,
    },
  }
  if (!classed) return model
  const gapShares = linkedGapShares(table, candidates, linked, kinds)
  const offset = (kind: number) => result.weightBits[levelStart[C] + 1 + kind]
  model.pairPriors = {
    gapBinsDays: [...GAP_BINS_DAYS],
    near: { offsetBits: offset(0), linkedGapShares: gapShares[0] },
    evidence: { offsetBits: offset(1), linkedGapShares: gapShares[1] },
    far: { offsetBits: offset(2), linkedGapShares: gapShares[2] },
  }
  return model
}

/**
 * Upper ends of the window-gap bins (days) of a fitted model's `pairPriors`: fine where offenders' runs
 * are (hours to weeks), coarse where only chance is (months).
 */
export const GAP_BINS_DAYS = [
  0.25, 0.5, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365,
] as const

/** Shares of the linked pairs of each kind by window-gap bin (a half count per bin: none is impossible). */
function linkedGapShares(
  table: CaseTable,
  candidates: CandidatePairs,
  linked: Uint8Array,
  kinds: Uint8Array,
): number[][] {
  const B = GAP_BINS_DAYS.length + 1
  const counts = PAIR_CLASSES.map(() => new Float64Array(B).fill(0.5))
  for (let k = 0; k < candidates.count; k++) {
    if (linked[k] === 0) continue
    counts[kinds[k]][binIndex(GAP_BINS_DAYS, windowGapDays(table, candidates.a[k], candidates.b[k]))]++
  }
  return counts.map((row) => {
    let sum = 0
    for (const x of row) sum += x
    return Array.from(row, (x) => x / sum)
  })
}

/**
 * The model with every fitted weight 0 (and an even prior): its score of a pair is the pair's fixed part,
 * evidence weighed by frequency plus the term-frequency bits and the background term.
 */
function offsetModel(model: LinkageModel): LinkageModel {
  const { pairPriors: _priors, ...rest } = model
  return {
    ...rest,
    priorProbability: 0.5,
    comparisons: model.comparisons.map((comparison) =>
      comparison.kind === 'evidence'
        ? comparison
        : { ...comparison, levels: comparison.levels.map((level) => ({ ...level, weight: 0 })) },
    ),
  }
}
