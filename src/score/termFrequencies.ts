import type { CaseTable } from '../table/CaseTable'
import { clumpedMoFrequency } from '../table/clumpedFrequency'

/** Options of {@link termFrequencies}. */
export interface TermFrequencyOptions {
  /**
   * Pseudo-incidents by which a category's MO value shares are shrunk toward the value's share over all
   * categories, so a small category's few rows do not make its values look unique. Default 10.
   */
  pseudoCount?: number
  /**
   * Count each value's carriers in clumps ({@link clumpedMoFrequency}): one offender's repetitions near
   * each other count about once, so a prolific offender's habits do not make them common. A value's
   * counts in every category are scaled by its clumped / raw ratio. Default false (every carrier once),
   * as models written before clumped counts were fitted; a model with `rarity: 'clumped'` sets it.
   */
  clumped?: boolean
}

/**
 * Defaults of {@link TermFrequencyOptions}.
 *
 * @example
 * termFrequencies(table, { pseudoCount: TERM_FREQUENCY_DEFAULTS.pseudoCount * 2 })
 */
export const TERM_FREQUENCY_DEFAULTS = { pseudoCount: 10 } as const

/**
 * Value-specific agreement weights of a case table, in bits (see {@link termFrequencies}). Slot `s` of the
 * MO table is category id `s`, or `categorySlots − 1` ("any category") for pairs whose categories differ or
 * are missing.
 */
export interface TermFrequencies {
  /** Rows of `mo`: one per category of the table, plus the last for pairs of differing categories. */
  readonly categorySlots: number
  /** MO vocabulary size (columns of `mo`). */
  readonly moValues: number
  /** `mo[slot * moValues + v]`: bits added when a pair of the slot shares MO value v. */
  readonly mo: Float64Array
  /** `category[c]`: bits added when a pair shares category c. */
  readonly category: Float64Array
}

/**
 * Term-frequency (value-specific) adjustments of MO and category agreement, measured on a case table
 * (Splink's term-frequency adjustment, extended to MO lists). Agreeing on what few incidents share is
 * stronger evidence than agreeing on what most share; the adjustment says by how much, relative to an
 * average agreement, so that it averages out over chance agreements.
 *
 * For a shared value v of MO group g (the part before `:`; values without a group form one group) in a
 * pair of category c: with q the shares of g's values among the category's rows (shrunk toward their
 * shares over all rows by `pseudoCount` rows), the adjustment is
 *
 *   log2( Σ_w q_w² / q_v )
 *
 * the log Bayes factor of "the shared value is v" between a same-offender pair (whose shared value is
 * drawn as its offender's, ∝ q_v) and a chance agreement (∝ q_v²): 0 for a value of average commonness,
 * positive for rare values, negative for common ones; its expectation of 2^bits over chance agreements
 * is 1. A pair adds the adjustments of all its shared values. Shares are counted within the category, so
 * that "entry:pry-door" weighs what it says among burglaries. Pairs whose categories differ (or are
 * missing) use the shares over all rows. For category agreement on c, with p the categories' shares:
 * log2(Σ p² / p_c). Runs in O(list entries + categories × MO vocabulary).
 *
 * @example
 * const tf = termFrequencies(table)
 * tf.mo[table.category[0] * tf.moValues + table.moIds[table.moStart[0]]] // bits for row 0's first value
 */
export function termFrequencies(table: CaseTable, options: TermFrequencyOptions = {}): TermFrequencies {
  const categories = table.categoryValues.length
  const V = table.moValues.length
  // counts per (slot, value); the last slot counts every row
  const counts = new Float64Array((categories + 1) * V)
  const all = categories * V
  const categoryCount = new Float64Array(categories)
  const clumped = (options.clumped ?? true) ? clumpedMoFrequency(table) : null
  const one = new Float64Array(V).fill(1)
  if (clumped !== null) for (let v = 0; v < V; v++) one[v] = clumped[v] / table.moFrequency[v]
  for (let i = 0; i < table.size; i++) {
    const c = table.category[i]
    if (c >= 0) categoryCount[c]++
    for (let k = table.moStart[i]; k < table.moStart[i + 1]; k++) {
      const v = table.moIds[k]
      if (c >= 0) counts[c * V + v] += one[v]
      counts[all + v] += one[v]
    }
  }
  return termFrequenciesFromCounts(
    counts,
    categoryCount,
    V,
    table.moGroup,
    table.moGroupValues.length,
    options,
  )
}

/**
 * {@link termFrequencies} from counts: `counts[c * V + v]` rows of category c carrying MO value v (the last
 * slot, c = categories, every row carrying it), `categoryCount[c]` rows of category c, `moGroup[v]` the
 * group of value v (−1 none). Shared by the batch scorer and the online index's growing scorer, so both
 * give the same bits for the same rows.
 *
 * @example
 * termFrequenciesFromCounts(counts, categoryCount, V, table.moGroup, table.moGroupValues.length)
 */
export function termFrequenciesFromCounts(
  counts: Float64Array,
  categoryCount: Float64Array,
  V: number,
  moGroup: ArrayLike<number>,
  groupCount: number,
  options: TermFrequencyOptions = {},
  out?: TermFrequencies,
): TermFrequencies {
  const pseudoCount = options.pseudoCount ?? TERM_FREQUENCY_DEFAULTS.pseudoCount
  if (!(pseudoCount >= 0) || !Number.isFinite(pseudoCount)) {
    throw new RangeError(
      `caselink: term-frequency pseudoCount must be a finite number >= 0, got ${pseudoCount}`,
    )
  }
  const categories = categoryCount.length
  const slots = categories + 1
  const all = categories * V
  const groupOf = (v: number): number => moGroup[v] + 1 // 0: values without a group
  const groups = groupCount + 1
  const mo = out !== undefined && out.mo.length >= slots * V ? out.mo : new Float64Array(slots * V)
  const total = new Float64Array(groups)
  const globalTotal = new Float64Array(groups)
  const sumSquares = new Float64Array(groups)
  for (let v = 0; v < V; v++) globalTotal[groupOf(v)] += counts[all + v]
  const globalShare = (v: number): number => {
    const t = globalTotal[groupOf(v)]
    return t > 0 ? counts[all + v] / t : 0
  }
  for (let s = 0; s < slots; s++) {
    const base = s * V
    const shrink = s === categories ? 0 : pseudoCount
    total.fill(0)
    sumSquares.fill(0)
    for (let v = 0; v < V; v++) total[groupOf(v)] += counts[base + v] + shrink * globalShare(v)
    for (let v = 0; v < V; v++) {
      const g = groupOf(v)
      const q = (counts[base + v] + shrink * globalShare(v)) / total[g]
      sumSquares[g] += q * q
    }
    for (let v = 0; v < V; v++) {
      const g = groupOf(v)
      const q = (counts[base + v] + shrink * globalShare(v)) / total[g]
      mo[base + v] = q > 0 ? Math.log2(sumSquares[g] / q) : 0
    }
  }
  let categoryRows = 0
  for (let c = 0; c < categories; c++) categoryRows += categoryCount[c]
  let categorySquares = 0
  for (let c = 0; c < categories; c++) categorySquares += (categoryCount[c] / categoryRows) ** 2
  const category =
    out !== undefined && out.category.length >= categories ? out.category : new Float64Array(categories)
  for (let c = 0; c < categories; c++) {
    const p = categoryCount[c] / categoryRows
    category[c] = p > 0 ? Math.log2(categorySquares / p) : 0
  }
  return { categorySlots: slots, moValues: V, mo, category }
}

/**
 * The adjustments of `reference` (a case base) laid out for another table's vocabularies: MO values and
 * categories are matched by name; a value or category the reference never saw weighs 0 (as an average one:
 * nothing is known of how common it is).
 *
 * @example
 * const tf = termFrequenciesFor(twoRowTable, termFrequencies(caseBase), caseBase)
 */
export function termFrequenciesFor(
  table: CaseTable,
  reference: CaseTable,
  options: TermFrequencyOptions = {},
): TermFrequencies {
  if (table === reference) return termFrequencies(table, options)
  const refMo = new Map(reference.moValues.map((value, id) => [value, id]))
  const refCategory = new Map(reference.categoryValues.map((value, id) => [value, id]))
  const base = termFrequencies(reference, options)
  const V = table.moValues.length
  const categories = table.categoryValues.length
  const slots = categories + 1
  const mo = new Float64Array(slots * V)
  const category = new Float64Array(categories)
  for (let s = 0; s < slots; s++) {
    const refSlot =
      s === categories
        ? base.categorySlots - 1
        : (refCategory.get(table.categoryValues[s]) ?? base.categorySlots - 1)
    for (let v = 0; v < V; v++) {
      const refV = refMo.get(table.moValues[v])
      mo[s * V + v] = refV === undefined ? 0 : base.mo[refSlot * base.moValues + refV]
    }
  }
  for (let c = 0; c < categories; c++) {
    const refC = refCategory.get(table.categoryValues[c])
    category[c] = refC === undefined ? 0 : base.category[refC]
  }
  return { categorySlots: slots, moValues: V, mo, category }
}
