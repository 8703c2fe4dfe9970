import type { PairScorer } from '../score/pairScorer'
import { createReasonWriter } from '../series/linkReasons'

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
  const write = createReasonWriter(scorer, maxReasons)
  const reasons: string[] = []
  return (i: number, j: number): string => {
    write(i, j, reasons)
    return reasons.join('; ')
  }
}
