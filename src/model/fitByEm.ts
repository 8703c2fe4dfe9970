import { createPairScorer } from '../score/pairScorer'
import type { CandidatePairs } from '../score/scorePairs'
import type { CaseTable } from '../table/CaseTable'
import { createRandom } from '../util/random'
import {
  emptyCounts,
  FIT_DEFAULTS,
  probabilitiesFromCounts,
  sampleUCounts,
  templateFor,
  withProbabilities,
} from './fitting'
import type { LinkageModel } from './linkageModel'
import type { TrainModelOptions } from './trainModel'

const DEFAULTS = { initialPriorProbability: 0.01, maxIterations: 200, tolerance: 1e-6 }

/**
 * A model without labels, as Splink estimates one: u from `uPairs` random pairs (almost all between
 * different offenders), then Fellegi–Sunter EM over the candidate pairs for m and λ (Winkler, "Using
 * the EM algorithm for weight computation in the Fellegi–Sunter model of record linkage", 1988). The
 * E step gives each pair its match probability; the M step sets each non-missing level's m to the
 * probability-weighted share of pairs at that level, λ to the mean probability, and the level
 * distribution of non-matches among the candidates (which blocking makes nearer and closer in time
 * than random pairs) to the (1 − probability)-weighted share. The returned model keeps the
 * random-pair u, m and λ (over the candidates) from EM. Pairs are first grouped by their level pattern, so an iteration costs
 * O(distinct patterns × comparisons). Stops when every change is below `tolerance`, or after
 * `maxIterations` with a warning (the model is still returned, with `training.converged: false`).
 *
 * The EM fit of {@link trainModel}.
 */
export function fitByEm(
  table: CaseTable,
  candidates: CandidatePairs,
  options: TrainModelOptions,
): LinkageModel {
  const template = templateFor(table, options)
  const smoothing = options.smoothing ?? FIT_DEFAULTS.smoothing
  const maxIterations = options.maxIterations ?? DEFAULTS.maxIterations
  const tolerance = options.tolerance ?? DEFAULTS.tolerance
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message))
  const random = createRandom(options.seed ?? FIT_DEFAULTS.seed)
  const scorer = createPairScorer(table, template)
  const C = scorer.comparisonCount

  const uCounts = sampleUCounts(scorer, template, options.uPairs ?? FIT_DEFAULTS.uPairs, random, false)
  const u = probabilitiesFromCounts(uCounts, smoothing)

  // group candidate pairs by level pattern
  const levels = new Int8Array(C)
  const patternIndex = new Map<string, number>()
  const patternLevels: number[] = []
  const patternCount: number[] = []
  for (let k = 0; k < candidates.count; k++) {
    scorer.levels(candidates.a[k], candidates.b[k], levels)
    const key = levels.join(',')
    let p = patternIndex.get(key)
    if (p === undefined) {
      p = patternCount.length
      patternIndex.set(key, p)
      for (let c = 0; c < C; c++) patternLevels.push(levels[c])
      patternCount.push(0)
    }
    patternCount[p]++
  }
  const P = patternCount.length
  if (candidates.count < 100) {
    warn(`caselink: trainModel (EM) has only ${candidates.count} candidate pairs; estimates will be poor`)
  }

  // starting m from the template, conditional on non-missing
  const m: Float64Array[] = template.comparisons.map((comparison) => {
    const probabilities = new Float64Array(comparison.levels.length)
    let present = 0
    for (let l = 1; l < comparison.levels.length; l++) present += comparison.levels[l].m
    for (let l = 1; l < comparison.levels.length; l++) probabilities[l] = comparison.levels[l].m / present
    probabilities[0] = comparison.levels[0].m
    return probabilities
  })
  let prior = options.initialPriorProbability ?? DEFAULTS.initialPriorProbability
  const counts = emptyCounts(template)
  const nonMatchCounts = emptyCounts(template)
  const logRatio = new Float64Array(counts.counts.length)
  // u among the candidates: blocking selects near, close-in-time pairs, so their non-matches are not
  // distributed like random pairs (u). The E step uses this conditional u, estimated along with m
  // (starting from the level distribution of all candidates); the model keeps the random-pair u.
  let uCandidates: Float64Array[]
  {
    const all = emptyCounts(template)
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < C; c++) all.counts[all.offset[c] + patternLevels[p * C + c]] += patternCount[p]
    }
    uCandidates = probabilitiesFromCounts(all, smoothing, u, uCounts)
  }
  let iterations = 0
  let converged = false
  let lastChange = Number.POSITIVE_INFINITY
  while (iterations < maxIterations && P > 0) {
    iterations++
    for (let c = 0; c < C; c++) {
      for (let l = 1; l < m[c].length; l++) {
        logRatio[counts.offset[c] + l] = Math.log2(m[c][l] / uCandidates[c][l])
      }
    }
    counts.counts.fill(0)
    nonMatchCounts.counts.fill(0)
    let matched = 0
    const priorWeight = Math.log2(prior / (1 - prior))
    for (let p = 0; p < P; p++) {
      let w = priorWeight
      for (let c = 0; c < C; c++) {
        const level = patternLevels[p * C + c]
        if (level !== 0) w += logRatio[counts.offset[c] + level]
      }
      const probability = w >= 0 ? 1 / (1 + 2 ** -w) : 2 ** w / (1 + 2 ** w)
      const mass = probability * patternCount[p]
      const rest = patternCount[p] - mass
      matched += mass
      for (let c = 0; c < C; c++) {
        const at = counts.offset[c] + patternLevels[p * C + c]
        counts.counts[at] += mass
        nonMatchCounts.counts[at] += rest
      }
    }
    uCandidates = probabilitiesFromCounts(nonMatchCounts, smoothing, u, uCounts)
    const next = probabilitiesFromCounts(counts, smoothing, u, uCounts)
    let change = 0
    for (let c = 0; c < C; c++) {
      for (let l = 1; l < m[c].length; l++) change = Math.max(change, Math.abs(next[c][l] - m[c][l]))
      next[c][0] = m[c][0]
    }
    const nextPrior = Math.min(1 - 1e-9, Math.max(1e-9, matched / candidates.count))
    change = Math.max(change, Math.abs(nextPrior - prior))
    for (let c = 0; c < C; c++) m[c] = next[c]
    prior = nextPrior
    lastChange = change
    if (change < tolerance) {
      converged = true
      break
    }
  }
  if (!converged) {
    warn(
      `caselink: trainModel EM did not converge in ${iterations} iterations (last change ${lastChange.toExponential(2)} > ${tolerance})`,
    )
  }
  return withProbabilities(template, m, u, prior, {
    method: 'em',
    pairs: candidates.count,
    iterations,
    converged,
    note: `${P} level patterns over ${candidates.count} candidate pairs; u from ${options.uPairs ?? FIT_DEFAULTS.uPairs} random pairs`,
  })
}
