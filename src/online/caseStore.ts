/**
 * Growable columnar storage of indexed incidents for the online index: the columns of a
 * {@link CaseTable} in typed arrays whose capacity doubles, with one global vocabulary per list field.
 * New rows arrive as small CaseTables (built by `buildCaseTable`, so parsing, time zones, projection and
 * narrative bigrams are computed exactly as in batch) and are appended; any subset of rows can be
 * gathered back into a CaseTable for the pair scorer. Appending is amortized O(row size), gathering
 * O(rows gathered + their list lengths).
 *
 * Narratives are kept as what the pair scorer reads of them: the 512-bit signature of their bigram hashes
 * (16 words per row, {@link NARRATIVE_WORDS}; hash bits 28-31 pick the word, bits 0-4 the bit), 64 bytes a
 * row instead of 4 bytes a bigram (~300 bytes a row). Gathered rows list their signature's bits as bigram
 * hashes `(word << 28) | bit`, which the scorer packs into the same signature.
 */
import type { Incident } from '../schema/incident'
import { createZoneClock, type ZoneClock } from '../schema/zoneClock'
import { buildCaseTable, EARTH_RADIUS_METERS, narrativeBigrams } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { allocateLongLived, resizeLongLived } from '../util/longLived'
import type { IndexSnapshot } from './indexFile'

const DEG = Math.PI / 180
/**
 * From this many incidents on, narrative bigrams are hashed by `buildCaseTable` over the whole batch (one
 * scratch and one output array), instead of `narrativeBigrams` per row: two small ArrayBuffers per row
 * add up to external memory that makes V8 run full collections of the whole heap.
 */
const NARRATIVE_BATCH = 32
/** Words of a row's narrative signature (see the module comment). */
export const NARRATIVE_WORDS = 16
const NO_VALUES: string[] = []

/** The fields buildCaseTable needs to hash an incident's narrative (and to accept the row). */
function narrativeOnly(incident: Incident): Incident {
  return {
    id: incident.id,
    timeFrom: incident.timeFrom,
    timeTo: incident.timeTo,
    narrative: incident.narrative,
    mo: NO_VALUES,
    evidence: NO_VALUES,
    series: NO_VALUES,
    attributes: {},
  }
}

/** A growable typed-array column. */
type Numeric = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint8Array

/**
 * Returns `array` when it holds `needed` entries, else a copy with doubled (or `needed`) capacity (see
 * `resizeLongLived`).
 */
export function ensureCapacity<T extends Numeric>(array: T, needed: number): T {
  if (needed <= array.length) return array
  let capacity = Math.max(16, array.length * 2)
  while (capacity < needed) capacity *= 2
  return resizeLongLived(array, capacity)
}

/**
 * The row of each stored id: an open-addressing table of row numbers keyed by FNV-1a hashes of the ids,
 * compared against the store's own id strings. Unlike a Map of a million strings it holds no entry objects,
 * so the JavaScript heap (which every full garbage collection marks) does not grow with the index.
 */
export class RowIndex {
  private rows = new Int32Array(1024).fill(-1)
  private hashes = new Int32Array(1024)
  private mask = 1023
  private size = 0

  constructor(private readonly ids: readonly string[]) {}

  /** The row of `id`, or -1. */
  get(id: string): number {
    const h = hashId(id)
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const row = this.rows[slot]
      if (row < 0) return -1
      if (this.hashes[slot] === h && this.ids[row] === id) return row
    }
  }

  /** Records that `ids[row]` (not yet recorded) is at `row`. */
  set(row: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.grow()
    this.insert(hashId(this.ids[row]), row)
    this.size++
  }

  private insert(h: number, row: number): void {
    let slot = h & this.mask
    while (this.rows[slot] >= 0) slot = (slot + 1) & this.mask
    this.rows[slot] = row
    this.hashes[slot] = h
  }

  private grow(): void {
    const rows = this.rows
    const hashes = this.hashes
    const capacity = 2 * (this.mask + 1)
    this.rows = allocateLongLived(Int32Array, capacity).fill(-1)
    this.hashes = allocateLongLived(Int32Array, capacity)
    this.mask = capacity - 1
    for (let slot = 0; slot < rows.length; slot++) if (rows[slot] >= 0) this.insert(hashes[slot], rows[slot])
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units, mixed (the low bits pick the slot). */
function hashId(id: string): number {
  let h = 0x811c9dc5
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  return h ^ (h >>> 13)
}

/** A vocabulary of strings with dense ids and a group (the text before `:`) per value. */
export class Vocabulary {
  readonly values: string[] = []
  readonly index = new Map<string, number>()
  readonly groupValues: string[] = []
  readonly groupIndex = new Map<string, number>()
  group: Int32Array = new Int32Array(16)
  /** Rows carrying each value (document frequency over the stored rows). */
  frequency: Uint32Array = new Uint32Array(16)

  constructor(private readonly separator: string | null) {}

  get size(): number {
    return this.values.length
  }

  /** Id of `value`, interning it when new. */
  intern(value: string): number {
    let id = this.index.get(value)
    if (id !== undefined) return id
    id = this.values.length
    this.index.set(value, id)
    this.values.push(value)
    this.group = ensureCapacity(this.group, id + 1)
    this.frequency = ensureCapacity(this.frequency, id + 1)
    this.frequency[id] = 0
    let g = -1
    if (this.separator !== null) {
      const at = value.indexOf(this.separator)
      if (at > 0) {
        const name = value.slice(0, at)
        g = this.groupIndex.get(name) ?? -1
        if (g < 0) {
          g = this.groupValues.length
          this.groupIndex.set(name, g)
          this.groupValues.push(name)
        }
      }
    }
    this.group[id] = g
    return id
  }

  /**
   * Forgets the values interned after the first `size` (their frequencies must be 0) and the groups
   * after the first `groups`.
   */
  truncate(size: number, groups: number): void {
    while (this.values.length > size) this.index.delete(this.values.pop() as string)
    while (this.groupValues.length > groups) this.groupIndex.delete(this.groupValues.pop() as string)
  }
}

/** A CSR list column (row i's ids are `ids[start[i] .. start[i + 1])`, ascending). */
class ListColumn {
  start: Uint32Array = new Uint32Array(17)
  ids: Uint32Array = new Uint32Array(64)
}

/** Where the vocabularies stood before an append, to undo it (see {@link CaseStore.truncate}). */
export interface StoreMark {
  size: number
  mo: number
  evidence: number
  category: number
  moGroups: number
  evidenceGroups: number
}

/**
 * The stored rows. Column semantics are those of {@link CaseTable}; list ids are global vocabulary ids,
 * sorted ascending per row.
 */
export class CaseStore {
  size = 0
  readonly ids: string[] = []
  timeFrom: Float64Array = new Float64Array(16)
  timeTo: Float64Array = new Float64Array(16)
  utcOffsetMinutes: Int16Array = new Int16Array(16)
  hasLocation: Uint8Array = new Uint8Array(16)
  hasLatLon: Uint8Array = new Uint8Array(16)
  lat: Float64Array = new Float64Array(16)
  lon: Float64Array = new Float64Array(16)
  x: Float64Array = new Float64Array(16)
  y: Float64Array = new Float64Array(16)
  category: Int32Array = new Int32Array(16)
  categoryParent: Int32Array = new Int32Array(16)
  readonly categories = new Vocabulary(null)
  readonly mo = new Vocabulary(':')
  readonly evidence = new Vocabulary(':')
  readonly moList = new ListColumn()
  readonly evidenceList = new ListColumn()
  /** Narrative signatures: row i's 16 words at `16 i` (see the module comment). */
  narrativeBits: Int32Array = new Int32Array(16 * NARRATIVE_WORDS)
  // scratch for gather: global id -> local id + 1 (0 = not yet seen)
  private moLocal = new Int32Array(16)
  private evidenceLocal = new Int32Array(16)
  /** The zone's clock, created once: one zone check and one offset cache for the store's life. */
  private clock: ZoneClock | null = null

  constructor(
    readonly timeZone: string,
    readonly originLat: number,
    readonly originLon: number,
  ) {}

  /**
   * Appends validated incidents as `append(buildCaseTable(incidents, { timeZone, originLat, originLon }))`
   * would, column for column and id for id (vocabulary values are interned in the same first-seen order),
   * without building the intermediate table or a new zone clock. Returns the first new row index.
   */
  appendIncidents(incidents: readonly Incident[]): number {
    const first = this.size
    const count = incidents.length
    const n = first + count
    if (this.clock === null) this.clock = createZoneClock(this.timeZone)
    const clock = this.clock
    this.reserveColumns(n)
    const cosOrigin = Math.cos(this.originLat * DEG)
    for (let k = 0; k < count; k++) {
      const incident = incidents[k]
      const i = first + k
      const from = incident.timeFrom
      const to = incident.timeTo
      if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
        throw new Error(
          `caselink: incident ${k} ("${incident.id}") has an invalid time window (expected finite timeFrom <= timeTo)`,
        )
      }
      this.ids.push(incident.id)
      this.timeFrom[i] = from
      this.timeTo[i] = to
      this.utcOffsetMinutes[i] = clock.offsetMinutes(from)
      this.hasLocation[i] = 0
      this.hasLatLon[i] = 0
      this.lat[i] = Number.NaN
      this.lon[i] = Number.NaN
      this.x[i] = Number.NaN
      this.y[i] = Number.NaN
      if (isNumber(incident.lat) && isNumber(incident.lon)) {
        this.hasLocation[i] = 1
        this.hasLatLon[i] = 1
        this.lat[i] = incident.lat
        this.lon[i] = incident.lon
        this.x[i] = EARTH_RADIUS_METERS * (incident.lon - this.originLon) * DEG * cosOrigin
        this.y[i] = EARTH_RADIUS_METERS * (incident.lat - this.originLat) * DEG
      } else if (isNumber(incident.x) && isNumber(incident.y)) {
        this.hasLocation[i] = 1
        this.x[i] = incident.x
        this.y[i] = incident.y
      }
      this.category[i] = -1
      this.categoryParent[i] = -1
      const category = incident.category
      if (category !== undefined && category !== '') {
        this.category[i] = this.categories.intern(category)
        const dot = category.indexOf('.')
        this.categoryParent[i] = dot < 0 ? this.category[i] : this.categories.intern(category.slice(0, dot))
      }
    }
    // lists after all rows, as buildCaseTable interns them (categories, then MO, then evidence values)
    for (let k = 0; k < count; k++) internList(this.moList, first + k, incidents[k].mo, this.mo)
    for (let k = 0; k < count; k++)
      internList(this.evidenceList, first + k, incidents[k].evidence, this.evidence)
    const batch = count >= NARRATIVE_BATCH ? buildCaseTable(incidents.map(narrativeOnly)) : null
    for (let k = 0; k < count; k++) {
      const text = incidents[k].narrative
      if (batch !== null) {
        signNarrative(
          this.narrativeBits,
          first + k,
          batch.narrativeBigrams,
          batch.narrativeStart[k],
          batch.narrativeStart[k + 1],
        )
      } else if (text !== undefined && text.length > 0) {
        const bigrams = narrativeBigrams(text)
        signNarrative(this.narrativeBits, first + k, bigrams, 0, bigrams.length)
      } else signNarrative(this.narrativeBits, first + k, bigrams0, 0, 0)
    }
    this.size = n
    return first
  }

  mark(): StoreMark {
    return {
      size: this.size,
      mo: this.mo.size,
      evidence: this.evidence.size,
      category: this.categories.size,
      moGroups: this.mo.groupValues.length,
      evidenceGroups: this.evidence.groupValues.length,
    }
  }

  /** Grows the per-row columns to hold `n` rows. */
  private reserveColumns(n: number): void {
    this.timeFrom = ensureCapacity(this.timeFrom, n)
    this.timeTo = ensureCapacity(this.timeTo, n)
    this.utcOffsetMinutes = ensureCapacity(this.utcOffsetMinutes, n)
    this.hasLocation = ensureCapacity(this.hasLocation, n)
    this.hasLatLon = ensureCapacity(this.hasLatLon, n)
    this.lat = ensureCapacity(this.lat, n)
    this.lon = ensureCapacity(this.lon, n)
    this.x = ensureCapacity(this.x, n)
    this.y = ensureCapacity(this.y, n)
    this.category = ensureCapacity(this.category, n)
    this.categoryParent = ensureCapacity(this.categoryParent, n)
    this.narrativeBits = ensureCapacity(this.narrativeBits, n * NARRATIVE_WORDS)
  }

  /**
   * Appends every row of `table` (built with this store's time zone and origin). Returns the first new
   * row index.
   */
  append(table: CaseTable): number {
    const first = this.size
    const n = first + table.size
    this.reserveColumns(n)
    const categoryMap = table.categoryValues.map((name) => this.categories.intern(name))
    const moMap = table.moValues.map((value) => this.mo.intern(value))
    const evidenceMap = table.evidenceValues.map((value) => this.evidence.intern(value))
    for (let k = 0; k < table.size; k++) {
      const i = first + k
      this.ids.push(table.ids[k])
      this.timeFrom[i] = table.timeFrom[k]
      this.timeTo[i] = table.timeTo[k]
      this.utcOffsetMinutes[i] = table.utcOffsetMinutes[k]
      this.hasLocation[i] = table.hasLocation[k]
      this.hasLatLon[i] = table.hasLatLon[k]
      this.lat[i] = table.lat[k]
      this.lon[i] = table.lon[k]
      this.x[i] = table.x[k]
      this.y[i] = table.y[k]
      this.category[i] = table.category[k] < 0 ? -1 : categoryMap[table.category[k]]
      this.categoryParent[i] = table.categoryParent[k] < 0 ? -1 : categoryMap[table.categoryParent[k]]
    }
    appendList(this.moList, first, table.size, table.moStart, table.moIds, moMap, this.mo)
    appendList(
      this.evidenceList,
      first,
      table.size,
      table.evidenceStart,
      table.evidenceIds,
      evidenceMap,
      this.evidence,
    )
    for (let k = 0; k < table.size; k++) {
      signNarrative(
        this.narrativeBits,
        first + k,
        table.narrativeBigrams,
        table.narrativeStart[k],
        table.narrativeStart[k + 1],
      )
    }
    this.size = n
    return first
  }

  /**
   * The narrative signatures of the given rows as CSR bigram-hash lists: each set bit (word w, bit b) as the
   * hash `(w << 28) | b`, ascending, so that packing them gives the same signature. `rows` null: rows
   * 0 .. count - 1.
   */
  narrativeHashes(rows: ArrayLike<number> | null, count: number): { start: Uint32Array; ids: Uint32Array } {
    const bits = this.narrativeBits
    const start = new Uint32Array(count + 1)
    let total = 0
    for (let k = 0; k < count; k++) {
      const r = (rows === null ? k : rows[k]) * NARRATIVE_WORDS
      for (let w = 0; w < NARRATIVE_WORDS; w++) total += popcount32(bits[r + w])
    }
    const ids = new Uint32Array(total)
    let at = 0
    for (let k = 0; k < count; k++) {
      start[k] = at
      const r = (rows === null ? k : rows[k]) * NARRATIVE_WORDS
      for (let w = 0; w < NARRATIVE_WORDS; w++) {
        // set bits lowest first: ascending hashes
        for (let word = bits[r + w]; word !== 0; word &= word - 1) {
          ids[at++] = ((w << 28) | (31 - Math.clz32(word & -word))) >>> 0
        }
      }
    }
    start[count] = at
    return { start, ids }
  }

  /** Fills an empty store from a saved snapshot (frequencies are recounted from the lists). */
  restore(snapshot: IndexSnapshot): void {
    const a = snapshot.arrays
    const n = snapshot.size
    this.size = n
    for (const id of snapshot.ids) this.ids.push(id)
    this.timeFrom = a.timeFrom
    this.timeTo = a.timeTo
    this.utcOffsetMinutes = a.utcOffsetMinutes
    this.hasLocation = a.hasLocation
    this.hasLatLon = a.hasLatLon
    this.lat = a.lat
    this.lon = a.lon
    this.x = a.x
    this.y = a.y
    this.category = a.category
    this.categoryParent = a.categoryParent
    for (const value of snapshot.categories) this.categories.intern(value)
    for (const value of snapshot.moValues) this.mo.intern(value)
    for (const value of snapshot.evidenceValues) this.evidence.intern(value)
    this.moList.start = a.moStart
    this.moList.ids = a.moIds
    this.evidenceList.start = a.evidenceStart
    this.evidenceList.ids = a.evidenceIds
    this.narrativeBits = new Int32Array(Math.max(1, n) * NARRATIVE_WORDS)
    for (let i = 0; i < n; i++) {
      signNarrative(this.narrativeBits, i, a.narrativeBigrams, a.narrativeStart[i], a.narrativeStart[i + 1])
    }
    for (let k = 0; k < a.moIds.length; k++) this.mo.frequency[a.moIds[k]]++
    for (let k = 0; k < a.evidenceIds.length; k++) this.evidence.frequency[a.evidenceIds[k]]++
  }

  /** Removes the rows and vocabulary appended after `mark` (used by queries, which append temporarily). */
  truncate(mark: StoreMark): void {
    for (let i = mark.size; i < this.size; i++) {
      const list = this.moList
      for (let k = list.start[i]; k < list.start[i + 1]; k++) this.mo.frequency[list.ids[k]]--
      const ev = this.evidenceList
      for (let k = ev.start[i]; k < ev.start[i + 1]; k++) this.evidence.frequency[ev.ids[k]]--
    }
    this.ids.length = mark.size
    this.size = mark.size
    this.mo.truncate(mark.mo, mark.moGroups)
    this.evidence.truncate(mark.evidence, mark.evidenceGroups)
    this.categories.truncate(mark.category, 0)
  }

  /**
   * A {@link CaseTable} of the given rows (row k of the table is store row `rows[k]`), with a local
   * vocabulary holding only the values those rows carry, ids in the order of the global ids (so rows stay
   * sorted). Frequencies are counted within the gathered rows; pair it with {@link CaseStore.reference}
   * for the stored rows' frequencies.
   */
  gather(rows: ArrayLike<number>, count: number): { table: CaseTable; reference: CaseTable } {
    const timeFrom = new Float64Array(count)
    const timeTo = new Float64Array(count)
    const utcOffsetMinutes = new Int16Array(count)
    const hasLocation = new Uint8Array(count)
    const hasLatLon = new Uint8Array(count)
    const lat = new Float64Array(count)
    const lon = new Float64Array(count)
    const x = new Float64Array(count)
    const y = new Float64Array(count)
    const category = new Int32Array(count)
    const categoryParent = new Int32Array(count)
    const ids: string[] = new Array(count)
    for (let k = 0; k < count; k++) {
      const i = rows[k]
      ids[k] = this.ids[i]
      timeFrom[k] = this.timeFrom[i]
      timeTo[k] = this.timeTo[i]
      utcOffsetMinutes[k] = this.utcOffsetMinutes[i]
      hasLocation[k] = this.hasLocation[i]
      hasLatLon[k] = this.hasLatLon[i]
      lat[k] = this.lat[i]
      lon[k] = this.lon[i]
      x[k] = this.x[i]
      y[k] = this.y[i]
      category[k] = this.category[i]
      categoryParent[k] = this.categoryParent[i]
    }
    this.moLocal = ensureCapacity(this.moLocal, this.mo.size)
    this.evidenceLocal = ensureCapacity(this.evidenceLocal, this.evidence.size)
    const mo = gatherList(this.moList, rows, count, this.mo, this.moLocal)
    const evidence = gatherList(this.evidenceList, rows, count, this.evidence, this.evidenceLocal)
    const narrative = this.narrativeHashes(rows, count)
    const table: CaseTable = {
      size: count,
      ids,
      timeFrom,
      timeTo,
      utcOffsetMinutes,
      hasLocation,
      hasLatLon,
      lat,
      lon,
      x,
      y,
      originLat: this.originLat,
      originLon: this.originLon,
      category,
      categoryValues: this.categories.values,
      categoryParent,
      moStart: mo.start,
      moIds: mo.ids,
      moValues: mo.values,
      moGroup: mo.group,
      moGroupValues: this.mo.groupValues,
      moFrequency: mo.frequency,
      evidenceStart: evidence.start,
      evidenceIds: evidence.ids,
      evidenceValues: evidence.values,
      evidenceKind: evidence.group,
      evidenceKindValues: this.evidence.groupValues,
      evidenceFrequency: evidence.frequency,
      narrativeStart: narrative.start,
      narrativeBigrams: narrative.ids,
      seriesStart: new Uint32Array(count + 1),
      seriesIds: new Uint32Array(0),
      seriesValues: [],
      timeZone: this.timeZone,
    }
    // The scorer reads only `size` and the value/frequency columns of a reference table: the stored
    // rows' document frequencies of the gathered values, over all stored rows.
    const reference = {
      ...table,
      size: this.size,
      moFrequency: mo.globalFrequency,
      evidenceFrequency: evidence.globalFrequency,
    }
    return { table, reference }
  }
}

const bigrams0 = new Uint32Array(0)

/** Sets row i's narrative signature to that of bigram hashes `hashes[from .. to)`. */
function signNarrative(bits: Int32Array, i: number, hashes: Uint32Array, from: number, to: number): void {
  const r = i * NARRATIVE_WORDS
  bits.fill(0, r, r + NARRATIVE_WORDS)
  for (let k = from; k < to; k++) {
    const h = hashes[k]
    bits[r + (h >>> 28)] |= 1 << (h & 31)
  }
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/** Row i's list: values interned in list order, ids sorted and de-duplicated (as buildCaseTable). */
function internList(
  list: ListColumn,
  i: number,
  values: readonly string[] | undefined,
  vocabulary: Vocabulary,
): void {
  const rowStart = list.start[i]
  const length = values === undefined ? 0 : values.length
  list.ids = ensureCapacity(list.ids, rowStart + length)
  list.start = ensureCapacity(list.start, i + 2)
  const ids = list.ids
  let end = rowStart
  for (let k = 0; k < length; k++) {
    const v = vocabulary.intern((values as readonly string[])[k])
    let p = end
    while (p > rowStart && ids[p - 1] > v) p--
    if (p > rowStart && ids[p - 1] === v) continue
    ids.copyWithin(p + 1, p, end)
    ids[p] = v
    end++
  }
  for (let k = rowStart; k < end; k++) vocabulary.frequency[ids[k]]++
  list.start[i + 1] = end
}

function appendList(
  list: ListColumn,
  first: number,
  count: number,
  start: Uint32Array,
  ids: Uint32Array,
  map: number[] | null,
  vocabulary: Vocabulary | null,
): void {
  list.start = ensureCapacity(list.start, first + count + 1)
  let at = list.start[first]
  list.ids = ensureCapacity(list.ids, at + (start[count] - start[0]))
  for (let k = 0; k < count; k++) {
    list.start[first + k] = at
    const s = start[k]
    const e = start[k + 1]
    const rowStart = at
    for (let p = s; p < e; p++) {
      const id = map === null ? ids[p] : map[ids[p]]
      // keep the row sorted by global id (insertion sort: rows are short)
      let q = at
      while (q > rowStart && list.ids[q - 1] > id) {
        list.ids[q] = list.ids[q - 1]
        q--
      }
      list.ids[q] = id
      at++
      if (vocabulary !== null) vocabulary.frequency[id]++
    }
  }
  list.start[first + count] = at
}

interface GatheredList {
  start: Uint32Array
  ids: Uint32Array
  values: string[]
  group: Int32Array
  frequency: Uint32Array
  globalFrequency: Uint32Array
}

function gatherList(
  list: ListColumn,
  rows: ArrayLike<number>,
  count: number,
  vocabulary: Vocabulary,
  local: Int32Array,
): GatheredList {
  const start = new Uint32Array(count + 1)
  let total = 0
  const seen: number[] = []
  for (let k = 0; k < count; k++) {
    const i = rows[k]
    for (let p = list.start[i]; p < list.start[i + 1]; p++) {
      const id = list.ids[p]
      if (local[id] === 0) {
        local[id] = 1
        seen.push(id)
      }
    }
    total += list.start[i + 1] - list.start[i]
  }
  seen.sort((a, b) => a - b)
  const V = seen.length
  const values: string[] = new Array(V)
  const group = new Int32Array(V)
  const globalFrequency = new Uint32Array(V)
  for (let v = 0; v < V; v++) {
    const id = seen[v]
    local[id] = v + 1
    values[v] = vocabulary.values[id]
    group[v] = vocabulary.group[id]
    globalFrequency[v] = vocabulary.frequency[id]
  }
  const ids = new Uint32Array(total)
  const frequency = new Uint32Array(V)
  let at = 0
  for (let k = 0; k < count; k++) {
    start[k] = at
    const i = rows[k]
    for (let p = list.start[i]; p < list.start[i + 1]; p++) {
      const v = local[list.ids[p]] - 1
      ids[at++] = v
      frequency[v]++
    }
  }
  start[count] = at
  for (let v = 0; v < V; v++) local[seen[v]] = 0
  return { start, ids, values, group, frequency, globalFrequency }
}

/** Set bits of a 32-bit word. */
function popcount32(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}
