import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { CountTable } from '../util/countTable'

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
  const expected = new Float64Array(n)
  let logSum = 0
  let located = 0
  for (let i = 0; i < n; i++) {
    if (table.hasLocation[i] === 0) {
      expected[i] = Number.NaN
      continue
    }
    const e = grid.expected(
      slotOf(table.category[i], table.hasLatLon[i]),
      table.x[i],
      table.y[i],
      midpoint(table, i),
      true,
    )
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

/** Grid counts of a table's located rows: by (slot, cell), (slot, cell, bucket) and (slot, bucket). */
class BackgroundGrid {
  private readonly space: CountTable
  private readonly spaceTime: CountTable
  private readonly time: CountTable
  private readonly total: CountTable

  constructor(
    table: CaseTable,
    private readonly cellMeters: number,
    private readonly bucketMs: number,
  ) {
    const n = table.size
    this.space = new CountTable(n)
    this.spaceTime = new CountTable(n)
    this.time = new CountTable(1024)
    this.total = new CountTable(64)
    for (let i = 0; i < n; i++) {
      if (table.hasLocation[i] === 0) continue
      const slot = slotOf(table.category[i], table.hasLatLon[i])
      const gx = Math.floor(table.x[i] / cellMeters)
      const gy = Math.floor(table.y[i] / cellMeters)
      const b = Math.floor(midpoint(table, i) / bucketMs)
      this.space.add(slot, gx, gy, 0, 1)
      this.spaceTime.add(slot, gx, gy, b, 1)
      this.time.add(slot, b, 0, 0, 1)
      this.total.add(slot, 0, 0, 0, 1)
    }
  }

  /** Expected count near a point of `slot`; `self`: the point is a counted row (left out). */
  expected(slot: number, x: number, y: number, time: number, self: boolean): number {
    // the 2 × 2 cells and the 2 buckets whose centres are nearest: a box of 2R × 2R × 2T about the point
    const gx = Math.floor(x / this.cellMeters - 0.5)
    const gy = Math.floor(y / this.cellMeters - 0.5)
    const b = Math.floor(time / this.bucketMs - 0.5)
    let s = 0
    let w = 0
    for (let dx = 0; dx <= 1; dx++) {
      for (let dy = 0; dy <= 1; dy++) {
        s += this.space.get(slot, gx + dx, gy + dy, 0)
        w += this.spaceTime.get(slot, gx + dx, gy + dy, b) + this.spaceTime.get(slot, gx + dx, gy + dy, b + 1)
      }
    }
    let inWindow = this.time.get(slot, b, 0, 0) + this.time.get(slot, b + 1, 0, 0)
    let total = this.total.get(slot, 0, 0, 0)
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
}
