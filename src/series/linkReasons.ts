import type { PairScorer } from '../score/pairScorer'

/**
 * Writes the reasons of a link into `out` (cleared first) and returns the pair's total match weight.
 * See {@link createReasonWriter}.
 */
export type ReasonWriter = (i: number, j: number, out: string[]) => number

/**
 * Compiles the reason picker of one scorer: for rows i and j, the comparisons that add most to the
 * match weight, strongest first (ties in model order), worded `'evidence: shared strong (+8.7)'`.
 * Level buffers are reused and labels pre-formatted, so a call costs one string per reason. Runs in
 * O(comparisons × maxReasons) per call. Used by {@link explainLink} and the CSV / graph exports.
 *
 * @example
 * const reasons: string[] = []
 * const matchWeight = createReasonWriter(result.scorer, 3)(3, 17, reasons)
 * reasons // ['mo: >= 0.75 (+5.9)', 'timeGap: <= 24 h (+5.6)']
 */
export function createReasonWriter(scorer: PairScorer, maxReasons = 3): ReasonWriter {
  const C = scorer.comparisonCount
  const levels = new Int8Array(C)
  const weights = new Float64Array(C)
  const prefixes = scorer.model.comparisons.map((comparison) =>
    comparison.levels.map((level) => `${comparison.name}: ${level.label} (+`),
  )
  const top = new Int32Array(Math.max(0, maxReasons))
  return (i: number, j: number, out: string[]): number => {
    const matchWeight = scorer.explain(i, j, levels, weights)
    let count = 0
    for (let c = 0; c < C; c++) {
      const w = weights[c]
      if (!(w > 0)) continue
      if (count === maxReasons && w <= weights[top[count - 1]]) continue
      let at = count < maxReasons ? count++ : count - 1
      while (at > 0 && weights[top[at - 1]] < w) {
        top[at] = top[at - 1]
        at--
      }
      top[at] = c
    }
    out.length = 0
    for (let k = 0; k < count; k++) {
      const c = top[k]
      out.push(`${prefixes[c][levels[c]]}${weights[c].toFixed(1)})`)
    }
    return matchWeight
  }
}
