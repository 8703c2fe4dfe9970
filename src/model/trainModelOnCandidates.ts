import { type GenerateCandidatesOptions, generateCandidates } from '../blocking/generateCandidates'
import type { Incident } from '../schema/incident'
import { createPairScorer } from '../score/pairScorer'
import type { CandidatePairs } from '../score/scorePairs'
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
import type { LinkageModel } from './linkageModel'

/** Options of {@link trainModelOnCandidates}. */
export interface TrainModelOnCandidatesOptions extends FitModelOptions {
  /** Blocking of the training incidents: use the options the model will be applied with. */
  blocking?: GenerateCandidatesOptions
  /** The candidate pairs, when already generated (then `blocking` is not used). */
  candidates?: CandidatePairs
}

/**
 * Trains a model from solved series on the population it will score: the candidate pairs of blocking.
 * m is each level's share among candidate pairs that share a `series` label, u its share among those
 * that do not, λ the share of linked pairs among candidates. Because blocking already selects pairs
 * that are close in space and time (or share evidence or a rare MO value), u measured on random pairs
 * would count that closeness as evidence a second time and make every candidate look linked; measured
 * on the candidates, the weights say what distinguishes a same-offender pair among its neighbours.
 * Apply the model with the same blocking options. Levels seen in neither sample get weight 0; missing
 * levels weigh 0. Runs in O(candidates × comparisons).
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
  const template = templateFor(table, options)
  const smoothing = options.smoothing ?? FIT_DEFAULTS.smoothing
  const candidates = options.candidates ?? generateCandidates(table, options.blocking)
  const scorer = createPairScorer(table, template)
  const levels = new Int8Array(scorer.comparisonCount)
  const mCounts = emptyCounts(template)
  const uCounts = emptyCounts(template)
  let linked = 0
  for (let k = 0; k < candidates.count; k++) {
    const i = candidates.a[k]
    const j = candidates.b[k]
    scorer.levels(i, j, levels)
    if (shareLabel(table, i, j)) {
      linked++
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
  return withProbabilities(template, m, u, linked / candidates.count, {
    method: 'supervised',
    pairs: candidates.count,
    note: `on ${candidates.count} candidate pairs (${linked} linked): m, u and the prior conditional on blocking`,
  })
}
