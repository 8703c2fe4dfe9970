import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { type ClumpCounter, clumpedMoFrequency, createClumpCounter } from '../table/clumpedFrequency'
import {
  categoryGroupOf,
  type ResolvedBlockingOptions,
  RULE_EVIDENCE,
  RULE_MISSING_LOCATION,
  RULE_RARE_MO,
  RULE_SPACE_TIME,
} from './blockingOptions'
import { sortByKey } from './pairBuffer'

const SPACE_TIME: number = RULE_SPACE_TIME
const MISSING_LOCATION: number = RULE_MISSING_LOCATION
const EVIDENCE: number = RULE_EVIDENCE
const RARE_MO: number = RULE_RARE_MO
const DEG = Math.PI / 180

/** Location system of a row: none, WGS84 lat/lon, planar x/y. */
export const LOC_NONE = 0
export const LOC_LATLON = 1
export const LOC_PLANAR = 2

/**
 * Per-row data of the blocking rules, compiled once from a table and resolved options, and the
 * pure pair predicates every blocking pass (grid, long-range, brute force) shares, so that they agree
 * exactly on which rule, if any, produces a pair.
 */
export interface Horizon {
  n: number
  options: ResolvedBlockingOptions
  /** 2·timeFrom − maxGap and 2·timeTo + maxGap: windows within the gap ⇔ these intervals meet. */
  start2: Float64Array
  end2: Float64Array
  timeFrom: Float64Array
  timeTo: Float64Array
  loc: Uint8Array
  /** Unit vectors of lat/lon rows (computed as the distance comparison computes them). */
  ux: Float64Array
  uy: Float64Array
  uz: Float64Array
  /** Planar coordinates (planar rows) and projected metres (lat/lon rows), for the grid. */
  x: Float64Array
  y: Float64Array
  /** cos of the projection origin's latitude (x = R·Δλ·cos φ₀). */
  cosOrigin: number
  /** Haversine bound: (chord / 2)² of maxDistanceMeters; planar bound: maxDistanceMeters². */
  maxHaversine: number
  maxSquaredMeters: number
  /** The same bounds for the rare-MO rule's `maxDistanceMeters` (Infinity when unlimited). */
  rareMaxHaversine: number
  rareMaxSquaredMeters: number
  /** Category group per row, -1 = pairs with every group. */
  group: Int32Array
  groupCount: number
  /** Evidence ids usable by the evidence rule (2 <= frequency <= maxBlockSize). */
  evidenceEligible: Uint8Array
  /** MO ids: 1 rare and usable, 2 rare but capped, 0 common (frequency > maxDocumentFrequency). */
  moRare: Uint8Array
  /** Sorted keys v1·V + v2 of usable rare MO combinations of two common values. */
  rareCombos: Float64Array
  /** Row lists of the usable rare combinations, CSR aligned with `rareCombos`. */
  rareComboStart: Uint32Array
  rareComboRows: Uint32Array
  /** Capped combinations (key, rows), for the report. */
  cappedCombos: { key: number; rows: number }[]
  /**
   * Optional index: each row's usable rare-MO keys (values v, combinations V + v1·V + v2), ascending,
   * CSR. When present, {@link firstSharedRareKey} merges two short lists instead of enumerating the
   * shared values' combinations; both give the same answer.
   */
  rowRareStart?: Uint32Array
  rowRareKeys?: Float64Array
  /**
   * Optional (rareMo.triples): sorted keys (v1·V + v2)·V + v3 of usable rare combinations of three
   * common values, their rows (CSR), and the capped ones. Triple keys follow combination keys:
   * V + V² + key.
   */
  rareTriples?: Float64Array
  rareTripleStart?: Uint32Array
  rareTripleRows?: Uint32Array
  cappedTriples?: { key: number; rows: number }[]
  moStart: Uint32Array
  moIds: Uint32Array
  evidenceStart: Uint32Array
  evidenceIds: Uint32Array
}

/** Compiles the per-row data of the blocking rules. O(rows + list lengths + MO combinations). */
export function compileHorizon(table: CaseTable, options: ResolvedBlockingOptions): Horizon {
  const n = table.size
  const gap = options.maxGapMs
  const start2 = new Float64Array(n)
  const end2 = new Float64Array(n)
  const loc = new Uint8Array(n)
  const ux = new Float64Array(n)
  const uy = new Float64Array(n)
  const uz = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    start2[i] = 2 * table.timeFrom[i] - gap
    end2[i] = 2 * table.timeTo[i] + gap
    if (table.hasLocation[i] !== 1) continue
    if (table.hasLatLon[i] === 1) {
      loc[i] = LOC_LATLON
      const phi = table.lat[i] * DEG
      const lambda = table.lon[i] * DEG
      ux[i] = Math.cos(phi) * Math.cos(lambda)
      uy[i] = Math.cos(phi) * Math.sin(lambda)
      uz[i] = Math.sin(phi)
    } else {
      loc[i] = LOC_PLANAR
    }
  }
  const D = options.maxDistanceMeters
  const s = Math.sin(Math.min(D / (2 * EARTH_RADIUS_METERS), Math.PI / 2))
  const rareBound = rareDistanceBounds(options)
  const { group, groupCount } = categoryGroupOf(table, options.categoryGroups)

  const evidenceEligible = new Uint8Array(table.evidenceValues.length)
  for (let v = 0; v < evidenceEligible.length; v++) {
    const f = table.evidenceFrequency[v]
    evidenceEligible[v] = f >= 2 && f <= options.maxBlockSize ? 1 : 0
  }
  const V = table.moValues.length
  const moRare = new Uint8Array(V)
  let rareCombos: Float64Array = new Float64Array(0)
  let rareComboStart: Uint32Array = new Uint32Array(1)
  let rareComboRows: Uint32Array = new Uint32Array(0)
  const cappedCombos: { key: number; rows: number }[] = []
  const rare = options.rareMo
  // keys are listed up to maxRows rows; those above maxDocumentFrequency rows are kept when they clump
  const counter = rare !== null && rare.maxClumps > 0 ? createClumpCounter(table) : null
  const listLimit =
    rare === null
      ? 0
      : counter === null
        ? rare.maxDocumentFrequency
        : Math.max(rare.maxDocumentFrequency, rare.maxRows)
  if (rare !== null) {
    const clumped = counter === null ? null : clumpedMoFrequency(table)
    for (let v = 0; v < V; v++) {
      const f = table.moFrequency[v]
      if (f <= rare.maxDocumentFrequency || (clumped !== null && clumped[v] <= rare.maxClumps)) {
        moRare[v] = f <= rare.maxRows ? 1 : 2
      }
    }
    if (rare.combinations) {
      const combos = keepClumped(rareCombinations(table, moRare, listLimit, rare.maxRows), rare, counter)
      rareCombos = combos.keys
      rareComboStart = combos.start
      rareComboRows = combos.rows
      for (const c of combos.capped) cappedCombos.push(c)
    }
  }
  const triples = rare?.triples
    ? keepClumped(rareTriples(table, moRare, listLimit, rare.maxRows), rare, counter)
    : null
  const rowRare =
    rare === null ? null : rowRareKeys(table, moRare, rareCombos, rareComboStart, rareComboRows, triples)
  return {
    ...(rowRare === null ? {} : { rowRareStart: rowRare.start, rowRareKeys: rowRare.keys }),
    ...(triples === null
      ? {}
      : {
          rareTriples: triples.keys,
          rareTripleStart: triples.start,
          rareTripleRows: triples.rows,
          cappedTriples: triples.capped,
        }),
    n,
    options,
    start2,
    end2,
    timeFrom: table.timeFrom,
    timeTo: table.timeTo,
    loc,
    ux,
    uy,
    uz,
    x: table.x,
    y: table.y,
    cosOrigin: Math.cos(table.originLat * DEG),
    maxHaversine: s * s,
    maxSquaredMeters: D * D,
    rareMaxHaversine: rareBound.haversine,
    rareMaxSquaredMeters: rareBound.squaredMeters,
    group,
    groupCount,
    evidenceEligible,
    moRare,
    rareCombos,
    rareComboStart,
    rareComboRows,
    cappedCombos,
    moStart: table.moStart,
    moIds: table.moIds,
    evidenceStart: table.evidenceStart,
    evidenceIds: table.evidenceIds,
  }
}

/**
 * Each row's usable rare-MO keys, ascending: its rare values (keys < V, in id order), then the rare
 * combinations it carries (V + key, filled in ascending key order). O(rows + rare memberships).
 */
function rowRareKeys(
  table: CaseTable,
  moRare: Uint8Array,
  rareCombos: Float64Array,
  rareComboStart: Uint32Array,
  rareComboRows: Uint32Array,
  triples: RareTuples | null,
): { start: Uint32Array; keys: Float64Array } {
  const n = table.size
  const V = moRare.length
  const { moStart, moIds } = table
  const start = new Uint32Array(n + 1)
  for (let i = 0; i < n; i++) {
    for (let k = moStart[i]; k < moStart[i + 1]; k++) if (moRare[moIds[k]] === 1) start[i + 1]++
  }
  for (let k = 0; k < rareComboRows.length; k++) start[rareComboRows[k] + 1]++
  if (triples !== null) for (let k = 0; k < triples.rows.length; k++) start[triples.rows[k] + 1]++
  for (let i = 0; i < n; i++) start[i + 1] += start[i]
  const keys = new Float64Array(start[n])
  const fill = start.slice(0, n)
  for (let i = 0; i < n; i++) {
    for (let k = moStart[i]; k < moStart[i + 1]; k++) if (moRare[moIds[k]] === 1) keys[fill[i]++] = moIds[k]
  }
  for (let c = 0; c < rareCombos.length; c++) {
    const key = V + rareCombos[c]
    for (let k = rareComboStart[c]; k < rareComboStart[c + 1]; k++) keys[fill[rareComboRows[k]]++] = key
  }
  if (triples !== null) {
    for (let c = 0; c < triples.keys.length; c++) {
      const key = V + V * V + triples.keys[c]
      for (let k = triples.start[c]; k < triples.start[c + 1]; k++) keys[fill[triples.rows[k]]++] = key
    }
  }
  return { start, keys }
}

/**
 * Rare combinations of two common MO values (both with frequency above the limit): every row's
 * combinations are listed as (v1·V + v2, row) and sorted by a radix sort; runs of 2..limit rows are
 * rare. Runs above maxBlockSize are capped. Small vocabularies (V² ≤ 2^24) count in a direct table
 * instead; both give the same result (`method` forces one, for tests).
 */
export function rareCombinations(
  table: CaseTable,
  moRare: Uint8Array,
  maxDocumentFrequency: number,
  maxBlockSize: number,
  method: 'auto' | 'table' | 'sort' = 'auto',
): { keys: Float64Array; start: Uint32Array; rows: Uint32Array; capped: { key: number; rows: number }[] } {
  const V = table.moValues.length
  if (method === 'table' || (method === 'auto' && V * V <= DIRECT_COMBINATION_LIMIT)) {
    return rareCombinationsDirect(table, moRare, maxDocumentFrequency, maxBlockSize)
  }
  const n = table.size
  const { moStart, moIds } = table
  let total = 0
  for (let i = 0; i < n; i++) {
    let common = 0
    for (let k = moStart[i]; k < moStart[i + 1]; k++) if (moRare[moIds[k]] === 0) common++
    total += (common * (common - 1)) / 2
  }
  const keys = new Float64Array(total)
  const owner = new Uint32Array(total)
  let at = 0
  for (let i = 0; i < n; i++) {
    const s = moStart[i]
    const e = moStart[i + 1]
    for (let p = s; p < e; p++) {
      const v1 = moIds[p]
      if (moRare[v1] !== 0) continue
      for (let q = p + 1; q < e; q++) {
        const v2 = moIds[q]
        if (moRare[v2] !== 0) continue
        keys[at] = v1 * V + v2
        owner[at] = i
        at++
      }
    }
  }
  const order = sortByKey(keys)
  const rareKeys: number[] = []
  const starts: number[] = [0]
  const capped: { key: number; rows: number }[] = []
  let rowCount = 0
  // first pass: sizes
  for (let p = 0; p < total; ) {
    const key = keys[order[p]]
    let q = p + 1
    while (q < total && keys[order[q]] === key) q++
    const size = q - p
    if (size >= 2 && size <= maxDocumentFrequency) {
      if (size <= maxBlockSize) {
        rareKeys.push(key)
        rowCount += size
        starts.push(rowCount)
      } else capped.push({ key, rows: size })
    }
    p = q
  }
  const rows = new Uint32Array(rowCount)
  let r = 0
  for (let p = 0; p < total; ) {
    const key = keys[order[p]]
    let q = p + 1
    while (q < total && keys[order[q]] === key) q++
    const size = q - p
    if (size >= 2 && size <= maxDocumentFrequency && size <= maxBlockSize) {
      for (let k = p; k < q; k++) rows[r++] = owner[order[k]]
    }
    p = q
  }
  return { keys: Float64Array.from(rareKeys), start: Uint32Array.from(starts), rows, capped }
}

/**
 * The rare tuples: those of at most `maxDocumentFrequency` rows, and larger ones whose rows form at most
 * `maxClumps` clumps (see {@link createClumpCounter}). Without a counter, all of them (listed by rows).
 */
function keepClumped(
  tuples: RareTuples,
  rare: { maxDocumentFrequency: number; maxClumps: number },
  counter: ClumpCounter | null,
): RareTuples {
  if (counter === null) return tuples
  const { keys, start, rows } = tuples
  const keep = new Uint8Array(keys.length)
  let kept = 0
  let keptRows = 0
  for (let c = 0; c < keys.length; c++) {
    const size = start[c + 1] - start[c]
    if (size <= rare.maxDocumentFrequency || counter.count(rows, start[c], start[c + 1]) <= rare.maxClumps) {
      keep[c] = 1
      kept++
      keptRows += size
    }
  }
  if (kept === keys.length) return tuples
  const outKeys = new Float64Array(kept)
  const outStart = new Uint32Array(kept + 1)
  const outRows = new Uint32Array(keptRows)
  let k = 0
  for (let c = 0; c < keys.length; c++) {
    if (keep[c] === 0) continue
    outKeys[k] = keys[c]
    outRows.set(rows.subarray(start[c], start[c + 1]), outStart[k])
    outStart[k + 1] = outStart[k] + start[c + 1] - start[c]
    k++
  }
  return { keys: outKeys, start: outStart, rows: outRows, capped: tuples.capped }
}

/** Rare tuples of MO values: sorted keys, their rows (CSR), and the capped ones. */
export interface RareTuples {
  keys: Float64Array
  start: Uint32Array
  rows: Uint32Array
  capped: { key: number; rows: number }[]
}

/**
 * Rare combinations of three common MO values (each with frequency above the limit): every row's
 * triples (v1 < v2 < v3) listed as ((v1·V + v2)·V + v3, row), radix-sorted; runs of 2..limit rows
 * are rare, runs above maxBlockSize capped. Vocabularies up to 256 values count in a direct V³ table
 * instead (same result; `method` forces one, for tests). O(Σ rows' triples).
 */
export function rareTriples(
  table: CaseTable,
  moRare: Uint8Array,
  maxDocumentFrequency: number,
  maxBlockSize: number,
  method: 'auto' | 'table' | 'sort' = 'auto',
): RareTuples {
  const n = table.size
  const V = table.moValues.length
  if (method === 'table' || (method === 'auto' && V * V * V <= DIRECT_COMBINATION_LIMIT)) {
    return rareTriplesDirect(table, moRare, maxDocumentFrequency, maxBlockSize)
  }
  const { moStart, moIds } = table
  let total = 0
  for (let i = 0; i < n; i++) {
    let m = 0
    for (let k = moStart[i]; k < moStart[i + 1]; k++) if (moRare[moIds[k]] === 0) m++
    total += (m * (m - 1) * (m - 2)) / 6
  }
  const keys = new Float64Array(total)
  const owner = new Uint32Array(total)
  let at = 0
  for (let i = 0; i < n; i++) {
    const e = moStart[i + 1]
    for (let p = moStart[i]; p < e; p++) {
      if (moRare[moIds[p]] !== 0) continue
      for (let q = p + 1; q < e; q++) {
        if (moRare[moIds[q]] !== 0) continue
        const base = (moIds[p] * V + moIds[q]) * V
        for (let r = q + 1; r < e; r++) {
          if (moRare[moIds[r]] !== 0) continue
          keys[at] = base + moIds[r]
          owner[at] = i
          at++
        }
      }
    }
  }
  return rareRuns(keys, owner, maxDocumentFrequency, maxBlockSize)
}

/** {@link rareTriples} by direct counting in a V³ table: two passes over the rows' triples, no sort. */
function rareTriplesDirect(
  table: CaseTable,
  moRare: Uint8Array,
  maxDocumentFrequency: number,
  maxBlockSize: number,
): RareTuples {
  const n = table.size
  const V = table.moValues.length
  const { moStart, moIds } = table
  const counts = new Uint32Array(V * V * V)
  // each row's common values, reused
  const common = new Uint32Array(Math.max(1, maxRowLength(moStart, n)))
  const commonOf = (i: number): number => {
    let m = 0
    for (let k = moStart[i]; k < moStart[i + 1]; k++) if (moRare[moIds[k]] === 0) common[m++] = moIds[k]
    return m
  }
  for (let i = 0; i < n; i++) {
    const m = commonOf(i)
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const base = (common[p] * V + common[q]) * V
        for (let r = q + 1; r < m; r++) counts[base + common[r]]++
      }
    }
  }
  const keys: number[] = []
  const starts: number[] = [0]
  const capped: { key: number; rows: number }[] = []
  const UNUSED = 0xffffffff
  let total = 0
  for (let key = 0; key < counts.length; key++) {
    const size = counts[key]
    if (size >= 2 && size <= maxDocumentFrequency) {
      if (size <= maxBlockSize) {
        keys.push(key)
        counts[key] = total
        total += size
        starts.push(total)
        continue
      }
      capped.push({ key, rows: size })
    }
    counts[key] = UNUSED
  }
  const rows = new Uint32Array(total)
  for (let i = 0; i < n; i++) {
    const m = commonOf(i)
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const base = (common[p] * V + common[q]) * V
        for (let r = q + 1; r < m; r++) {
          const key = base + common[r]
          if (counts[key] !== UNUSED) rows[counts[key]++] = i
        }
      }
    }
  }
  return { keys: Float64Array.from(keys), start: Uint32Array.from(starts), rows, capped }
}

function maxRowLength(start: Uint32Array, n: number): number {
  let m = 0
  for (let i = 0; i < n; i++) if (start[i + 1] - start[i] > m) m = start[i + 1] - start[i]
  return m
}

/** Runs of equal keys (radix-sorted, stable): rare runs of 2..limit rows, capped above maxBlockSize. */
function rareRuns(
  keys: Float64Array,
  owner: Uint32Array,
  maxDocumentFrequency: number,
  maxBlockSize: number,
): RareTuples {
  const total = keys.length
  const order = sortByKey(keys)
  const rareKeys: number[] = []
  const starts: number[] = [0]
  const capped: { key: number; rows: number }[] = []
  const members: number[] = []
  for (let p = 0; p < total; ) {
    const key = keys[order[p]]
    let q = p + 1
    while (q < total && keys[order[q]] === key) q++
    const size = q - p
    if (size >= 2 && size <= maxDocumentFrequency) {
      if (size <= maxBlockSize) {
        rareKeys.push(key)
        for (let k = p; k < q; k++) members.push(owner[order[k]])
        starts.push(members.length)
      } else capped.push({ key, rows: size })
    }
    p = q
  }
  return {
    keys: Float64Array.from(rareKeys),
    start: Uint32Array.from(starts),
    rows: Uint32Array.from(members),
    capped,
  }
}

/** Vocabularies up to this many MO pairs (V²) count combinations in a direct table. */
const DIRECT_COMBINATION_LIMIT = 1 << 24

/**
 * {@link rareCombinations} for small vocabularies: counts every combination in a V² table, then lists
 * the rows of the rare ones (two passes over the rows' combinations, no sort).
 */
function rareCombinationsDirect(
  table: CaseTable,
  moRare: Uint8Array,
  maxDocumentFrequency: number,
  maxBlockSize: number,
): { keys: Float64Array; start: Uint32Array; rows: Uint32Array; capped: { key: number; rows: number }[] } {
  const n = table.size
  const V = table.moValues.length
  const { moStart, moIds } = table
  const counts = new Uint32Array(V * V)
  for (let i = 0; i < n; i++) {
    const e = moStart[i + 1]
    for (let p = moStart[i]; p < e; p++) {
      const v1 = moIds[p]
      if (moRare[v1] !== 0) continue
      const base = v1 * V
      for (let q = p + 1; q < e; q++) if (moRare[moIds[q]] === 0) counts[base + moIds[q]]++
    }
  }
  const keys: number[] = []
  const starts: number[] = [0]
  const capped: { key: number; rows: number }[] = []
  // counts[key] becomes the fill position of a usable rare key, or 2^32 − 1
  const UNUSED = 0xffffffff
  let total = 0
  for (let key = 0; key < counts.length; key++) {
    const size = counts[key]
    if (size >= 2 && size <= maxDocumentFrequency) {
      if (size <= maxBlockSize) {
        keys.push(key)
        counts[key] = total
        total += size
        starts.push(total)
        continue
      }
      capped.push({ key, rows: size })
    }
    counts[key] = UNUSED
  }
  const rows = new Uint32Array(total)
  for (let i = 0; i < n; i++) {
    const e = moStart[i + 1]
    for (let p = moStart[i]; p < e; p++) {
      const v1 = moIds[p]
      if (moRare[v1] !== 0) continue
      const base = v1 * V
      for (let q = p + 1; q < e; q++) {
        if (moRare[moIds[q]] !== 0) continue
        const key = base + moIds[q]
        if (counts[key] !== UNUSED) rows[counts[key]++] = i
      }
    }
  }
  return { keys: Float64Array.from(keys), start: Uint32Array.from(starts), rows, capped }
}

/** Windows within the space-time gap. */
export function withinGap(h: Horizon, i: number, j: number): boolean {
  return h.start2[i] <= h.end2[j] && h.start2[j] <= h.end2[i]
}

/** Both locations known, in the same system, and within maxDistanceMeters. */
export function withinDistance(h: Horizon, i: number, j: number): boolean {
  return withinBounds(h, i, j, h.maxHaversine, h.maxSquaredMeters)
}

/** Locations (known, in the same system) within a haversine bound (lat/lon) or a squared distance (planar). */
function withinBounds(
  h: Horizon,
  i: number,
  j: number,
  maxHaversine: number,
  maxSquaredMeters: number,
): boolean {
  if (h.loc[i] === LOC_LATLON) {
    const dx = h.ux[j] - h.ux[i]
    const dy = h.uy[j] - h.uy[i]
    const dz = h.uz[j] - h.uz[i]
    return (dx * dx + dy * dy + dz * dz) * 0.25 <= maxHaversine
  }
  const dx = h.x[j] - h.x[i]
  const dy = h.y[j] - h.y[i]
  return dx * dx + dy * dy <= maxSquaredMeters
}

/**
 * Whether the category groups let the space-time rule pair rows i and j (a row in no group pairs with
 * every group).
 *
 * @example
 * groupsCompatible(horizon, 0, 1) // false for a burglary and a fraud under categoryGroups 'category'
 */
export function groupsCompatible(h: Horizon, i: number, j: number): boolean {
  const gi = h.group[i]
  const gj = h.group[j]
  return gi < 0 || gj < 0 || gi === gj
}

/** The space-time rule that covers pair (i, j), or -1: the "within the horizon" predicate. */
export function horizonRule(h: Horizon, i: number, j: number): number {
  if (!withinGap(h, i, j) || !groupsCompatible(h, i, j)) return -1
  const li = h.loc[i]
  if (li === LOC_NONE || li !== h.loc[j]) return h.options.allowMissingLocation ? MISSING_LOCATION : -1
  return withinDistance(h, i, j) ? SPACE_TIME : -1
}

/** Smallest evidence id shared by i and j that the evidence rule uses, or -1. */
export function firstSharedEvidence(h: Horizon, i: number, j: number): number {
  const ids = h.evidenceIds
  let p = h.evidenceStart[i]
  const ep = h.evidenceStart[i + 1]
  let q = h.evidenceStart[j]
  const eq = h.evidenceStart[j + 1]
  while (p < ep && q < eq) {
    const a = ids[p]
    const b = ids[q]
    if (a === b) {
      if (h.evidenceEligible[a] === 1) return a
      p++
      q++
    } else if (a < b) p++
    else q++
  }
  return -1
}

/** {@link Horizon}'s `rareMaxHaversine` and `rareMaxSquaredMeters` for resolved options. */
export function rareDistanceBounds(options: ResolvedBlockingOptions): {
  haversine: number
  squaredMeters: number
} {
  const D = options.rareMo?.maxDistanceMeters ?? Number.POSITIVE_INFINITY
  if (!Number.isFinite(D))
    return { haversine: Number.POSITIVE_INFINITY, squaredMeters: Number.POSITIVE_INFINITY }
  return {
    haversine: Math.sin(Math.min(D / (2 * EARTH_RADIUS_METERS), Math.PI / 2)) ** 2,
    squaredMeters: D * D,
  }
}

/**
 * Within the rare-MO rule's horizon: windows within its gap and, when both rows are located in the same
 * system, locations within its distance (an unlocated pair is not limited in space).
 */
export function withinRareHorizon(h: Horizon, i: number, j: number): boolean {
  const rare = h.options.rareMo
  if (rare === null) return false
  const from = Math.max(h.timeFrom[i], h.timeFrom[j])
  const to = Math.min(h.timeTo[i], h.timeTo[j])
  if (from - to > rare.maxGapMs) return false
  const li = h.loc[i]
  if (li === LOC_NONE || li !== h.loc[j]) return true
  return withinBounds(h, i, j, h.rareMaxHaversine, h.rareMaxSquaredMeters)
}

/**
 * Smallest rare-MO key shared by i and j: a usable rare value v (key v), else a usable rare
 * combination of two shared common values (key V + v1·V + v2); -1 when none.
 */
export function firstSharedRareKey(h: Horizon, i: number, j: number): number {
  const rowKeys = h.rowRareKeys
  if (rowKeys !== undefined && h.rowRareStart !== undefined) {
    const start = h.rowRareStart
    let p = start[i]
    const ep = start[i + 1]
    let q = start[j]
    const eq = start[j + 1]
    while (p < ep && q < eq) {
      const a = rowKeys[p]
      const b = rowKeys[q]
      if (a === b) return a
      if (a < b) p++
      else q++
    }
    return -1
  }
  return firstSharedRareKeyByValues(h, i, j)
}

/** {@link firstSharedRareKey} from the rows' MO values (no per-row key index). */
export function firstSharedRareKeyByValues(h: Horizon, i: number, j: number): number {
  const ids = h.moIds
  let p = h.moStart[i]
  const ep = h.moStart[i + 1]
  let q = h.moStart[j]
  const eq = h.moStart[j + 1]
  let firstCommon = -1
  let lastCommon = -1
  let commonCount = 0
  while (p < ep && q < eq) {
    const a = ids[p]
    const b = ids[q]
    if (a === b) {
      const r = h.moRare[a]
      // ids ascend, so the first usable rare value met is the smallest key
      if (r === 1) return a
      if (r === 0) {
        if (firstCommon < 0) firstCommon = p
        lastCommon = p
        commonCount++
      }
      p++
      q++
    } else if (a < b) p++
    else q++
  }
  if (commonCount < 2) return -1
  const V = h.moRare.length
  const best = h.rareCombos.length === 0 ? -1 : smallestRareCombo(h, firstCommon, lastCommon, j)
  if (best >= 0) return V + best
  if (commonCount < 3 || h.rareTriples === undefined || h.rareTriples.length === 0) return -1
  const triple = smallestRareTriple(h, h.rareTriples, firstCommon, lastCommon, j)
  return triple < 0 ? -1 : V + V * V + triple
}

/** As {@link smallestRareCombo}, for triples (keys (v1·V + v2)·V + v3, lexicographic). */
function smallestRareTriple(h: Horizon, triples: Float64Array, from: number, to: number, j: number): number {
  const ids = h.moIds
  const V = h.moRare.length
  const js = h.moStart[j]
  const je = h.moStart[j + 1]
  const shared = (v: number) => h.moRare[v] === 0 && rowHas(ids, js, je, v)
  for (let p = from; p <= to; p++) {
    if (!shared(ids[p])) continue
    for (let q = p + 1; q <= to; q++) {
      if (!shared(ids[q])) continue
      const base = (ids[p] * V + ids[q]) * V
      for (let r = q + 1; r <= to; r++) {
        if (!shared(ids[r])) continue
        if (searchSorted(triples, base + ids[r]) >= 0) return base + ids[r]
      }
    }
  }
  return -1
}

/**
 * Smallest rare combination key v1·V + v2 among values shared by rows i and j, with v1, v2 both
 * common, taken in order from row i's positions [from, to] (inclusive): the first rare one met is the
 * smallest key. -1 when none.
 */
function smallestRareCombo(h: Horizon, from: number, to: number, j: number): number {
  const ids = h.moIds
  const V = h.moRare.length
  const js = h.moStart[j]
  const je = h.moStart[j + 1]
  for (let p = from; p <= to; p++) {
    const v1 = ids[p]
    if (h.moRare[v1] !== 0 || !rowHas(ids, js, je, v1)) continue
    for (let q = p + 1; q <= to; q++) {
      const v2 = ids[q]
      if (h.moRare[v2] !== 0 || !rowHas(ids, js, je, v2)) continue
      const key = v1 * V + v2
      if (searchSorted(h.rareCombos, key) >= 0) return key
    }
  }
  return -1
}

function rowHas(ids: Uint32Array, start: number, end: number, value: number): boolean {
  for (let k = start; k < end; k++) {
    if (ids[k] === value) return true
    if (ids[k] > value) return false
  }
  return false
}

/** Index of `key` in ascending `keys`, or -1. */
export function searchSorted(keys: Float64Array, key: number): number {
  let lo = 0
  let hi = keys.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const v = keys[mid]
    if (v === key) return mid
    if (v < key) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/**
 * The rule that produces pair (i, j), i !== j, or -1 when no rule does: space-time (or missing
 * location) first, then shared evidence, then rare MO. Each pair has exactly one rule, so the rules'
 * outputs are disjoint. Pure; O(list lengths).
 */
export function pairRule(h: Horizon, i: number, j: number): number {
  const r = horizonRule(h, i, j)
  if (r >= 0) return r
  if (h.options.evidence && firstSharedEvidence(h, i, j) >= 0) return EVIDENCE
  if (h.options.rareMo !== null && withinRareHorizon(h, i, j) && firstSharedRareKey(h, i, j) >= 0) {
    return RARE_MO
  }
  return -1
}
