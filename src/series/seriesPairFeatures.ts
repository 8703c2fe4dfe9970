/**
 * The pairs of detected series worth comparing, and what the series-to-series model compares between them
 * ({@link SERIES_LINK_FEATURES}). Used to fit the model (`fitSeriesLinks`) and to apply it
 * (`linkSeriesByModel`).
 */

import { communityMembers } from '../cluster/partition'
import { SERIES_LINK_FEATURES, type SeriesLinkModel } from '../model/linkageModel'
import { moRarityWeight } from '../score/pairScorer'
import type { CaseTable } from '../table/CaseTable'
import { clumpedMoFrequency } from '../table/clumpedFrequency'
import { crossings, nearestMembers, seriesProfiles } from './seriesProfiles'

const DAY_MS = 86_400_000
/** Relative rounding margin of the similarity and weight thresholds. */
const EPSILON = 1e-9
const HOUR_MS = 3_600_000
/** Time-of-day histograms: one bin per hour, each member spread over its hour and the two next to it. */
const HOUR_BINS = 24
const HOUR_KERNEL = [0.25, 0.5, 0.25]
/**
 * Time-of-week histograms: one bin per hour of the week, each member spread over ±12 hours (a triangle),
 * so that two series alike in weekday overlap whatever their hours. Hour bins and kernels make both
 * overlaps independent of the clock's time zone (a shift by whole hours rotates the bins).
 */
const WEEK_BINS = 168
const WEEK_KERNEL = Array.from({ length: 25 }, (_, d) => (13 - Math.abs(d - 12)) / 169)
/** Time of day is read from windows at most this long; day of week from windows at most a day long. */
const MAX_HOUR_WINDOW_MS = 6 * HOUR_MS
const NARRATIVE_SAMPLE = 3

/** Which pairs of series are compared, see `SeriesLinkModel['reach']`. */
export type SeriesLinkReach = SeriesLinkModel['reach']

/**
 * Defaults of the reach of series-to-series linking: series whose nearest members lie within 80 km and
 * 240 days (a county or two, a season or two: the travelling impersonator of the report moved 9 counties in
 * 8 months), whose profiles share at least 60% of their rarity weight, and at least 12 bits of it (habits
 * about one pair of series in 4,000 would share by chance). Pairs the built-in model gives p ≥ 0.5 share
 * less than 60% in 2–6% of cases on generated province, city and travelling data (12 of 551 at 200k
 * province); 0.5 instead of 0.6 doubled the search at 1M incidents (21 s against 10 s) and found fewer
 * such pairs (their look-alike counts grew). Series alternating across more than 20 km more than 10 times
 * are never merged: generated offenders with two anchors a few km apart pass between them often, but not
 * across 20 km; three look-alike rings in towns 30–40 km apart working at once alternate at nearly every
 * crime, which training data without such rings cannot teach a weight.
 *
 * @example
 * seriesPairFeatures(table, membership, { ...SERIES_LINK_REACH_DEFAULTS, maxDistanceMeters: 40_000 })
 */
export const SERIES_LINK_REACH_DEFAULTS = {
  maxDistanceMeters: 80_000,
  maxGapDays: 240,
  minSimilarity: 0.6,
  minSharedBits: 12,
  maxAlternations: 10,
} as const satisfies SeriesLinkReach

/** Pairs of series and their features, see {@link seriesPairFeatures}. */
export interface SeriesPairFeatures {
  /** Communities of the membership (ids as in the membership). */
  communities: number
  /** Rows of each community, as `communityMembers` gives them. */
  start: Uint32Array
  rows: Uint32Array
  /** Pair k joins communities a[k] < b[k]. */
  count: number
  a: Int32Array
  b: Int32Array
  /** Nearest members of the pair (rows): in space, else in time. */
  rowA: Int32Array
  rowB: Int32Array
  /** Features of pair k: `features[k * F .. k * F + F)` in the order of {@link SERIES_LINK_FEATURES}. */
  features: Float64Array
  /** Distance of the nearest members, metres (Infinity when not comparable). */
  distanceMeters: Float64Array
  /** Gap between the two series' time spans, days (0 when they overlap). */
  gapDays: Float64Array
  /** Passes between the two series' members (in time order) across more than 20 km. */
  alternations: Uint32Array
  /** MO values of both profiles, per pair (ids into `table.moValues`), heaviest first. */
  sharedMo(k: number): number[]
  /** The clumped-rarity weight of each MO value, bits. */
  moWeight: Float64Array
}

/**
 * Finds the pairs of detected series (communities of two or more rows) within `reach` — same most
 * frequent category, nearest members within `maxDistanceMeters` and `maxGapDays`, profiles (MO values of
 * at least half the members) sharing at least two values and `minSimilarity` of their clumped-rarity weight
 * — and computes {@link SERIES_LINK_FEATURES} for each. Pairs are found by prefix filtering over pairs of
 * profile values (exact: every pair within reach is found), so the cost follows the rarer values. With
 * `active` (one flag per community), only pairs with an active series are returned (a later round of
 * linking, where only merged series changed); look-alike counts stay complete. Independent of row order
 * except for community ids. Never mutates its input.
 *
 * @example
 * const pairs = seriesPairFeatures(table, partition.membership)
 * pairs.count // pairs of series compared
 * pairs.features[k * SERIES_LINK_FEATURES.length] // sharedBits of pair k
 */
export function seriesPairFeatures(
  table: CaseTable,
  membership: Int32Array,
  reach: SeriesLinkReach = SERIES_LINK_REACH_DEFAULTS,
  active?: Uint8Array,
): SeriesPairFeatures {
  const n = table.size
  if (membership.length !== n) {
    throw new RangeError(`caselink: membership has ${membership.length} entries, the table ${n} rows`)
  }
  const maxDistanceMeters = reach.maxDistanceMeters
  const maxGapMs = reach.maxGapDays * DAY_MS
  const minSimilarity = reach.minSimilarity
  const minSharedBits = reach.minSharedBits ?? 0
  const { count: communities, start, rows } = communityMembers(membership)
  const moCount = table.moValues.length
  const clumped = clumpedMoFrequency(table)
  const weight = new Float64Array(moCount)
  for (let v = 0; v < moCount; v++) weight[v] = clumped[v] > 0 ? moRarityWeight(n, clumped[v]) : 0
  const profiles = seriesProfiles(table, start, rows, communities, weight)
  const { profileStart, category } = profiles
  // a typed copy: the hot loops below read it hundreds of millions of times at 1M incidents
  const profileValues = Int32Array.from(profiles.profileValues)
  const shape = seriesShapes(table, start, rows, communities)

  // Prefix filtering on pairs of values: two profiles that qualify share at least two values; the first
  // shared value u (in the global heaviest-first order) lies in both prefixes (a prefix runs until the rest
  // weighs less than minSimilarity of the whole or minSharedBits, else the shared weight could not reach
  // minSimilarity of the union and minSharedBits), and the second v comes after u in both. So both
  // profiles hold the key (u, v) with u in their prefix: each profile is posted under, and probes, those
  // keys. Keys of two values are far more selective than single values when a category's profiles share a
  // few common habits.
  const profileWeight = new Float64Array(communities)
  for (let c = 0; c < communities; c++) {
    for (let x = profileStart[c]; x < profileStart[c + 1]; x++) profileWeight[c] += weight[profileValues[x]]
  }
  // The series that can pair, renumbered densely with what the search reads packed together: at 1M
  // incidents it reads tens of millions of partners, and scattered reads over every community cost more
  // than the arithmetic (measured: 19 s against a few).
  const series: number[] = []
  for (let c = 0; c < communities; c++) {
    if (category[c] >= 0 && shape.located[c] === 1 && profileWeight[c] >= minSharedBits) series.push(c)
  }
  const S = series.length
  const PACK = 8
  const packed = new Float64Array(S * PACK)
  const valueStart = new Uint32Array(S + 1)
  for (let d = 0; d < S; d++)
    valueStart[d + 1] = valueStart[d] + profileStart[series[d] + 1] - profileStart[series[d]]
  const values = new Int32Array(valueStart[S])
  const prefixEnd = new Uint32Array(S)
  const postings = new Map<number, number[]>()
  const keyOf = (g: number, u: number, v: number) => (g * moCount + u) * moCount + v
  for (let d = 0; d < S; d++) {
    const c = series[d]
    values.set(profileValues.subarray(profileStart[c], profileStart[c + 1]), valueStart[d])
    const total = profileWeight[c]
    const f = d * PACK
    packed[f] = total
    packed[f + 1] = shape.spanFrom[c]
    packed[f + 2] = shape.spanTo[c]
    packed[f + 3] = shape.boxMinX[c]
    packed[f + 4] = shape.boxMaxX[c]
    packed[f + 5] = shape.boxMinY[c]
    packed[f + 6] = shape.boxMaxY[c]
    packed[f + 7] = shape.boxed[c]
    let rest = total
    let end = valueStart[d]
    const needed = Math.max(minSimilarity * total, minSharedBits)
    // a longer prefix by a rounding error's margin, so that pairs exactly at the thresholds are found
    while (end < valueStart[d + 1] && !(rest < needed - EPSILON * total)) rest -= weight[values[end++]]
    prefixEnd[d] = end
    for (let x = valueStart[d]; x < end; x++) {
      for (let y = x + 1; y < valueStart[d + 1]; y++) {
        const key = keyOf(category[c], values[x], values[y])
        const list = postings.get(key)
        if (list === undefined) postings.set(key, [d])
        else list.push(d)
      }
    }
  }

  const pairA: number[] = []
  const pairB: number[] = []
  const nearA: number[] = []
  const nearB: number[] = []
  const pairDistance: number[] = []
  const pairGap: number[] = []
  const pairShared: number[] = []
  const pairSharedCount: number[] = []
  const seen = new Int32Array(S).fill(-1)
  const inProfile = new Uint8Array(moCount)
  const partners: number[] = []
  const reachSquared = (2 * maxDistanceMeters + 1000) ** 2
  // every series within reach of series d (dense ids) among those `take` accepts, each reported to `found`
  const probe = (d: number, take: (e: number) => boolean, found: FoundPair) => {
    const c = series[d]
    partners.length = 0
    for (let x = valueStart[d]; x < prefixEnd[d]; x++) {
      for (let y = x + 1; y < valueStart[d + 1]; y++) {
        const list = postings.get(keyOf(category[c], values[x], values[y]))
        if (list === undefined) continue
        for (let k = 0; k < list.length; k++) {
          const e = list[k]
          if (seen[e] !== d && take(e)) {
            seen[e] = d
            partners.push(e)
          }
        }
      }
    }
    if (partners.length === 0) return
    for (let x = valueStart[d]; x < valueStart[d + 1]; x++) inProfile[values[x]] = 1
    const f = d * PACK
    const weightC = packed[f]
    const fromC = packed[f + 1]
    const toC = packed[f + 2]
    const boxedC = packed[f + 7] === 1
    for (let q = 0; q < partners.length; q++) {
      const e = partners[q]
      const g = e * PACK
      // cheap bounds first: the weights (shared ≤ the lighter profile, which must reach minSimilarity of
      // the heavier), the time spans' gap, the projected boxes (a factor 2 for the projection's scale error,
      // below 1.6 over latitudes 18–53°)
      const weightT = packed[g]
      if (
        (weightC < weightT ? weightC : weightT) <
        (minSimilarity - EPSILON) * (weightC < weightT ? weightT : weightC)
      )
        continue
      const gap = intervalGap(fromC, toC, packed[g + 1], packed[g + 2])
      if (gap > maxGapMs) continue
      if (boxedC && packed[g + 7] === 1) {
        const dx = intervalGap(packed[f + 3], packed[f + 4], packed[g + 3], packed[g + 4])
        const dy = intervalGap(packed[f + 5], packed[f + 6], packed[g + 5], packed[g + 6])
        if (dx * dx + dy * dy > reachSquared) continue
      }
      let shared = 0
      let sharedCount = 0
      for (let y = valueStart[e]; y < valueStart[e + 1]; y++) {
        if (inProfile[values[y]] === 1) {
          shared += weight[values[y]]
          sharedCount++
        }
      }
      const union = weightC + weightT - shared
      // the thresholds up to a rounding error (sums of the same weights in another order differ by that)
      if (
        sharedCount < 2 ||
        !(shared >= (minSimilarity - EPSILON) * union) ||
        !(shared >= minSharedBits * (1 - EPSILON))
      )
        continue
      const t = series[e]
      const near = nearestMembers(
        table,
        rows,
        start[c],
        start[c + 1],
        start[t],
        start[t + 1],
        maxDistanceMeters,
        maxGapMs,
      )
      if (near !== null) found(d, e, near, gap, shared, sharedCount)
    }
    for (let x = valueStart[d]; x < valueStart[d + 1]; x++) inProfile[values[x]] = 0
  }
  const keep: FoundPair = (d, e, near, gap, shared, sharedCount) => {
    pairA.push(series[d])
    pairB.push(series[e])
    nearA.push(near.rowA)
    nearB.push(near.rowB)
    pairDistance.push(near.distanceMeters)
    pairGap.push(gap / DAY_MS)
    pairShared.push(shared)
    pairSharedCount.push(sharedCount)
  }
  // look-alikes: how many series within reach each has, and which (complete for every series of a kept pair)
  const partnerCount = new Uint32Array(communities)
  const neighbourLists = new Map<number, number[]>()
  if (active === undefined) {
    for (let d = 0; d < S; d++) probe(d, (e) => e > d, keep)
  } else {
    // only pairs with an active series; their other series are probed too, for complete look-alike counts
    const touched = new Uint8Array(S)
    for (let d = 0; d < S; d++) {
      if (active[series[d]] !== 1) continue
      probe(
        d,
        (e) => active[series[e]] !== 1 || e > d,
        (_, e, near, gap, shared, sharedCount) => {
          keep(d, e, near, gap, shared, sharedCount)
          touched[e] = 1
        },
      )
    }
    for (let e = 0; e < S; e++) {
      if (touched[e] !== 1 || active[series[e]] === 1) continue
      const list: number[] = []
      probe(
        e,
        (u) => u !== e,
        (_, u) => list.push(series[u]),
      )
      neighbourLists.set(series[e], list)
    }
  }
  // pairs with the smaller community first
  for (let k = 0; k < pairA.length; k++) {
    if (pairA[k] < pairB[k]) continue
    ;[pairA[k], pairB[k]] = [pairB[k], pairA[k]]
    ;[nearA[k], nearB[k]] = [nearB[k], nearA[k]]
  }
  // pairs in one order whatever the probing order
  const order = Array.from(pairA, (_, k) => k).sort((x, y) => pairA[x] - pairA[y] || pairB[x] - pairB[y])
  for (const column of [pairA, pairB, nearA, nearB, pairDistance, pairGap, pairShared, pairSharedCount]) {
    const copy = column.slice()
    for (let k = 0; k < order.length; k++) column[k] = copy[order[k]]
  }
  const count = pairA.length
  // each community's series within reach (CSR, ascending): from the kept pairs, and for the inactive series
  // of an active round from their own probe
  for (let k = 0; k < count; k++) {
    if (!neighbourLists.has(pairA[k])) partnerCount[pairA[k]]++
    if (!neighbourLists.has(pairB[k])) partnerCount[pairB[k]]++
  }
  for (const [t, list] of neighbourLists) partnerCount[t] = list.length
  const neighbourStart = new Uint32Array(communities + 1)
  for (let c = 0; c < communities; c++) neighbourStart[c + 1] = neighbourStart[c] + partnerCount[c]
  const neighbours = new Int32Array(neighbourStart[communities])
  const fill = neighbourStart.slice(0, communities)
  for (let k = 0; k < count; k++) {
    if (!neighbourLists.has(pairA[k])) neighbours[fill[pairA[k]]++] = pairB[k]
    if (!neighbourLists.has(pairB[k])) neighbours[fill[pairB[k]]++] = pairA[k]
  }
  for (const [t, list] of neighbourLists) for (const u of list) neighbours[fill[t]++] = u
  for (let c = 0; c < communities; c++) neighbours.subarray(neighbourStart[c], neighbourStart[c + 1]).sort()
  const F = SERIES_LINK_FEATURES.length
  const features = new Float64Array(count * F)
  const alternationCount = new Uint32Array(count)
  const needed = new Uint8Array(communities)
  for (let k = 0; k < count; k++) {
    needed[pairA[k]] = 1
    needed[pairB[k]] = 1
  }
  const time = timeHistograms(table, start, rows, communities, needed)
  const narrative = narrativeSamples(table, start, rows, communities, needed)
  for (let k = 0; k < count; k++) {
    const c = pairA[k]
    const t = pairB[k]
    const sizeC = start[c + 1] - start[c]
    const sizeT = start[t + 1] - start[t]
    const shared = pairShared[k]
    const union = profileWeight[c] + profileWeight[t] - shared
    const crossing = crossings(table, rows, start[c], start[c + 1], start[t], start[t + 1])
    const overlap = Math.max(
      0,
      Math.min(shape.spanTo[c], shape.spanTo[t]) - Math.max(shape.spanFrom[c], shape.spanFrom[t]),
    )
    const shorter = Math.min(shape.spanTo[c] - shape.spanFrom[c], shape.spanTo[t] - shape.spanFrom[t])
    const distance = Number.isFinite(pairDistance[k]) ? pairDistance[k] : maxDistanceMeters
    alternationCount[k] = crossing.alternations
    const f = k * F
    features[f] = shared
    features[f + 1] = union > 0 ? shared / union : 0
    features[f + 2] = union - shared
    features[f + 3] = Math.log2(partnerCount[c]) + Math.log2(partnerCount[t])
    features[f + 4] = commonNeighbours(neighbours, neighbourStart, c, t)
    features[f + 5] = histogramOverlap(time.hours, time.hourKnown, time.slot, c, t, HOUR_BINS)
    features[f + 6] = histogramOverlap(time.weekdays, time.weekdayKnown, time.slot, c, t, WEEK_BINS)
    features[f + 7] = narrativeSimilarity(table, narrative, c, t)
    features[f + 8] = Math.log2(1 + distance / 1000)
    features[f + 9] = Math.log2((distance + 1000) / (shape.radius[c] + shape.radius[t] + 1000))
    features[f + 10] = Math.log2(1 + pairGap[k])
    features[f + 11] = shorter > 0 ? Math.min(1, overlap / shorter) : overlap > 0 || pairGap[k] === 0 ? 1 : 0
    features[f + 12] = crossing.alternations / Math.min(sizeC, sizeT)
    features[f + 13] = crossing.passes > 0 ? crossing.fast / crossing.passes : 0
  }
  return {
    communities,
    start,
    rows,
    count,
    a: Int32Array.from(pairA),
    b: Int32Array.from(pairB),
    rowA: Int32Array.from(nearA),
    rowB: Int32Array.from(nearB),
    features,
    distanceMeters: Float64Array.from(pairDistance),
    gapDays: Float64Array.from(pairGap),
    alternations: alternationCount,
    moWeight: weight,
    sharedMo(k) {
      const c = pairA[k]
      const t = pairB[k]
      const inC = new Set(profileValues.subarray(profileStart[c], profileStart[c + 1]))
      return Array.from(profileValues.subarray(profileStart[t], profileStart[t + 1])).filter((v) =>
        inC.has(v),
      )
    },
  }
}

/**
 * Jaccard of two communities' closed candidate sets (each set holds the community itself and its
 * candidates; both lists ascending).
 */
function commonNeighbours(neighbours: Int32Array, start: Uint32Array, c: number, t: number): number {
  let p = start[c]
  let q = start[t]
  const endP = start[c + 1]
  const endQ = start[t + 1]
  // c is among t's candidates and t among c's: both count as common
  let shared = 2
  while (p < endP && q < endQ) {
    if (neighbours[p] === neighbours[q]) {
      shared++
      p++
      q++
    } else if (neighbours[p] < neighbours[q]) p++
    else q++
  }
  const union = endP - start[c] + 1 + (endQ - start[t] + 1) - shared
  return shared / union
}

type NearestMembers = NonNullable<ReturnType<typeof nearestMembers>>

/** A pair of series within reach (dense ids d, e) with its gate values: gap (ms) and shared weight (bits). */
type FoundPair = (
  d: number,
  e: number,
  near: NearestMembers,
  gap: number,
  shared: number,
  sharedCount: number,
) => void

interface SeriesShapes {
  located: Uint8Array
  spanFrom: Float64Array
  spanTo: Float64Array
  boxMinX: Float64Array
  boxMaxX: Float64Array
  boxMinY: Float64Array
  boxMaxY: Float64Array
  /** 1 when the located members are all lat/lon or all planar (the box is meaningful). */
  boxed: Uint8Array
  /** RMS distance of the located members from their centre, metres (projected). */
  radius: Float64Array
}

/** Time histograms of the compared series, see {@link timeHistograms}. */
interface TimeHistograms {
  /** Histogram slot of each compared community (-1 for the others). */
  slot: Int32Array
  /** Time-of-day histogram (HOUR_BINS per slot, shares) and how many members it counts (per community). */
  hours: Float32Array
  hourKnown: Uint32Array
  /** Time-of-week histogram (WEEK_BINS per slot, shares). */
  weekdays: Float32Array
  weekdayKnown: Uint32Array
}

/** Whether located, time span, box and radius of each community of two or more rows. */
function seriesShapes(
  table: CaseTable,
  start: Uint32Array,
  rows: Uint32Array,
  communities: number,
): SeriesShapes {
  const located = new Uint8Array(communities)
  const spanFrom = new Float64Array(communities).fill(Number.POSITIVE_INFINITY)
  const spanTo = new Float64Array(communities).fill(Number.NEGATIVE_INFINITY)
  const boxMinX = new Float64Array(communities).fill(Number.POSITIVE_INFINITY)
  const boxMaxX = new Float64Array(communities).fill(Number.NEGATIVE_INFINITY)
  const boxMinY = new Float64Array(communities).fill(Number.POSITIVE_INFINITY)
  const boxMaxY = new Float64Array(communities).fill(Number.NEGATIVE_INFINITY)
  const boxed = new Uint8Array(communities)
  const radius = new Float64Array(communities)
  for (let c = 0; c < communities; c++) {
    if (start[c + 1] - start[c] < 2) continue
    let latLon = 0
    let planar = 0
    let sumX = 0
    let sumY = 0
    for (let k = start[c]; k < start[c + 1]; k++) {
      const i = rows[k]
      if (table.timeFrom[i] < spanFrom[c]) spanFrom[c] = table.timeFrom[i]
      if (table.timeTo[i] > spanTo[c]) spanTo[c] = table.timeTo[i]
      if (table.hasLocation[i] === 0) continue
      if (table.hasLatLon[i] === 1) latLon++
      else planar++
      sumX += table.x[i]
      sumY += table.y[i]
      if (table.x[i] < boxMinX[c]) boxMinX[c] = table.x[i]
      if (table.x[i] > boxMaxX[c]) boxMaxX[c] = table.x[i]
      if (table.y[i] < boxMinY[c]) boxMinY[c] = table.y[i]
      if (table.y[i] > boxMaxY[c]) boxMaxY[c] = table.y[i]
    }
    const m = latLon + planar
    located[c] = m > 0 ? 1 : 0
    boxed[c] = latLon > 0 !== planar > 0 ? 1 : 0
    if (m === 0) continue
    const cx = sumX / m
    const cy = sumY / m
    let squares = 0
    for (let k = start[c]; k < start[c + 1]; k++) {
      const i = rows[k]
      if (table.hasLocation[i] === 1) squares += (table.x[i] - cx) ** 2 + (table.y[i] - cy) ** 2
    }
    radius[c] = Math.sqrt(squares / m)
  }
  return {
    located,
    spanFrom,
    spanTo,
    boxMinX,
    boxMaxX,
    boxMinY,
    boxMaxY,
    boxed,
    radius,
  }
}

/** Time-of-day and time-of-week histograms of the communities flagged in `needed`. */
function timeHistograms(
  table: CaseTable,
  start: Uint32Array,
  rows: Uint32Array,
  communities: number,
  needed: Uint8Array,
): TimeHistograms {
  const slot = new Int32Array(communities).fill(-1)
  let slots = 0
  for (let c = 0; c < communities; c++) if (needed[c] === 1) slot[c] = slots++
  const hours = new Float32Array(slots * HOUR_BINS)
  const hourKnown = new Uint32Array(communities)
  const weekdays = new Float32Array(slots * WEEK_BINS)
  const weekdayKnown = new Uint32Array(communities)
  for (let c = 0; c < communities; c++) {
    if (needed[c] !== 1) continue
    for (let k = start[c]; k < start[c + 1]; k++) {
      const i = rows[k]
      const width = table.timeTo[i] - table.timeFrom[i]
      const local = (table.timeFrom[i] + table.timeTo[i]) / 2 + table.utcOffsetMinutes[i] * 60_000
      if (width <= MAX_HOUR_WINDOW_MS) {
        const hour = Math.floor(mod(local, DAY_MS) / HOUR_MS)
        for (let d = 0; d < HOUR_KERNEL.length; d++) {
          hours[slot[c] * HOUR_BINS + ((hour + d - 1 + HOUR_BINS) % HOUR_BINS)] += HOUR_KERNEL[d]
        }
        hourKnown[c]++
      }
      if (width <= DAY_MS) {
        // epoch day 0 was a Thursday: Monday 00:00 is bin 0
        const hourOfWeek = Math.floor(mod(local + 3 * DAY_MS, 7 * DAY_MS) / HOUR_MS)
        for (let d = 0; d < WEEK_KERNEL.length; d++) {
          weekdays[slot[c] * WEEK_BINS + ((hourOfWeek + d - 12 + WEEK_BINS) % WEEK_BINS)] += WEEK_KERNEL[d]
        }
        weekdayKnown[c]++
      }
    }
    for (let b = 0; b < HOUR_BINS && hourKnown[c] > 0; b++) hours[slot[c] * HOUR_BINS + b] /= hourKnown[c]
    for (let b = 0; b < WEEK_BINS && weekdayKnown[c] > 0; b++)
      weekdays[slot[c] * WEEK_BINS + b] /= weekdayKnown[c]
  }
  return { slot, hours, hourKnown, weekdays, weekdayKnown }
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor
}

/** Σ min of two communities' histograms (shares); 0.5 when either counts no member. */
function histogramOverlap(
  histogram: Float32Array,
  known: Uint32Array,
  slot: Int32Array,
  c: number,
  t: number,
  bins: number,
): number {
  if (known[c] === 0 || known[t] === 0) return 0.5
  let overlap = 0
  const x = slot[c] * bins
  const y = slot[t] * bins
  for (let b = 0; b < bins; b++) overlap += Math.min(histogram[x + b], histogram[y + b])
  return overlap
}

/** Up to NARRATIVE_SAMPLE members of each community with a narrative, smallest case numbers first (row-order free). */
function narrativeSamples(
  table: CaseTable,
  start: Uint32Array,
  rows: Uint32Array,
  communities: number,
  needed: Uint8Array,
): Int32Array {
  const sample = new Int32Array(communities * NARRATIVE_SAMPLE).fill(-1)
  for (let c = 0; c < communities; c++) {
    if (needed[c] !== 1) continue
    const base = c * NARRATIVE_SAMPLE
    for (let k = start[c]; k < start[c + 1]; k++) {
      const i = rows[k]
      if (table.narrativeStart[i] === table.narrativeStart[i + 1]) continue
      // insertion into the sorted sample of the smallest ids
      let at = NARRATIVE_SAMPLE
      while (at > 0 && (sample[base + at - 1] < 0 || table.ids[sample[base + at - 1]] > table.ids[i])) at--
      if (at >= NARRATIVE_SAMPLE) continue
      for (let s = NARRATIVE_SAMPLE - 1; s > at; s--) sample[base + s] = sample[base + s - 1]
      sample[base + at] = i
    }
  }
  return sample
}

/** Mean bigram Jaccard over the sampled members of both communities; 0 when either has no narrative. */
function narrativeSimilarity(table: CaseTable, sample: Int32Array, c: number, t: number): number {
  let sum = 0
  let pairs = 0
  for (let x = 0; x < NARRATIVE_SAMPLE; x++) {
    const i = sample[c * NARRATIVE_SAMPLE + x]
    if (i < 0) break
    for (let y = 0; y < NARRATIVE_SAMPLE; y++) {
      const j = sample[t * NARRATIVE_SAMPLE + y]
      if (j < 0) break
      sum += bigramJaccard(table, i, j)
      pairs++
    }
  }
  return pairs > 0 ? sum / pairs : 0
}

function bigramJaccard(table: CaseTable, i: number, j: number): number {
  const grams = table.narrativeBigrams
  let p = table.narrativeStart[i]
  let q = table.narrativeStart[j]
  const endP = table.narrativeStart[i + 1]
  const endQ = table.narrativeStart[j + 1]
  const total = endP - p + endQ - q
  let shared = 0
  while (p < endP && q < endQ) {
    if (grams[p] === grams[q]) {
      shared++
      p++
      q++
    } else if (grams[p] < grams[q]) p++
    else q++
  }
  return total > shared ? shared / (total - shared) : 0
}

/** How far apart two intervals [fromA, toA] and [fromB, toB] are (0 when they meet). */
function intervalGap(fromA: number, toA: number, fromB: number, toB: number): number {
  return fromB > toA ? fromB - toA : fromA > toB ? fromA - toB : 0
}
