import type { PairScorer } from '../score/pairScorer'

/**
 * Compiles a formatter of link reasons for one scorer: for rows i and j, the comparisons that add most
 * to the match weight, strongest first, as `explainLink` words them (`'evidence: shared strong (+8.7)'`)
 * joined with '; '. Equal to `explainLink(scorer, i, j, p, maxReasons).reasons.join('; ')`, without its
 * per-call objects: level buffers are reused and labels pre-formatted, so hundreds of thousands of links
 * cost one string each. Runs in O(comparisons × maxReasons) per call.
 *
 * @example
 * const reasonsOf = createLinkReasons(result.scorer, 3)
 * reasonsOf(3, 17) // 'mo: >= 0.75 (+5.9); timeGap: <= 24 h (+5.6)'
 */
export function createLinkReasons(scorer: PairScorer, maxReasons = 3): (i: number, j: number) => string {
  const C = scorer.comparisonCount
  const levels = new Int8Array(C)
  const weights = new Float64Array(C)
  const prefixes = scorer.model.comparisons.map((comparison) =>
    comparison.levels.map((level) => `${comparison.name}: ${level.label} (+`),
  )
  const top = new Int32Array(Math.max(0, maxReasons))
  return (i: number, j: number): string => {
    scorer.explain(i, j, levels, weights)
    // Top maxReasons positive weights; ties keep model order (as a stable sort would).
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
    let text = ''
    for (let k = 0; k < count; k++) {
      const c = top[k]
      if (k > 0) text += '; '
      text += `${prefixes[c][levels[c]]}${weights[c].toFixed(1)})`
    }
    return text
  }
}
