import type { CandidatePairs } from '../score/scorePairs'
import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'

/** Options of {@link spaceTimePairs}. */
export interface SpaceTimePairsOptions {
  /** Haversine (lat/lon rows) or Euclidean (planar rows) distance at most this. Default 2000. */
  maxDistanceMeters?: number
  /** Gap between the two windows (0 when they overlap) at most this. Default 21. */
  maxGapDays?: number
  /** Stop with an error beyond this many pairs. Default 50,000,000. */
  maxPairs?: number
}

const DEFAULTS = { maxDistanceMeters: 2000, maxGapDays: 21, maxPairs: 50_000_000 }
const DEG = Math.PI / 180

/**
 * Every pair of rows within a space-time horizon, exactly: rows sorted by window start, each paired
 * with the later-starting rows whose start is within `maxGapDays` of its end, kept when the distance
 * is within `maxDistanceMeters`. Rows without a location, and lat/lon rows against planar rows, are
 * never paired. A self-contained space-time pairing (benchmarks and tests); the pipeline's
 * blocking (`generateCandidates`) adds grid indexing and long-range rules. Runs in O(n log n + pairs
 * in the time window).
 *
 * @example
 * const candidates = spaceTimePairs(table, { maxDistanceMeters: 3000, maxGapDays: 30 })
 */
export function spaceTimePairs(table: CaseTable, options: SpaceTimePairsOptions = {}): CandidatePairs {
  const maxDistance = options.maxDistanceMeters ?? DEFAULTS.maxDistanceMeters
  const maxGap = (options.maxGapDays ?? DEFAULTS.maxGapDays) * 86_400_000
  const maxPairs = options.maxPairs ?? DEFAULTS.maxPairs
  const n = table.size
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => table.timeFrom[x] - table.timeFrom[y] || x - y,
  )
  const s = Math.sin(Math.min(maxDistance / (2 * EARTH_RADIUS_METERS), Math.PI / 2))
  const maxHaversine = s * s
  const cosLat = new Float64Array(n)
  for (let i = 0; i < n; i++) cosLat[i] = Math.cos(table.lat[i] * DEG)
  let a = new Uint32Array(1024)
  let b = new Uint32Array(1024)
  let count = 0
  for (let p = 0; p < n; p++) {
    const i = order[p]
    if (table.hasLocation[i] === 0) continue
    const limit = table.timeTo[i] + maxGap
    for (let q = p + 1; q < n; q++) {
      const j = order[q]
      if (table.timeFrom[j] > limit) break
      if (table.hasLocation[j] === 0 || table.hasLatLon[i] !== table.hasLatLon[j]) continue
      let near: boolean
      if (table.hasLatLon[i] === 1) {
        const sinLat = Math.sin((table.lat[j] - table.lat[i]) * DEG * 0.5)
        const sinLon = Math.sin((table.lon[j] - table.lon[i]) * DEG * 0.5)
        near = sinLat * sinLat + cosLat[i] * cosLat[j] * sinLon * sinLon <= maxHaversine
      } else {
        const dx = table.x[j] - table.x[i]
        const dy = table.y[j] - table.y[i]
        near = dx * dx + dy * dy <= maxDistance * maxDistance
      }
      if (!near) continue
      if (count === a.length) {
        if (count >= maxPairs) {
          throw new Error(
            `caselink: more than ${maxPairs} space-time pairs; narrow the horizon or raise maxPairs`,
          )
        }
        const grownA = new Uint32Array(count * 2)
        const grownB = new Uint32Array(count * 2)
        grownA.set(a)
        grownB.set(b)
        a = grownA
        b = grownB
      }
      a[count] = i < j ? i : j
      b[count] = i < j ? j : i
      count++
    }
  }
  return { count, a: a.slice(0, count), b: b.slice(0, count) }
}
