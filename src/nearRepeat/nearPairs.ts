/**
 * Every pair of located incidents within a distance, found on a grid: the pairs a near-repeat table
 * counts again under each permutation of the times.
 */

import type { Incident } from '../schema/incident'
import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'

const DEG = Math.PI / 180

/** Pairs within reach, see {@link nearPairs}. */
export interface NearPairs {
  count: number
  /** Pair q joins incidents a[q] < b[q] (indices into the input). */
  a: Uint32Array
  b: Uint32Array
  /** Their distance, metres. */
  distance: Float64Array
}

/**
 * Distance between two incidents in metres: x/y as given; lat/lon by haversine (`euclidean`) or by the sum
 * of the north–south great-circle leg and the east–west one along the pair's mean latitude (`manhattan`).
 * Both incidents must use the same location system.
 *
 * @example
 * pairDistance({ x: 0, y: 0 }, { x: 3, y: 4 }, 'euclidean') // 5
 * pairDistance({ x: 0, y: 0 }, { x: 3, y: 4 }, 'manhattan') // 7
 */
export function pairDistance(
  p: Pick<Incident, 'lat' | 'lon' | 'x' | 'y'>,
  q: Pick<Incident, 'lat' | 'lon' | 'x' | 'y'>,
  metric: 'manhattan' | 'euclidean',
): number {
  if (p.lat !== undefined && p.lon !== undefined && q.lat !== undefined && q.lon !== undefined) {
    return latLonDistance(p.lat * DEG, p.lon * DEG, q.lat * DEG, q.lon * DEG, metric === 'manhattan')
  }
  const dx = (p.x as number) - (q.x as number)
  const dy = (p.y as number) - (q.y as number)
  return metric === 'manhattan' ? Math.abs(dx) + Math.abs(dy) : Math.hypot(dx, dy)
}

function latLonDistance(
  phi1: number,
  lambda1: number,
  phi2: number,
  lambda2: number,
  manhattan: boolean,
): number {
  if (manhattan) {
    const northSouth = EARTH_RADIUS_METERS * Math.abs(phi1 - phi2)
    const c = Math.cos((phi1 + phi2) / 2)
    const s = Math.sin((lambda1 - lambda2) / 2)
    const eastWest = 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.abs(c * s)))
    return northSouth + eastWest
  }
  const sp = Math.sin((phi2 - phi1) / 2)
  const sl = Math.sin((lambda2 - lambda1) / 2)
  const h = sp * sp + Math.cos(phi1) * Math.cos(phi2) * sl * sl
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(Math.min(1, h)))
}

/**
 * Every pair of `incidents` (all located, one location system) at most `reach` metres apart under
 * `metric`, each once, grouped by a. Cells of a grid `reach` wide: planar x/y, or lat/lon projected
 * equirectangularly at the largest |latitude| of the data, where a degree of longitude is shortest, so two
 * incidents within reach never lie more than one cell apart. O(n + pairs) for spread-out data.
 *
 * @example
 * nearPairs(burglaries, 500, 'manhattan').count // pairs within 500 m
 */
export function nearPairs(
  incidents: readonly Pick<Incident, 'lat' | 'lon' | 'x' | 'y'>[],
  reach: number,
  metric: 'manhattan' | 'euclidean',
): NearPairs {
  const n = incidents.length
  const px = new Float64Array(n)
  const py = new Float64Array(n)
  const lat = new Float64Array(n)
  const lon = new Float64Array(n)
  const planar = n > 0 && incidents[0].lat === undefined
  if (planar) {
    for (let i = 0; i < n; i++) {
      px[i] = incidents[i].x as number
      py[i] = incidents[i].y as number
    }
  } else {
    let maxAbsLat = 0
    for (let i = 0; i < n; i++) {
      lat[i] = (incidents[i].lat as number) * DEG
      lon[i] = (incidents[i].lon as number) * DEG
      maxAbsLat = Math.max(maxAbsLat, Math.abs(lat[i]))
    }
    const cosRef = Math.cos(Math.min(maxAbsLat + reach / EARTH_RADIUS_METERS, Math.PI / 2))
    for (let i = 0; i < n; i++) {
      px[i] = EARTH_RADIUS_METERS * lon[i] * cosRef
      py[i] = EARTH_RADIUS_METERS * lat[i]
    }
  }
  // a cell a little wider than the reach: rounding in the projection never splits a pair two cells apart
  const cell = reach * (1 + 1e-9) + 1e-6
  const cx = new Float64Array(n)
  const cy = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    cx[i] = Math.floor(px[i] / cell)
    cy[i] = Math.floor(py[i] / cell)
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => cy[i] - cy[j] || cx[i] - cx[j] || i - j,
  )
  // cell runs of the sorted order, keyed by cell
  const runs = new Map<string, [number, number]>()
  for (let s = 0; s < n; ) {
    let e = s + 1
    while (e < n && cx[order[e]] === cx[order[s]] && cy[order[e]] === cy[order[s]]) e++
    runs.set(`${cx[order[s]]},${cy[order[s]]}`, [s, e])
    s = e
  }
  let capacity = 1024
  let a = new Uint32Array(capacity)
  let b = new Uint32Array(capacity)
  let distance = new Float64Array(capacity)
  let count = 0
  const push = (i: number, j: number, d: number) => {
    if (count === capacity) {
      capacity *= 2
      const na = new Uint32Array(capacity)
      na.set(a)
      a = na
      const nb = new Uint32Array(capacity)
      nb.set(b)
      b = nb
      const nd = new Float64Array(capacity)
      nd.set(distance)
      distance = nd
    }
    a[count] = i < j ? i : j
    b[count] = i < j ? j : i
    distance[count] = d
    count++
  }
  const manhattan = metric === 'manhattan'
  const measure = planar
    ? (i: number, j: number) => {
        const dx = px[i] - px[j]
        const dy = py[i] - py[j]
        return manhattan ? Math.abs(dx) + Math.abs(dy) : Math.hypot(dx, dy)
      }
    : (i: number, j: number) => latLonDistance(lat[i], lon[i], lat[j], lon[j], manhattan)
  // each cell with itself and four of its neighbours (the other four see it from their side)
  const FORWARD = [
    [1, 0],
    [-1, 1],
    [0, 1],
    [1, 1],
  ]
  for (const [key, [s, e]] of runs) {
    for (let u = s; u < e; u++) {
      const i = order[u]
      for (let v = u + 1; v < e; v++) {
        const j = order[v]
        const d = measure(i, j)
        if (d <= reach) push(i, j, d)
      }
    }
    const comma = key.indexOf(',')
    const x = Number(key.slice(0, comma))
    const y = Number(key.slice(comma + 1))
    for (const [dx, dy] of FORWARD) {
      const other = runs.get(`${x + dx},${y + dy}`)
      if (other === undefined) continue
      for (let u = s; u < e; u++) {
        const i = order[u]
        for (let v = other[0]; v < other[1]; v++) {
          const j = order[v]
          const d = measure(i, j)
          if (d <= reach) push(i, j, d)
        }
      }
    }
  }
  // grouped by a (a counting sort: O(n + pairs)), so the counting loops read the times of a in sequence
  const start = new Uint32Array(n + 1)
  for (let q = 0; q < count; q++) start[a[q] + 1]++
  for (let i = 0; i < n; i++) start[i + 1] += start[i]
  const outA = new Uint32Array(count)
  const outB = new Uint32Array(count)
  const outDistance = new Float64Array(count)
  for (let q = 0; q < count; q++) {
    const at = start[a[q]]++
    outA[at] = a[q]
    outB[at] = b[q]
    outDistance[at] = distance[q]
  }
  return { count, a: outA, b: outB, distance: outDistance }
}
