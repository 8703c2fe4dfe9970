import { communityMembers } from '../cluster/partition'
import { haversineMeters } from '../compare/expectedDistance'
import type { SimilarityGraph } from '../graph/similarityGraph'
import type { PairScorer } from '../score/pairScorer'
import type { CaseTable } from '../table/CaseTable'
import { createReasonWriter, type ReasonWriter } from './linkReasons'

const DAY_MS = 86_400_000

/** A value shared by members of a series, with how many members carry it. */
export interface SharedValue {
  value: string
  count: number
}

/** One link inside a series, with the comparisons that weigh most for it. */
export interface SeriesLink {
  a: string
  b: string
  probability: number
  matchWeight: number
  /** The comparisons that add most to the match weight, strongest first (`'evidence: shared near-certain (+12.3)'`). */
  reasons: string[]
}

/** A candidate series: a group of incidents probably committed by the same offender(s). */
export interface Series {
  /** `S1`, `S2`, … in priority order. */
  id: string
  /** Rank by priority, 1 = most urgent. */
  rank: number
  /** Member incident ids, by time (then id). */
  members: string[]
  size: number
  /** Mean probability of the links kept inside the series. */
  cohesion: number
  /** Kept internal links over possible pairs (1 = every pair linked). */
  density: number
  /** Earliest window start and latest window end, epoch ms and ISO-8601 (UTC). */
  firstTime: number
  lastTime: number
  firstTimeIso: string
  lastTimeIso: string
  /** Mean location of the members that have one, WGS84 when they are lat/lon, else planar metres. */
  centroid: { lat: number; lon: number } | { x: number; y: number } | null
  /** Largest distance of a member from the centroid, metres (null without locations). */
  radiusMeters: number | null
  /** Categories of the members, most frequent first. */
  categories: SharedValue[]
  /** MO values carried by at least two members, most frequent first (up to `maxShared`). */
  dominantMo: SharedValue[]
  /** Evidence values carried by at least two members. */
  sharedEvidence: SharedValue[]
  /** The strongest internal links with their reasons (up to `maxLinks`). */
  strongestLinks: SeriesLink[]
  /**
   * Priority for an analyst's queue: `log2(1 + size) × cohesion × recency × evidenceFactor`, where
   * recency halves every `recencyHalfLifeDays` since the series' last incident (relative to the newest
   * incident in the data) and evidenceFactor is 1.5 when members share an evidence value.
   */
  priority: number
}

/** Options of {@link summarizeSeries}. */
export interface SummarizeSeriesOptions {
  /** Communities smaller than this are not series (their members are assigned null). Default 2. */
  minSeriesSize?: number
  /** Strongest links kept per series. Default 3. */
  maxLinks?: number
  /** Shared MO / evidence values listed per series. Default 5. */
  maxShared?: number
  /** Reasons listed per link. Default 3. */
  maxReasons?: number
  /** Half-life of the recency factor in priority, days. Default 60. */
  recencyHalfLifeDays?: number
}

const DEFAULTS = { minSeriesSize: 2, maxLinks: 3, maxShared: 5, maxReasons: 3, recencyHalfLifeDays: 60 }

/** What {@link summarizeSeries} returns. */
export interface SeriesSummaries {
  /** Series by priority, highest first. */
  series: Series[]
  /** Series index (into `series`) of each row, -1 when the row is in no series. */
  seriesOfRow: Int32Array
}

/**
 * Turns a partition of the similarity graph into ranked, explained series: members, cohesion, time
 * span, centroid and radius, dominant MO and shared evidence, the strongest links with their reasons,
 * and a priority. Runs in O(rows + edges + series × maxLinks × comparisons).
 *
 * @example
 * const { series } = summarizeSeries(table, graph, membership, scorer)
 * console.log(series[0].id, series[0].members, series[0].strongestLinks[0].reasons)
 */
export function summarizeSeries(
  table: CaseTable,
  graph: SimilarityGraph,
  membership: Int32Array,
  scorer: PairScorer,
  options: SummarizeSeriesOptions = {},
): SeriesSummaries {
  const minSeriesSize = options.minSeriesSize ?? DEFAULTS.minSeriesSize
  const maxLinks = options.maxLinks ?? DEFAULTS.maxLinks
  const maxShared = options.maxShared ?? DEFAULTS.maxShared
  const maxReasons = options.maxReasons ?? DEFAULTS.maxReasons
  const halfLifeMs = (options.recencyHalfLifeDays ?? DEFAULTS.recencyHalfLifeDays) * DAY_MS
  const n = table.size
  if (membership.length !== n) {
    throw new Error(`caselink: membership has ${membership.length} entries, the table ${n} rows`)
  }
  const { count: communityCount, start, rows } = communityMembers(membership)

  let newest = Number.NEGATIVE_INFINITY
  for (let i = 0; i < n; i++) if (table.timeTo[i] > newest) newest = table.timeTo[i]

  const moCount = new Uint32Array(table.moValues.length)
  const evidenceCount = new Uint32Array(table.evidenceValues.length)
  const categoryCount = new Uint32Array(table.categoryValues.length)
  const series: Series[] = []
  const communityOfSeries: number[] = []
  for (let c = 0; c < communityCount; c++) {
    const from = start[c]
    const to = start[c + 1]
    const size = to - from
    if (size < minSeriesSize) continue

    let firstTime = Number.POSITIVE_INFINITY
    let lastTime = Number.NEGATIVE_INFINITY
    let latSum = 0
    let lonSum = 0
    let latLonCount = 0
    let xSum = 0
    let ySum = 0
    let planarCount = 0
    let weightSum = 0
    let internalEntries = 0
    // Top internal edges by weight (each undirected edge seen once, from its smaller end).
    const top: { i: number; j: number; w: number }[] = []
    for (let k = from; k < to; k++) {
      const i = rows[k]
      if (table.timeFrom[i] < firstTime) firstTime = table.timeFrom[i]
      if (table.timeTo[i] > lastTime) lastTime = table.timeTo[i]
      if (table.hasLatLon[i]) {
        latSum += table.lat[i]
        lonSum += table.lon[i]
        latLonCount++
      } else if (table.hasLocation[i]) {
        xSum += table.x[i]
        ySum += table.y[i]
        planarCount++
      }
      for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) {
        const j = graph.targets[e]
        if (membership[j] !== c) continue
        const w = graph.weights[e]
        weightSum += w
        internalEntries++
        if (j > i) insertTop(top, maxLinks, i, j, w)
      }
      for (let m = table.moStart[i]; m < table.moStart[i + 1]; m++) moCount[table.moIds[m]]++
      for (let m = table.evidenceStart[i]; m < table.evidenceStart[i + 1]; m++)
        evidenceCount[table.evidenceIds[m]]++
      if (table.category[i] >= 0) categoryCount[table.category[i]]++
    }

    let centroid: Series['centroid'] = null
    let radiusMeters: number | null = null
    if (latLonCount >= planarCount && latLonCount > 0) {
      const lat = latSum / latLonCount
      const lon = lonSum / latLonCount
      centroid = { lat, lon }
      radiusMeters = 0
      for (let k = from; k < to; k++) {
        const i = rows[k]
        if (!table.hasLatLon[i]) continue
        const d = haversineMeters(lat, lon, table.lat[i], table.lon[i])
        if (d > radiusMeters) radiusMeters = d
      }
    } else if (planarCount > 0) {
      const x = xSum / planarCount
      const y = ySum / planarCount
      centroid = { x, y }
      radiusMeters = 0
      for (let k = from; k < to; k++) {
        const i = rows[k]
        if (!table.hasLocation[i] || table.hasLatLon[i]) continue
        const d = Math.hypot(table.x[i] - x, table.y[i] - y)
        if (d > radiusMeters) radiusMeters = d
      }
    }

    const dominantMo = collectShared(
      rows,
      from,
      to,
      table.moStart,
      table.moIds,
      table.moValues,
      moCount,
      2,
      maxShared,
    )
    const sharedEvidence = collectShared(
      rows,
      from,
      to,
      table.evidenceStart,
      table.evidenceIds,
      table.evidenceValues,
      evidenceCount,
      2,
      maxShared,
    )
    const categories: SharedValue[] = []
    for (let k = from; k < to; k++) {
      const id = table.category[rows[k]]
      if (id >= 0 && categoryCount[id] > 0) {
        categories.push({ value: table.categoryValues[id], count: categoryCount[id] })
        categoryCount[id] = 0
      }
    }
    categories.sort(bySharedValue)

    const cohesion = internalEntries > 0 ? weightSum / internalEntries : 0
    const density = internalEntries / 2 / ((size * (size - 1)) / 2)
    const recency = 0.5 ** (Math.max(0, newest - lastTime) / halfLifeMs)
    const evidenceFactor = sharedEvidence.length > 0 ? 1.5 : 1
    const priority = Math.log2(1 + size) * cohesion * recency * evidenceFactor

    const members: number[] = []
    for (let k = from; k < to; k++) members.push(rows[k])
    members.sort(
      (p, q) => table.timeFrom[p] - table.timeFrom[q] || compareStrings(table.ids[p], table.ids[q]),
    )

    series.push({
      id: '',
      rank: 0,
      members: members.map((i) => table.ids[i]),
      size,
      cohesion,
      density,
      firstTime,
      lastTime,
      firstTimeIso: new Date(firstTime).toISOString(),
      lastTimeIso: new Date(lastTime).toISOString(),
      centroid,
      radiusMeters,
      categories,
      dominantMo,
      sharedEvidence,
      strongestLinks: top.map(({ i, j, w }) => explainLink(scorer, i, j, w, maxReasons)),
      priority,
    })
    communityOfSeries.push(c)
  }

  const order = series.map((_, s) => s)
  order.sort(
    (p, q) =>
      series[q].priority - series[p].priority || compareStrings(series[p].members[0], series[q].members[0]),
  )
  const ranked: Series[] = []
  const seriesOfRow = new Int32Array(n).fill(-1)
  for (let r = 0; r < order.length; r++) {
    const s = series[order[r]]
    s.rank = r + 1
    s.id = `S${r + 1}`
    ranked.push(s)
    const c = communityOfSeries[order[r]]
    for (let k = start[c]; k < start[c + 1]; k++) seriesOfRow[rows[k]] = r
  }
  return { series: ranked, seriesOfRow }
}

/**
 * Explains one link for a reader: its probability and the comparisons that add most to its weight.
 *
 * @example
 * explainLink(scorer, 3, 17, 0.93).reasons // ['evidence: shared near-certain (+11.2)', 'distance: ≤ 500 m (+3.1)']
 */
export function explainLink(
  scorer: PairScorer,
  i: number,
  j: number,
  probability: number,
  maxReasons = 3,
): SeriesLink {
  const reasons: string[] = []
  const matchWeight = reasonWriter(scorer, maxReasons)(i, j, reasons)
  return { a: scorer.table.ids[i], b: scorer.table.ids[j], probability, matchWeight, reasons }
}

/** Reason writers per scorer and reason count, so repeated explanations compile labels once. */
const reasonWriters = new WeakMap<PairScorer, Map<number, ReasonWriter>>()

function reasonWriter(scorer: PairScorer, maxReasons: number): ReasonWriter {
  let byCount = reasonWriters.get(scorer)
  if (byCount === undefined) reasonWriters.set(scorer, (byCount = new Map()))
  let write = byCount.get(maxReasons)
  if (write === undefined) byCount.set(maxReasons, (write = createReasonWriter(scorer, maxReasons)))
  return write
}

function insertTop(
  top: { i: number; j: number; w: number }[],
  max: number,
  i: number,
  j: number,
  w: number,
): void {
  if (max <= 0) return
  if (top.length === max && w <= top[top.length - 1].w) return
  let at = top.length
  while (at > 0 && top[at - 1].w < w) at--
  top.splice(at, 0, { i, j, w })
  if (top.length > max) top.pop()
}

/** Values with count >= minCount among the members; resets the counters it read. */
function collectShared(
  rows: Uint32Array,
  from: number,
  to: number,
  listStart: Uint32Array,
  listIds: Uint32Array,
  values: string[],
  counts: Uint32Array,
  minCount: number,
  max: number,
): SharedValue[] {
  const shared: SharedValue[] = []
  for (let k = from; k < to; k++) {
    const i = rows[k]
    for (let m = listStart[i]; m < listStart[i + 1]; m++) {
      const id = listIds[m]
      if (counts[id] >= minCount) shared.push({ value: values[id], count: counts[id] })
      counts[id] = 0
    }
  }
  shared.sort(bySharedValue)
  return shared.slice(0, max)
}

function bySharedValue(p: SharedValue, q: SharedValue): number {
  return q.count - p.count || compareStrings(p.value, q.value)
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
