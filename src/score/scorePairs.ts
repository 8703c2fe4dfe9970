import { type LinkageModel, matchProbability } from '../model/linkageModel'
import type { CaseTable } from '../table/CaseTable'
import { createPairScorer, type PairScorer, type PairScorerOptions } from './pairScorer'

/** Row pairs to score (from blocking): pair k is rows `a[k]`, `b[k]`. */
export interface CandidatePairs {
  count: number
  a: Uint32Array
  b: Uint32Array
}

/** Scored pairs kept by {@link scorePairs}, in input order. */
export interface ScoredPairs {
  count: number
  a: Uint32Array
  b: Uint32Array
  matchWeight: Float64Array
  probability: Float64Array
}

/** Options of {@link scorePairs}. */
export interface ScorePairsOptions extends PairScorerOptions {
  /** Keep only pairs with probability >= this. Default 0 (keep all). */
  minProbability?: number
  /** Keep only pairs with match weight >= this. Default -Infinity (keep all). */
  minMatchWeight?: number
  /** A scorer already compiled for this table and model (skips the O(rows) precomputation). */
  scorer?: PairScorer
}

const DEFAULTS = { minProbability: 0, minMatchWeight: Number.NEGATIVE_INFINITY }

/**
 * The match weight below which a pair is dropped, combining both filters (probability is monotone
 * in the weight: p >= q ⇔ w >= log2(q / (1 − q))).
 *
 * @example
 * weightFloor({ minProbability: 0.5 }) // 0
 */
export function weightFloor(options: { minProbability?: number; minMatchWeight?: number } = {}): number {
  const minProbability = options.minProbability ?? DEFAULTS.minProbability
  const minMatchWeight = options.minMatchWeight ?? DEFAULTS.minMatchWeight
  const fromProbability =
    minProbability <= 0
      ? Number.NEGATIVE_INFINITY
      : minProbability >= 1
        ? Number.POSITIVE_INFINITY
        : Math.log2(minProbability / (1 - minProbability))
  return Math.max(fromProbability, minMatchWeight)
}

/**
 * Scores candidate pairs `start .. end` and appends those with weight >= `minWeight` to the output
 * arrays from `outOffset`; returns how many were written. Pure apart from writing the outputs (a
 * worker can run it on its own chunk); no allocation. Probability is left to the caller (see
 * {@link matchProbability}).
 *
 * @example
 * const kept = scoreRange(scorer, a, b, 0, a.length, -Infinity, outA, outB, outW, 0)
 */
export function scoreRange(
  scorer: PairScorer,
  a: Uint32Array,
  b: Uint32Array,
  start: number,
  end: number,
  minWeight: number,
  outA: Uint32Array,
  outB: Uint32Array,
  outWeight: Float64Array,
  outOffset: number,
): number {
  if (start < 0 || end > a.length || end > b.length) {
    throw new Error(`caselink: scoreRange ${start}..${end} is outside the candidate arrays`)
  }
  return scorer.scoreRange(a, b, start, end, minWeight, outA, outB, outWeight, outOffset)
}

/**
 * Scores candidate pairs with a linkage model and keeps those above the thresholds. Runs in
 * O(pairs × comparisons) plus O(rows) to compile the scorer; ≥ 5 million pairs per second per core
 * on the default model (bench/scoring.ts).
 *
 * @example
 * const scored = scorePairs(table, generateCandidates(table), model, { minProbability: 0.5 })
 * scored.probability[0] // probability of the first kept pair
 */
export function scorePairs(
  table: CaseTable,
  candidates: CandidatePairs,
  model: LinkageModel,
  options: ScorePairsOptions = {},
): ScoredPairs {
  const { count } = candidates
  if (candidates.a.length < count || candidates.b.length < count) {
    throw new Error('caselink: candidate arrays are shorter than count')
  }
  for (let k = 0; k < count; k++) {
    if (candidates.a[k] >= table.size || candidates.b[k] >= table.size) {
      throw new Error(`caselink: candidate pair ${k} refers to a row outside the table (size ${table.size})`)
    }
  }
  const scorer = options.scorer ?? createPairScorer(table, model, options)
  const minWeight = weightFloor(options)
  const outA = new Uint32Array(count)
  const outB = new Uint32Array(count)
  const outWeight = new Float64Array(count)
  const kept = scoreRange(scorer, candidates.a, candidates.b, 0, count, minWeight, outA, outB, outWeight, 0)
  const probability = new Float64Array(kept)
  for (let k = 0; k < kept; k++) probability[k] = matchProbability(outWeight[k])
  return {
    count: kept,
    a: kept === count ? outA : outA.slice(0, kept),
    b: kept === count ? outB : outB.slice(0, kept),
    matchWeight: kept === count ? outWeight : outWeight.slice(0, kept),
    probability,
  }
}
