/**
 * Incremental blocking for the online index: the rules of `generateCandidates` (space-time horizon,
 * missing location, shared evidence, rare MO values and rare combinations of two or three common values),
 * maintained as rows arrive, so that each new row is compared with exactly the earlier rows batch
 * blocking would pair it with.
 *
 * Space-time: lat/lon rows live in a 3-D grid over their unit vectors (cells of the chord of
 * `maxDistanceMeters`, so no projection bound is needed and the grid never has to be rebuilt as rows
 * arrive from new latitudes), planar rows in a 2-D grid of `maxDistanceMeters` cells; both × time buckets
 * of `maxGapDays`. A row is inserted into each bucket its window meets; a new row visits its 27 (9)
 * neighbour cells in the buckets its window widened by the gap meets, and every row met is tested with
 * the batch predicate `horizonRule`. Cell keys are hashed: a collision only merges two lists, and every
 * candidate is still tested exactly.
 *
 * Long-range rules use posting lists and counts kept in arrival order: a value (or combination) is
 * counted at each arrival, where batch blocking uses the final count. When a count passes its limit
 * (`maxBlockSize` for evidence, `rareMo.maxDocumentFrequency` for rare MO), the pairs among its earlier
 * carriers are re-checked with the current counts and those no rule covers any more are retracted
 * ({@link CandidateIndex.takeRetracted}); when a value turns common, its carriers join the combinations
 * with their other common values. So after every insert the pairs produced minus the pairs retracted are
 * exactly the batch candidate pairs of the rows inserted so far (with `maxBlockSize` below the rare limit
 * a value can also open combinations late: {@link CandidateIndex.takeGained}).
 */
import {
  BLOCKING_DEFAULTS,
  type GenerateCandidatesOptions,
  type ResolvedBlockingOptions,
  resolveBlockingOptions,
} from '../blocking/blockingOptions'
import {
  type Horizon,
  horizonRule,
  LOC_LATLON,
  LOC_NONE,
  LOC_PLANAR,
  rareDistanceBounds,
  withinRareHorizon,
} from '../blocking/horizon'
import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import { allocateLongLived } from '../util/longLived'
import type { CaseStore } from './caseStore'
import { ensureCapacity } from './caseStore'

/**
 * The batch blocking options whose candidates the index keeps for `options`: the index counts rare-MO
 * carriers in rows (no clumps) and caps their blocks at `maxBlockSize`, and has no behaviour rule.
 *
 * @example
 * generateCandidates(table, batchEquivalentOptions(index.options)) // the pairs the index holds
 */
export function batchEquivalentOptions(options: GenerateCandidatesOptions): GenerateCandidatesOptions {
  const rare = options.rareMo
  const maxRows = options.maxBlockSize ?? BLOCKING_DEFAULTS.maxBlockSize
  return {
    ...options,
    behaviour: false,
    rareMo: rare === false ? false : { ...rare, maxClumps: 0, maxRows },
  }
}

const DEG = Math.PI / 180
const DAY_MS = 86_400_000
/** A window meeting more time buckets than this goes to a list scanned by every new row instead. */
const MAX_BUCKETS_PER_ROW = 64
/** Cell keys are 30-bit (see `cellKey`). */
const KEY_MASK = 0x3fffffff
/** Words of the bitset of occupied space cells (2^20 bits, 128 KB: stays in cache). */
const OCCUPIED_WORDS = 1 << 15
const OCCUPIED_MASK = OCCUPIED_WORDS - 1

/** `tupleCandidates` results: the tuple has no rows; its rows were tried; it is too common to be tried. */
const TUPLE_EMPTY = 0
const TUPLE_TRIED = 1
const TUPLE_OVER = 2

/** A list of int entries in pooled linked lists (head per key, next per entry). */
class Postings {
  row = new Uint32Array(64)
  next = new Int32Array(64)
  count = 0

  push(head: number, row: number): number {
    const e = this.count++
    this.row = ensureCapacity(this.row, this.count)
    this.next = ensureCapacity(this.next, this.count)
    this.row[e] = row
    this.next[e] = head
    return e
  }
}

/**
 * The rows of each space-time cell (and time bucket), as (row, category group) pairs stored contiguously:
 * each list lives in a block of a pool that doubles as it fills, so visiting a cell reads consecutive
 * memory instead of chasing one pooled link per row. Cell keys map to lists through {@link GridHeads}.
 */
class CellLists {
  private readonly heads = new GridHeads()
  start = new Int32Array(1024)
  length = new Int32Array(1024)
  private capacity = new Int32Array(1024)
  private lists = 0
  pool = new Int32Array(4096)
  private poolAt = 0

  /** The list of cell `key`, or -1. */
  find(key: number): number {
    return this.heads.get(key)
  }

  push(key: number, row: number, group: number): void {
    let list = this.heads.get(key)
    if (list < 0) {
      list = this.lists++
      this.start = ensureCapacity(this.start, this.lists)
      this.length = ensureCapacity(this.length, this.lists)
      this.capacity = ensureCapacity(this.capacity, this.lists)
      this.start[list] = this.allocate(2)
      this.length[list] = 0
      this.capacity[list] = 2
      this.heads.set(key, list)
    }
    const length = this.length[list]
    if (length === this.capacity[list]) {
      const block = this.allocate(2 * length)
      this.pool.copyWithin(block, this.start[list], this.start[list] + 2 * length)
      this.start[list] = block
      this.capacity[list] = 2 * length
    }
    const at = this.start[list] + 2 * length
    this.pool[at] = row
    this.pool[at + 1] = group
    this.length[list] = length + 1
  }

  /** Pool offset of a new block of `entries` (row, group) pairs. */
  private allocate(entries: number): number {
    const at = this.poolAt
    this.poolAt += 2 * entries
    this.pool = ensureCapacity(this.pool, this.poolAt)
    return at
  }
}

/** Grid lists: entries of (row, next entry, category group of the row) in one array (one cache line). */
class GridPostings {
  data = new Int32Array(3 * 64)
  count = 0

  /** Pushes `row` in front of the list at `head`; returns the new head (a word offset). */
  push(head: number, row: number, group: number): number {
    const e = 3 * this.count++
    this.data = ensureCapacity(this.data, e + 3)
    this.data[e] = row
    this.data[e + 1] = head
    this.data[e + 2] = group
    return e
  }
}

/** The incremental blocking state; see the module comment. */
export class CandidateIndex {
  readonly options: ResolvedBlockingOptions
  private readonly h: Horizon
  private readonly cellLatLon: number
  private readonly cellPlanar: number
  private readonly bucketMs: number
  private readonly groups: Map<string, number> | null
  /** Space-time cell lists (contiguous), by cell key. */
  private readonly cells = new CellLists()
  private readonly gridPostings = new GridPostings()
  /** One bit per hashed space cell (lat/lon and planar systems) that a row was ever put in. */
  private readonly occupied = new Int32Array(OCCUPIED_WORDS)
  /** Rows whose windows are too long for the buckets, per location system (heads into gridPostings). */
  private readonly longHead = new Int32Array([-1, -1, -1])
  private evidenceHead = new Int32Array(16).fill(-1)
  private evidenceCount = new Uint32Array(16)
  private moHead = new Int32Array(16).fill(-1)
  private moCount = new Uint32Array(16)
  private readonly valuePostings = new Postings()
  private readonly combos: TupleLists
  /** Rare combinations of three common values (`rareMo.triples`), as for pairs. */
  private readonly tripleLists: TupleLists
  private readonly triples: boolean
  /** Pairs (flattened p, q) that lost every rule since the last {@link CandidateIndex.takeRetracted}. */
  private retracted: number[] = []
  /**
   * Posting lists to re-check at the end of an insert: a linked list's head (>= -1), or -2 - k for the
   * k-th tuple list copied to `recheckRows` (from `recheckStart[k]` to the next start).
   */
  private readonly recheckLists: number[] = []
  private readonly recheckRows: number[] = []
  private readonly recheckStart: number[] = []
  /** Pairs (flattened) a rule started to cover after both rows were inserted (see `insert`). */
  private gained: number[] = []
  private readonly regainLists: number[] = []
  private readonly sharedScratch: number[] = []
  private readonly commonScratch: number[] = []
  private readonly rowCommonScratch: number[] = []
  private stamp = new Int32Array(16)
  private stampValue = 0

  constructor(
    private readonly store: CaseStore,
    options: GenerateCandidatesOptions = {},
  ) {
    this.options = resolveBlockingOptions(options)
    const o = this.options
    const rareBounds = rareDistanceBounds(o)
    this.h = {
      n: 0,
      options: o,
      start2: new Float64Array(16),
      end2: new Float64Array(16),
      timeFrom: store.timeFrom,
      timeTo: store.timeTo,
      loc: new Uint8Array(16),
      ux: new Float64Array(16),
      uy: new Float64Array(16),
      uz: new Float64Array(16),
      x: store.x,
      y: store.y,
      cosOrigin: Math.cos(store.originLat * DEG),
      maxHaversine: 0,
      maxSquaredMeters: o.maxDistanceMeters * o.maxDistanceMeters,
      rareMaxHaversine: rareBounds.haversine,
      rareMaxSquaredMeters: rareBounds.squaredMeters,
      group: new Int32Array(16),
      groupCount: 1,
      evidenceEligible: new Uint8Array(0),
      moRare: new Uint8Array(0),
      rareCombos: new Float64Array(0),
      rareComboStart: new Uint32Array(1),
      rareComboRows: new Uint32Array(0),
      cappedCombos: [],
      moStart: store.moList.start,
      moIds: store.moList.ids,
      evidenceStart: store.evidenceList.start,
      evidenceIds: store.evidenceList.ids,
    }
    const s = Math.sin(Math.min(o.maxDistanceMeters / (2 * EARTH_RADIUS_METERS), Math.PI / 2))
    this.h.maxHaversine = s * s
    // |Δu| per axis <= chord = 2·sqrt(haversine bound); margins absorb rounding
    this.cellLatLon = Math.max(2 * s * (1 + 1e-9) + 1e-15, 1e-12)
    this.cellPlanar = Math.max(o.maxDistanceMeters * (1 + 1e-9) + 1e-6, 1e-3)
    this.bucketMs = Math.max(o.maxGapMs, DAY_MS)
    this.triples = o.rareMo !== null && (o.rareMo as { triples?: boolean }).triples === true
    const df = o.rareMo === null ? 2 : o.rareMo.maxDocumentFrequency
    this.combos = new TupleLists(df)
    this.tripleLists = new TupleLists(df)
    const g = o.categoryGroups
    if (g !== undefined && g !== 'parent' && g !== 'category') {
      this.groups = new Map()
      g.forEach((names, k) => {
        for (const name of names) if (!this.groups!.has(name)) this.groups!.set(name, k)
      })
    } else this.groups = null
  }

  /** Rows inserted so far. */
  get size(): number {
    return this.h.n
  }

  /**
   * Computes the blocking columns of store row `row` (which must be the next row, `size`), so that
   * {@link CandidateIndex.candidates} can be asked for it. Does not insert it.
   */
  prepare(row: number): void {
    const h = this.h
    const st = this.store
    const need = row + 1
    h.start2 = ensureCapacity(h.start2, need)
    h.end2 = ensureCapacity(h.end2, need)
    h.loc = ensureCapacity(h.loc, need)
    h.ux = ensureCapacity(h.ux, need)
    h.uy = ensureCapacity(h.uy, need)
    h.uz = ensureCapacity(h.uz, need)
    h.group = ensureCapacity(h.group, need)
    h.timeFrom = st.timeFrom
    h.timeTo = st.timeTo
    h.x = st.x
    h.y = st.y
    h.moStart = st.moList.start
    h.moIds = st.moList.ids
    h.evidenceStart = st.evidenceList.start
    h.evidenceIds = st.evidenceList.ids
    const gap = this.options.maxGapMs
    h.start2[row] = 2 * st.timeFrom[row] - gap
    h.end2[row] = 2 * st.timeTo[row] + gap
    h.loc[row] = LOC_NONE
    if (st.hasLocation[row] === 1) {
      if (st.hasLatLon[row] === 1) {
        h.loc[row] = LOC_LATLON
        const phi = st.lat[row] * DEG
        const lambda = st.lon[row] * DEG
        h.ux[row] = Math.cos(phi) * Math.cos(lambda)
        h.uy[row] = Math.cos(phi) * Math.sin(lambda)
        h.uz[row] = Math.sin(phi)
      } else h.loc[row] = LOC_PLANAR
    }
    h.group[row] = this.groupOf(row)
    this.stamp = ensureCapacity(this.stamp, need)
    const V = st.mo.size
    if (this.moHead.length < V) {
      const old = this.moHead.length
      this.moHead = ensureCapacity(this.moHead, V)
      this.moHead.fill(-1, old)
      this.moCount = ensureCapacity(this.moCount, V)
    }
    const E = st.evidence.size
    if (this.evidenceHead.length < E) {
      const old = this.evidenceHead.length
      this.evidenceHead = ensureCapacity(this.evidenceHead, E)
      this.evidenceHead.fill(-1, old)
      this.evidenceCount = ensureCapacity(this.evidenceCount, E)
    }
  }

  private groupOf(row: number): number {
    const g = this.options.categoryGroups
    const st = this.store
    if (g === undefined) return 0
    if (g === 'parent') return st.categoryParent[row]
    if (g === 'category') return st.category[row]
    const c = st.category[row]
    if (c < 0) return -1
    const own = this.groups!.get(st.categories.values[c])
    if (own !== undefined) return own
    const p = st.categoryParent[row]
    return p < 0 ? -1 : (this.groups!.get(st.categories.values[p]) ?? -1)
  }

  /**
   * Earlier rows (inserted ones) that batch blocking would pair with prepared row `row`, ascending;
   * writes them to `out` (grown as needed) and returns `{ out, count }`.
   */
  candidates(row: number, out: Uint32Array): { out: Uint32Array; count: number } {
    const h = this.h
    const st = this.store
    const o = this.options
    this.stampValue++
    if (this.stampValue === 0x7fffffff) {
      this.stamp.fill(0)
      this.stampValue = 1
    }
    const mark = this.stampValue
    const stamp = this.stamp
    stamp[row] = mark
    // the visit state lives in fields, so take / tryHorizon / tryRare are plain methods (no closures)
    this.visitOut = out
    this.visitCount = 0
    this.visitMark = mark
    this.visitRow = row
    const loc = h.loc[row]
    // bucket numbers are int32 for any valid time (|t| <= 8.64e15 ms, buckets of >= 1 day)
    const gap = this.options.maxGapMs
    const b0 = Math.floor((st.timeFrom[row] - gap - 1) / this.bucketMs) | 0
    const b1 = Math.floor((st.timeTo[row] + gap + 1) / this.bucketMs) | 0
    if (loc !== LOC_NONE) {
      if (b1 - b0 <= 4 * MAX_BUCKETS_PER_ROW) {
        const cell = loc === LOC_LATLON ? this.cellLatLon : this.cellPlanar
        const cx = Math.floor((loc === LOC_LATLON ? h.ux[row] : st.x[row]) / cell)
        const cy = Math.floor((loc === LOC_LATLON ? h.uy[row] : st.y[row]) / cell)
        const cz = loc === LOC_LATLON ? Math.floor(h.uz[row] / cell) : 0
        const dzRange = loc === LOC_LATLON ? 1 : 0
        const occupied = this.occupied
        for (let dx = -1; dx <= 1; dx++) {
          for (let dy = -1; dy <= 1; dy++) {
            for (let dz = -dzRange; dz <= dzRange; dz++) {
              // int32 cell coordinates (wrapping beyond 2^31, as `cellKey` would): no boxed arguments
              const cellKey = this.cellKey(loc, (cx + dx) | 0, (cy + dy) | 0, (cz + dz) | 0)
              // a cell no row was ever put in (most neighbours of a point on the sphere) costs no look-up
              if ((occupied[(cellKey >>> 5) & OCCUPIED_MASK] & (1 << (cellKey & 31))) === 0) continue
              for (let b = b0; b <= b1; b++) this.visitCell((cellKey + b) & KEY_MASK)
            }
          }
        }
      } else {
        // an extremely long window: test every row of its system (rare; exact)
        for (let j = 0; j < h.n; j++) if (h.loc[j] === loc) this.tryHorizon(j)
      }
      this.visitGrid(this.longHead[loc])
    }
    if (o.allowMissingLocation) {
      // pairs of unknown distance: time-only lists of the other systems
      for (let other = LOC_NONE; other <= LOC_PLANAR; other++) {
        if (other === loc && loc !== LOC_NONE) continue
        if (b1 - b0 <= 4 * MAX_BUCKETS_PER_ROW) {
          const cellKey = this.cellKey(3 + other, 0, 0, 0)
          for (let b = b0; b <= b1; b++) this.visitCell((cellKey + b) & KEY_MASK)
        } else {
          for (let j = 0; j < h.n; j++) if (h.loc[j] === other) this.tryHorizon(j)
        }
        this.visitGrid(this.longHead[other])
      }
    }
    const vp = this.valuePostings
    if (o.evidence) {
      const { start, ids } = st.evidenceList
      for (let k = start[row]; k < start[row + 1]; k++) {
        const v = ids[k]
        const c = this.evidenceCount[v] + 1
        if (c < 2 || c > o.maxBlockSize) continue
        for (let e = this.evidenceHead[v]; e >= 0; e = vp.next[e]) {
          if (stamp[vp.row[e]] !== mark) this.take(vp.row[e])
        }
      }
    }
    const rare = o.rareMo
    if (rare !== null) {
      const limit = Math.min(rare.maxDocumentFrequency, o.maxBlockSize)
      const { start, ids } = st.moList
      const s = start[row]
      const end = start[row + 1]
      for (let k = s; k < end; k++) {
        const v = ids[k]
        const c = this.moCount[v] + 1
        if (c > rare.maxDocumentFrequency || c > limit) continue
        for (let e = this.moHead[v]; e >= 0; e = vp.next[e]) this.tryRare(vp.row[e])
      }
      if (rare.combinations || this.triples) {
        // the row's values that are common with it counted
        const common = this.commonScratch
        common.length = 0
        for (let p = s; p < end; p++)
          if (this.moCount[ids[p]] + 1 > rare.maxDocumentFrequency) common.push(ids[p])
        const k = common.length
        if (this.pairStatus.length < k * k) this.pairStatus = new Uint8Array(2 * k * k)
        const status = this.pairStatus
        if (rare.combinations) {
          // read every pair's slot first: the cache misses of the look-ups overlap
          let sink = 0
          for (let p = 0; p < k; p++) {
            for (let q = p + 1; q < k; q++) sink += this.combos.touch(common[p], common[q], -1)
          }
          this.sink += sink
          for (let p = 0; p < k; p++) {
            for (let q = p + 1; q < k; q++)
              status[p * k + q] = this.tupleCandidates(common[p], common[q], -1, limit)
          }
        }
        if (this.triples) {
          let sink = 0
          for (let p = 0; p < k; p++) {
            for (let q = p + 1; q < k; q++) {
              for (let r = q + 1; r < k; r++) {
                if (
                  !rare.combinations ||
                  (status[p * k + q] === TUPLE_OVER &&
                    status[p * k + r] === TUPLE_OVER &&
                    status[q * k + r] === TUPLE_OVER)
                ) {
                  sink += this.tripleLists.touch(common[p], common[q], common[r])
                }
              }
            }
          }
          this.sink += sink
          for (let p = 0; p < k; p++) {
            for (let q = p + 1; q < k; q++) {
              for (let r = q + 1; r < k; r++) {
                // A triple's rows are among each of its pairs' rows (registered together, the pending
                // carriers of a value turning common likewise): a pair with no rows, or one whose rows were
                // all tried, leaves the triple nothing to add.
                if (
                  rare.combinations &&
                  (status[p * k + q] !== TUPLE_OVER ||
                    status[p * k + r] !== TUPLE_OVER ||
                    status[q * k + r] !== TUPLE_OVER)
                ) {
                  continue
                }
                this.tupleCandidates(common[p], common[q], common[r], limit)
              }
            }
          }
        }
      }
    }
    // ascending order: deterministic downstream
    const count = this.visitCount
    out = this.visitOut
    out.subarray(0, count).sort()
    return { out, count }
  }

  private visitOut: Uint32Array = new Uint32Array(0)
  private visitCount = 0
  private visitMark = 0
  private visitRow = 0

  private take(j: number): void {
    this.stamp[j] = this.visitMark
    if (this.visitCount === this.visitOut.length) {
      this.visitOut = ensureCapacity(this.visitOut, this.visitCount + 1)
    }
    this.visitOut[this.visitCount++] = j
  }

  /**
   * Tries the rows of a grid list with the horizon rule; rows of another category group are skipped from
   * the list entry itself (the rule would refuse them), so they cost no look-up of their columns.
   */
  private visitCell(key: number): void {
    const cells = this.cells
    const list = cells.find(key)
    if (list < 0) return
    const pool = cells.pool
    const g = this.h.group[this.visitRow]
    const from = cells.start[list]
    const to = from + 2 * cells.length[list]
    for (let e = from; e < to; e += 2) {
      const other = pool[e + 1]
      if (g >= 0 && other >= 0 && other !== g) continue
      this.tryHorizon(pool[e])
    }
  }

  /** {@link CandidateIndex.visitCell} for a linked list of rows with long windows. */
  private visitGrid(head: number): void {
    const data = this.gridPostings.data
    const g = this.h.group[this.visitRow]
    for (let e = head; e >= 0; e = data[e + 1]) {
      const other = data[e + 2]
      if (g >= 0 && other >= 0 && other !== g) continue
      this.tryHorizon(data[e])
    }
  }

  /** Takes j when the space-time horizon pairs it with the visited row. */
  private tryHorizon(j: number): void {
    if (this.stamp[j] !== this.visitMark && horizonRule(this.h, this.visitRow, j) >= 0) this.take(j)
  }

  /** Takes j when it lies within the rare-MO horizon (gap, distance) of the visited row. */
  private tryRare(j: number): void {
    if (this.stamp[j] !== this.visitMark && withinRareHorizon(this.h, this.visitRow, j)) this.take(j)
  }

  /**
   * Rare-combination candidates of the common values (u, v) or (u, v, w) (w = -1 for a pair) for the new row:
   * registered rows, plus the earlier carriers of a value that the new row itself makes common (they are
   * registered only when the row is inserted).
   */
  private tupleCandidates(u: number, v: number, w: number, limit: number): number {
    const df = this.options.rareMo!.maxDocumentFrequency
    const vp = this.valuePostings
    const lists = w < 0 ? this.combos : this.tripleLists
    const entry = lists.find(u, v, w)
    let total = entry < 0 ? 0 : lists.table[entry + COUNT]
    // usually no value of the tuple turns common with this row: no allocation then
    let pending: number[] | null = null
    const turns = this.moCount[u] === df || this.moCount[v] === df || (w >= 0 && this.moCount[w] === df)
    if (turns) {
      const found: number[] = []
      const { start, ids } = this.store.moList
      const seen = new Set<number>()
      const tuple = w < 0 ? [u, v] : [u, v, w]
      for (const value of tuple) {
        if (this.moCount[value] !== df) continue
        for (let e = this.moHead[value]; e >= 0; e = vp.next[e]) {
          const j = vp.row[e]
          if (seen.has(j)) continue
          if (!tuple.every((x) => rowHas(ids, start[j], start[j + 1], x))) continue
          seen.add(j)
          found.push(j)
        }
      }
      total += found.length
      pending = found
    }
    if (total === 0) return TUPLE_EMPTY
    if (total + 1 > df || total + 1 > limit) return TUPLE_OVER
    if (entry >= 0) {
      // newest first (the order of a linked posting list)
      const table = lists.table
      const length = table[entry + COUNT] < df ? table[entry + COUNT] : df
      if (length <= INLINE_ROWS) {
        for (let k = entry + ROWS + length - 1; k >= entry + ROWS; k--) this.tryRare(table[k])
      } else {
        const pool = lists.pool
        const first = table[entry + BLOCK]
        for (let k = first + length - 1; k >= first; k--) this.tryRare(pool[k])
      }
    }
    if (pending !== null) for (const j of pending) this.tryRare(j)
    return TUPLE_TRIED
  }

  /** Sum of touched words (kept so that the touching loads are not removed). */
  private sink = 0

  /** Status of each pair of the new row's common values (p · k + q), see `tupleCandidates`. */
  private pairStatus = new Uint8Array(64)

  /** Inserts prepared row `row` (the next row) after its candidates were taken. */
  insert(row: number): void {
    if (row !== this.h.n) throw new Error(`caselink: rows must be inserted in order (expected ${this.h.n})`)
    const h = this.h
    const st = this.store
    const o = this.options
    const loc = h.loc[row]
    const gp = this.gridPostings
    const first = Math.floor(st.timeFrom[row] / this.bucketMs) | 0
    const last = Math.floor(st.timeTo[row] / this.bucketMs) | 0
    const long = last - first >= MAX_BUCKETS_PER_ROW
    if (loc !== LOC_NONE) {
      if (long) this.longHead[loc] = gp.push(this.longHead[loc], row, h.group[row])
      else {
        const cell = loc === LOC_LATLON ? this.cellLatLon : this.cellPlanar
        const cx = Math.floor((loc === LOC_LATLON ? h.ux[row] : st.x[row]) / cell)
        const cy = Math.floor((loc === LOC_LATLON ? h.uy[row] : st.y[row]) / cell)
        const cz = loc === LOC_LATLON ? Math.floor(h.uz[row] / cell) : 0
        const cellKey = this.cellKey(loc, cx | 0, cy | 0, cz | 0)
        this.occupied[(cellKey >>> 5) & OCCUPIED_MASK] |= 1 << (cellKey & 31)
        for (let b = first; b <= last; b++) this.pushKey((cellKey + b) & KEY_MASK, row)
      }
    }
    if (o.allowMissingLocation) {
      if (long) {
        if (loc === LOC_NONE) this.longHead[loc] = gp.push(this.longHead[loc], row, h.group[row])
      } else {
        const cellKey = this.cellKey(3 + loc, 0, 0, 0)
        for (let b = first; b <= last; b++) this.pushKey((cellKey + b) & KEY_MASK, row)
      }
    }
    const vp = this.valuePostings
    {
      const { start, ids } = st.evidenceList
      for (let k = start[row]; k < start[row + 1]; k++) {
        const v = ids[k]
        const c = ++this.evidenceCount[v]
        if (o.evidence && c <= o.maxBlockSize) this.evidenceHead[v] = vp.push(this.evidenceHead[v], row)
        else if (o.evidence && c === o.maxBlockSize + 1) this.recheckLists.push(this.evidenceHead[v])
      }
    }
    const rare = o.rareMo
    const { start, ids } = st.moList
    const s = start[row]
    const end = start[row + 1]
    const df = rare === null ? 0 : rare.maxDocumentFrequency
    const rareLimit = Math.min(df, o.maxBlockSize)
    for (let k = s; k < end; k++) {
      const v = ids[k]
      const c = ++this.moCount[v]
      if (rare === null) continue
      // the value stops being usable: pairs among its carriers are re-checked below
      if (c === rareLimit + 1) this.recheckLists.push(this.moHead[v])
      if (c <= df) this.moHead[v] = vp.push(this.moHead[v], row)
      // with maxBlockSize < maxDocumentFrequency a value can be rare but unusable, then turn common: pairs
      // among its carriers that no rule covered at their arrival may now be covered by a rare combination
      if (c === df + 1 && (rare.combinations || this.triples) && o.maxBlockSize < df) {
        this.regainLists.push(this.moHead[v])
      }
      if (c === df + 1 && (rare.combinations || this.triples)) {
        // v turns common: its earlier carriers join the combinations of v with their common values
        for (let e = this.moHead[v]; e >= 0; e = vp.next[e]) {
          const j = vp.row[e]
          // j's other common values, ascending; with v they form the tuples that now become countable
          const others = this.commonScratch
          others.length = 0
          for (let m = start[j]; m < start[j + 1]; m++) {
            const u = ids[m]
            if (u !== v && this.moCount[u] > df) others.push(u)
          }
          for (let x = 0; x < others.length; x++) {
            const u = others[x]
            if (rare.combinations) this.register(u < v ? u : v, u < v ? v : u, j)
            if (!this.triples) continue
            for (let y = x + 1; y < others.length; y++) this.registerTriple(u, others[y], v, j)
          }
        }
      }
    }
    if (rare !== null && (rare.combinations || this.triples)) {
      const common = this.rowCommonScratch
      common.length = 0
      for (let p = s; p < end; p++) if (this.moCount[ids[p]] > df) common.push(ids[p])
      for (let p = 0; p < common.length; p++) {
        for (let q = p + 1; q < common.length; q++) {
          if (rare.combinations) this.register(common[p], common[q], row)
          if (!this.triples) continue
          for (let r = q + 1; r < common.length; r++)
            this.registerTriple(common[p], common[q], common[r], row)
        }
      }
    }
    h.n = row + 1
    this.recheckStart.push(this.recheckRows.length)
    for (const ref of this.recheckLists) {
      if (ref >= -1) this.recheck(ref)
      else this.recheckTuple(this.recheckStart[-2 - ref], this.recheckStart[-1 - ref])
    }
    this.recheckRows.length = 0
    this.recheckStart.length = 0
    this.recheckLists.length = 0
    for (const head of this.regainLists) this.regain(head)
    this.regainLists.length = 0
  }

  /** Pairs of one posting list's rows that a rule covers now (the caller skips pairs already linked). */
  private regain(head: number): void {
    const vp = this.valuePostings
    for (let e = head; e >= 0; e = vp.next[e]) {
      for (let f = vp.next[e]; f >= 0; f = vp.next[f]) {
        const p = vp.row[e]
        const q = vp.row[f]
        if (this.covered(p, q)) this.gained.push(p < q ? p : q, p < q ? q : p)
      }
    }
  }

  /**
   * Pairs gained since the last call, flattened: only when `maxBlockSize` < `rareMo.maxDocumentFrequency`
   * (a rare value over the block size, later common, opens rare combinations). May repeat pairs compared
   * before: callers keep one link per pair.
   */
  takeGained(): number[] {
    const out = this.gained
    this.gained = []
    return out
  }

  /**
   * Only pairs this predicate accepts are re-checked for retraction (e.g. the pairs that are links, or may
   * become links): the others have nothing to withdraw. Default: every pair.
   */
  retractFilter: ((p: number, q: number) => boolean) | null = null

  /** Re-checks every pair of the rows of one posting list; pairs no rule covers any more are retracted. */
  private recheck(head: number): void {
    const vp = this.valuePostings
    const filter = this.retractFilter
    for (let e = head; e >= 0; e = vp.next[e]) {
      for (let f = vp.next[e]; f >= 0; f = vp.next[f]) {
        const p = vp.row[e]
        const q = vp.row[f]
        if (filter !== null && !filter(p, q)) continue
        if (!this.covered(p, q)) this.retracted.push(p < q ? p : q, p < q ? q : p)
      }
    }
  }

  /** {@link CandidateIndex.recheck} of a tuple's list copied to `recheckRows[from .. to)`, newest first. */
  private recheckTuple(from: number, to: number): void {
    const filter = this.retractFilter
    const rows = this.recheckRows
    for (let e = from; e < to; e++) {
      for (let f = e + 1; f < to; f++) {
        const p = rows[e]
        const q = rows[f]
        if (filter !== null && !filter(p, q)) continue
        if (!this.covered(p, q)) this.retracted.push(p < q ? p : q, p < q ? q : p)
      }
    }
  }

  /**
   * True when some blocking rule covers inserted rows p and q with the current counts: the batch rule
   * predicate with the frequencies of the rows inserted so far.
   */
  covered(p: number, q: number): boolean {
    const h = this.h
    const o = this.options
    if (horizonRule(h, p, q) >= 0) return true
    const st = this.store
    if (o.evidence) {
      const { start, ids } = st.evidenceList
      let a = start[p]
      let b = start[q]
      while (a < start[p + 1] && b < start[q + 1]) {
        const x = ids[a]
        const y = ids[b]
        if (x === y) {
          if (this.evidenceCount[x] <= o.maxBlockSize) return true
          a++
          b++
        } else if (x < y) a++
        else b++
      }
    }
    const rare = o.rareMo
    if (rare === null || !withinRareHorizon(h, p, q)) return false
    const df = rare.maxDocumentFrequency
    const limit = Math.min(df, o.maxBlockSize)
    const { start, ids } = st.moList
    const shared = this.sharedScratch
    shared.length = 0
    let a = start[p]
    let b = start[q]
    while (a < start[p + 1] && b < start[q + 1]) {
      const x = ids[a]
      const y = ids[b]
      if (x === y) {
        if (this.moCount[x] <= limit) return true
        if (this.moCount[x] > df) shared.push(x)
        a++
        b++
      } else if (x < y) a++
      else b++
    }
    for (let i = 0; i < shared.length; i++) {
      for (let j = i + 1; j < shared.length; j++) {
        if (rare.combinations) {
          const entry = this.combos.find(shared[i], shared[j], -1)
          if (entry >= 0 && this.combos.table[entry + COUNT] <= limit) return true
        }
        if (!this.triples) continue
        for (let k = j + 1; k < shared.length; k++) {
          const entry = this.tripleLists.find(shared[i], shared[j], shared[k])
          if (entry >= 0 && this.tripleLists.table[entry + COUNT] <= limit) return true
        }
      }
    }
    return false
  }

  /** The pairs retracted since the last call, flattened (p0, q0, p1, q1, …), and forgets them. */
  takeRetracted(): number[] {
    const out = this.retracted
    this.retracted = []
    return out
  }

  private register(u: number, v: number, row: number): void {
    this.registerIn(this.combos, u, v, -1, row)
  }

  /**
   * Counts `row` under a rare-MO tuple and posts it while the tuple is rare; when the count first passes
   * the limit, the tuple's list is queued for rechecking (its pairs may lose their rule).
   */
  private registerIn(lists: TupleLists, u: number, v: number, w: number, row: number): void {
    const entry = lists.findOrAdd(u, v, w)
    const df = this.options.rareMo!.maxDocumentFrequency
    if (lists.table[entry + COUNT] === Math.min(df, this.options.maxBlockSize)) {
      // the count passes the limit with this row: its earlier rows' pairs are re-checked (entries move
      // when the table grows, so the rows are copied now)
      this.recheckLists.push(-2 - this.recheckStart.length)
      this.recheckStart.push(this.recheckRows.length)
      lists.rowsNewestFirst(entry, this.recheckRows)
    }
    lists.push(entry, row)
  }

  /** Registers `row` under the triple of common values {a, b, c}, given in any order. */
  private registerTriple(a: number, b: number, c: number, row: number): void {
    let x = a
    let y = b
    let z = c
    let t = 0
    if (x > y) {
      t = x
      x = y
      y = t
    }
    if (y > z) {
      t = y
      y = z
      z = t
    }
    if (x > y) {
      t = x
      x = y
      y = t
    }
    this.registerIn(this.tripleLists, x, y, z, row)
  }

  private pushKey(key: number, row: number): void {
    this.cells.push(key, row, this.h.group[row])
  }

  /**
   * A 30-bit hash of (system, cell): integers mixed as 32-bit words (coordinates beyond 2^31 wrap). The
   * key of the cell's list in time bucket b is `(cellKey + b) & KEY_MASK`. A collision only merges two
   * lists (or sets a cell's bit in `occupied` for another). No allocation.
   */
  private cellKey(system: number, cx: number, cy: number, cz: number): number {
    let h = Math.imul(system + 1, 0x9e3779b1)
    h = Math.imul(h ^ (h >>> 15) ^ (cx | 0), 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13) ^ (cy | 0), 0xc2b2ae35)
    h = Math.imul(h ^ (h >>> 16) ^ (cz | 0), 0xcc9e2d51)
    h ^= h >>> 15
    h = Math.imul(h, 0x27d4eb2f)
    h ^= h >>> 13
    return h >>> 2
  }
}

/**
 * List heads of the space-time grid by 30-bit cell key: an open-addressing table of (key, head) word
 * pairs (one cache line per probe), instead of a Map.
 */
class GridHeads {
  private table = new Int32Array(2 * 4096).fill(-1)
  private mask = 4095
  private size = 0

  /** Head of `key`'s list, -1 when it has none. */
  get(key: number): number {
    const table = this.table
    for (let slot = key & this.mask; ; slot = (slot + 1) & this.mask) {
      const k = table[2 * slot]
      if (k === key) return table[2 * slot + 1]
      if (k === -1) return -1
    }
  }

  set(key: number, head: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow()
    const table = this.table
    for (let slot = key & this.mask; ; slot = (slot + 1) & this.mask) {
      const k = table[2 * slot]
      if (k === key) {
        table[2 * slot + 1] = head
        return
      }
      if (k === -1) {
        table[2 * slot] = key
        table[2 * slot + 1] = head
        this.size++
        return
      }
    }
  }

  private grow(): void {
    const old = this.table
    const capacity = 2 * (this.mask + 1)
    this.table = allocateLongLived(Int32Array, 2 * capacity).fill(-1)
    this.mask = capacity - 1
    for (let e = 0; e < old.length; e += 2) {
      if (old[e] === -1) continue
      let slot = old[e] & this.mask
      while (this.table[2 * slot] !== -1) slot = (slot + 1) & this.mask
      this.table[2 * slot] = old[e]
      this.table[2 * slot + 1] = old[e + 1]
    }
  }
}

function rowHas(ids: Uint32Array, start: number, end: number, value: number): boolean {
  for (let k = start; k < end; k++) {
    if (ids[k] === value) return true
    if (ids[k] > value) return false
  }
  return false
}

/** Words of a {@link TupleLists} entry: the tuple (w = -1 for a pair), its count, its block, inline rows. */
const U = 0
const V = 1
const W = 2
const COUNT = 3
const BLOCK = 4
const ROWS = 5
const ENTRY = 8
/** Rows of a tuple kept in its entry; longer lists move to a block of the pool. */
const INLINE_ROWS = ENTRY - ROWS

/**
 * Posting lists keyed by a rare-MO combination (a pair or a triple of value ids), in an open-addressing
 * hash table of 8-word entries: the key, the count of rows carrying it, and its first rows inline, so
 * that looking a tuple up and visiting a short list touch one cache line. A list holds the first
 * `maxRows` rows (the count goes on); lists longer than the inline room live in blocks of a pool that
 * double as they fill. No Map, no per-key allocation.
 */
class TupleLists {
  table = new Int32Array(1024 * ENTRY).fill(-1)
  private mask = 1023
  size = 0
  pool = new Int32Array(1024)
  private poolAt = 0

  constructor(private readonly maxRows: number) {}

  private hash(u: number, v: number, w: number): number {
    let h = Math.imul(u ^ 0x2545f491, 0x9e3779b1)
    h = Math.imul(h ^ (h >>> 15) ^ v, 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13) ^ (w + 1), 0xc2b2ae35)
    return (h ^ (h >>> 16)) & this.mask
  }

  /** Reads the first word of tuple (u, v, w)'s home slot (to bring its cache line in early). */
  touch(u: number, v: number, w: number): number {
    return this.table[this.hash(u, v, w) * ENTRY]
  }

  /** The entry (word offset) of tuple (u, v, w), or -1. */
  find(u: number, v: number, w: number): number {
    const table = this.table
    for (let slot = this.hash(u, v, w); ; slot = (slot + 1) & this.mask) {
      const e = slot * ENTRY
      const a = table[e + U]
      if (a === -1) return -1
      if (a === u && table[e + V] === v && table[e + W] === w) return e
    }
  }

  /** The entry of tuple (u, v, w), added with no rows when new. */
  findOrAdd(u: number, v: number, w: number): number {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow()
    const table = this.table
    for (let slot = this.hash(u, v, w); ; slot = (slot + 1) & this.mask) {
      const e = slot * ENTRY
      const a = table[e + U]
      if (a === -1) {
        table[e + U] = u
        table[e + V] = v
        table[e + W] = w
        table[e + COUNT] = 0
        this.size++
        return e
      }
      if (a === u && table[e + V] === v && table[e + W] === w) return e
    }
  }

  /** Counts `row` under entry `e` and keeps it while the list has room; returns the new count. */
  push(e: number, row: number): number {
    const table = this.table
    const count = table[e + COUNT]
    table[e + COUNT] = count + 1
    if (count >= this.maxRows) return count + 1
    if (count < INLINE_ROWS) {
      table[e + ROWS + count] = row
      return count + 1
    }
    if (count === INLINE_ROWS || (count >= 2 * INLINE_ROWS + 2 && (count & (count - 1)) === 0)) {
      // a block of twice the room (the inline rows move with the first block)
      const capacity = Math.min(this.maxRows, count === INLINE_ROWS ? 2 * INLINE_ROWS + 2 : 2 * count)
      if (this.poolAt + capacity > this.pool.length)
        this.pool = ensureCapacity(this.pool, this.poolAt + capacity)
      const block = this.poolAt
      this.poolAt += capacity
      if (count === INLINE_ROWS) {
        for (let k = 0; k < INLINE_ROWS; k++) this.pool[block + k] = table[e + ROWS + k]
      } else this.pool.copyWithin(block, table[e + BLOCK], table[e + BLOCK] + count)
      table[e + BLOCK] = block
    }
    this.pool[table[e + BLOCK] + count] = row
    return count + 1
  }

  /** Appends the rows of entry `e` to `out`, newest first. */
  rowsNewestFirst(e: number, out: number[]): void {
    const count = this.table[e + COUNT]
    const length = count < this.maxRows ? count : this.maxRows
    if (length <= INLINE_ROWS) for (let k = length - 1; k >= 0; k--) out.push(this.table[e + ROWS + k])
    else for (let k = length - 1; k >= 0; k--) out.push(this.pool[this.table[e + BLOCK] + k])
  }

  private grow(): void {
    const old = this.table
    const capacity = (this.mask + 1) * 2
    this.table = allocateLongLived(Int32Array, capacity * ENTRY).fill(-1)
    this.mask = capacity - 1
    for (let e = 0; e < old.length; e += ENTRY) {
      if (old[e + U] === -1) continue
      let slot = this.hash(old[e + U], old[e + V], old[e + W])
      while (this.table[slot * ENTRY + U] !== -1) slot = (slot + 1) & this.mask
      for (let k = 0; k < ENTRY; k++) this.table[slot * ENTRY + k] = old[e + k]
    }
  }
}
