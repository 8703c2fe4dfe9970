/**
 * Every pair of located incidents within a distance, found on a grid: the pairs a near-repeat table
 * counts again under each permutation of the times.
 */

import type { Incident } from '../schema/incident'
import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'

const DEG = Math.PI / 180
/**
 * Rounding of the exact lat/lon distance near 0 (its sines of half differences come from products of
 * per-point sines and cosines, which cancel to about 1e-16 of the Earth's radius): added to the
 * small-angle bound, so that a pair within it of a break is measured exactly.
 */
export const ROUNDING_METERS = 1e-7

/** Distance bands coded by the pair loop itself (no call a pair), see {@link nearPairs}. */
export interface DistanceBands {
  /** Upper bounds of the bands, increasing (e.g. 100, 200, …, 500 m). */
  upper: readonly number[]
  /** `'right'`: a band holds its upper bound; `'left'`: it does not. */
  closed: 'right' | 'left'
  /** A first band (code 0) for distances ≤ 0.001 m; the others then code from 1. */
  sameLocation: boolean
}

/** Cells are the reach over this wide. */
const SPLIT = 2
/**
 * The cells after a cell in grid order (row, then column) that can hold a point within reach of one in it,
 * as (dx, dy) pairs: the rest of its row up to SPLIT cells on, and the next SPLIT rows SPLIT cells either
 * side. Each pair of cells is searched once, from the earlier one.
 */
const FORWARD: readonly number[] = (() => {
  const out: number[] = []
  for (let dx = 1; dx <= SPLIT; dx++) out.push(dx, 0)
  for (let dy = 1; dy <= SPLIT; dy++) for (let dx = -SPLIT; dx <= SPLIT; dx++) out.push(dx, dy)
  return out
})()

/** Distances up to this are the same location (`nearRepeatBands`' SAME_LOCATION_METERS). */
const SAME_LOCATION = 0.001

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
    const u = halfAngles(p.lat, p.lon)
    const v = halfAngles(q.lat, q.lon)
    return latLonDistance(u, 0, v, 0, metric === 'manhattan')
  }
  const dx = (p.x as number) - (q.x as number)
  const dy = (p.y as number) - (q.y as number)
  return metric === 'manhattan' ? Math.abs(dx) + Math.abs(dy) : Math.hypot(dx, dy)
}

/**
 * Per point: latitude (radians), sin and cos of half the latitude and of half the longitude, longitude
 * (radians), cos of the latitude.
 */
const HALF = 7

export function halfAngles(lat: number, lon: number): Float64Array {
  const out = new Float64Array(HALF)
  writeHalfAngles(lat, lon, out, 0)
  return out
}

/** {@link halfAngles} written into `out` at `at`, without allocating. */
function writeHalfAngles(lat: number, lon: number, out: Float64Array, at: number): void {
  const phi = lat * DEG
  const lambda = lon * DEG
  const s = Math.sin(phi / 2)
  const c = Math.cos(phi / 2)
  out[at] = phi
  out[at + 1] = s
  out[at + 2] = c
  out[at + 3] = Math.sin(lambda / 2)
  out[at + 4] = Math.cos(lambda / 2)
  out[at + 5] = lambda
  out[at + 6] = c * c - s * s
}

/**
 * The small-angle form of {@link latLonDistance} (no asin, no sine of a difference) into `out[0]`, and a
 * bound on how far it can be from the exact distance into `out[1]`: R·|Δφ| + R·cos φm·|Δλ| (Manhattan;
 * the east–west leg is off by at most Δλ²/24 of itself) or R·√(Δφ² + cos φu cos φv Δλ²) (haversine; off
 * by at most (Δφ² + Δλ²)/12 of itself), each bound doubled. Infinite across the antimeridian.
 */
export function approximateDistance(
  h: Float64Array,
  u: number,
  v: number,
  manhattan: boolean,
  out: Float64Array,
): void {
  const a = u * HALF
  const b = v * HALF
  const dPhi = h[a] - h[b]
  let dLambda = h[a + 5] - h[b + 5]
  if (dLambda < 0) dLambda = -dLambda
  if (dLambda > Math.PI) {
    out[0] = Number.POSITIVE_INFINITY
    out[1] = Number.POSITIVE_INFINITY
    return
  }
  if (manhattan) {
    const cm = h[a + 2] * h[b + 2] - h[a + 1] * h[b + 1]
    const eastWest = EARTH_RADIUS_METERS * cm * dLambda
    out[0] = EARTH_RADIUS_METERS * (dPhi < 0 ? -dPhi : dPhi) + eastWest
    out[1] = (eastWest * dLambda * dLambda) / 12
  } else {
    const distance = EARTH_RADIUS_METERS * Math.sqrt(dPhi * dPhi + h[a + 6] * h[b + 6] * dLambda * dLambda)
    out[0] = distance
    out[1] = (distance * (dPhi * dPhi + dLambda * dLambda)) / 6
  }
}

/**
 * Distance of points u and v of `h` (HALF values each, see {@link halfAngles}): sines of half differences
 * and cosines of latitudes from the per-point half-angle values (angle-difference identities), so a pair
 * costs one `asin` (and a square root for haversine). Manhattan: the north–south leg R·|Δφ| plus the
 * east–west great-circle leg at the mean latitude, 2R·asin(|cos φm · sin(Δλ/2)|).
 */
export function latLonDistance(
  hu: Float64Array,
  u: number,
  hv: Float64Array,
  v: number,
  manhattan: boolean,
): number {
  const a = u * HALF
  const b = v * HALF
  // sin((λv − λu)/2), from the half-longitude sines and cosines
  const sl = hv[b + 3] * hu[a + 4] - hv[b + 4] * hu[a + 3]
  if (manhattan) {
    // cos((φu + φv)/2)
    const cm = hu[a + 2] * hv[b + 2] - hu[a + 1] * hv[b + 1]
    const northSouth = EARTH_RADIUS_METERS * Math.abs(hu[a] - hv[b])
    return northSouth + 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.abs(cm * sl)))
  }
  // sin((φv − φu)/2), and cos φ = cos²(φ/2) − sin²(φ/2)
  const sp = hv[b + 1] * hu[a + 2] - hv[b + 2] * hu[a + 1]
  const cu = hu[a + 2] * hu[a + 2] - hu[a + 1] * hu[a + 1]
  const cv = hv[b + 2] * hv[b + 2] - hv[b + 1] * hv[b + 1]
  const h = sp * sp + cu * cv * sl * sl
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(Math.min(1, h)))
}

/**
 * Every pair of `points` (all located, one location system) at most `reach` metres apart under `metric`,
 * each once, with the code `classify(distance)` gives it (pairs coded {@link DROP_PAIR} are not kept).
 * `classify` may instead be {@link DistanceBands}: the code is then the band, computed in the loop, and
 * pairs beyond the last bound are not kept. With `breaks` (the distances where `classify` changes its
 * answer; the bands' own bounds for {@link DistanceBands}), lat/lon pairs far from every break
 * and from `reach` are classified by a small-angle distance whose error bound keeps them on the same
 * side of each; the exact distance is computed only near one.
 * Cells of a grid half the `reach` wide: planar x/y, or lat/lon projected equirectangularly at the largest
 * |latitude| of the data, where a degree of longitude is shortest, so projected distances never exceed
 * true ones: two points within reach lie at most two cells apart, and a projected distance beyond reach
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
  classify: ((distanceMeters: number) => number) | DistanceBands,
  breaks: readonly number[] = [],
): NearPairs {
  const n = points.length
  const bands = typeof classify === 'function' ? null : classify
  // where the code can change: the exact distance is needed only for a pair near one of them
  const edges = Float64Array.from(
    bands === null
      ? [...breaks, reach]
      : [...(bands.sameLocation ? [SAME_LOCATION] : []), ...bands.upper, reach],
  )

  const px = new Float64Array(n)
  const py = new Float64Array(n)
  const lat = new Float64Array(n)
  const lon = new Float64Array(n)
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
  // cells half the reach wide, neighbours two cells around: a quarter less area searched than cells the
  // reach wide with neighbours one around (6.25 r² against 9 r²)
  const cell = (reach + slack) / SPLIT
  const cx = new Float64Array(n)
  const cy = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    cx[i] = Math.floor(px[i] / cell)
    cy[i] = Math.floor(py[i] / cell)
  }
  const order = gridOrder(cx, cy)
  // grid-ordered copies: the pair loops read them in sequence
  const gx = Float64Array.from(order, (i) => px[i])
  const gy = Float64Array.from(order, (i) => py[i])
  const gh = new Float64Array(planar ? 0 : n * HALF)
  if (!planar) {
    for (let g = 0; g < n; g++) {
      const point = points[order[g]]
      writeHalfAngles(point.lat as number, point.lon as number, gh, g * HALF)
    }
  }
  // cell runs of the grid order
  const runStart: number[] = []
  const runs = new Map<number | string, number>()
  for (let s = 0; s < n; ) {
    let e = s + 1
    while (e < n && cx[order[e]] === cx[order[s]] && cy[order[e]] === cy[order[s]]) e++
    runs.set(cellKey(cx[order[s]], cy[order[s]]), runStart.length)
    runStart.push(s)
    s = e
  }
  runStart.push(n)
  const scan = new Scan(
    gx,
    gy,
    gh,
    planar,
    metric === 'manhattan',
    reach,
    edges,
    bands === null ? (classify as (distanceMeters: number) => number) : null,
    bands,
    1024,
  )
  let count = 0
  const start = new Uint32Array(n + 1)
  // a first pass counts the pairs within the projected bound (at least every pair kept), so the output is
  // allocated once: doubling it as it fills cost more than this pass (copies of hundreds of MB, and the
  // collections they set off; measured at 1M generated incidents, 138M pairs)
  let counting = true
  let bounded = 0
  // point u against the points at grid positions from .. to (a run of one cell)
  const visit = (u: number, from: number, to: number) => {
    if (counting) bounded += countRun(scan, u, from, to)
    else count = scanRun(scan, u, from, to, count)
  }
  // each cell with itself and the FORWARD cells after it in grid order (the others see it from their side)
  const neighbour = new Int32Array(FORWARD.length)
  for (const pass of [0, 1]) {
    counting = pass === 0
    if (!counting) scan.reserve(bounded)
    for (let r = 0; r + 1 < runStart.length; r++) {
      const s = runStart[r]
      const e = runStart[r + 1]
      const x = cx[order[s]]
      const y = cy[order[s]]
      for (let k = 0; k < FORWARD.length; k += 2) {
        neighbour[k >> 1] = runs.get(cellKey(x + FORWARD[k], y + FORWARD[k + 1])) ?? -1
      }
      for (let u = s; u < e; u++) {
        start[u] = count
        visit(u, u + 1, e)
        for (let k = 0; k < FORWARD.length >> 1; k++) {
          const other = neighbour[k]
          if (other >= 0) visit(u, runStart[other], runStart[other + 1])
        }
      }
    }
  }
  start[n] = count
  return { order, start, partner: scan.partner.subarray(0, count), code: scan.code.subarray(0, count), count }
}

/** A cell's key: a number while the cell indices fit (every realistic grid), else text. */
function cellKey(x: number, y: number): number | string {
  return Math.abs(x) < 33_554_432 && Math.abs(y) < 33_554_432
    ? (x + 33_554_432) * 67_108_864 + (y + 33_554_432)
    : `${x},${y}`
}

/** What the pair loop reads, in one object of fixed shape (fields, not closure slots, in the hot loop). */
class Scan {
  partner: Uint32Array
  code: Uint8Array
  readonly approximation = new Float64Array(2)
  readonly bound: number
  readonly upper: Float64Array
  readonly rightClosed: boolean
  readonly sameLocation: boolean
  constructor(
    readonly gx: Float64Array,
    readonly gy: Float64Array,
    readonly gh: Float64Array,
    readonly planar: boolean,
    readonly manhattan: boolean,
    readonly reach: number,
    readonly edges: Float64Array,
    readonly classify: ((distanceMeters: number) => number) | null,
    bands: DistanceBands | null,
    capacity: number,
  ) {
    this.partner = new Uint32Array(capacity)
    this.code = new Uint8Array(capacity)
    this.upper = Float64Array.from(bands?.upper ?? [])
    this.rightClosed = bands?.closed !== 'left'
    this.sameLocation = bands?.sameLocation === true
    // a projected bound a little wider than the reach: rounding never loses a pair
    this.bound = reach + reach * 1e-6 + 1e-6
  }

  /** Room for `needed` pairs, doubling. */
  reserve(needed: number): void {
    if (needed <= this.partner.length) return
    if (needed > 0xffffffff)
      throw new RangeError('caselink: nearRepeat: more than 4,294,967,295 pairs within reach')
    const capacity = Math.min(0xffffffff, Math.max(needed, this.partner.length * 2))
    const partner = new Uint32Array(capacity)
    partner.set(this.partner)
    this.partner = partner
    const code = new Uint8Array(capacity)
    code.set(this.code)
    this.code = code
  }
}

/** Point u against grid positions from .. to: how many are within the projected bound. */
function countRun(scan: Scan, u: number, from: number, to: number): number {
  const { gx, gy, manhattan, bound } = scan
  const boundSquared = bound * bound
  const xu = gx[u]
  const yu = gy[u]
  let within = 0
  for (let v = from; v < to; v++) {
    const dx = xu - gx[v]
    const dy = yu - gy[v]
    if (manhattan ? (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy) <= bound : dx * dx + dy * dy <= boundSquared)
      within++
  }
  return within
}

/** Point u against grid positions from .. to: the pairs within reach appended from `count`; the new count. */
function scanRun(scan: Scan, u: number, from: number, to: number, count: number): number {
  const { gx, gy, gh, planar, manhattan, reach, bound, edges, classify, partner, code, approximation } = scan
  const { upper, rightClosed, sameLocation } = scan
  const offset = sameLocation ? 1 : 0
  const boundSquared = bound * bound
  const xu = gx[u]
  const yu = gy[u]
  for (let v = from; v < to; v++) {
    const dx = xu - gx[v]
    const dy = yu - gy[v]
    // projected distances never exceed true ones: beyond the bound, the pair is out
    if (manhattan ? (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy) > bound : dx * dx + dy * dy > boundSquared)
      continue
    let d: number
    if (planar) d = manhattan ? (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy) : Math.sqrt(dx * dx + dy * dy)
    else {
      approximateDistance(gh, u, v, manhattan, approximation)
      d = approximation[0]
      const margin = approximation[1] + d * 1e-12 + ROUNDING_METERS
      for (let k = 0; k < edges.length; k++) {
        const gap = d - edges[k]
        if ((gap < 0 ? -gap : gap) <= margin) {
          d = latLonDistance(gh, u, gh, v, manhattan)
          break
        }
      }
    }
    if (d > reach) continue
    let c: number
    if (classify !== null) {
      c = classify(d)
      if (c === DROP_PAIR) continue
    } else {
      // the band: same location, else the first upper bound that holds d (closed as asked)
      c = -1
      if (sameLocation && d <= SAME_LOCATION) c = 0
      else if (rightClosed) {
        for (let k = 0; k < upper.length; k++) {
          if (d <= upper[k]) {
            c = offset + k
            break
          }
        }
      } else {
        for (let k = 0; k < upper.length; k++) {
          if (d < upper[k]) {
            c = offset + k
            break
          }
        }
      }
      if (c < 0) continue
    }
    partner[count] = v
    code[count] = c
    count++
  }
  return count
}

/**
 * Indices sorted by cell (row, then column, then index): each (cell, index) packed into one float64 and
 * sorted natively, which is several times faster than a comparator; a comparator when the grid is too
 * large to pack.
 */
function gridOrder(cx: Float64Array, cy: Float64Array): Uint32Array {
  const n = cx.length
  let minX = Number.POSITIVE_INFINITY
  let minY = Number.POSITIVE_INFINITY
  let maxX = Number.NEGATIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  for (let i = 0; i < n; i++) {
    if (cx[i] < minX) minX = cx[i]
    if (cx[i] > maxX) maxX = cx[i]
    if (cy[i] < minY) minY = cy[i]
    if (cy[i] > maxY) maxY = cy[i]
  }
  const width = maxX - minX + 1
  const cells = width * (maxY - minY + 1)
  if (n === 0 || !(cells * n < 2 ** 53)) {
    return Uint32Array.from({ length: n }, (_, i) => i).sort(
      (i, j) => cy[i] - cy[j] || cx[i] - cx[j] || i - j,
    )
  }
  const keys = new Float64Array(n)
  for (let i = 0; i < n; i++) keys[i] = ((cy[i] - minY) * width + (cx[i] - minX)) * n + i
  keys.sort()
  const order = new Uint32Array(n)
  for (let k = 0; k < n; k++) order[k] = keys[k] % n
  return order
}
