import { BLOCKING_DEFAULTS, resolveBlockingOptions } from '../blocking/blockingOptions'
import type { GenerateCandidatesOptions } from '../blocking/generateCandidates'
import { compileHorizon, pairRule } from '../blocking/horizon'
import { backgroundRates } from '../score/backgroundRates'
import { createPairScorer, type PairScorer } from '../score/pairScorer'
import type { CandidatePairs } from '../score/scorePairs'
import type { CaseTable } from '../table/CaseTable'
import { fmix32, hashString } from '../util/random'
import { binIndex, estimatePriors, windowGapDays } from './estimatePriors'
import { fitLevelWeights } from './fitLevelWeights'
import {
  addPair,
  emptyCounts,
  FIT_DEFAULTS,
  probabilitiesFromCounts,
  rowsBySeries,
  rowsInIdOrder,
  shareLabel,
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
import { TRAIN_MODEL_DEFAULTS, type TrainModelOptions } from './trainModel'

/**
 * The supervised fit of {@link trainModel}: a model from solved series on the population it will score,
 * the candidate pairs of `blocking` (`all`; the remote sample is drawn beyond them). The background
 * neighbourhood stays `options.blocking`'s horizon (or the defaults), whatever horizon was learned.
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
 * 9 time-gap, 9 MO and 7 narrative cut points, reaching 100 km and 365 days). Missing levels weigh 0.
 * Runs in O(candidates × comparisons²) per Newton iteration (about 10).
 */
export function fitSupervised(
  table: CaseTable,
  all: CandidatePairs,
  options: TrainModelOptions,
  blocking: GenerateCandidatesOptions,
): LinkageModel {
  const template =
    options.template === undefined
      ? withAdjustments(withFittingThresholds(templateFor(table, options)), table, { ...options, blocking })
      : options.template
  const smoothing = options.smoothing ?? FIT_DEFAULTS.smoothing
  const maxPairs = options.maxPairs ?? TRAIN_MODEL_DEFAULTS.maxPairs
  const seed = options.seed ?? FIT_DEFAULTS.seed
  const candidates = samplePairs(table, all, maxPairs, seed)
  const sampled = candidates.count < all.count ? `, a sample of ${all.count} candidate pairs` : ''
  const scorer = createPairScorer(table, template)
  const C = scorer.comparisonCount
  const levels = new Int8Array(C)
  const mCounts = emptyCounts(template)
  const uCounts = emptyCounts(template)
  const logistic = (options.fit ?? 'logistic') === 'logistic'
  const remote = logistic
    ? remoteSample(
        table,
        blocking,
        Math.min(options.remotePairs ?? TRAIN_MODEL_DEFAULTS.remotePairs, candidates.count),
        seed,
      )
    : { count: 0, a: new Uint32Array(0), b: new Uint32Array(0) }
  const fittedCount = candidates.count + remote.count
  const levelMatrix = new Int8Array(logistic ? fittedCount * C : 0)
  const linkedFlags = new Uint8Array(logistic ? fittedCount : 0)
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
      `caselink: trainModel needs linked and unlinked candidate pairs; got ${linked} linked of ${candidates.count}`,
    )
  }
  for (let r = 0; r < remote.count; r++) {
    const k = candidates.count + r
    scorer.levels(remote.a[r], remote.b[r], levels)
    levelMatrix.set(levels, k * C)
    if (shareLabel(table, remote.a[r], remote.b[r])) linkedFlags[k] = 1
  }
  const u = probabilitiesFromCounts(uCounts, smoothing)
  const m = probabilitiesFromCounts(mCounts, smoothing, u, uCounts)
  const note = `on ${candidates.count} candidate pairs (${linked} linked${sampled}): m, u and the prior conditional on blocking`
  const frequencies = withProbabilities(template, m, u, linked / candidates.count, {
    method: 'supervised',
    pairs: candidates.count,
    note,
  })
  if (!logistic) return frequencies
  const model = fitLogistic(
    frequencies,
    table,
    candidates,
    remote,
    levelMatrix,
    linkedFlags,
    options.l2,
    sampled,
  )
  return withChanceGapShares(model, table, all)
}

/**
 * The model with each kind's chance gap distribution on the training data (the permuted partners of
 * `estimatePriors`, on the same candidates), against which linking reads its linked gaps.
 */
function withChanceGapShares(
  model: LinkageModel,
  table: CaseTable,
  candidates: CandidatePairs & { rule?: Uint8Array },
): LinkageModel {
  const priors = model.pairPriors
  if (priors === undefined) return model
  const { estimates } = estimatePriors(table, candidates, createPairScorer(table, model))
  const chanceOf = (kind: string) => estimates.find((e) => e.kind === kind)?.chanceGapShares
  const withChance = (kind: 'near' | 'evidence' | 'far') => {
    const chance = chanceOf(kind)
    return chance === undefined ? priors[kind] : { ...priors[kind], chanceGapShares: chance }
  }
  return {
    ...model,
    pairPriors: {
      ...priors,
      near: withChance('near'),
      evidence: withChance('evidence'),
      far: withChance('far'),
    },
  }
}

/**
 * Pairs beyond blocking (the blocking rules do not produce them), about `count`: half drawn from the
 * same-series pairs (at most {@link REMOTE_PAIRS_PER_SERIES} a series, so a prolific offender does not make
 * the sample), half uniform pairs of incidents; each kept with its label. Every draw hashes case numbers
 * and the seed, so the sample does not depend on the order of the rows.
 */
export function remoteSample(
  table: CaseTable,
  blocking: GenerateCandidatesOptions,
  count: number,
  seed: number,
): CandidatePairs {
  const n = table.size
  if (count <= 0 || n < 2) return { count: 0, a: new Uint32Array(0), b: new Uint32Array(0) }
  const horizon = compileHorizon(table, resolveBlockingOptions(blocking))
  // rows in an order that does not depend on the input's
  const order = rowsInIdOrder(table)
  const rank = new Uint32Array(n)
  for (let r = 0; r < n; r++) rank[order[r]] = r
  const seedMix = hashString(`remote:${seed}`)
  const a: number[] = []
  const b: number[] = []
  // same-series pairs beyond blocking, by label (rows of a label in that order)
  const rowsOf = rowsBySeries(table, order)
  const labelCount = rowsOf.length
  const linked: number[] = []
  for (let label = 0; label < labelCount; label++) {
    const rows = rowsOf[label]
    const k = rows.length
    if (k < 2) continue
    const all = (k * (k - 1)) / 2
    const draws = Math.min(all, REMOTE_PAIRS_PER_SERIES)
    const labelHash = hashString(table.seriesValues[label])
    for (let s = 0; s < draws; s++) {
      let p: number
      let q: number
      if (all <= REMOTE_PAIRS_PER_SERIES) {
        // the s-th pair (p < q) in order
        p = 0
        let rest = s
        while (rest >= k - 1 - p) rest -= k - 1 - p++
        q = p + 1 + rest
      } else {
        const h = pairHash(labelHash, s, seedMix)
        p = h % k
        q = fmix32(h ^ 0x85ebca6b) % (k - 1)
        if (q >= p) q++
      }
      const i = rows[p]
      const j = rows[q]
      if (pairRule(horizon, i, j) >= 0) continue
      linked.push(i, j)
    }
  }
  const half = Math.ceil(count / 2)
  // a hash-chosen subset of about `half` of them
  const pairsFound = linked.length / 2
  const cut = pairsFound <= half ? 4294967296 : (half / pairsFound) * 4294967296
  for (let s = 0; s < linked.length; s += 2) {
    const x = rank[linked[s]]
    const y = rank[linked[s + 1]]
    if (pairHash(Math.min(x, y), Math.max(x, y), seedMix) >= cut) continue
    a.push(linked[s])
    b.push(linked[s + 1])
  }
  // uniform pairs of incidents beyond blocking (linked or not, as their labels say)
  const want = a.length + Math.max(half, count - a.length)
  for (let s = 0; a.length < want && s < 20 * count; s++) {
    const h = pairHash(s, 0x632be5ab, seedMix)
    const i = order[h % n]
    const j = order[fmix32(h ^ 0x27d4eb2f) % n]
    if (i === j || pairRule(horizon, i, j) >= 0) continue
    a.push(i)
    b.push(j)
  }
  return { count: a.length, a: Uint32Array.from(a), b: Uint32Array.from(b) }
}

/** Same-series pairs beyond blocking drawn per series at most (see {@link remoteSample}). */
const REMOTE_PAIRS_PER_SERIES = 200

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
function withAdjustments(template: LinkageModel, table: CaseTable, options: TrainModelOptions): LinkageModel {
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
  distance: [250, 500, 1000, 1500, 2000, 5000, 10000, 30000, 100000],
  timeGap: [6, 24, 72, 168, 336, 504, 720, 2160, 8760],
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

/** The model with level weights fitted jointly on the candidates (see {@link fitSupervised}). */
function fitLogistic(
  frequencies: LinkageModel,
  table: CaseTable,
  candidates: CandidatePairs,
  remote: CandidatePairs,
  levels: Int8Array,
  linked: Uint8Array,
  l2: number | undefined,
  sampled: string,
): LinkageModel {
  const comparisons = frequencies.comparisons
  const C = comparisons.length
  const N = candidates.count + remote.count
  // one more column: the kind of pair (near, sharing evidence, far), whose weights are its prior offsets;
  // and one for the pairs beyond blocking, whose weight is their sample's own intercept (not kept)
  const classed = frequencies.background !== undefined
  const classColumn = classed ? C : -1
  const remoteColumn = remote.count > 0 ? C + (classed ? 1 : 0) : -1
  const D = C + (classed ? 1 : 0) + (remote.count > 0 ? 1 : 0)
  const levelStart = new Int32Array(D + 1)
  for (let c = 0; c < C; c++) levelStart[c + 1] = levelStart[c] + comparisons[c].levels.length
  if (classed) levelStart[classColumn + 1] = levelStart[classColumn] + 1 + PAIR_CLASSES.length
  if (remoteColumn >= 0) levelStart[remoteColumn + 1] = levelStart[remoteColumn] + 2
  const fitted = new Uint8Array(D).fill(1)
  const evidence = comparisons.findIndex((comparison) => comparison.kind === 'evidence')
  if (evidence >= 0) fitted[evidence] = 0
  // fixed part of every pair's score: evidence by the frequency of the shared value, the term-frequency
  // bits of shared MO values and categories, the background term (a scorer whose other weights are 0)
  const offsetScorer = createPairScorer(table, offsetModel(frequencies))
  const offsetBits = new Float64Array(N)
  const design = D > C ? new Int8Array(N * D) : levels
  const kinds = new Uint8Array(N)
  for (let k = 0; k < N; k++) {
    const i = k < candidates.count ? candidates.a[k] : remote.a[k - candidates.count]
    const j = k < candidates.count ? candidates.b[k] : remote.b[k - candidates.count]
    offsetBits[k] = offsetScorer.matchWeight(i, j)
    if (D === C) continue
    design.set(levels.subarray(k * C, k * C + C), k * D)
    if (classed) {
      kinds[k] = offsetScorer.pairClass(i, j)
      design[k * D + classColumn] = 1 + kinds[k]
    }
    if (remoteColumn >= 0) design[k * D + remoteColumn] = k < candidates.count ? 0 : 1
  }
  // start from naive Bayes: the same levels, already near the solution where comparisons are independent
  const startBits = new Float64Array(levelStart[D])
  for (let c = 0; c < C; c++) startBits.set(levelMatchWeights(comparisons[c]), levelStart[c])
  const result = fitLevelWeights(
    { count: N, comparisonCount: D, levels: design, levelStart, fitted, offsetBits, linked },
    {
      ...(l2 === undefined ? {} : { l2 }),
      start: { weightBits: startBits, interceptBits: priorMatchWeight(frequencies) },
    },
  )
  const prior = matchProbability(result.interceptBits)
  // further apart in space or time is never more evidence of one offender: distance and gap weights are
  // made non-increasing (pool-adjacent-violators, weighted by pairs fitted at each level); a level no pair
  // reached takes its nearer neighbour's weight
  const weightBits = Float64Array.from(result.weightBits)
  const levelPairs = new Float64Array(levelStart[D])
  for (let k = 0; k < N; k++) {
    for (let c = 0; c < C; c++) levelPairs[levelStart[c] + design[k * D + c]]++
  }
  for (let c = 0; c < C; c++) {
    const kind = comparisons[c].kind
    if (fitted[c] === 1 && (kind === 'distance' || kind === 'timeGap')) {
      nonIncreasing(weightBits, levelPairs, levelStart[c] + 1, levelStart[c + 1])
    }
  }
  let linkedCount = 0
  let remoteLinked = 0
  for (let k = 0; k < N; k++) {
    if (k < candidates.count) linkedCount += linked[k]
    else remoteLinked += linked[k]
  }
  const beyond =
    remote.count > 0
      ? `, and ${remote.count} pairs beyond blocking (${remoteLinked} linked) with their own intercept`
      : ''
  const model: LinkageModel = {
    ...frequencies,
    priorProbability: Math.min(1 - 1e-12, Math.max(1e-12, prior)),
    comparisons: comparisons.map((comparison, c) => {
      if (fitted[c] === 0) return comparison
      const { minMatchWeight: _floor, ...rest } = comparison
      return {
        ...rest,
        levels: comparison.levels.map((level, l) =>
          l === 0 ? level : { ...level, weight: weightBits[levelStart[c] + l] },
        ),
      }
    }),
    training: {
      method: 'supervised',
      pairs: candidates.count,
      iterations: result.iterations,
      converged: result.converged,
      note: `logistic regression on ${candidates.count} candidate pairs (${linkedCount} linked${sampled})${beyond}: level weights fitted jointly, evidence by frequency, term frequencies and background as fixed parts${classed ? ', a prior per kind of pair' : ''}; λ is the intercept`,
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
 * Makes `weights[start..end)` non-increasing by weighted pool-adjacent-violators (weights `pairs`); entries
 * with no pairs take the weight of the nearest entry before them that has some (or after, at the start).
 */
export function nonIncreasing(weights: Float64Array, pairs: Float64Array, start: number, end: number): void {
  const value: number[] = []
  const mass: number[] = []
  const first: number[] = []
  for (let l = start; l < end; l++) {
    if (pairs[l] === 0) continue
    value.push(weights[l])
    mass.push(pairs[l])
    first.push(l)
    while (value.length >= 2 && value[value.length - 1] > value[value.length - 2]) {
      const top = value.length - 1
      const merged = mass[top - 1] + mass[top]
      value[top - 1] = (value[top - 1] * mass[top - 1] + value[top] * mass[top]) / merged
      mass[top - 1] = merged
      value.pop()
      mass.pop()
      first.pop()
    }
  }
  if (value.length === 0) return
  let block = 0
  let last = value[0]
  for (let l = start; l < end; l++) {
    while (block + 1 < first.length && l >= first[block + 1]) block++
    if (l >= first[0]) last = value[block]
    weights[l] = last
  }
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
