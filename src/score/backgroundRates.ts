import { sortByKey } from '../blocking/pairBuffer'
import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { CountTable, PackedCountTable } from '../util/countTable'
import { allocateLongLived } from '../util/longLived'

/** The neighbourhood whose chance occupancy {@link backgroundRates} estimates. */
export interface BackgroundOptions {
  /** Radius of the neighbourhood, metres (haversine for lat/lon rows, Euclid for planar rows). Default 1500. */
  maxDistanceMeters?: number
  /** Half-width of the neighbourhood in time, days (window gap, as blocking measures it). Default 21. */
  maxGapDays?: number
}

/**
 * Defaults of {@link BackgroundOptions}: the space-time horizon of blocking's defaults, so that the
 * background is counted over the neighbourhood in which candidate pairs are found.
 *
 * @example
 * backgroundRates(table, { ...BACKGROUND_DEFAULTS, maxGapDays: 30 })
 */
export const BACKGROUND_DEFAULTS = { maxDistanceMeters: 1500, maxGapDays: 21 } as const

/** What {@link backgroundRates} returns. */
export interface BackgroundRates {
  readonly maxDistanceMeters: number
  readonly maxGapDays: number
  /**
   * Per row of the table: the expected number of other incidents of the row's category (rows without
   * a category: of the rows without one) within `maxDistanceMeters` and `maxGapDays` of it by chance;
   * NaN for rows without location.
   */
  readonly expected: Float64Array
  /** Geometric mean of `expected` over the located rows (1 when none). */
  readonly geometricMean: number
  /**
   * The expected counts of another table's rows against this background: an incident that is also in
   * this table (same id) gets its value here; any other is placed by its location, time and category.
   */
  expectedFor(other: CaseTable): Float64Array
}

const DAY_MS = 86_400_000
const DEG = Math.PI / 180
/** π R² over the 2 × 2 cells of side R that are counted around a row. */
const AREA_SHARE = Math.PI / 4
/** A window of ± T against the 2 buckets of width T that are counted around a row. */
const TIME_SHARE = 1
/** Least expected count (a row alone in its category and place): keeps log2 finite. */
const MIN_EXPECTED = 1e-3

/**
 * Estimates, for every row of a case table, how many incidents of the same category would be expected
 * within its space-time neighbourhood (radius `maxDistanceMeters`, ± `maxGapDays`) by chance: the
 * background rate against which closeness is weighed. Two incidents 300 m and a day apart mean little
 * where dozens of unrelated incidents of their kind happen every week, and much where none do.
 *
 * Estimator (separable space-time null, as the Knox test's): with S the row's category count over the
 * whole span in the 2 × 2 grid cells of side R whose centres are nearest to it (a 2R × 2R box about it),
 * W the same count restricted to the 2 time buckets of width T nearest to it (a 2T window: its own
 * space-time neighbourhood, which holds any burst of its offender's), Tn the category's count in those
 * buckets anywhere and N the category's total (the row itself left out of all four),
 *
 *   expected = (π/4) · N · (S − W) / (N − Tn) · (Tn − W) / (N − S)
 *
 * i.e. N times the place's share of the category measured outside the row's weeks, times the weeks' share
 * measured outside the place. Measuring each share away from the row's own neighbourhood keeps a prolific
 * offender's burst there from making either look busy. When no rows lie outside the weeks (or the place),
 * the share is measured over all rows instead. Rows without location get NaN. Locations in the two
 * systems (lat/lon and planar x/y) are counted apart. Runs in O(rows) with 14 hash look-ups a row.
 *
 * @example
 * const rates = backgroundRates(table, { maxDistanceMeters: 1500, maxGapDays: 21 })
 * rates.expected[0] // e.g. 3.2 incidents of row 0's category expected near it by chance
 */
export function backgroundRates(table: CaseTable, options: BackgroundOptions = {}): BackgroundRates {
  const maxDistanceMeters = options.maxDistanceMeters ?? BACKGROUND_DEFAULTS.maxDistanceMeters
  const maxGapDays = options.maxGapDays ?? BACKGROUND_DEFAULTS.maxGapDays
  if (!(maxDistanceMeters > 0) || !Number.isFinite(maxDistanceMeters)) {
    throw new RangeError(
      `caselink: background maxDistanceMeters must be a positive finite number, got ${maxDistanceMeters}`,
    )
  }
  if (!(maxGapDays > 0) || !Number.isFinite(maxGapDays)) {
    throw new RangeError(
      `caselink: background maxGapDays must be a positive finite number, got ${maxGapDays}`,
    )
  }
  const grid = new BackgroundGrid(table, maxDistanceMeters, maxGapDays * DAY_MS)
  const n = table.size
  const expected = allocateLongLived(Float64Array, n)
  // a row's count depends only on its slot, its box's cells and its buckets (its anchor): rows are visited
  // in anchor order and each anchor is computed once (and the tables are read in order)
  const keys = allocateLongLived(Float64Array, n)
  let packed = true
  for (let i = 0; i < n; i++) {
    if (table.hasLocation[i] === 0) continue
    const key = grid.anchorKey(
      slotOf(table.category[i], table.hasLatLon[i]),
      table.x[i],
      table.y[i],
      midpoint(table, i),
    )
    if (key < 0) packed = false
    keys[i] = key
  }
  const order = packed ? sortByKey(keys) : Uint32Array.from({ length: n }, (_, i) => i)
  let logSum = 0
  let located = 0
  let lastKey = -1
  let last = 0
  for (let k = 0; k < n; k++) {
    const i = order[k]
    if (table.hasLocation[i] === 0) {
      expected[i] = Number.NaN
      continue
    }
    const e =
      packed && keys[i] === lastKey
        ? last
        : grid.expected(
            slotOf(table.category[i], table.hasLatLon[i]),
            table.x[i],
            table.y[i],
            midpoint(table, i),
            true,
          )
    lastKey = keys[i]
    last = e
    expected[i] = e
    logSum += Math.log2(e)
    located++
  }
  const geometricMean = located === 0 ? 1 : 2 ** (logSum / located)
  let rowOfId: Map<string, number> | null = null
  return {
    maxDistanceMeters,
    maxGapDays,
    expected,
    geometricMean,
    expectedFor(other: CaseTable): Float64Array {
      if (other === table) return expected
      rowOfId ??= new Map(table.ids.map((id, row) => [id, row]))
      const categoryOf = new Map(table.categoryValues.map((name, id) => [name, id]))
      const cosOrigin = Math.cos(table.originLat * DEG)
      const out = new Float64Array(other.size)
      for (let i = 0; i < other.size; i++) {
        const row = rowOfId.get(other.ids[i])
        if (row !== undefined) {
          out[i] = expected[row]
          continue
        }
        if (other.hasLocation[i] === 0) {
          out[i] = Number.NaN
          continue
        }
        const name = other.category[i] < 0 ? undefined : other.categoryValues[other.category[i]]
        // a category this table never saw has no rows here: the slot is empty
        const category = name === undefined ? -1 : (categoryOf.get(name) ?? table.categoryValues.length)
        let x = other.x[i]
        let y = other.y[i]
        if (other.hasLatLon[i] === 1) {
          x = EARTH_RADIUS_METERS * (other.lon[i] - table.originLon) * DEG * cosOrigin
          y = EARTH_RADIUS_METERS * (other.lat[i] - table.originLat) * DEG
        }
        out[i] = grid.expected(slotOf(category, other.hasLatLon[i]), x, y, midpoint(other, i), false)
      }
      return out
    },
  }
}

/** Count slot of a row: its category (−1 = none) and location system. */
function slotOf(category: number, latLon: number): number {
  return (category + 1) * 2 + (latLon === 1 ? 0 : 1)
}

function midpoint(table: CaseTable, i: number): number {
  return (table.timeFrom[i] + table.timeTo[i]) * 0.5
}

/** Counts of located rows by (slot, cell), (slot, cell, bucket), (slot, bucket) and slot. */
interface GridCounts {
  space(slot: number, gx: number, gy: number): number
  spaceTime(slot: number, gx: number, gy: number, b: number): number
  time(slot: number, b: number): number
  total(slot: number): number
  /** A key packing (slot, box corner, first bucket) exactly, or −1. */
  anchorKey(slot: number, gx: number, gy: number, b: number): number
}

/** Grid counts of a table's located rows: by (slot, cell), (slot, cell, bucket) and (slot, bucket). */
class BackgroundGrid {
  private readonly counts: GridCounts

  constructor(
    table: CaseTable,
    private readonly cellMeters: number,
    private readonly bucketMs: number,
  ) {
    this.counts = gridCounts(table, cellMeters, bucketMs)
  }

  /**
   * An integer key of what a point's count depends on (its slot, box and buckets), or −1 when the grid's
   * ranges do not pack into one (then every point is computed on its own).
   */
  anchorKey(slot: number, x: number, y: number, time: number): number {
    return this.counts.anchorKey(
      slot,
      Math.floor(x / this.cellMeters - 0.5),
      Math.floor(y / this.cellMeters - 0.5),
      Math.floor(time / this.bucketMs - 0.5),
    )
  }

  /** Expected count near a point of `slot`; `self`: the point is a counted row (left out). */
  expected(slot: number, x: number, y: number, time: number, self: boolean): number {
    return expectedNear(this.counts, this.cellMeters, this.bucketMs, slot, x, y, time, self)
  }
}

/**
 * The estimator of {@link backgroundRates} at a point of `slot`, from grid counts with cells of
 * `cellMeters` and buckets of `bucketMs`; `self`: the point is one of the counted rows (left out).
 */
function expectedNear(
  c: GridCounts,
  cellMeters: number,
  bucketMs: number,
  slot: number,
  x: number,
  y: number,
  time: number,
  self: boolean,
): number {
  // the 2 × 2 cells and the 2 buckets whose centres are nearest: a box of 2R × 2R × 2T about the point
  const gx = Math.floor(x / cellMeters - 0.5)
  const gy = Math.floor(y / cellMeters - 0.5)
  const b = Math.floor(time / bucketMs - 0.5)
  let s = 0
  let w = 0
  for (let dx = 0; dx <= 1; dx++) {
    for (let dy = 0; dy <= 1; dy++) {
      s += c.space(slot, gx + dx, gy + dy)
      w += c.spaceTime(slot, gx + dx, gy + dy, b) + c.spaceTime(slot, gx + dx, gy + dy, b + 1)
    }
  }
  let inWindow = c.time(slot, b) + c.time(slot, b + 1)
  let total = c.total(slot)
  if (self) {
    s--
    w--
    inWindow--
    total--
  }
  // the place's share from outside the row's weeks, the weeks' share from outside the place
  const placeShare = total - inWindow > 0 ? (s - w) / (total - inWindow) : total > 0 ? s / total : 0
  const weeksShare = total - s > 0 ? (inWindow - w) / (total - s) : total > 0 ? inWindow / total : 0
  const e = total * placeShare * weeksShare
  return Math.max(MIN_EXPECTED, AREA_SHARE * TIME_SHARE * e)
}

/**
 * Background counts that grow row by row (the online index's): the same estimator as
 * {@link backgroundRates} over the rows added so far, so a row's expected count here equals
 * `backgroundRates` over a table of the same rows.
 *
 * @example
 * const counts = new GrowingBackground({ maxDistanceMeters: 1500, maxGapDays: 21 })
 * counts.add(category, 1, x, y, time)
 * counts.expected(category, 1, x, y, time, true)
 */
export class GrowingBackground {
  private readonly space = new CountTable(1024)
  private readonly spaceTime = new CountTable(1024)
  private readonly time = new CountTable(1024)
  private totals = new Float64Array(16)
  private readonly counts: GridCounts
  private readonly cellMeters: number
  private readonly bucketMs: number

  constructor(options: { maxDistanceMeters: number; maxGapDays: number }) {
    this.cellMeters = options.maxDistanceMeters
    this.bucketMs = options.maxGapDays * DAY_MS
    this.counts = {
      space: (slot, gx, gy) => this.space.get(slot, gx, gy, 0),
      spaceTime: (slot, gx, gy, b) => this.spaceTime.get(slot, gx, gy, b),
      time: (slot, b) => this.time.get(slot, b, 0, 0),
      total: (slot) => (slot < this.totals.length ? this.totals[slot] : 0),
      anchorKey: () => -1,
    }
  }

  /** Counts a located row: its category (−1 none), location system, planar / projected x, y and time. */
  add(category: number, latLon: number, x: number, y: number, time: number): void {
    const slot = slotOf(category, latLon)
    const gx = Math.floor(x / this.cellMeters)
    const gy = Math.floor(y / this.cellMeters)
    const b = Math.floor(time / this.bucketMs)
    this.space.add(slot, gx, gy, 0, 1)
    this.spaceTime.add(slot, gx, gy, b, 1)
    this.time.add(slot, b, 0, 0, 1)
    if (slot >= this.totals.length) {
      const grown = new Float64Array(Math.max(slot + 1, this.totals.length * 2))
      grown.set(this.totals)
      this.totals = grown
    }
    this.totals[slot]++
  }

  /** Expected same-category count near a point (see {@link backgroundRates}); `self`: the point was added. */
  expected(category: number, latLon: number, x: number, y: number, time: number, self: boolean): number {
    return expectedNear(
      this.counts,
      this.cellMeters,
      this.bucketMs,
      slotOf(category, latLon),
      x,
      y,
      time,
      self,
    )
  }
}

/**
 * The grid counts of a table's located rows. Cells, buckets and slots are packed into one integer key
 * below 2^53 when their ranges allow (the usual case: a fast single-key table), else kept as four
 * integers.
 */
function gridCounts(table: CaseTable, cellMeters: number, bucketMs: number): GridCounts {
  const n = table.size
  let slots = 1
  let gxMin = Number.POSITIVE_INFINITY
  let gxMax = Number.NEGATIVE_INFINITY
  let gyMin = Number.POSITIVE_INFINITY
  let gyMax = Number.NEGATIVE_INFINITY
  let bMin = Number.POSITIVE_INFINITY
  let bMax = Number.NEGATIVE_INFINITY
  // large temporaries in shared memory: ordinary ArrayBuffers count as V8 external memory, and every 64 MB
  // of them starts a full collection of the heap (which holds the incidents)
  const gxOf = allocateLongLived(Int32Array, n)
  const gyOf = allocateLongLived(Int32Array, n)
  const bOf = allocateLongLived(Float64Array, n)
  for (let i = 0; i < n; i++) {
    if (table.hasLocation[i] === 0) continue
    const slot = slotOf(table.category[i], table.hasLatLon[i])
    if (slot + 1 > slots) slots = slot + 1
    const gx = Math.floor(table.x[i] / cellMeters)
    const gy = Math.floor(table.y[i] / cellMeters)
    const b = Math.floor(midpoint(table, i) / bucketMs)
    gxOf[i] = gx
    gyOf[i] = gy
    bOf[i] = b
    if (gx < gxMin) gxMin = gx
    if (gx > gxMax) gxMax = gx
    if (gy < gyMin) gyMin = gy
    if (gy > gyMax) gyMax = gy
    if (b < bMin) bMin = b
    if (b > bMax) bMax = b
  }
  if (gxMin > gxMax) return EMPTY_COUNTS
  // one cell and one bucket of margin on each side: a query's box reaches one beyond the rows
  const X = gxMax - gxMin + 3
  const Y = gyMax - gyMin + 3
  const T = bMax - bMin + 3
  const totals = new Float64Array(slots)
  if (slots * X * Y * T < 2 ** 53) {
    const space = new PackedCountTable(1024)
    const spaceTime = new PackedCountTable(1024)
    const time = new PackedCountTable(1024)
    const cellKey = (slot: number, gx: number, gy: number) => (slot * X + gx - gxMin + 1) * Y + gy - gyMin + 1
    for (let i = 0; i < n; i++) {
      if (table.hasLocation[i] === 0) continue
      const slot = slotOf(table.category[i], table.hasLatLon[i])
      const cell = cellKey(slot, gxOf[i], gyOf[i])
      const b = bOf[i] - bMin + 1
      space.add(cell, 1)
      spaceTime.add(cell * T + b, 1)
      time.add(slot * T + b, 1)
      totals[slot]++
    }
    const inGrid = (gx: number, gy: number) =>
      gx >= gxMin - 1 && gx <= gxMax + 1 && gy >= gyMin - 1 && gy <= gyMax + 1
    const inTime = (b: number) => b >= bMin - 1 && b <= bMax + 1
    return {
      space: (slot, gx, gy) => (slot < slots && inGrid(gx, gy) ? space.get(cellKey(slot, gx, gy)) : 0),
      spaceTime: (slot, gx, gy, b) =>
        slot < slots && inGrid(gx, gy) && inTime(b)
          ? spaceTime.get(cellKey(slot, gx, gy) * T + b - bMin + 1)
          : 0,
      time: (slot, b) => (slot < slots && inTime(b) ? time.get(slot * T + b - bMin + 1) : 0),
      total: (slot) => (slot < slots ? totals[slot] : 0),
      anchorKey: (slot, gx, gy, b) => cellKey(slot, gx, gy) * T + b - bMin + 1,
    }
  }
  const space = new CountTable(1024)
  const spaceTime = new CountTable(1024)
  const time = new CountTable(1024)
  for (let i = 0; i < n; i++) {
    if (table.hasLocation[i] === 0) continue
    const slot = slotOf(table.category[i], table.hasLatLon[i])
    space.add(slot, gxOf[i], gyOf[i], 0, 1)
    spaceTime.add(slot, gxOf[i], gyOf[i], bOf[i], 1)
    time.add(slot, bOf[i], 0, 0, 1)
    totals[slot]++
  }
  return {
    space: (slot, gx, gy) => space.get(slot, gx, gy, 0),
    spaceTime: (slot, gx, gy, b) => spaceTime.get(slot, gx, gy, b),
    time: (slot, b) => time.get(slot, b, 0, 0),
    total: (slot) => (slot < slots ? totals[slot] : 0),
    anchorKey: () => -1,
  }
}

const EMPTY_COUNTS: GridCounts = {
  space: () => 0,
  spaceTime: () => 0,
  time: () => 0,
  total: () => 0,
  anchorKey: () => -1,
}
