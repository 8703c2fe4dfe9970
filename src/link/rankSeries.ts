import { haversineMeters } from '../compare/expectedDistance'
import { matchProbability } from '../model/linkageModel'
import type { Incident } from '../schema/incident'
import { parseIncidents } from '../schema/parseIncidents'
import { createPairScorer } from '../score/pairScorer'
import { explainLink, type SeriesLink } from '../series/summarizeSeries'
import { buildCaseTable } from '../table/buildCaseTable'
import { isIncident } from './isIncident'
import type { LinkResult } from './linkIncidents'

const DAY_MS = 86_400_000

/** Options of {@link rankIncidents} and {@link rankSeries}. */
export interface RankOptions {
  /** How many to return. Default 10. */
  k?: number
  /** Series score from its members' link probabilities: the best one (`max`) or their mean. Default `max`. */
  linkage?: 'max' | 'mean'
  /** Incidents farther than this are only considered when they share evidence or a rare MO value. Default 50 km. */
  maxDistanceMeters?: number
  /** Incidents whose windows are further apart than this are only considered through evidence or rare MO. Default 180. */
  maxGapDays?: number
  /** An MO value carried by at most this many incidents counts as rare. Default 50. */
  rareMoMaxFrequency?: number
}

const DEFAULTS = {
  k: 10,
  linkage: 'max' as const,
  maxDistanceMeters: 50_000,
  maxGapDays: 180,
  rareMoMaxFrequency: 50,
}

/** One incident ranked against a new one. */
export interface RankedIncident {
  id: string
  probability: number
  matchWeight: number
  /** Series of the ranked incident, or null. */
  seriesId: string | null
  reasons: string[]
}

/** One series ranked against a new incident. */
export interface RankedSeries {
  seriesId: string
  /** `max` or `mean` of the member link probabilities. */
  score: number
  size: number
  /** The member link that explains the score best. */
  bestLink: SeriesLink
}

interface Scored {
  rows: number[]
  weights: Float64Array
  probe: ReturnType<typeof createPairScorer>
}

/**
 * Ranks the incidents of a linked case set by similarity to a new incident (raw record or parsed), with
 * reasons: the shape of crimelinkage's pairwise ranking. Compares against incidents within the space-time
 * horizon and those sharing evidence or a rare MO value (O(rows) scan plus O(candidates) scoring).
 *
 * @example
 * const top = rankIncidents(newReport, result, { k: 5 })
 * console.log(top[0].id, top[0].probability, top[0].reasons)
 */
export function rankIncidents(
  incident: unknown,
  result: LinkResult,
  options: RankOptions = {},
): RankedIncident[] {
  const k = options.k ?? DEFAULTS.k
  const { rows, weights, probe } = scoreAgainst(incident, result, options, false)
  const order = rows.map((_, c) => c).sort((p, q) => weights[q] - weights[p] || rows[p] - rows[q])
  return order.slice(0, k).map((c) => {
    const row = rows[c]
    const link = explainLink(probe, 0, c + 1, matchProbability(weights[c]))
    const s = result.seriesOfRow[row]
    return {
      id: result.table.ids[row],
      probability: link.probability,
      matchWeight: weights[c],
      seriesId: s >= 0 ? result.series[s].id : null,
      reasons: link.reasons,
    }
  })
}

/**
 * Ranks the existing series of a linked case set for a new incident (crimelinkage's seriesID): each
 * series scored by the `max` (default) or `mean` probability of links from the new incident to its
 * members, with the best link's reasons.
 *
 * @example
 * const [best] = rankSeries(newReport, result, { k: 3, linkage: 'max' })
 * console.log(best.seriesId, best.score, best.bestLink.reasons)
 */
export function rankSeries(incident: unknown, result: LinkResult, options: RankOptions = {}): RankedSeries[] {
  const k = options.k ?? DEFAULTS.k
  const linkage = options.linkage ?? DEFAULTS.linkage
  const { rows, weights, probe } = scoreAgainst(incident, result, options, true)
  const bySeries = new Map<number, { sum: number; best: number; bestCandidate: number }>()
  for (let c = 0; c < rows.length; c++) {
    const s = result.seriesOfRow[rows[c]]
    if (s < 0) continue
    const p = matchProbability(weights[c])
    const entry = bySeries.get(s)
    if (entry === undefined) bySeries.set(s, { sum: p, best: p, bestCandidate: c })
    else {
      entry.sum += p
      if (p > entry.best) {
        entry.best = p
        entry.bestCandidate = c
      }
    }
  }
  const ranked = [...bySeries].map(([s, entry]) => ({
    s,
    score: linkage === 'max' ? entry.best : entry.sum / result.series[s].size,
    entry,
  }))
  ranked.sort((p, q) => q.score - p.score || p.s - q.s)
  return ranked.slice(0, k).map(({ s, score, entry }) => ({
    seriesId: result.series[s].id,
    score,
    size: result.series[s].size,
    bestLink: explainLink(probe, 0, entry.bestCandidate + 1, entry.best),
  }))
}

/**
 * Scores a new incident against the candidate rows of a result. With `wholeSeries`, every member of a
 * series touched by a candidate is scored too (so `mean` linkage sees the whole series).
 */
function scoreAgainst(
  incident: unknown,
  result: LinkResult,
  options: RankOptions,
  wholeSeries: boolean,
): Scored {
  const maxDistanceMeters = options.maxDistanceMeters ?? DEFAULTS.maxDistanceMeters
  const maxGapMs = (options.maxGapDays ?? DEFAULTS.maxGapDays) * DAY_MS
  const rareMax = options.rareMoMaxFrequency ?? DEFAULTS.rareMoMaxFrequency
  const query = toIncident(incident, result)
  const { table } = result
  const evidence = new Set(query.evidence)
  const mo = new Set(query.mo)
  const rareMo = new Uint8Array(table.moValues.length)
  table.moValues.forEach((value, id) => {
    if (mo.has(value) && table.moFrequency[id] <= rareMax) rareMo[id] = 1
  })
  const sharedEvidence = new Uint8Array(table.evidenceValues.length)
  table.evidenceValues.forEach((value, id) => {
    if (evidence.has(value)) sharedEvidence[id] = 1
  })
  const picked = new Uint8Array(table.size)
  const rows: number[] = []
  const take = (i: number) => {
    if (!picked[i] && table.ids[i] !== query.id) {
      picked[i] = 1
      rows.push(i)
    }
  }
  const hasLatLon = query.lat !== undefined && query.lon !== undefined
  const hasXY = query.x !== undefined && query.y !== undefined
  for (let i = 0; i < table.size; i++) {
    const gap = Math.max(0, table.timeFrom[i] - query.timeTo, query.timeFrom - table.timeTo[i])
    let near = false
    if (gap <= maxGapMs) {
      if (hasLatLon && table.hasLatLon[i]) {
        near = haversineMeters(query.lat!, query.lon!, table.lat[i], table.lon[i]) <= maxDistanceMeters
      } else if (hasXY && table.hasLocation[i] && !table.hasLatLon[i]) {
        near = Math.hypot(query.x! - table.x[i], query.y! - table.y[i]) <= maxDistanceMeters
      }
    }
    if (!near) {
      for (let m = table.evidenceStart[i]; m < table.evidenceStart[i + 1] && !near; m++)
        near = sharedEvidence[table.evidenceIds[m]] === 1
      for (let m = table.moStart[i]; m < table.moStart[i + 1] && !near; m++)
        near = rareMo[table.moIds[m]] === 1
    }
    if (near) take(i)
  }
  if (wholeSeries) {
    const touched = new Set<number>()
    for (const i of rows) if (result.seriesOfRow[i] >= 0) touched.add(result.seriesOfRow[i])
    if (touched.size > 0) for (let i = 0; i < table.size; i++) if (touched.has(result.seriesOfRow[i])) take(i)
  }
  const probeTable = buildCaseTable([query, ...rows.map((i) => result.incidents[i])], {
    timeZone: table.timeZone,
    originLat: table.originLat,
    originLon: table.originLon,
  })
  const probe = createPairScorer(probeTable, result.model, { reference: table })
  const weights = new Float64Array(rows.length)
  for (let c = 0; c < rows.length; c++) weights[c] = probe.matchWeight(0, c + 1)
  return { rows, weights, probe }
}

function toIncident(incident: unknown, result: LinkResult): Incident {
  if (isIncident(incident)) return incident
  const { incidents, issues } = parseIncidents([incident], { timeZone: result.table.timeZone })
  if (incidents.length === 0) {
    const reasons = issues.filter((i) => i.severity === 'error').map((i) => i.message)
    throw new Error(`caselink: the incident to rank is not valid: ${reasons.join('; ')}`)
  }
  return incidents[0]
}
