/**
 * Lone incidents (in no detected series) joined to the series their scored links point to, when those
 * links together weigh as much as one link above the edge floor.
 */

import { canonicalizeMembership } from '../cluster/partition'

/** One lone incident joined to a series, see {@link attachLoneIncidents}. */
export interface LoneAttachment {
  /** The lone incident's row. */
  row: number
  /** Its links to the series' members: rows, probabilities. */
  rows: number[]
  probabilities: number[]
  /** The links' log-odds summed, bits. */
  evidenceBits: number
}

/**
 * Joins each lone incident (a community of one) to the series (community of two or more) that its links
 * (pairs `a[k]`–`b[k]` scored `probability[k]`, typically those between a lower floor and the edge floor,
 * which the clustering never saw) point to most, when their log-odds sum to at least `minEvidenceBits`
 * (`log2(p / (1 − p))` of the edge floor: as much as one kept link) and no other series comes as close
 * (a tie joins nothing). One pass over the clustering's series: an incident joined does not draw others.
 * Returns the new membership (canonical) and each attachment. Never mutates its input.
 *
 * @example
 * const { membership, attachments } = attachLoneIncidents(partition.membership, subA, subB, subP, subCount, Math.log2(0.9 / 0.1))
 */
export function attachLoneIncidents(
  membership: Int32Array,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  probability: ArrayLike<number>,
  count: number,
  minEvidenceBits: number,
): { membership: Int32Array; count: number; attachments: LoneAttachment[] } {
  const n = membership.length
  let communities = 0
  for (let i = 0; i < n; i++) if (membership[i] + 1 > communities) communities = membership[i] + 1
  const size = new Uint32Array(communities)
  for (let i = 0; i < n; i++) size[membership[i]]++
  // (lone row, series, pair) of every pair with exactly one lone end, grouped by lone row then series
  const entries: number[] = []
  for (let k = 0; k < count; k++) {
    const loneA = size[membership[a[k]]] === 1
    const loneB = size[membership[b[k]]] === 1
    if (loneA === loneB) continue
    entries.push(k)
  }
  const loneOf = (k: number) => (size[membership[a[k]]] === 1 ? a[k] : b[k])
  const otherOf = (k: number) => (size[membership[a[k]]] === 1 ? b[k] : a[k])
  entries.sort((x, y) => loneOf(x) - loneOf(y) || membership[otherOf(x)] - membership[otherOf(y)] || x - y)
  const bits = (p: number) => Math.log2(Math.min(p, 1 - 1e-15) / Math.max(1 - p, 1e-15))
  const result = Int32Array.from(membership)
  const attachments: LoneAttachment[] = []
  for (let s = 0; s < entries.length; ) {
    const row = loneOf(entries[s])
    let e = s
    let best = -1
    let bestBits = Number.NEGATIVE_INFINITY
    let second = Number.NEGATIVE_INFINITY
    let bestFrom = s
    let bestTo = s
    while (e < entries.length && loneOf(entries[e]) === row) {
      const series = membership[otherOf(entries[e])]
      let sum = 0
      const from = e
      while (e < entries.length && loneOf(entries[e]) === row && membership[otherOf(entries[e])] === series) {
        sum += bits(probability[entries[e]])
        e++
      }
      if (sum > bestBits) {
        second = bestBits
        bestBits = sum
        best = series
        bestFrom = from
        bestTo = e
      } else if (sum > second) second = sum
    }
    s = e
    if (best < 0 || bestBits < minEvidenceBits || second === bestBits) continue
    result[row] = best
    const links = entries.slice(bestFrom, bestTo)
    attachments.push({
      row,
      rows: links.map(otherOf),
      probabilities: links.map((k) => probability[k]),
      evidenceBits: bestBits,
    })
  }
  const total = canonicalizeMembership(result)
  return { membership: result, count: total, attachments }
}
