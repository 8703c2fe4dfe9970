/**
 * Every pair of located incidents within a distance, found on a grid: the pairs a near-repeat table
 * counts again under each permutation of the times.
 */

import type { Incident } from '../schema/incident'
import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'

const DEG = Math.PI / 180
/** A classification code meaning "do not keep this pair". */
export const DROP_PAIR = 255

/** A location: lat/lon degrees, or planar x/y metres. */
export type NearPoint = Pick<Incident, 'lat' | 'lon' | 'x' | 'y'>

/**
 * Pairs within reach, see {@link nearPairs}: grouped by their first point, in grid order (nearby points
 * have nearby positions, so the counting loops read nearby memory).
 */
export interface NearPairs {
  /** `order[g]`: the input index of the point at grid position g. */
  order: Uint32Array
  /** Pairs of grid position g: `partner[start[g] .. start[g + 1])`, each a grid position after g. */
  start: Uint32Array
  partner: Uint32Array
  /** The code `classify` gave each pair. */
  code: Uint8Array
  count: number
}

/**
 * Distance between two points in metres: x/y as given; lat/lon by haversine (`euclidean`) or by the sum
 * of the north–south great-circle leg and the east–west one along the pair's mean latitude (`manhattan`).
 * Both points must use the same location system.
 *
 * @example
 * pairDistance({ x: 0, y: 0 }, { x: 3, y: 4 }, 'euclidean') // 5
 * pairDistance({ x: 0, y: 0 }, { x: 3, y: 4 }, 'manhattan') // 7
 */
export function pairDistance(p: NearPoint, q: NearPoint, metric: 'manhattan' | 'euclidean'): number {
  if (p.lat !== undefined && p.lon !== undefined && q.lat !== undefined && q.lon !== undefined) {
    const phi1 = p.lat * DEG
    const phi2 = q.lat * DEG
    return latLonDistance(
      phi1,
      p.lon * DEG,
      Math.cos(phi1),
      phi2,
      q.lon * DEG,
      Math.cos(phi2),
      metric === 'manhattan',
    )
  }
  const dx = (p.x as number) - (q.x as number)
  const dy = (p.y as number) - (q.y as number)
  return metric === 'manhattan' ? Math.abs(dx) + Math.abs(dy) : Math.hypot(dx, dy)
}

function latLonDistance(
  phi1: number,
  lambda1: number,
  cos1: number,
  phi2: number,
  lambda2: number,
  cos2: number,
  manhattan: boolean,
): number {
  if (manhattan) {
    const northSouth = EARTH_RADIUS_METERS * Math.abs(phi1 - phi2)
    const c = Math.cos((phi1 + phi2) / 2)
    const s = Math.sin((lambda1 - lambda2) / 2)
    return northSouth + 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.abs(c * s)))
  }
  const sp = Math.sin((phi2 - phi1) / 2)
  const sl = Math.sin((lambda2 - lambda1) / 2)
  const h = sp * sp + cos1 * cos2 * sl * sl
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(Math.min(1, h)))
}

/**
 * Every pair of `points` (all located, one location system) at most `reach` metres apart under `metric`,
 * each once, with the code `classify(distance)` gives it (pairs coded {@link DROP_PAIR} are not kept).
 * Cells of a grid `reach` wide: planar x/y, or lat/lon projected equirectangularly at the largest
 * |latitude| of the data, where a degree of longitude is shortest, so projected distances never exceed
 * true ones: two points within reach lie at most one cell apart, and a projected distance beyond reach
 * rules a pair out before the exact one is computed. O(n log n + pairs) for spread-out data.
 *
 * @example
 * const pairs = nearPairs(burglaries, 500, 'manhattan', () => 0)
 * pairs.count // pairs within 500 m
 */
export function nearPairs(
  points: readonly NearPoint[],
  reach: number,
  metric: 'manhattan' | 'euclidean',
  classify: (distanceMeters: number) => number,
): NearPairs {
  const n = points.length
  const px = new Float64Array(n)
  const py = new Float64Array(n)
  const lat = new Float64Array(n)
  const lon = new Float64Array(n)
  const cosLat = new Float64Array(n)
  const planar = n > 0 && points[0].lat === undefined
  if (planar) {
    for (let i = 0; i < n; i++) {
      px[i] = points[i].x as number
      py[i] = points[i].y as number
    }
  } else {
    let maxAbsLat = 0
    for (let i = 0; i < n; i++) {
      lat[i] = (points[i].lat as number) * DEG
      lon[i] = (points[i].lon as number) * DEG
      cosLat[i] = Math.cos(lat[i])
      maxAbsLat = Math.max(maxAbsLat, Math.abs(lat[i]))
    }
    const cosRef = Math.cos(Math.min(maxAbsLat + reach / EARTH_RADIUS_METERS, Math.PI / 2))
    for (let i = 0; i < n; i++) {
      px[i] = EARTH_RADIUS_METERS * lon[i] * cosRef
      py[i] = EARTH_RADIUS_METERS * lat[i]
    }
  }
  // a cell and a projected bound a little wider than the reach: rounding never loses a pair
  const slack = reach * 1e-6 + 1e-6
  const cell = reach + slack
  const cx = new Float64Array(n)
  const cy = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    cx[i] = Math.floor(px[i] / cell)
    cy[i] = Math.floor(py[i] / cell)
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => cy[i] - cy[j] || cx[i] - cx[j] || i - j,
  )
  // grid-ordered copies: the pair loops read them in sequence
  const gx = Float64Array.from(order, (i) => px[i])
  const gy = Float64Array.from(order, (i) => py[i])
  const gLat = Float64Array.from(order, (i) => lat[i])
  const gLon = Float64Array.from(order, (i) => lon[i])
  const gCos = Float64Array.from(order, (i) => cosLat[i])
  // cell runs of the grid order
  const runStart: number[] = []
  const runs = new Map<string, number>()
  for (let s = 0; s < n; ) {
    let e = s + 1
    while (e < n && cx[order[e]] === cx[order[s]] && cy[order[e]] === cy[order[s]]) e++
    runs.set(`${cx[order[s]]},${cy[order[s]]}`, runStart.length)
    runStart.push(s)
    s = e
  }
  runStart.push(n)
  const manhattan = metric === 'manhattan'
  const bound = reach + slack
  const boundSquared = bound * bound
  let capacity = Math.max(1024, n)
  let partner = new Uint32Array(capacity)
  let code = new Uint8Array(capacity)
  let count = 0
  const start = new Uint32Array(n + 1)
  const consider = (u: number, v: number) => {
    const dx = gx[u] - gx[v]
    const dy = gy[u] - gy[v]
    if (manhattan ? Math.abs(dx) + Math.abs(dy) > bound : dx * dx + dy * dy > boundSquared) return
    const d = planar
      ? manhattan
        ? Math.abs(dx) + Math.abs(dy)
        : Math.sqrt(dx * dx + dy * dy)
      : latLonDistance(gLat[u], gLon[u], gCos[u], gLat[v], gLon[v], gCos[v], manhattan)
    if (d > reach) return
    const c = classify(d)
    if (c === DROP_PAIR) return
    if (count === capacity) {
      if (capacity >= 0xffffffff)
        throw new RangeError('caselink: nearRepeat: more than 4,294,967,295 pairs within reach')
      capacity = Math.min(0xffffffff, capacity * 2)
      const grownPartner = new Uint32Array(capacity)
      grownPartner.set(partner)
      partner = grownPartner
      const grownCode = new Uint8Array(capacity)
      grownCode.set(code)
      code = grownCode
    }
    partner[count] = v
    code[count] = c
    count++
  }
  // each cell with itself and four neighbours that come after it in grid order (the other four see it
  // from their side): (x + 1, y), then (x − 1, y + 1), (x, y + 1), (x + 1, y + 1)
  const neighbour = new Int32Array(4)
  for (let r = 0; r + 1 < runStart.length; r++) {
    const s = runStart[r]
    const e = runStart[r + 1]
    const x = cx[order[s]]
    const y = cy[order[s]]
    neighbour[0] = runs.get(`${x + 1},${y}`) ?? -1
    neighbour[1] = runs.get(`${x - 1},${y + 1}`) ?? -1
    neighbour[2] = runs.get(`${x},${y + 1}`) ?? -1
    neighbour[3] = runs.get(`${x + 1},${y + 1}`) ?? -1
    for (let u = s; u < e; u++) {
      start[u] = count
      for (let v = u + 1; v < e; v++) consider(u, v)
      for (let k = 0; k < 4; k++) {
        const other = neighbour[k]
        if (other < 0) continue
        for (let v = runStart[other]; v < runStart[other + 1]; v++) consider(u, v)
      }
    }
  }
  start[n] = count
  return { order, start, partner: partner.subarray(0, count), code: code.subarray(0, count), count }
}
