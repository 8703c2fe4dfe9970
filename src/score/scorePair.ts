import { type LinkageModel, matchProbability, PAIR_CLASSES } from '../model/linkageModel'
import type { Incident } from '../schema/incident'
import { buildCaseTable } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { createPairScorer, type PairScorer } from './pairScorer'

/**
 * One term of a pair's match weight: the prior, one comparison's level, the background term (`background`,
 * for pairs in the model's neighbourhood) or the prior of the pair's kind (`pairPrior`), in the order the
 * scorer adds them.
 */
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
  /**
   * The value-specific part of `matchWeight` (bits), when the comparison has one: the term-frequency bits of
   * the shared MO values or of the shared category, or the background term's whole weight.
   */
  adjustment?: number
  /**
   * What drove the adjustment: each shared MO value (or the category) with its bits, rarest first; for the
   * background, the pair's expected count and the reference.
   */
  details?: { value: string; bits: number }[]
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
  const scored = scorer.explain(i, j, levels, weights, values)
  const kind = scorer.pairClass(i, j)
  const prior = scorer.priorMatchWeight
  const contributions: Contribution[] = [
    { comparison: 'prior', level: -1, label: 'prior', matchWeight: prior, value: null },
  ]
  let total = prior
  const table = scorer.table
  const { moTermFrequency, categoryTermFrequency, tfLayout } = scorer.adjustments
  const ci = table.category[i]
  for (let c = 0; c < C; c++) {
    const comparison = scorer.model.comparisons[c]
    const contribution: Contribution = {
      comparison: comparison.name,
      level: levels[c],
      label: comparison.levels[levels[c]].label,
      matchWeight: weights[c],
      value: Number.isNaN(values[c]) ? null : values[c],
    }
    if (comparison.kind === 'mo' && moTermFrequency.length > 0 && levels[c] > 0) {
      const slot = ci === table.category[j] && ci >= 0 ? ci : tfLayout[1]
      const details = sharedMo(table, i, j).map((v) => ({
        value: table.moValues[v],
        bits: moTermFrequency[slot * tfLayout[0] + v],
      }))
      details.sort((x, y) => y.bits - x.bits || (x.value < y.value ? -1 : 1))
      contribution.adjustment = details.reduce((sum, d) => sum + d.bits, 0)
      contribution.details = details
    } else if (
      comparison.kind === 'category' &&
      categoryTermFrequency.length > 0 &&
      levels[c] === 1 &&
      kind !== 0
    ) {
      contribution.adjustment = categoryTermFrequency[ci]
      contribution.details = [{ value: table.categoryValues[ci], bits: categoryTermFrequency[ci] }]
    }
    contributions.push(contribution)
    total += weights[c]
  }
  const background = scorer.background(i, j)
  const expected = scorer.adjustments.backgroundExpected
  if (kind === 0 && expected !== null && scorer.model.background !== undefined) {
    const pairExpected = Math.sqrt(expected[i] * expected[j])
    const reference = scorer.model.background.referenceExpected
    contributions.push({
      comparison: 'background',
      level: -1,
      label: `${formatCount(pairExpected)} similar incidents expected this close by chance (reference ${formatCount(reference)})`,
      matchWeight: background,
      value: pairExpected,
      adjustment: background,
      details: [
        { value: 'expected', bits: pairExpected },
        { value: 'reference', bits: reference },
      ],
    })
    total += background
  }
  const offset = scorer.classOffsets[kind]
  if (offset !== 0) {
    contributions.push({
      comparison: 'pairPrior',
      level: kind,
      label: `${PAIR_CLASSES[kind]} pairs`,
      matchWeight: offset,
      value: null,
    })
    total += offset
  }
  if (total !== scored) throw new Error('caselink: internal: the explanation does not add up to the score')
  return { matchWeight: total, probability: matchProbability(total), contributions }
}

/** MO value ids both rows carry, ascending. */
function sharedMo(table: PairScorer['table'], i: number, j: number): number[] {
  const out: number[] = []
  let p = table.moStart[i]
  let q = table.moStart[j]
  while (p < table.moStart[i + 1] && q < table.moStart[j + 1]) {
    const a = table.moIds[p]
    const b = table.moIds[q]
    if (a === b) {
      out.push(a)
      p++
      q++
    } else if (a < b) p++
    else q++
  }
  return out
}

function formatCount(x: number): string {
  return x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2)
}
