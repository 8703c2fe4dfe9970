import { type LinkageModel, matchProbability } from '../model/linkageModel'
import type { Incident } from '../schema/incident'
import { buildCaseTable } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { createPairScorer, type PairScorer } from './pairScorer'

/** One term of a pair's match weight: the prior or one comparison's level. */
export interface Contribution {
  /** Comparison name, or `'prior'`. */
  comparison: string
  /** Level index in the comparison (0 = missing); -1 for the prior. */
  level: number
  /** Level label (`'<= 500 m'`, `'shared near-certain'`, `'missing'`), or `'prior'`. */
  label: string
  /** This term's match weight (log2 Bayes factor). */
  matchWeight: number
  /** The compared value (metres, hours, days, similarity), or null when missing or not numeric. */
  value: number | null
}

/** A scored pair with its explanation. */
export interface PairScore {
  /** Prior plus every comparison's weight; equal to the sum of `contributions`, in order. */
  matchWeight: number
  /** 2^w / (1 + 2^w). */
  probability: number
  /** The prior first, then one entry per comparison in model order (a waterfall). */
  contributions: Contribution[]
}

/** Options of {@link scorePair}. */
export interface ScorePairOptions {
  /**
   * Case base giving value frequencies for MO rarity and evidence term-frequency adjustment
   * (usually the table the incidents come from). Without it every MO value weighs the same and
   * evidence is not adjusted, since two incidents alone say nothing about how common a value is.
   */
  reference?: CaseTable
  /** IANA zone of the local clock for time of day / day of week. Default: the reference's, else UTC. */
  timeZone?: string
}

/**
 * Scores one pair of incidents and explains the score as a waterfall: the prior's weight and each
 * comparison's level weight, which sum exactly (in order) to the total.
 *
 * @example
 * const { probability, contributions } = scorePair(a, b, model, { reference: table })
 * for (const c of contributions) console.log(c.comparison, c.label, c.matchWeight.toFixed(2))
 */
export function scorePair(
  a: Incident,
  b: Incident,
  model: LinkageModel,
  options: ScorePairOptions = {},
): PairScore {
  const timeZone = options.timeZone ?? options.reference?.timeZone ?? 'UTC'
  const table = buildCaseTable([a, b], {
    timeZone,
    originLat: options.reference?.originLat,
    originLon: options.reference?.originLon,
  })
  const scorer = createPairScorer(table, model, {
    reference: options.reference,
    uniformRarity: options.reference === undefined,
    compile: false,
  })
  return explainPair(scorer, 0, 1)
}

/**
 * Explains the score of rows i and j of a scorer's table (see {@link scorePair}); allocates the
 * explanation, so use it for the pairs a person reads, not in a hot loop.
 *
 * @example
 * const { contributions } = explainPair(createPairScorer(table, model), 3, 17)
 */
export function explainPair(scorer: PairScorer, i: number, j: number): PairScore {
  const C = scorer.comparisonCount
  const levels = new Int8Array(C)
  const weights = new Float64Array(C)
  const values = new Float64Array(C)
  scorer.explain(i, j, levels, weights, values)
  const contributions: Contribution[] = [
    { comparison: 'prior', level: -1, label: 'prior', matchWeight: scorer.priorMatchWeight, value: null },
  ]
  let total = scorer.priorMatchWeight
  for (let c = 0; c < C; c++) {
    const comparison = scorer.model.comparisons[c]
    contributions.push({
      comparison: comparison.name,
      level: levels[c],
      label: comparison.levels[levels[c]].label,
      matchWeight: weights[c],
      value: Number.isNaN(values[c]) ? null : values[c],
    })
    total += weights[c]
  }
  return { matchWeight: total, probability: matchProbability(total), contributions }
}
