import type { Incident } from '../schema/incident'
import { createPairScorer } from '../score/pairScorer'
import type { CandidatePairs } from '../score/scorePairs'
import { createRandom } from '../util/random'
import {
  addPair,
  emptyCounts,
  FIT_DEFAULTS,
  type FitModelOptions,
  probabilitiesFromCounts,
  sampleUCounts,
  shareLabel,
  tableFor,
  templateFor,
  withProbabilities,
} from './fitting'
import type { LinkageModel } from './linkageModel'

/** Options of {@link trainModel}. */
export interface TrainModelOptions extends FitModelOptions {
  /**
   * Within-series pairs used per series at most (a random sample beyond that). Each series then
   * weighs the same in m, whatever its size. Default 2000.
   */
  maxPairsPerSeries?: number
  /** λ to store. Default: estimated (see {@link trainModel}). */
  priorProbability?: number
  /** The pairs the model will score (from blocking): λ is then the share of linked pairs among them. */
  candidates?: CandidatePairs
}

const DEFAULTS = { maxPairsPerSeries: 2000 }

/**
 * Trains a model from solved series (supervised): two incidents are the same offender's when they
 * share a `series` label. m (per comparison level) comes from within-series pairs, each series
 * weighted equally (its pairs share weight 1, so one 90-crime series does not outweigh forty pairs);
 * u from `uPairs` random pairs sharing no label (smoothed by `smoothing` pseudo-counts spread evenly);
 * m smoothed toward u by `smoothing` pseudo-series, so a level seen in few series weighs little and a
 * level seen in neither sample weighs exactly 0; no weight is ±∞. λ is `priorProbability`, else the share of linked pairs
 * among `candidates`, else among all pairs (Σ C(k, 2) over labels / C(n, 2)). Seeded, deterministic.
 * Runs in O(n + Σ min(C(k,2), maxPairsPerSeries) + uPairs) pair comparisons.
 *
 * @example
 * const { incidents } = parseIncidents(generateIncidents({ n: 20_000, seed: 1 }).incidents)
 * const model = trainModel(incidents, { timeZone: 'Asia/Shanghai' })
 * await saveModel(model, 'model.json')
 */
export function trainModel(incidents: readonly Incident[], options: TrainModelOptions = {}): LinkageModel {
  const table = tableFor(incidents, options)
  const template = templateFor(table, options)
  const smoothing = options.smoothing ?? FIT_DEFAULTS.smoothing
  const maxPairsPerSeries = options.maxPairsPerSeries ?? DEFAULTS.maxPairsPerSeries
  const random = createRandom(options.seed ?? FIT_DEFAULTS.seed)
  const scorer = createPairScorer(table, template)
  const levels = new Int8Array(scorer.comparisonCount)

  // rows of each label (CSR by label id)
  const labelCount = table.seriesValues.length
  const labelStart = new Uint32Array(labelCount + 1)
  for (let k = 0; k < table.seriesIds.length; k++) labelStart[table.seriesIds[k] + 1]++
  for (let l = 0; l < labelCount; l++) labelStart[l + 1] += labelStart[l]
  const labelRows = new Uint32Array(table.seriesIds.length)
  const fill = labelStart.slice(0, labelCount)
  for (let i = 0; i < table.size; i++) {
    for (let k = table.seriesStart[i]; k < table.seriesStart[i + 1]; k++)
      labelRows[fill[table.seriesIds[k]]++] = i
  }

  const mCounts = emptyCounts(template)
  let seriesUsed = 0
  let pairsUsed = 0
  let linkedPairs = 0
  for (let l = 0; l < labelCount; l++) {
    const start = labelStart[l]
    const k = labelStart[l + 1] - start
    if (k < 2) continue
    const all = (k * (k - 1)) / 2
    linkedPairs += all
    seriesUsed++
    if (all <= maxPairsPerSeries) {
      const weight = 1 / all
      for (let p = 0; p < k; p++) {
        for (let q = p + 1; q < k; q++) {
          scorer.levels(labelRows[start + p], labelRows[start + q], levels)
          addPair(mCounts, levels, weight)
        }
      }
      pairsUsed += all
    } else {
      const weight = 1 / maxPairsPerSeries
      for (let s = 0; s < maxPairsPerSeries; s++) {
        const p = Math.floor(random() * k)
        let q = Math.floor(random() * (k - 1))
        if (q >= p) q++
        scorer.levels(labelRows[start + p], labelRows[start + q], levels)
        addPair(mCounts, levels, weight)
      }
      pairsUsed += maxPairsPerSeries
    }
  }
  if (seriesUsed === 0) {
    throw new Error('caselink: trainModel needs at least one series label shared by two incidents')
  }

  const uCounts = sampleUCounts(scorer, template, options.uPairs ?? FIT_DEFAULTS.uPairs, random, true)
  const u = probabilitiesFromCounts(uCounts, smoothing)
  const m = probabilitiesFromCounts(mCounts, smoothing, u, uCounts)

  let priorProbability = options.priorProbability
  if (priorProbability === undefined) {
    if (options.candidates !== undefined && options.candidates.count > 0) {
      let linked = 0
      for (let k = 0; k < options.candidates.count; k++) {
        if (shareLabel(table, options.candidates.a[k], options.candidates.b[k])) linked++
      }
      priorProbability = (linked + 0.5) / (options.candidates.count + 1)
    } else {
      const allPairs = (table.size * (table.size - 1)) / 2
      priorProbability = (linkedPairs + 0.5) / (allPairs + 1)
    }
  }
  return withProbabilities(template, m, u, priorProbability, {
    method: 'supervised',
    pairs: pairsUsed,
    note: `${seriesUsed} series, ${pairsUsed} within-series pairs, ${options.uPairs ?? FIT_DEFAULTS.uPairs} u pairs`,
  })
}
