import type { Incident } from '../schema/incident'
import { createZoneClock } from '../schema/zoneClock'
import type { CaseTable } from './CaseTable'

/** Options of {@link buildCaseTable}. */
export interface BuildCaseTableOptions {
  /**
   * IANA time zone of the local clock used for time of day and day of week (`utcOffsetMinutes`).
   * Default `'UTC'`.
   */
  timeZone?: string
  /**
   * Projection origin for lat/lon rows, degrees. Default: the mean of the rows' lat/lon (so the
   * equirectangular projection is accurate to ~0.1% within a few hundred km of the data's centre).
   */
  originLat?: number
  originLon?: number
}

const DEFAULTS = { timeZone: 'UTC' } as const

/**
 * Mean Earth radius used by every distance in caselink, metres (IUGG mean radius R₁).
 *
 * @example
 * const metresPerDegree = (EARTH_RADIUS_METERS * Math.PI) / 180 // ≈ 111,195
 */
export const EARTH_RADIUS_METERS = 6_371_008.8

const DEG = Math.PI / 180

/**
 * Builds the columnar {@link CaseTable} of validated incidents: typed arrays for time windows,
 * locations (degrees and local metres), category ids, CSR lists of MO / evidence ids with their
 * vocabularies and frequencies, narrative character-bigram hashes, and series labels (CSR, for
 * training and evaluation). Row `i` is `incidents[i]`; the input is not mutated. Runs in
 * O(total list length + narrative length) plus a sort of each row's (short) lists.
 *
 * @example
 * const table = buildCaseTable(incidents, { timeZone: 'Asia/Shanghai' })
 * table.size === incidents.length // true
 * table.moValues[table.moIds[table.moStart[0]]] // first MO code of row 0 (ids sorted)
 */
export function buildCaseTable(
  incidents: readonly Incident[],
  options: BuildCaseTableOptions = {},
): CaseTable {
  const timeZone = options.timeZone ?? DEFAULTS.timeZone
  // Validates the zone (a `caselink:` error names it) and caches offsets per quarter hour.
  const clock = createZoneClock(timeZone)
  const n = incidents.length
  const ids: string[] = new Array(n)
  const timeFrom = new Float64Array(n)
  const timeTo = new Float64Array(n)
  const utcOffsetMinutes = new Int16Array(n)
  const hasLocation = new Uint8Array(n)
  const hasLatLon = new Uint8Array(n)
  const lat = new Float64Array(n).fill(Number.NaN)
  const lon = new Float64Array(n).fill(Number.NaN)
  const x = new Float64Array(n).fill(Number.NaN)
  const y = new Float64Array(n).fill(Number.NaN)
  const category = new Int32Array(n).fill(-1)
  const categoryParent = new Int32Array(n).fill(-1)
  const categoryIndex = new Map<string, number>()
  const categoryValues: string[] = []
  const internCategory = (name: string): number => {
    let id = categoryIndex.get(name)
    if (id === undefined) {
      id = categoryValues.length
      categoryIndex.set(name, id)
      categoryValues.push(name)
    }
    return id
  }
  let latSum = 0
  let lonSum = 0
  let latLonCount = 0

  for (let i = 0; i < n; i++) {
    const incident = incidents[i]
    ids[i] = incident.id
    const from = incident.timeFrom
    const to = incident.timeTo
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
      throw new Error(
        `caselink: incident ${i} ("${incident.id}") has an invalid time window (expected finite timeFrom <= timeTo)`,
      )
    }
    timeFrom[i] = from
    timeTo[i] = to
    utcOffsetMinutes[i] = clock.offsetMinutes(from)
    if (isNumber(incident.lat) && isNumber(incident.lon)) {
      hasLocation[i] = 1
      hasLatLon[i] = 1
      lat[i] = incident.lat
      lon[i] = incident.lon
      latSum += incident.lat
      lonSum += incident.lon
      latLonCount++
    } else if (isNumber(incident.x) && isNumber(incident.y)) {
      hasLocation[i] = 1
      x[i] = incident.x
      y[i] = incident.y
    }
    if (incident.category !== undefined && incident.category !== '') {
      category[i] = internCategory(incident.category)
      const dot = incident.category.indexOf('.')
      categoryParent[i] = dot < 0 ? category[i] : internCategory(incident.category.slice(0, dot))
    }
  }

  const originLat = options.originLat ?? (latLonCount > 0 ? latSum / latLonCount : 0)
  const originLon = options.originLon ?? (latLonCount > 0 ? lonSum / latLonCount : 0)
  const cosOrigin = Math.cos(originLat * DEG)
  for (let i = 0; i < n; i++) {
    if (hasLatLon[i] === 1) {
      x[i] = EARTH_RADIUS_METERS * (lon[i] - originLon) * DEG * cosOrigin
      y[i] = EARTH_RADIUS_METERS * (lat[i] - originLat) * DEG
    }
  }

  const mo = buildList(incidents, (incident) => incident.mo, ':')
  const evidence = buildList(incidents, (incident) => incident.evidence, ':')
  const series = buildList(incidents, (incident) => incident.series, null)
  const narrative = buildNarrativeBigrams(incidents)

  return {
    size: n,
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
    originLat,
    originLon,
    category,
    categoryValues,
    categoryParent,
    moStart: mo.start,
    moIds: mo.ids,
    moValues: mo.values,
    moGroup: mo.group,
    moGroupValues: mo.groupValues,
    moFrequency: mo.frequency,
    evidenceStart: evidence.start,
    evidenceIds: evidence.ids,
    evidenceValues: evidence.values,
    evidenceKind: evidence.group,
    evidenceKindValues: evidence.groupValues,
    evidenceFrequency: evidence.frequency,
    narrativeStart: narrative.start,
    narrativeBigrams: narrative.bigrams,
    seriesStart: series.start,
    seriesIds: series.ids,
    seriesValues: series.values,
    timeZone,
  }
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

interface CsrList {
  start: Uint32Array
  ids: Uint32Array
  values: string[]
  frequency: Uint32Array
  group: Int32Array
  groupValues: string[]
}

function buildList(
  incidents: readonly Incident[],
  get: (incident: Incident) => readonly string[] | undefined,
  separator: string | null,
): CsrList {
  const n = incidents.length
  const start = new Uint32Array(n + 1)
  const index = new Map<string, number>()
  const values: string[] = []
  let total = 0
  for (let i = 0; i < n; i++) total += get(incidents[i])?.length ?? 0
  const ids = new Uint32Array(total)
  const counts: number[] = []
  let at = 0
  for (let i = 0; i < n; i++) {
    start[i] = at
    const list = get(incidents[i]) ?? []
    const rowStart = at
    for (const value of list) {
      let id = index.get(value)
      if (id === undefined) {
        id = values.length
        index.set(value, id)
        values.push(value)
        counts.push(0)
      }
      ids[at++] = id
    }
    // sort and de-duplicate the row's ids (lists are short: insertion sort)
    let end = rowStart
    for (let k = rowStart; k < at; k++) {
      const v = ids[k]
      let p = end
      while (p > rowStart && ids[p - 1] > v) p--
      if (p > rowStart && ids[p - 1] === v) continue
      ids.copyWithin(p + 1, p, end)
      ids[p] = v
      end++
    }
    for (let k = rowStart; k < end; k++) counts[ids[k]]++
    at = end
  }
  start[n] = at
  const frequency = Uint32Array.from(counts)
  const group = new Int32Array(values.length).fill(-1)
  const groupValues: string[] = []
  if (separator !== null) {
    const groupIndex = new Map<string, number>()
    for (let id = 0; id < values.length; id++) {
      const colon = values[id].indexOf(separator)
      if (colon <= 0) continue
      const name = values[id].slice(0, colon)
      let g = groupIndex.get(name)
      if (g === undefined) {
        g = groupValues.length
        groupIndex.set(name, g)
        groupValues.push(name)
      }
      group[id] = g
    }
  }
  return { start, ids: at === total ? ids : ids.slice(0, at), values, frequency, group, groupValues }
}

/**
 * Hash of a character bigram (two code points) to 32 bits. Collisions between distinct bigrams are
 * possible but rare (about 1 in 4·10⁹ per pair of bigrams).
 *
 * @example
 * bigramHash(0x5357, 0x4eac) // the hash of '南京'
 */
export function bigramHash(first: number, second: number): number {
  let h = Math.imul(first ^ 0x2545f491, 0x9e3779b1)
  h ^= second + 0x7f4a7c15 + (h << 6) + (h >>> 2)
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

const NON_TEXT = /[^\p{L}\p{N}]+/gu

/**
 * Normalizes a narrative for bigram comparison: NFKC (full-width to half-width), lower case, runs of
 * punctuation and spaces folded to one space, trimmed.
 *
 * @example
 * normalizeNarrative('  Pried the DOOR,  took cash ') // 'pried the door took cash'
 */
export function normalizeNarrative(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(NON_TEXT, ' ').trim()
}

/**
 * Sorted, de-duplicated character-bigram hashes of a narrative (code points, after
 * {@link normalizeNarrative}); a one-character text gives the hash of (char, char).
 *
 * @example
 * narrativeBigrams('撬门入室').length // 3
 */
export function narrativeBigrams(text: string): Uint32Array {
  let scratch = new Uint32Array(text.length + 1)
  let count = writeBigrams(text, scratch)
  if (count < 0) {
    scratch = new Uint32Array(-count)
    count = writeBigrams(text, scratch)
  }
  return scratch.slice(0, count)
}

/** The reference definition of {@link narrativeBigrams} (slow: string passes and arrays), for tests. */
export function narrativeBigramsReference(text: string): Uint32Array {
  const points = Array.from(normalizeNarrative(text), (c) => c.codePointAt(0)!)
  if (points.length === 0) return new Uint32Array(0)
  if (points.length === 1) return Uint32Array.of(bigramHash(points[0], points[0]))
  const hashes = new Uint32Array(points.length - 1)
  for (let k = 0; k + 1 < points.length; k++) hashes[k] = bigramHash(points[k], points[k + 1])
  return sortUnique(hashes, hashes.length)
}

function sortUnique(hashes: Uint32Array, length: number): Uint32Array {
  return hashes.slice(0, sortUniqueInPlace(hashes, length))
}

/** Sorts `hashes[0 .. length)` ascending, removes repeats, returns the new length. */
function sortUniqueInPlace(hashes: Uint32Array, length: number): number {
  if (length <= 64) {
    for (let k = 1; k < length; k++) {
      const v = hashes[k]
      let p = k - 1
      while (p >= 0 && hashes[p] > v) {
        hashes[p + 1] = hashes[p]
        p--
      }
      hashes[p + 1] = v
    }
  } else hashes.subarray(0, length).sort()
  let end = 0
  for (let k = 0; k < length; k++) if (end === 0 || hashes[end - 1] !== hashes[k]) hashes[end++] = hashes[k]
  return end
}

/**
 * Folded code point per BMP character, filled lazily: the character after NFKC and lower case when
 * it is a letter or number, SPACE for anything else, COMPLEX when that is not one code point or may
 * depend on neighbours (combining marks, Hangul jamo, final Σ, surrogates), UNKNOWN before the first
 * look-up.
 */
let foldTable: Int32Array | null = null
const UNKNOWN = -1
const COMPLEX = -2
const SPACE = 32
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u
const MARK = /^\p{M}$/u

function fold(cp: number): number {
  if (cp < 128) {
    if ((cp >= 97 && cp <= 122) || (cp >= 48 && cp <= 57)) return cp
    if (cp >= 65 && cp <= 90) return cp + 32
    return SPACE
  }
  foldTable ??= new Int32Array(0x10000).fill(UNKNOWN)
  let folded = foldTable[cp]
  if (folded === UNKNOWN) {
    folded = foldSlow(cp)
    foldTable[cp] = folded
  }
  return folded
}

function foldSlow(cp: number): number {
  const hangulJamo =
    (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xd7b0 && cp <= 0xd7ff)
  if (cp === 0x3a3 || (cp >= 0xd800 && cp <= 0xdfff) || hangulJamo) return COMPLEX
  const char = String.fromCharCode(cp)
  if (MARK.test(char)) return COMPLEX
  const normalized = char.normalize('NFKC')
  if (normalized.length !== 1) {
    // several characters: all non-letters fold to one space, anything else is COMPLEX
    for (const part of normalized) if (LETTER_OR_NUMBER.test(part) || MARK.test(part)) return COMPLEX
    return SPACE
  }
  const code = normalized.charCodeAt(0)
  const toJamo = (code >= 0x1100 && code <= 0x11ff) || (code >= 0xa960 && code <= 0xa97f) || code >= 0xd7b0
  if (code !== cp && (code === 0x3a3 || toJamo || MARK.test(normalized))) return COMPLEX
  if (!LETTER_OR_NUMBER.test(normalized)) return SPACE
  const lower = normalized.toLowerCase()
  return lower.length === 1 && LETTER_OR_NUMBER.test(lower) ? lower.charCodeAt(0) : COMPLEX
}

/**
 * Writes the sorted unique bigram hashes of `text` into `out` and returns their count; returns
 * −(needed length) when `out` is too short (only on the slow path). One pass over the characters with
 * a per-character fold table (NFKC, lower case, letter-or-number test, each done once per distinct
 * character); texts with a COMPLEX character take the reference path, so the result always equals
 * {@link narrativeBigramsReference}.
 */
function writeBigrams(text: string, out: Uint32Array): number {
  let previous = -1
  let pendingSpace = false
  let emitted = 0
  let first = -1
  let simple = true
  for (let k = 0; k < text.length; k++) {
    const folded = fold(text.charCodeAt(k))
    if (folded === COMPLEX) {
      simple = false
      break
    }
    if (folded === SPACE) {
      if (emitted > 0) pendingSpace = true
      continue
    }
    if (pendingSpace) {
      out[emitted - 1 < 0 ? 0 : emitted - 1] = bigramHash(previous, SPACE)
      previous = SPACE
      pendingSpace = false
      emitted++
    }
    if (previous >= 0) out[emitted - 1] = bigramHash(previous, folded)
    else first = folded
    previous = folded
    emitted++
  }
  if (!simple) {
    const reference = narrativeBigramsReference(text)
    if (reference.length > out.length) return -reference.length
    out.set(reference)
    return reference.length
  }
  // emitted code points give emitted − 1 bigrams; a single one gives (c, c)
  if (emitted === 0) return 0
  if (emitted === 1) {
    out[0] = bigramHash(first, first)
    return 1
  }
  return sortUniqueInPlace(out, emitted - 1)
}

function buildNarrativeBigrams(incidents: readonly Incident[]): { start: Uint32Array; bigrams: Uint32Array } {
  const n = incidents.length
  const start = new Uint32Array(n + 1)
  let bigrams = new Uint32Array(1024)
  let scratch = new Uint32Array(256)
  let at = 0
  for (let i = 0; i < n; i++) {
    start[i] = at
    const text = incidents[i].narrative
    if (text === undefined || text.length === 0) continue
    if (scratch.length < text.length + 1) scratch = new Uint32Array(text.length * 2 + 1)
    let count = writeBigrams(text, scratch)
    if (count < 0) {
      scratch = new Uint32Array(-count)
      count = writeBigrams(text, scratch)
    }
    if (at + count > bigrams.length) {
      const grown = new Uint32Array(Math.max(bigrams.length * 2, at + count))
      grown.set(bigrams.subarray(0, at))
      bigrams = grown
    }
    bigrams.set(scratch.subarray(0, count), at)
    at += count
  }
  start[n] = at
  return { start, bigrams: bigrams.slice(0, at) }
}
