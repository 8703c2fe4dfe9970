import { buildTruth, firstSharedLabel, type LabelledIncident } from './truth'

/** A ranked candidate: an incident id, or an object with one (e.g. `{ id, score }`). */
export type RankedCandidate = string | { readonly id: string }

/**
 * Ranked candidates per query incident, best first: a Map or object query id → candidates, or an array
 * of `{ query, candidates }`.
 */
export type Rankings =
  | ReadonlyMap<string, readonly RankedCandidate[]>
  | Readonly<Record<string, readonly RankedCandidate[]>>
  | readonly { readonly query: string; readonly candidates: readonly RankedCandidate[] }[]

/** Options of {@link evaluateRanking}. */
export interface EvaluateRankingOptions {
  /** Cut-offs of the hit rates. Default [1, 5, 10, 50]. */
  ks?: readonly number[]
}

/** Result of {@link evaluateRanking}. */
export interface RankingMetrics {
  /** Queries evaluated: labelled, with at least one truly linked incident in the data. */
  queries: number
  /** Share of queries with a true link among the top k candidates, keyed by k. */
  hitRate: Record<number, number>
  top1: number
  top5: number
  top10: number
  top50: number
  /** Median 1-based rank of the first true link; Infinity when at least half the queries have none ranked. */
  medianFirstRank: number
  /** Mean of 1 / rank of the first true link (0 when none is ranked). */
  meanReciprocalRank: number
  /** Evaluated queries whose candidates hold no true link. */
  notFound: number
  /** Queries left out: unlabelled or unknown, or with no truly linked incident anywhere. */
  skipped: number
}

const DEFAULTS = { ks: [1, 5, 10, 50] as readonly number[] }

function entries(rankings: Rankings): [string, readonly RankedCandidate[]][] {
  if (Array.isArray(rankings)) {
    return (rankings as readonly { query: string; candidates: readonly RankedCandidate[] }[]).map((r) => [
      r.query,
      r.candidates,
    ])
  }
  if (rankings instanceof Map) return [...(rankings as ReadonlyMap<string, readonly RankedCandidate[]>)]
  if (rankings !== null && typeof rankings === 'object') {
    return Object.entries(rankings as Readonly<Record<string, readonly RankedCandidate[]>>)
  }
  throw new TypeError(
    'caselink: rankings must be a Map, an object query → candidates, or [{ query, candidates }]',
  )
}

/**
 * Evaluates ranked candidate lists, the crime-linkage literature's measures (e.g. Bennell & Jones 2005;
 * Tonkin et al. 2011): hit rate of a true link in the top 1/5/10/50, and the median rank of the first
 * true link. A candidate is a true link when it shares a `series` label with the query. Ranks count
 * distinct candidates other than the query itself (unlabelled or unknown candidates take a rank and are
 * never links). Queries with no truly linked incident in the data cannot hit and are skipped.
 * Runs in O(total candidates).
 *
 * @example
 * const incidents = [{ id: 'q', series: 'S' }, { id: 'x', series: 'T' }, { id: 'y', series: 'S' }]
 * const m = evaluateRanking({ q: ['x', 'y'] }, incidents)
 * m.top1 // 0
 * m.top5 // 1
 * m.medianFirstRank // 2
 */
export function evaluateRanking(
  rankings: Rankings,
  incidents: readonly LabelledIncident[],
  options: EvaluateRankingOptions = {},
): RankingMetrics {
  const ks = options.ks ?? DEFAULTS.ks
  for (const k of ks) {
    if (!(Number.isInteger(k) && k >= 1))
      throw new RangeError(`caselink: ks must be positive integers, got ${k}`)
  }
  const truth = buildTruth(incidents)
  const hasPartner = new Uint8Array(truth.count)
  for (let l = 0; l < truth.labelCount; l++) {
    if (truth.memberStart[l + 1] - truth.memberStart[l] < 2) continue
    for (let x = truth.memberStart[l]; x < truth.memberStart[l + 1]; x++) hasPartner[truth.members[x]] = 1
  }
  const ranks: number[] = []
  let skipped = 0
  const seen = new Set<string>()
  for (const [query, candidates] of entries(rankings)) {
    const q = truth.indexOf.get(query)
    if (q === undefined || q < 0 || hasPartner[q] === 0) {
      skipped++
      continue
    }
    if (!Array.isArray(candidates)) {
      throw new TypeError(`caselink: candidates of query '${query}' must be an array`)
    }
    seen.clear()
    let rank = 0
    let first = Number.POSITIVE_INFINITY
    for (const candidate of candidates) {
      const id = typeof candidate === 'string' ? candidate : candidate?.id
      if (typeof id !== 'string')
        throw new TypeError(`caselink: a candidate of query '${query}' has no string id`)
      if (id === query || seen.has(id)) continue
      seen.add(id)
      rank++
      const c = truth.indexOf.get(id)
      if (c !== undefined && c >= 0 && firstSharedLabel(truth, q, c) >= 0) {
        first = rank
        break
      }
    }
    ranks.push(first)
  }
  const queries = ranks.length
  const hitRate: Record<number, number> = {}
  const rate = (k: number) => {
    if (queries === 0) return Number.NaN
    let hits = 0
    for (const r of ranks) if (r <= k) hits++
    return hits / queries
  }
  for (const k of ks) hitRate[k] = rate(k)
  let reciprocal = 0
  let notFound = 0
  for (const r of ranks) {
    if (r === Number.POSITIVE_INFINITY) notFound++
    else reciprocal += 1 / r
  }
  const sorted = Float64Array.from(ranks).sort()
  let median = Number.NaN
  if (queries > 0) {
    const mid = queries >> 1
    median = queries % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }
  return {
    queries,
    hitRate,
    top1: rate(1),
    top5: rate(5),
    top10: rate(10),
    top50: rate(50),
    medianFirstRank: median,
    meanReciprocalRank: queries === 0 ? Number.NaN : reciprocal / queries,
    notFound,
    skipped,
  }
}
