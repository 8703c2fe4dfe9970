/**
 * What detected series are made of, for comparing series with one another: each series' profile (the MO
 * values most of its members carry), its cells on a grid, the nearest pair of members of two series, and
 * how two series alternate in time. Shared by the fixed profile rule (`mergeSeriesByProfile`) and the
 * learned series-to-series linking (`linkSeriesByModel`).
 */

import { haversineMeters } from '../compare/expectedDistance'
import type { CaseTable } from '../table/CaseTable'

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

/** A switch between two series' members counts as an alternation when the two lie farther apart than this. */
export const ALTERNATION_METERS = 20_000

/** Profiles of the communities of a membership, see {@link seriesProfiles}. */
export interface SeriesProfiles {
  /** Community c's profile values are `profileValues[profileStart[c] .. profileStart[c + 1])`, heaviest first. */
  profileStart: Uint32Array
  profileValues: number[]
  /** Most frequent category of each community (smallest id on ties), -1 for lone rows and series without one. */
  category: Int32Array
}

/**
 * The profile of each series (community of two or more rows): the MO values carried by at least half its
 * members, ordered by `weight` (heaviest first, then by id: one global order, as prefix filtering needs),
 * and its most frequent category. Lone rows get an empty profile and category -1. O(rows + values).
 *
 * @example
 * const { start, rows, count } = communityMembers(membership)
 * const { profileStart, profileValues, category } = seriesProfiles(table, start, rows, count, weights)
 */
export function seriesProfiles(
  table: CaseTable,
  start: Uint32Array,
  rows: Uint32Array,
  communities: number,
  weight: Float64Array,
): SeriesProfiles {
  const moCount = table.moValues.length
  // modal MO values (CSR) and the most frequent category of each series
  const valueCount = new Uint32Array(moCount)
  const categoryCount = new Uint32Array(table.categoryValues.length)
  const profileStart = new Uint32Array(communities + 1)
  const profileValues: number[] = []
  const category = new Int32Array(communities).fill(-1)
  const touched: number[] = []
  for (let c = 0; c < communities; c++) {
    const size = start[c + 1] - start[c]
    if (size >= 2) {
      for (let k = start[c]; k < start[c + 1]; k++) {
        const i = rows[k]
        for (let q = table.moStart[i]; q < table.moStart[i + 1]; q++) {
          if (valueCount[table.moIds[q]]++ === 0) touched.push(table.moIds[q])
        }
        if (table.category[i] >= 0) categoryCount[table.category[i]]++
      }
      // heaviest first (then by id): one global token order for prefix filtering
      touched.sort((a, b) => weight[b] - weight[a] || a - b)
      for (const v of touched) {
        if (2 * valueCount[v] >= size) profileValues.push(v)
        valueCount[v] = 0
      }
      touched.length = 0
      let best = -1
      for (let k = start[c]; k < start[c + 1]; k++) {
        const g = table.category[rows[k]]
        if (
          g >= 0 &&
          (best < 0 ||
            categoryCount[g] > categoryCount[best] ||
            (categoryCount[g] === categoryCount[best] && g < best))
        )
          best = g
      }
      for (let k = start[c]; k < start[c + 1]; k++)
        if (table.category[rows[k]] >= 0) categoryCount[table.category[rows[k]]] = 0
      category[c] = best
    }
    profileStart[c + 1] = profileValues.length
  }
  return { profileStart, profileValues, category }
}

/**
 * How many times the located members of two series, in time order (window start, then case number), pass from one
 * series to the other across more than {@link ALTERNATION_METERS} (members of different location systems
 * count as far). O((a + b) log(a + b)).
 *
 * @example
 * alternations(table, rows, start[c], start[c + 1], start[t], start[t + 1]) // 0 for two series a season apart
 */
export function alternations(
  table: CaseTable,
  rows: ArrayLike<number>,
  fromA: number,
  toA: number,
  fromB: number,
  toB: number,
): number {
  return crossings(table, rows, fromA, toA, fromB, toB).alternations
}

/** A pass between two series' members faster than this is not one offender travelling. */
export const FAST_METERS_PER_HOUR = 60_000

/**
 * The located members of two series in time order (window start, then case number; ties by case number,
 * so that the counts do not depend on row order): how many times the run passes from one series to the
 * other (`passes`), how many of those passes cross more than {@link ALTERNATION_METERS} (`alternations`),
 * and how many would need more than {@link FAST_METERS_PER_HOUR} between the windows' midpoints, an hour
 * at least (`fast`). Members of different location systems count as far. O((a + b) log(a + b)).
 *
 * @example
 * const { alternations, passes, fast } = crossings(table, rows, start[c], start[c + 1], start[t], start[t + 1])
 */
export function crossings(
  table: CaseTable,
  rows: ArrayLike<number>,
  fromA: number,
  toA: number,
  fromB: number,
  toB: number,
): { alternations: number; passes: number; fast: number } {
  const events: number[] = []
  for (let p = fromA; p < toA; p++) if (table.hasLocation[rows[p]] === 1) events.push(rows[p] * 2)
  for (let p = fromB; p < toB; p++) if (table.hasLocation[rows[p]] === 1) events.push(rows[p] * 2 + 1)
  events.sort(
    (x, y) =>
      table.timeFrom[x >> 1] - table.timeFrom[y >> 1] ||
      (table.ids[x >> 1] < table.ids[y >> 1] ? -1 : table.ids[x >> 1] > table.ids[y >> 1] ? 1 : x - y),
  )
  let alternations = 0
  let passes = 0
  let fast = 0
  for (let k = 1; k < events.length; k++) {
    if ((events[k] & 1) === (events[k - 1] & 1)) continue
    passes++
    const i = events[k - 1] >> 1
    const j = events[k] >> 1
    let distance = Number.POSITIVE_INFINITY
    if (table.hasLatLon[i] === 1 && table.hasLatLon[j] === 1) {
      distance = haversineMeters(table.lat[i], table.lon[i], table.lat[j], table.lon[j])
    } else if (table.hasLatLon[i] === 0 && table.hasLatLon[j] === 0) {
      distance = Math.hypot(table.x[i] - table.x[j], table.y[i] - table.y[j])
    }
    if (distance > ALTERNATION_METERS) alternations++
    const hours = Math.max(
      1,
      Math.abs(table.timeFrom[j] + table.timeTo[j] - table.timeFrom[i] - table.timeTo[i]) / 2 / HOUR_MS,
    )
    if (distance > FAST_METERS_PER_HOUR * hours) fast++
  }
  return { alternations, passes, fast }
}

/** Key of grid cell (cx, cy) of a location system (0 lat/lon, 1 planar); collisions only add partners. */
export function cellKey(system: number, cx: number, cy: number): number {
  return (cx * 67_108_864 + cy) * 2 + system
}

/**
 * The distinct grid cells of each community's located members, CSR by community (none for lone rows):
 * cell coordinates, location system and key.
 */
export function seriesCells(
  table: CaseTable,
  rows: Uint32Array,
  start: Uint32Array,
  communities: number,
  cellMeters: number,
): { start: Uint32Array; keys: number[]; system: number[]; cx: number[]; cy: number[] } {
  const cellStart = new Uint32Array(communities + 1)
  const keys: number[] = []
  const system: number[] = []
  const cx: number[] = []
  const cy: number[] = []
  const seen = new Set<number>()
  for (let c = 0; c < communities; c++) {
    if (start[c + 1] - start[c] >= 2) {
      seen.clear()
      for (let k = start[c]; k < start[c + 1]; k++) {
        const i = rows[k]
        if (table.hasLocation[i] === 0) continue
        const s = table.hasLatLon[i] === 1 ? 0 : 1
        const x = Math.floor(table.x[i] / cellMeters)
        const y = Math.floor(table.y[i] / cellMeters)
        const key = cellKey(s, x, y)
        if (seen.has(key)) continue
        seen.add(key)
        keys.push(key)
        system.push(s)
        cx.push(x)
        cy.push(y)
      }
    }
    cellStart[c + 1] = keys.length
  }
  return { start: cellStart, keys, system, cx, cy }
}

/**
 * The nearest members of two series when some pair lies within the distance and some pair within the gap
 * (the nearest pair in space is reported, else the nearest in time), or null.
 */
export function nearestMembers(
  table: CaseTable,
  rows: Uint32Array,
  fromA: number,
  toA: number,
  fromB: number,
  toB: number,
  maxDistanceMeters: number,
  maxGapMs: number,
): { rowA: number; rowB: number; distanceMeters: number; gapDays: number } | null {
  let bestDistance = Number.POSITIVE_INFINITY
  let bestGap = Number.POSITIVE_INFINITY
  let rowA = rows[fromA]
  let rowB = rows[fromB]
  let spaceA = -1
  let spaceB = -1
  for (let p = fromA; p < toA; p++) {
    const i = rows[p]
    for (let q = fromB; q < toB; q++) {
      const j = rows[q]
      const gap = Math.max(
        0,
        Math.max(table.timeFrom[i], table.timeFrom[j]) - Math.min(table.timeTo[i], table.timeTo[j]),
      )
      if (gap < bestGap) {
        bestGap = gap
        rowA = i
        rowB = j
      }
      if (table.hasLocation[i] === 0 || table.hasLocation[j] === 0) continue
      let distance: number
      if (table.hasLatLon[i] === 1 && table.hasLatLon[j] === 1) {
        distance = haversineMeters(table.lat[i], table.lon[i], table.lat[j], table.lon[j])
      } else if (table.hasLatLon[i] === 0 && table.hasLatLon[j] === 0) {
        distance = Math.hypot(table.x[i] - table.x[j], table.y[i] - table.y[j])
      } else continue
      if (distance < bestDistance) {
        bestDistance = distance
        spaceA = i
        spaceB = j
      }
    }
  }
  if (!(bestDistance <= maxDistanceMeters) || !(bestGap <= maxGapMs)) return null
  if (spaceA >= 0) {
    rowA = spaceA
    rowB = spaceB
  }
  return { rowA, rowB, distanceMeters: bestDistance, gapDays: bestGap / DAY_MS }
}
