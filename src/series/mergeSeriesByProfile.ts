/**
 * Series-level linkage after clustering: detected series whose offender profiles agree are merged. One
 * offender's crimes often form several detected series (another anchor of the offender, a gap between
 * bursts) that no candidate pair joins, yet the series' habits taken together are far more distinctive than
 * any two incidents' (measured on generated province data with a fitted model, bench/accuracy-analysis.ts:
 * B³ F1 0.900 → 0.903 at 1M; at 100k it stays 0.924).
 */

import { canonicalizeMembership, communityMembers } from '../cluster/partition'
import { moRarityWeight } from '../score/pairScorer'
import type { CaseTable } from '../table/CaseTable'
import {
  ALTERNATION_METERS,
  alternations,
  cellKey,
  nearestMembers,
  seriesCells,
  seriesProfiles,
} from './seriesProfiles'

export { ALTERNATION_METERS, alternations }

const DAY_MS = 86_400_000
const NO_SERIES: readonly number[] = []

/** Options of {@link mergeSeriesByProfile}. */
export interface ProfileMergeOptions {
  /** Two profiles merge when their rarity-weighted Jaccard reaches this (> 0). Default 0.75. */
  minSimilarity?: number
  /** Their nearest members lie within this distance, metres (haversine for lat/lon). Default 15,000. */
  maxDistanceMeters?: number
  /** Their nearest members' windows come within this many days (0 when they overlap). Default 90. */
  maxGapDays?: number
  /**
   * Two series active at the same time in different places are two offenders, however alike: with the
   * members of both in time order, the run may pass from one series to the other across more than
   * {@link ALTERNATION_METERS} at most this many times. One travelling offender's fragments follow each
   * other (a few switches); three e-bike rings with one MO in towns 30 km apart alternate at every crime.
   * Default `Infinity` (no limit: at the default 15 km reach look-alike rings rarely meet); 10 with a reach
   * of 60 km (3 over 5 km kept apart generated offenders who work two anchors at once).
   */
  maxAlternations?: number
}

/**
 * Defaults of {@link ProfileMergeOptions}, chosen on generated province data (bench/accuracy-analysis.ts):
 * at 1M incidents similarity 0.7–0.75 within 10–15 km and 90–180 days all gave B³ F1 0.8887–0.8890. A reach
 * of 60 km / 180 days with `maxAlternations: 10` joins a travelling offender's fragments a county apart
 * (planted impersonator at 20k: F1 0.551 → 0.944) but chains strangers' series at 1M (trained suite B³ F1
 * 0.902 → 0.895, pairwise 0.704 → 0.421; bench/README.md): a fixed rule cannot do both, so the defaults
 * stay and the alternation limit is off.
 *
 * @example
 * mergeSeriesByProfile(table, membership, { ...PROFILE_MERGE_DEFAULTS, maxGapDays: 60 })
 */
export const PROFILE_MERGE_DEFAULTS = {
  minSimilarity: 0.75,
  maxDistanceMeters: 15_000,
  maxGapDays: 90,
  maxAlternations: Number.POSITIVE_INFINITY,
} as const satisfies Required<ProfileMergeOptions>

/** Why two detected series were merged (rows of the table; communities of the input membership). */
export interface ProfileMerge {
  /** The two merged communities of the input membership. */
  communityA: number
  communityB: number
  /** The nearest members, one of each (rows). */
  rowA: number
  rowB: number
  /** Rarity-weighted Jaccard of the two profiles' MO values. */
  similarity: number
  /** Distance of the nearest members, metres. */
  distanceMeters: number
  /** Gap between the nearest windows, days. */
  gapDays: number
  /** MO values of both profiles (ids into `table.moValues`), rarest first. */
  sharedMo: number[]
  /** Learned merges (`linkSeriesByModel`): the model's probability that the two series are one offender's. */
  probability?: number
  /**
   * Learned merges: the features that weighed most, each with its bits for (+) or against (−) against a
   * typical compared pair of series, e.g. `shared habits (+3.2)`.
   */
  reasons?: string[]
}

/** What {@link mergeSeriesByProfile} returns. */
export interface ProfileMergeResult {
  /** The merged partition, canonical (ids in order of each community's smallest row). */
  membership: Int32Array
  count: number
  /** Every accepted pair of communities, by community ids. */
  merges: ProfileMerge[]
}

/**
 * Merges detected series (communities of two or more rows) whose profiles agree. A profile is the MO
 * values carried by at least half the members and the most frequent category. Two series merge when they
 * have the same category, the rarity-weighted Jaccard of their profile values (the `mo` comparison's
 * weights, log2((rows + 1) / frequency)) reaches `minSimilarity`, and some pair of members lies within
 * `maxDistanceMeters` and some pair within `maxGapDays`; they must share at least two profile values, and
 * their members in time order may switch between them across more than {@link ALTERNATION_METERS} at most
 * `maxAlternations` times (two look-alike series active at once in two towns are two offenders). Pairs
 * of series are found by prefix filtering (exact: every pair reaching `minSimilarity` is examined), so the
 * cost follows the rare values, not the common ones. Merges are transitive (the result is the connected
 * components of accepted pairs), so the partition does not depend on the row order. Never mutates its input.
 *
 * @example
 * const { membership, merges } = mergeSeriesByProfile(table, partition.membership)
 * merges[0] // { communityA: 3, communityB: 17, similarity: 0.82, distanceMeters: 6200, gapDays: 41, … }
 */
export function mergeSeriesByProfile(
  table: CaseTable,
  membership: Int32Array,
  options: ProfileMergeOptions = {},
): ProfileMergeResult {
  const minSimilarity = options.minSimilarity ?? PROFILE_MERGE_DEFAULTS.minSimilarity
  const maxDistanceMeters = options.maxDistanceMeters ?? PROFILE_MERGE_DEFAULTS.maxDistanceMeters
  const maxGapMs = (options.maxGapDays ?? PROFILE_MERGE_DEFAULTS.maxGapDays) * DAY_MS
  const maxAlternations = options.maxAlternations ?? PROFILE_MERGE_DEFAULTS.maxAlternations
  for (const [name, value] of [
    ['minSimilarity', minSimilarity],
    ['maxDistanceMeters', maxDistanceMeters],
    ['maxGapDays', maxGapMs],
  ] as const) {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`caselink: profile merge ${name} must be a finite number >= 0, got ${value}`)
    }
  }
  if (!(typeof maxAlternations === 'number' && maxAlternations >= 0)) {
    throw new RangeError(
      `caselink: profile merge maxAlternations must be a number >= 0 (Infinity for no limit), got ${maxAlternations}`,
    )
  }
  const n = table.size
  if (membership.length !== n) {
    throw new RangeError(`caselink: membership has ${membership.length} entries, the table ${n} rows`)
  }
  const { count: communities, start, rows } = communityMembers(membership)

  const moCount = table.moValues.length
  const weight = new Float64Array(moCount)
  for (let q = 0; q < table.moIds.length; q++) weight[table.moIds[q]]++
  for (let v = 0; v < moCount; v++) weight[v] = weight[v] > 0 ? moRarityWeight(n, weight[v]) : 0

  const { profileStart, profileValues, category } = seriesProfiles(table, start, rows, communities, weight)

  // each series' time span and, when its located members are all lat/lon or all planar, its projected box
  const spanFrom = new Float64Array(communities).fill(Number.POSITIVE_INFINITY)
  const spanTo = new Float64Array(communities).fill(Number.NEGATIVE_INFINITY)
  const boxMinX = new Float64Array(communities).fill(Number.POSITIVE_INFINITY)
  const boxMaxX = new Float64Array(communities).fill(Number.NEGATIVE_INFINITY)
  const boxMinY = new Float64Array(communities).fill(Number.POSITIVE_INFINITY)
  const boxMaxY = new Float64Array(communities).fill(Number.NEGATIVE_INFINITY)
  const boxed = new Uint8Array(communities)
  for (let c = 0; c < communities; c++) {
    let latLon = 0
    let planar = 0
    for (let k = start[c]; k < start[c + 1]; k++) {
      const i = rows[k]
      if (table.timeFrom[i] < spanFrom[c]) spanFrom[c] = table.timeFrom[i]
      if (table.timeTo[i] > spanTo[c]) spanTo[c] = table.timeTo[i]
      if (table.hasLocation[i] === 0) continue
      if (table.hasLatLon[i] === 1) latLon++
      else planar++
      if (table.x[i] < boxMinX[c]) boxMinX[c] = table.x[i]
      if (table.x[i] > boxMaxX[c]) boxMaxX[c] = table.x[i]
      if (table.y[i] < boxMinY[c]) boxMinY[c] = table.y[i]
      if (table.y[i] > boxMaxY[c]) boxMaxY[c] = table.y[i]
    }
    boxed[c] = latLon > 0 !== planar > 0 ? 1 : 0
  }

  // Prefix filter (exact): with tokens in one global order, the first token two profiles share lies in
  // both prefixes, a prefix being the first tokens until the rest weighs less than minSimilarity of the
  // whole (else the shared weight could not reach minSimilarity of the union). Postings hold the prefixes,
  // by category (merges need the same category), and by grid cell of the series' located members: cells
  // of 2 × maxDistanceMeters + 1 km (projected metres, whose scale error stays below a factor 1.6 over
  // latitudes 18–53°) in one grid per location system, so members within maxDistanceMeters lie in the
  // same or adjacent cells. A series without located members can never merge (no distance) and is left
  // out; cell keys that collide only add partners, never hide one.
  const cellMeters = 2 * maxDistanceMeters + 1000
  const cells = seriesCells(table, rows, start, communities, cellMeters)
  const postings = new Map<number, Map<number, number[]>>()
  const keyOf = (g: number, v: number) => g * moCount + v
  const prefixEnd = new Uint32Array(communities)
  for (let c = 0; c < communities; c++) {
    let total = 0
    for (let x = profileStart[c]; x < profileStart[c + 1]; x++) total += weight[profileValues[x]]
    let rest = total
    let end = profileStart[c]
    while (end < profileStart[c + 1] && !(rest < minSimilarity * total)) rest -= weight[profileValues[end++]]
    prefixEnd[c] = end
    if (category[c] < 0 || cells.start[c] === cells.start[c + 1]) continue
    for (let x = profileStart[c]; x < end; x++) {
      const key = keyOf(category[c], profileValues[x])
      let byCell = postings.get(key)
      if (byCell === undefined) postings.set(key, (byCell = new Map()))
      for (let k = cells.start[c]; k < cells.start[c + 1]; k++) {
        const list = byCell.get(cells.keys[k])
        if (list === undefined) byCell.set(cells.keys[k], [c])
        else list.push(c)
      }
    }
  }

  const parent = new Int32Array(communities)
  for (let c = 0; c < communities; c++) parent[c] = c
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]]
      x = parent[x]
    }
    return x
  }
  const merges: ProfileMerge[] = []
  const seen = new Int32Array(communities).fill(-1)
  const inProfile = new Uint8Array(moCount)
  const partners: number[] = []
  // keys of the cells within one cell of a member's: where partner series must have a member
  const nearKeys: number[] = []
  const { system, cx, cy } = cells
  for (let c = 0; c < communities; c++) {
    if (category[c] < 0 || cells.start[c] === cells.start[c + 1]) continue
    nearKeys.length = 0
    for (let k = cells.start[c]; k < cells.start[c + 1]; k++)
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++) nearKeys.push(cellKey(system[k], cx[k] + dx, cy[k] + dy))
    partners.length = 0
    for (let x = profileStart[c]; x < prefixEnd[c]; x++) {
      const byCell = postings.get(keyOf(category[c], profileValues[x])) as Map<number, number[]>
      for (const key of nearKeys) {
        for (const t of byCell.get(key) ?? NO_SERIES) {
          if (t > c && seen[t] !== c) {
            seen[t] = c
            partners.push(t)
          }
        }
      }
    }
    if (partners.length === 0) continue
    partners.sort((a, b) => a - b)
    let union = 0
    for (let x = profileStart[c]; x < profileStart[c + 1]; x++) {
      inProfile[profileValues[x]] = 1
      union += weight[profileValues[x]]
    }
    for (const t of partners) {
      if (category[t] !== category[c]) continue
      let shared = 0
      let sharedCount = 0
      let total = union
      for (let y = profileStart[t]; y < profileStart[t + 1]; y++) {
        const v = profileValues[y]
        if (inProfile[v] === 1) {
          shared += weight[v]
          sharedCount++
        } else total += weight[v]
      }
      if (!(shared >= minSimilarity * total) || sharedCount < 2) continue
      // cheap bounds before comparing every pair of members: the windows' gap (exact lower bound) and the
      // projected boxes (with a factor 2 for the projection's scale error, which stays below 1.6 over
      // latitudes 18–53°)
      if (Math.max(spanFrom[t] - spanTo[c], spanFrom[c] - spanTo[t]) > maxGapMs) continue
      if (boxed[c] === 1 && boxed[t] === 1) {
        const dx = Math.max(0, boxMinX[t] - boxMaxX[c], boxMinX[c] - boxMaxX[t])
        const dy = Math.max(0, boxMinY[t] - boxMaxY[c], boxMinY[c] - boxMaxY[t])
        if (Math.hypot(dx, dy) > 2 * maxDistanceMeters + 1000) continue
      }
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
      if (near === null) continue
      if (alternations(table, rows, start[c], start[c + 1], start[t], start[t + 1]) > maxAlternations)
        continue
      const sharedMo: number[] = []
      for (let y = profileStart[t]; y < profileStart[t + 1]; y++) {
        if (inProfile[profileValues[y]] === 1) sharedMo.push(profileValues[y])
      }
      sharedMo.sort((a, b) => weight[b] - weight[a] || a - b)
      merges.push({ communityA: c, communityB: t, ...near, similarity: shared / total, sharedMo })
      const a = find(c)
      const b = find(t)
      if (a !== b) parent[a < b ? b : a] = a < b ? a : b
    }
    for (let x = profileStart[c]; x < profileStart[c + 1]; x++) inProfile[profileValues[x]] = 0
  }
  const merged = new Int32Array(n)
  for (let i = 0; i < n; i++) merged[i] = find(membership[i])
  const count = canonicalizeMembership(merged)
  return { membership: merged, count, merges }
}
