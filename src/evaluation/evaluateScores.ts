import { buildTruth, countLinkedPairs, firstSharedLabel, type LabelledIncident } from './truth'

/** One scored pair by incident ids; the score is `score`, else `probability`, else `matchWeight`. */
export type ScoredPairObject =
  | {
      readonly a: string
      readonly b: string
      readonly score?: number
      readonly probability?: number
      readonly matchWeight?: number
    }
  | {
      readonly ids: readonly [string, string]
      readonly score?: number
      readonly probability?: number
      readonly matchWeight?: number
    }

/**
 * Scored pairs in columns, `a[k]`, `b[k]` being row indices into `incidents` (as `generateCandidates`
 * returns them) and `score[k]` the pair's score; `count` defaults to `score.length`.
 */
export interface ScoredPairColumns {
  readonly a: ArrayLike<number>
  readonly b: ArrayLike<number>
  readonly score: ArrayLike<number>
  readonly count?: number
}

/** Options of {@link evaluateScores}. */
export interface EvaluateScoresOptions {
  /** Thresholds at which precision and recall are reported (a pair is predicted linked when score ≥ threshold). Default [0.5, 0.9, 0.99]. */
  thresholds?: readonly number[]
  /** Equal-width probability bins of the calibration table. Default 10. */
  calibrationBins?: number
}

/** Scored pairs whose score falls in [from, to) (the last bin includes 1). */
export interface CalibrationBin {
  from: number
  to: number
  pairs: number
  /** Mean score of the bin's pairs (NaN when empty). */
  meanScore: number
  /** Share of the bin's pairs that are truly linked (NaN when empty). */
  linkedShare: number
}

/** How far probabilities are from the linked shares they claim (reliability table). */
export interface Calibration {
  bins: CalibrationBin[]
  /** Σ over bins of (pairs / scored pairs) · |meanScore − linkedShare|: 0 for perfectly calibrated scores. */
  expectedCalibrationError: number
}

/** Precision and recall when pairs scoring at least `threshold` are called links. */
export interface ThresholdMetrics {
  threshold: number
  precision: number
  recall: number
  f1: number
  truePositives: number
  falsePositives: number
}

/** Result of {@link evaluateScores}. */
export interface ScoreMetrics {
  /** ROC AUC, ties counted half; NaN when there are no positives or no negatives. */
  auc: number
  /** Average precision (step-wise area under the precision–recall curve, as scikit-learn computes it). */
  averagePrecision: number
  /** Truly linked pairs among the labelled incidents (sharing a label), scored or not. */
  positives: number
  /** All other pairs of labelled incidents: n(n-1)/2 − positives. */
  negatives: number
  scoredPositives: number
  scoredNegatives: number
  /** Pairs skipped because an incident is unlabelled, or the pair is a self-pair. */
  ignoredPairs: number
  /** Repeated pairs merged into one (keeping the highest score). */
  duplicatePairs: number
  atThresholds: ThresholdMetrics[]
  /**
   * Reliability of the scores as probabilities, over the scored pairs of labelled incidents; null when a
   * score lies outside [0, 1] (match weights, not probabilities).
   */
  calibration: Calibration | null
}

const DEFAULTS = { thresholds: [0.5, 0.9, 0.99] as readonly number[], calibrationBins: 10 }

function scoreOf(pair: ScoredPairObject): number {
  const s = pair.score ?? pair.probability ?? pair.matchWeight
  if (typeof s !== 'number' || Number.isNaN(s)) {
    throw new TypeError('caselink: every scored pair needs a numeric score, probability or matchWeight')
  }
  return s
}

/** Count of values in an ascending array strictly below x / at most x. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Evaluates pair scores against the ground truth (two incidents are linked when they share a `series`
 * label): ROC AUC with ties averaged, average precision, precision/recall at thresholds, and, for
 * probabilities, a calibration table (does p = 0.9 mean linked 9 times in 10?) with its expected
 * calibration error.
 *
 * Pairs never scored count as scored with the lowest possible score (−∞), all tied: the truly linked
 * pairs that are absent are added at the bottom, and the negatives number n(n−1)/2 minus the positives
 * over the n labelled incidents, so a blocking step that misses true links is penalized and the AUC is
 * over all pairs, computed in closed form without enumerating them. Pairs touching an unlabelled
 * incident are ignored; a pair given twice keeps its highest score.
 *
 * Pairs are `{ a, b, score }` or `{ ids: [a, b], probability }` objects by id, or columns
 * `{ a, b, score }` of row indices into `incidents`. Runs in O(p log p + Σ label-group size²).
 *
 * @example
 * const incidents = [{ id: 'a', series: 'S' }, { id: 'b', series: 'S' }, { id: 'c', series: 'T' }]
 * const m = evaluateScores([{ a: 'a', b: 'b', score: 0.9 }, { a: 'a', b: 'c', score: 0.2 }], incidents)
 * m.auc // 1: the only positive outranks both negatives (b–c unscored counts as lowest)
 */
export function evaluateScores(
  pairs: readonly ScoredPairObject[] | ScoredPairColumns,
  incidents: readonly LabelledIncident[],
  options: EvaluateScoresOptions = {},
): ScoreMetrics {
  const thresholds = options.thresholds ?? DEFAULTS.thresholds
  const truth = buildTruth(incidents)
  const m = truth.count
  // Normalize to labelled-index columns.
  let count: number
  const ia: Int32Array = new Int32Array(0)
  let aCol = ia
  let bCol = ia
  let sCol = new Float64Array(0)
  let ignored = 0
  if (Array.isArray(pairs)) {
    const list = pairs as readonly ScoredPairObject[]
    count = list.length
    aCol = new Int32Array(count)
    bCol = new Int32Array(count)
    sCol = new Float64Array(count)
    for (let k = 0; k < count; k++) {
      const p = list[k]
      const idA = 'ids' in p ? p.ids[0] : p.a
      const idB = 'ids' in p ? p.ids[1] : p.b
      aCol[k] = resolve(truth.indexOf, idA)
      bCol[k] = resolve(truth.indexOf, idB)
      sCol[k] = scoreOf(p)
    }
  } else if (pairs && typeof pairs === 'object' && 'score' in pairs) {
    const cols = pairs as ScoredPairColumns
    count = cols.count ?? cols.score.length
    if (cols.a.length < count || cols.b.length < count || cols.score.length < count) {
      throw new RangeError('caselink: pair columns a, b, score must each hold `count` entries')
    }
    const rowToLabelled = new Int32Array(incidents.length)
    rowToLabelled.fill(-1)
    for (let i = 0; i < truth.count; i++) rowToLabelled[truth.row[i]] = i
    aCol = new Int32Array(count)
    bCol = new Int32Array(count)
    sCol = new Float64Array(count)
    for (let k = 0; k < count; k++) {
      const ra = cols.a[k]
      const rb = cols.b[k]
      if (!(ra >= 0 && ra < incidents.length && rb >= 0 && rb < incidents.length)) {
        throw new RangeError(
          `caselink: pair ${k} refers to row ${ra}/${rb}, outside 0..${incidents.length - 1}`,
        )
      }
      aCol[k] = rowToLabelled[ra]
      bCol[k] = rowToLabelled[rb]
      const s = cols.score[k]
      if (Number.isNaN(s)) throw new TypeError(`caselink: score of pair ${k} is NaN`)
      sCol[k] = s
    }
  } else {
    throw new TypeError('caselink: pairs must be an array of { a, b, score } or columns { a, b, score }')
  }

  // Keep valid pairs, as packed keys min·m + max; detect duplicates by sorting a copy.
  const keys = new Float64Array(count)
  let valid = 0
  for (let k = 0; k < count; k++) {
    const x = aCol[k]
    const y = bCol[k]
    if (x < 0 || y < 0 || x === y) {
      ignored++
      continue
    }
    keys[valid] = x < y ? x * m + y : y * m + x
    sCol[valid] = sCol[k]
    valid++
  }
  let pairKeys = keys.subarray(0, valid)
  let scores = sCol.subarray(0, valid)
  const sortedKeys = pairKeys.slice().sort()
  let duplicates = 0
  for (let k = 1; k < valid; k++) if (sortedKeys[k] === sortedKeys[k - 1]) duplicates++
  if (duplicates > 0) {
    const best = new Map<number, number>()
    for (let k = 0; k < valid; k++) {
      const prev = best.get(pairKeys[k])
      if (prev === undefined || scores[k] > prev) best.set(pairKeys[k], scores[k])
    }
    pairKeys = new Float64Array(best.size)
    scores = new Float64Array(best.size)
    let k = 0
    for (const [key, s] of best) {
      pairKeys[k] = key
      scores[k++] = s
    }
  }

  // Split scores by truth into typed arrays (no per-pair allocation).
  const linked = new Uint8Array(pairKeys.length)
  let posCount = 0
  for (let k = 0; k < pairKeys.length; k++) {
    const x = Math.floor(pairKeys[k] / m)
    const y = pairKeys[k] - x * m
    if (firstSharedLabel(truth, x, y) >= 0) {
      linked[k] = 1
      posCount++
    }
  }
  const posSorted = new Float64Array(posCount)
  const negSorted = new Float64Array(pairKeys.length - posCount)
  for (let k = 0, p = 0, q = 0; k < pairKeys.length; k++) {
    if (linked[k] === 1) posSorted[p++] = scores[k]
    else negSorted[q++] = scores[k]
  }
  posSorted.sort()
  negSorted.sort()
  const positives = countLinkedPairs(truth)
  const negatives = (m * (m - 1)) / 2 - positives
  const unscoredPos = positives - posSorted.length
  const unscoredNeg = negatives - negSorted.length

  // ROC AUC: each positive beats the negatives below it and half of those tied with it.
  let wins = 0.5 * unscoredPos * unscoredNeg
  let below = 0
  let k = 0
  while (k < posSorted.length) {
    const s = posSorted[k]
    let run = 1
    while (k + run < posSorted.length && posSorted[k + run] === s) run++
    while (below < negSorted.length && negSorted[below] < s) below++
    let tied = below
    while (tied < negSorted.length && negSorted[tied] === s) tied++
    const lowest = s === Number.NEGATIVE_INFINITY
    wins += run * ((lowest ? 0.5 * unscoredNeg : unscoredNeg) + below + 0.5 * (tied - below))
    k += run
  }
  const auc = positives === 0 || negatives === 0 ? Number.NaN : wins / (positives * negatives)

  // Average precision: descending distinct thresholds, then the unscored block at the bottom.
  let ap = 0
  let tp = 0
  let fp = 0
  let prevRecall = 0
  let pi = posSorted.length - 1
  let ni = negSorted.length - 1
  if (positives > 0) {
    while (pi >= 0 || ni >= 0) {
      const s = Math.max(
        pi >= 0 ? posSorted[pi] : Number.NEGATIVE_INFINITY,
        ni >= 0 ? negSorted[ni] : Number.NEGATIVE_INFINITY,
      )
      while (pi >= 0 && posSorted[pi] === s) {
        tp++
        pi--
      }
      while (ni >= 0 && negSorted[ni] === s) {
        fp++
        ni--
      }
      if (s === Number.NEGATIVE_INFINITY) break
      const recall = tp / positives
      ap += (recall - prevRecall) * (tp / (tp + fp))
      prevRecall = recall
    }
    // Everything else ties at the lowest score: recall reaches 1 at precision positives / all pairs.
    if (prevRecall < 1) ap += (1 - prevRecall) * (positives / (positives + negatives))
  }

  const atThresholds: ThresholdMetrics[] = thresholds.map((threshold) => {
    const truePositives = posSorted.length - lowerBound(posSorted, threshold)
    const falsePositives = negSorted.length - lowerBound(negSorted, threshold)
    const precision =
      truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives)
    const recall = positives === 0 ? 1 : truePositives / positives
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
    return { threshold, precision, recall, f1, truePositives, falsePositives }
  })

  const calibrationBins = options.calibrationBins ?? DEFAULTS.calibrationBins
  if (!(Number.isInteger(calibrationBins) && calibrationBins >= 1)) {
    throw new RangeError(`caselink: calibrationBins must be an integer >= 1, got ${calibrationBins}`)
  }

  return {
    auc,
    averagePrecision: positives === 0 ? Number.NaN : ap,
    positives,
    negatives,
    scoredPositives: posSorted.length,
    scoredNegatives: negSorted.length,
    ignoredPairs: ignored,
    duplicatePairs: duplicates,
    atThresholds,
    calibration: calibrationOf(scores, linked, calibrationBins),
  }
}

/** Reliability table of scores in [0, 1] (null when one is outside). */
function calibrationOf(scores: Float64Array, linked: Uint8Array, binCount: number): Calibration | null {
  const pairs = new Float64Array(binCount)
  const scoreSum = new Float64Array(binCount)
  const linkedCount = new Float64Array(binCount)
  for (let k = 0; k < scores.length; k++) {
    const s = scores[k]
    if (!(s >= 0 && s <= 1)) return null
    const bin = Math.min(binCount - 1, Math.floor(s * binCount))
    pairs[bin]++
    scoreSum[bin] += s
    linkedCount[bin] += linked[k]
  }
  let error = 0
  const bins: CalibrationBin[] = []
  for (let b = 0; b < binCount; b++) {
    const meanScore = pairs[b] === 0 ? Number.NaN : scoreSum[b] / pairs[b]
    const linkedShare = pairs[b] === 0 ? Number.NaN : linkedCount[b] / pairs[b]
    if (pairs[b] > 0) error += (pairs[b] / scores.length) * Math.abs(meanScore - linkedShare)
    bins.push({ from: b / binCount, to: (b + 1) / binCount, pairs: pairs[b], meanScore, linkedShare })
  }
  return { bins, expectedCalibrationError: error }
}

function resolve(indexOf: Map<string, number>, id: string): number {
  const i = indexOf.get(id)
  if (i !== undefined) return i
  throw new RangeError(`caselink: scored pair refers to unknown incident id '${String(id)}'`)
}
