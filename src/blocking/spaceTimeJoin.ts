import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import { RULE_MISSING_LOCATION, RULE_SPACE_TIME } from './blockingOptions'
import { type Horizon, LOC_LATLON, LOC_NONE, LOC_PLANAR } from './horizon'
import { type PairSink, sortByKey } from './pairBuffer'

// local copies: imported bindings can be property reads in hot loops under some loaders
const SPACE_TIME: number = RULE_SPACE_TIME
const MISSING_LOCATION: number = RULE_MISSING_LOCATION
const NONE: number = LOC_NONE
const LATLON: number = LOC_LATLON
const PLANAR: number = LOC_PLANAR

const HOUR_MS = 3_600_000
/** Keys pack group, cell row, cell column and time bucket into one integer below 2^52. */
const MAX_KEY = 2 ** 52
const MAX_AXIS_CELLS = 1 << 18

/** One block of the grid: rows of one category group in one space cell and one time bucket. */
export interface GridBlock {
  /** 'latlon' or 'planar'. */
  system: 'latlon' | 'planar'
  /** Category group (-1: rows paired with every group). */
  group: number
  /** Cell centre in the system's metres (projected for lat/lon). */
  centerX: number
  centerY: number
  /** Time bucket start and end, epoch ms. */
  timeFrom: number
  timeTo: number
  /** Rows inserted into the block (a long window is inserted into each bucket it meets). */
  rows: number
  /** Row pairs this block examines with itself and its neighbours (before the exact test). */
  checks: number
}

/** Counts gathered while joining (analyzeBlocking). */
export interface JoinStats {
  /** Row pairs examined by the exact test. */
  checks: number
  /** Blocks with the most checks, largest first (at most `topBlocks`). */
  blocks: GridBlock[]
  /** Number of non-empty blocks. */
  blockCount: number
  /** Row insertions (rows × buckets met). */
  insertions: number
}

/**
 * Emits every pair within the space-time horizon (rule spaceTime) and, with allowMissingLocation,
 * every pair of unknown distance within the time gap (rule missingLocation). Exact: a grid of space
 * cells × time buckets where each row is inserted into every bucket its widened window
 * [2·from − gap, 2·to + gap] meets, blocks are joined with their 8 neighbour cells in the same bucket,
 * and a pair is tested (and emitted) only in the first bucket both rows are in. O(rows + buckets met
 * + pairs examined).
 */
export function joinSpaceTime(h: Horizon, sink: PairSink, stats: JoinStats | null, topBlocks = 10): void {
  const counts = [0, 0, 0]
  for (let i = 0; i < h.n; i++) counts[h.loc[i]]++
  const timeBase = minOf(h.start2)
  if (counts[LATLON] > 1) joinSystem(h, LATLON, sink, stats, timeBase, topBlocks)
  if (counts[PLANAR] > 1) joinSystem(h, PLANAR, sink, stats, timeBase, topBlocks)
  const incomparable = counts[NONE] > 0 || (counts[LATLON] > 0 && counts[PLANAR] > 0)
  if (h.options.allowMissingLocation && incomparable) joinMissing(h, sink, stats, timeBase)
}

function minOf(values: Float64Array): number {
  let m = Number.POSITIVE_INFINITY
  for (let k = 0; k < values.length; k++) if (values[k] < m) m = values[k]
  return m
}

/**
 * Cell sizes that no pair within the horizon can exceed. y = R·Δlat·π/180 and a great-circle
 * distance d ≥ R·|Δφ|, so |Δy| ≤ d. For x = R·cos φ₀·Δλ: hav(d/R) ≥ cos φ₁ cos φ₂ sin²(Δλ/2), so
 * sin(|Δλ|/2) ≤ sin(d/2R) / cos φ_max where φ_max is the largest |latitude| of the rows. A relative
 * and absolute margin absorbs rounding. Planar rows: Euclid, |Δx|, |Δy| ≤ d.
 */
function cellSizes(h: Horizon, system: number): { cellX: number; cellY: number } {
  const D = h.options.maxDistanceMeters
  const margin = (v: number) => v * (1 + 1e-9) + 1e-6
  if (system === PLANAR) return { cellX: margin(D), cellY: margin(D) }
  let minCos = 1
  for (let i = 0; i < h.n; i++) {
    if (h.loc[i] !== LATLON) continue
    const c = Math.sqrt(h.ux[i] * h.ux[i] + h.uy[i] * h.uy[i])
    if (c < minCos) minCos = c
  }
  const half = Math.min(D / (2 * EARTH_RADIUS_METERS), Math.PI / 2)
  const ratio = Math.sin(half) / (minCos * (1 - 1e-12))
  const cellX =
    ratio >= 1 || minCos === 0
      ? Number.POSITIVE_INFINITY
      : margin(EARTH_RADIUS_METERS * h.cosOrigin * 2 * Math.asin(ratio))
  return { cellX, cellY: margin(D) }
}

function joinSystem(
  h: Horizon,
  system: number,
  sink: PairSink,
  stats: JoinStats | null,
  timeBase: number,
  topBlocks: number,
): void {
  const { loc, x, y, start2, end2, group } = h
  const n = h.n
  let { cellX, cellY } = cellSizes(h, system)
  let minX = Number.POSITIVE_INFINITY
  let maxX = Number.NEGATIVE_INFINITY
  let minY = Number.POSITIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  let maxEnd = Number.NEGATIVE_INFINITY
  for (let i = 0; i < n; i++) {
    if (loc[i] !== system) continue
    if (x[i] < minX) minX = x[i]
    if (x[i] > maxX) maxX = x[i]
    if (y[i] < minY) minY = y[i]
    if (y[i] > maxY) maxY = y[i]
    if (end2[i] > maxEnd) maxEnd = end2[i]
  }
  // cells may always be larger than the bound (still exact): keep the axes within MAX_AXIS_CELLS
  cellX = Math.max(cellX, (maxX - minX) / (MAX_AXIS_CELLS - 2))
  cellY = Math.max(cellY, (maxY - minY) / (MAX_AXIS_CELLS - 2))
  let nx = Number.isFinite(cellX) ? Math.floor((maxX - minX) / cellX) + 1 : 1
  let ny = Math.floor((maxY - minY) / cellY) + 1
  let bucket2 = Math.max(2 * h.options.maxGapMs, 2 * HOUR_MS)
  bucket2 = Math.ceil(Math.max(bucket2, (maxEnd - timeBase) / (MAX_AXIS_CELLS - 2)))
  let nb = Math.floor((maxEnd - timeBase) / bucket2) + 1
  const ng = h.groupCount + 1
  // keys must stay below 2^52: coarser buckets, then coarser cells (both keep the join exact)
  while (ng * ny * nx * nb >= MAX_KEY) {
    if (nb > 1) {
      bucket2 *= 2
      nb = Math.floor((maxEnd - timeBase) / bucket2) + 1
    } else {
      cellX *= 2
      cellY *= 2
      nx = Number.isFinite(cellX) ? Math.floor((maxX - minX) / cellX) + 1 : 1
      ny = Math.floor((maxY - minY) / cellY) + 1
    }
  }

  // insertions: one per (row, bucket met)
  const firstBucket = new Int32Array(n)
  let insertions = 0
  for (let i = 0; i < n; i++) {
    if (loc[i] !== system) continue
    const b0 = Math.floor((start2[i] - timeBase) / bucket2)
    const b1 = Math.floor((end2[i] - timeBase) / bucket2)
    firstBucket[i] = b0
    insertions += b1 - b0 + 1
  }
  const keys = new Float64Array(insertions)
  const owner = new Uint32Array(insertions)
  let at = 0
  // rows in order of window start: the radix sort is stable, so each block lists its rows by start
  const byStart = rowsByStart(h)
  for (let r = 0; r < n; r++) {
    const i = byStart.order[r]
    if (loc[i] !== system) continue
    const cx = Number.isFinite(cellX) ? Math.floor((x[i] - minX) / cellX) : 0
    const cy = Math.floor((y[i] - minY) / cellY)
    const cell = ((group[i] + 1) * ny + cy) * nx + cx
    const b0 = firstBucket[i]
    const b1 = Math.floor((end2[i] - timeBase) / bucket2)
    for (let b = b0; b <= b1; b++) {
      keys[at] = cell * nb + b
      owner[at] = i
      at++
    }
  }
  const order = sortByKey(keys)
  // blocks: unique keys, their row ranges in `members`
  const members = new Uint32Array(insertions)
  let blockCount = 0
  for (let k = 0; k < insertions; k++) {
    members[k] = owner[order[k]]
    if (k === 0 || keys[order[k]] !== keys[order[k - 1]]) blockCount++
  }
  const blockKey = new Float64Array(blockCount)
  const blockStart = new Uint32Array(blockCount + 1)
  let u = -1
  for (let k = 0; k < insertions; k++) {
    const key = keys[order[k]]
    if (u < 0 || key !== blockKey[u]) {
      u++
      blockKey[u] = key
      blockStart[u] = k
    }
  }
  blockStart[blockCount] = insertions

  // rows already in an earlier bucket come first in a block (smaller start): count them
  const carried = new Uint32Array(blockCount)
  for (let v = 0; v < blockCount; v++) {
    const b = blockKey[v] % nb
    let c = blockStart[v]
    while (c < blockStart[v + 1] && firstBucket[members[c]] < b) c++
    carried[v] = c
  }
  const joiner = new BlockJoiner(h, members, blockStart, carried, byStart.sorted, sink)
  const blockChecks = stats === null ? null : new Float64Array(blockCount)
  // neighbour offsets: the half neighbourhood for a group with itself, all 9 for wildcard × group
  const HALF = [
    [1, 0],
    [-1, 1],
    [0, 1],
    [1, 1],
  ]
  const FULL = [
    [-1, -1],
    [0, -1],
    [1, -1],
    [-1, 0],
    [0, 0],
    [1, 0],
    [-1, 1],
    [0, 1],
    [1, 1],
  ]
  const cellStride = nb
  const rowStride = nx * nb
  const groupStride = ny * nx * nb
  const halfPointers = new Int32Array(HALF.length)
  // -1: not yet placed (placed by binary search on first use, then advanced linearly)
  const crossPointers = new Int32Array(FULL.length * (ng - 1)).fill(-1)
  for (let v = 0; v < blockCount; v++) {
    const key = blockKey[v]
    const b = key % nb
    const cellIndex = (key - b) / nb
    const cx = cellIndex % nx
    const rest = (cellIndex - cx) / nx
    const cy = rest % ny
    const g = (rest - cy) / ny
    let checks = joiner.self(v)
    for (let o = 0; o < HALF.length; o++) {
      const dx = HALF[o][0]
      const dy = HALF[o][1]
      if (cx + dx < 0 || cx + dx >= nx || cy + dy >= ny) continue
      const target = key + dy * rowStride + dx * cellStride
      let p = halfPointers[o]
      while (p < blockCount && blockKey[p] < target) p++
      halfPointers[o] = p
      if (p < blockCount && blockKey[p] === target) checks += joiner.cross(v, p)
    }
    if (g === 0 && ng > 1) {
      // wildcard rows (no category / no group) meet every group's rows in all 9 cells
      for (let t = 1; t < ng; t++) {
        for (let o = 0; o < FULL.length; o++) {
          const dx = FULL[o][0]
          const dy = FULL[o][1]
          if (cx + dx < 0 || cx + dx >= nx || cy + dy < 0 || cy + dy >= ny) continue
          const target = key + t * groupStride + dy * rowStride + dx * cellStride
          const slot = (t - 1) * FULL.length + o
          let p = crossPointers[slot]
          if (p < 0) p = lowerBound(blockKey, blockCount, target)
          while (p < blockCount && blockKey[p] < target) p++
          crossPointers[slot] = p
          if (p < blockCount && blockKey[p] === target) checks += joiner.cross(v, p)
        }
      }
    }
    if (blockChecks !== null) blockChecks[v] = checks
  }
  if (stats !== null && blockChecks !== null) {
    stats.insertions += insertions
    stats.blockCount += blockCount
    for (let v = 0; v < blockCount; v++) stats.checks += blockChecks[v]
    const top = topIndices(blockChecks, topBlocks)
    for (const v of top) {
      const key = blockKey[v]
      const b = key % nb
      const cellIndex = (key - b) / nb
      const cx = cellIndex % nx
      const rest = (cellIndex - cx) / nx
      const cy = rest % ny
      const g = (rest - cy) / ny
      stats.blocks.push({
        system: system === LATLON ? 'latlon' : 'planar',
        group: g - 1,
        centerX: Number.isFinite(cellX) ? minX + (cx + 0.5) * cellX : (minX + maxX) / 2,
        centerY: minY + (cy + 0.5) * cellY,
        timeFrom: (timeBase + b * bucket2 + h.options.maxGapMs) / 2,
        timeTo: (timeBase + (b + 1) * bucket2 + h.options.maxGapMs) / 2,
        rows: blockStart[v + 1] - blockStart[v],
        checks: blockChecks[v],
      })
    }
  }
}

/** First index in ascending keys[0 .. count) with keys[index] >= key. */
function lowerBound(keys: Float64Array, count: number, key: number): number {
  let lo = 0
  let hi = count
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Indices of the k largest values, largest first (ties by index). */
function topIndices(values: Float64Array, k: number): number[] {
  const top: number[] = []
  for (let v = 0; v < values.length; v++) {
    if (top.length === k && values[v] <= values[top[k - 1]]) continue
    let p = top.length < k ? top.length : k - 1
    if (top.length < k) top.push(v)
    while (p > 0 && values[top[p - 1]] < values[v]) {
      top[p] = top[p - 1]
      p--
    }
    top[p] = v
  }
  return top
}

/**
 * Rows sorted by the whole part of the widened window start (2·timeFrom − gap) above the minimum:
 * buckets have whole widths, so a block's rows are in bucket order (carried-over rows first).
 * `sorted` is true when the order is exact (integer starts, as epoch milliseconds are), which lets
 * the joins stop early.
 */
function rowsByStart(h: Horizon): { order: Uint32Array; sorted: boolean } {
  const n = h.n
  const keys = new Float64Array(n)
  const base = minOf(h.start2)
  let sorted = true
  for (let i = 0; i < n; i++) {
    const k = h.start2[i] - base
    // fractional milliseconds: sorted by whole part only (bucket order still exact, no early stop)
    if (!Number.isInteger(k)) sorted = false
    keys[i] = Math.floor(k)
  }
  return { order: sortByKey(keys), sorted }
}

/**
 * Tests and emits the pairs of blocks of the same bucket. A pair is tested only in the first bucket
 * both rows are in: rows carried over from an earlier bucket (a prefix of each block, which lists rows
 * by start) are only paired with rows starting in this bucket. With rows sorted by start, the scan of
 * a partner block stops at the first row starting after the window ends.
 */
class BlockJoiner {
  constructor(
    private readonly h: Horizon,
    private readonly members: Uint32Array,
    private readonly blockStart: Uint32Array,
    private readonly carried: Uint32Array,
    private readonly sortedByStart: boolean,
    private readonly sink: PairSink,
  ) {}

  /** Pairs within block v; returns the number of pairs examined. */
  self(v: number): number {
    const { members, h, sink } = this
    const s = this.blockStart[v]
    const e = this.blockStart[v + 1]
    const c = this.carried[v]
    const { start2, end2, loc, ux, uy, uz, x, y } = h
    const maxH = h.maxHaversine
    const maxD2 = h.maxSquaredMeters
    const stop = this.sortedByStart
    let checks = 0
    for (let p = s; p < e; p++) {
      const i = members[p]
      const si = start2[i]
      const ei = end2[i]
      const latlon = loc[i] === LATLON
      const first = p < c ? c : p + 1
      for (let q = first; q < e; q++) {
        const j = members[q]
        checks++
        if (start2[j] > ei) {
          if (stop) break
          continue
        }
        if (si > end2[j]) continue
        if (latlon) {
          const dx = ux[j] - ux[i]
          const dy = uy[j] - uy[i]
          const dz = uz[j] - uz[i]
          if ((dx * dx + dy * dy + dz * dz) * 0.25 > maxH) continue
        } else {
          const dx = x[j] - x[i]
          const dy = y[j] - y[i]
          if (dx * dx + dy * dy > maxD2) continue
        }
        sink.push(i, j, SPACE_TIME)
      }
    }
    return checks
  }

  /** Pairs between blocks v and w of the same bucket; returns the number of pairs examined. */
  cross(v: number, w: number): number {
    const { members, h, sink } = this
    const s = this.blockStart[v]
    const e = this.blockStart[v + 1]
    const cv = this.carried[v]
    const s2 = this.blockStart[w]
    const e2 = this.blockStart[w + 1]
    const cw = this.carried[w]
    const { start2, end2, loc, ux, uy, uz, x, y } = h
    const maxH = h.maxHaversine
    const maxD2 = h.maxSquaredMeters
    const stop = this.sortedByStart
    let checks = 0
    for (let p = s; p < e; p++) {
      const i = members[p]
      const si = start2[i]
      const ei = end2[i]
      const latlon = loc[i] === LATLON
      const first = p < cv ? cw : s2
      for (let q = first; q < e2; q++) {
        const j = members[q]
        checks++
        if (start2[j] > ei) {
          if (stop) break
          continue
        }
        if (si > end2[j]) continue
        if (latlon) {
          const dx = ux[j] - ux[i]
          const dy = uy[j] - uy[i]
          const dz = uz[j] - uz[i]
          if ((dx * dx + dy * dy + dz * dz) * 0.25 > maxH) continue
        } else {
          const dx = x[j] - x[i]
          const dy = y[j] - y[i]
          if (dx * dx + dy * dy > maxD2) continue
        }
        sink.push(i, j, SPACE_TIME)
      }
    }
    return checks
  }
}

/**
 * allowMissingLocation: pairs of unknown distance (a row without location, or a lat/lon row with a
 * planar row) within the time gap and compatible categories. Rows of unknown distance ("sources")
 * are inserted into time buckets with every row; each source scans the rows of its buckets.
 */
function joinMissing(h: Horizon, sink: PairSink, stats: JoinStats | null, timeBase: number): void {
  const { loc, start2, end2, group } = h
  const n = h.n
  let hasLatLon = false
  for (let i = 0; i < n && !hasLatLon; i++) hasLatLon = loc[i] === LATLON
  const isSource = (i: number) => loc[i] === NONE || (hasLatLon && loc[i] === PLANAR)
  let maxEnd = Number.NEGATIVE_INFINITY
  for (let i = 0; i < n; i++) if (end2[i] > maxEnd) maxEnd = end2[i]
  const ng = h.groupCount + 1
  let bucket2 = Math.max(2 * h.options.maxGapMs, 2 * HOUR_MS)
  bucket2 = Math.max(bucket2, (maxEnd - timeBase) / (MAX_AXIS_CELLS - 2))
  let nb = Math.floor((maxEnd - timeBase) / bucket2) + 1
  // the (group, bucket) offset table stays within 2^24 entries: coarser buckets (still exact)
  while (ng * nb > 1 << 24 && nb > 1) {
    bucket2 *= 2
    nb = Math.floor((maxEnd - timeBase) / bucket2) + 1
  }
  const firstBucket = new Int32Array(n)
  let insertions = 0
  for (let i = 0; i < n; i++) {
    firstBucket[i] = Math.floor((start2[i] - timeBase) / bucket2)
    insertions += Math.floor((end2[i] - timeBase) / bucket2) - firstBucket[i] + 1
  }
  const keys = new Float64Array(insertions)
  const owner = new Uint32Array(insertions)
  let at = 0
  for (let i = 0; i < n; i++) {
    const b1 = Math.floor((end2[i] - timeBase) / bucket2)
    for (let b = firstBucket[i]; b <= b1; b++) {
      keys[at] = (group[i] + 1) * nb + b
      owner[at] = i
      at++
    }
  }
  const order = sortByKey(keys)
  // block (g, b) → range in sorted order
  const blockStart = new Uint32Array(ng * nb + 1)
  for (let k = 0; k < insertions; k++) blockStart[keys[k] + 1]++
  for (let k = 0; k < ng * nb; k++) blockStart[k + 1] += blockStart[k]
  const members = new Uint32Array(insertions)
  for (let k = 0; k < insertions; k++) members[k] = owner[order[k]]
  let checks = 0
  for (let i = 0; i < n; i++) {
    if (!isSource(i)) continue
    const gi = group[i] + 1
    const b1 = Math.floor((end2[i] - timeBase) / bucket2)
    for (let b = firstBucket[i]; b <= b1; b++) {
      for (let t = 0; t < ng; t++) {
        if (gi !== 0 && t !== 0 && t !== gi) continue
        const s = blockStart[t * nb + b]
        const e = blockStart[t * nb + b + 1]
        checks += e - s
        for (let q = s; q < e; q++) {
          const j = members[q]
          if (j === i) continue
          if (Math.max(firstBucket[i], firstBucket[j]) !== b) continue
          const li = loc[i]
          const lj = loc[j]
          if (li !== NONE && li === lj) continue
          if (isSource(j) && j < i) continue
          if (start2[i] > end2[j] || start2[j] > end2[i]) continue
          sink.push(i, j, MISSING_LOCATION)
        }
      }
    }
  }
  if (stats !== null) {
    stats.checks += checks
    stats.insertions += insertions
  }
}
