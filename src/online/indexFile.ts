/**
 * Binary file format of a saved linkage index.
 *
 * Header (32 bytes, little endian): magic `CASELNKI` (8 bytes), format version (u32), header length
 * (u32, 32), body length in bytes (f64), CRC-32 of the body (u32), reserved (u32, 0).
 * Body: u32 length of the JSON metadata, the metadata (UTF-8), zero padding to a multiple of 8, then each
 * typed-array section in {@link SECTIONS} order as u32 byte length, u32 0, the bytes, padding to 8.
 * Every check (magic, version, lengths, checksum, section sizes, internal consistency) passes before
 * anything is returned, so a damaged file is reported and never half-loaded.
 */
import { crc32 } from 'node:zlib'

const MAGIC = 'CASELNKI'
/**
 * Current format version of saved linkage indexes; files of another version are refused with a clear error.
 *
 * @example
 * new DataView(bytes.buffer).getUint32(8, true) === INDEX_FORMAT_VERSION // a file this caselink reads
 */
export const INDEX_FORMAT_VERSION = 1
const HEADER_BYTES = 32

type ArrayKind = 'f64' | 'f32' | 'i32' | 'u32' | 'i16' | 'u8'

/** Typed-array sections of the body, in file order. */
const SECTIONS = [
  ['timeFrom', 'f64'],
  ['timeTo', 'f64'],
  ['utcOffsetMinutes', 'i16'],
  ['hasLocation', 'u8'],
  ['hasLatLon', 'u8'],
  ['lat', 'f64'],
  ['lon', 'f64'],
  ['x', 'f64'],
  ['y', 'f64'],
  ['category', 'i32'],
  ['categoryParent', 'i32'],
  ['moStart', 'u32'],
  ['moIds', 'u32'],
  ['evidenceStart', 'u32'],
  ['evidenceIds', 'u32'],
  ['narrativeStart', 'u32'],
  ['narrativeBigrams', 'u32'],
  ['membership', 'i32'],
  ['edgeA', 'u32'],
  ['edgeB', 'u32'],
  ['edgeWeight', 'f32'],
] as const satisfies readonly (readonly [string, ArrayKind])[]

type SectionName = (typeof SECTIONS)[number][0]

/** Everything a saved index holds. */
export interface IndexSnapshot {
  options: Record<string, unknown>
  originLat: number
  originLon: number
  size: number
  labelCount: number
  ids: string[]
  categories: string[]
  moValues: string[]
  evidenceValues: string[]
  arrays: {
    timeFrom: Float64Array
    timeTo: Float64Array
    utcOffsetMinutes: Int16Array
    hasLocation: Uint8Array
    hasLatLon: Uint8Array
    lat: Float64Array
    lon: Float64Array
    x: Float64Array
    y: Float64Array
    category: Int32Array
    categoryParent: Int32Array
    moStart: Uint32Array
    moIds: Uint32Array
    evidenceStart: Uint32Array
    evidenceIds: Uint32Array
    narrativeStart: Uint32Array
    narrativeBigrams: Uint32Array
    membership: Int32Array
    edgeA: Uint32Array
    edgeB: Uint32Array
    edgeWeight: Float32Array
  }
}

const CONSTRUCTORS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u8: Uint8Array,
} as const

const pad8 = (n: number): number => (n + 7) & ~7

// JSON has no Infinity (an unlimited distance in the options): it is written as a marked string
const INFINITY_TEXT = '\u0000Infinity'
const encodeInfinity = (_key: string, value: unknown) =>
  value === Number.POSITIVE_INFINITY ? INFINITY_TEXT : value
const decodeInfinity = (_key: string, value: unknown) =>
  value === INFINITY_TEXT ? Number.POSITIVE_INFINITY : value

/** Encodes a snapshot into the file format (one allocation of the final size). */
export function encodeIndexFile(snapshot: IndexSnapshot): Uint8Array {
  const { arrays, ...meta } = snapshot
  const json = new TextEncoder().encode(JSON.stringify(meta, encodeInfinity))
  let bodyLength = pad8(4 + json.length)
  for (const [name] of SECTIONS) bodyLength += 8 + pad8(arrays[name].byteLength)
  const bytes = new Uint8Array(HEADER_BYTES + bodyLength)
  const view = new DataView(bytes.buffer)
  let at = HEADER_BYTES
  view.setUint32(at, json.length, true)
  bytes.set(json, at + 4)
  at += pad8(4 + json.length)
  for (const [name] of SECTIONS) {
    const array = arrays[name]
    if (array.byteLength > 0xffffffff) throw new RangeError(`caselink: index section ${name} exceeds 4 GiB`)
    view.setUint32(at, array.byteLength, true)
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at + 8)
    at += 8 + pad8(array.byteLength)
  }
  for (let k = 0; k < MAGIC.length; k++) bytes[k] = MAGIC.charCodeAt(k)
  view.setUint32(8, INDEX_FORMAT_VERSION, true)
  view.setUint32(12, HEADER_BYTES, true)
  view.setFloat64(16, bodyLength, true)
  view.setUint32(24, crc32(bytes.subarray(HEADER_BYTES)), true)
  view.setUint32(28, 0, true)
  return bytes
}

/**
 * Decodes and validates a saved index; throws a `caselink:` error naming `source` and the problem
 * (not an index, other version, truncated, trailing bytes, checksum mismatch, inconsistent sections).
 */
export function decodeIndexFile(bytes: Uint8Array, source: string): IndexSnapshot {
  const fail = (problem: string): never => {
    throw new Error(`caselink: ${source} is not a usable linkage index: ${problem}`)
  }
  if (bytes.length < HEADER_BYTES) fail(`truncated (${bytes.length} bytes, shorter than the header)`)
  for (let k = 0; k < MAGIC.length; k++) {
    if (bytes[k] !== MAGIC.charCodeAt(k)) fail('wrong magic bytes (not a caselink index file)')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint32(8, true)
  if (version !== INDEX_FORMAT_VERSION) {
    fail(`format version ${version}, this caselink reads version ${INDEX_FORMAT_VERSION}`)
  }
  if (view.getUint32(12, true) !== HEADER_BYTES) fail('corrupt header (header length)')
  const bodyLength = view.getFloat64(16, true)
  if (!Number.isInteger(bodyLength) || bodyLength < 0) fail('corrupt header (body length)')
  const actual = bytes.length - HEADER_BYTES
  if (actual < bodyLength) fail(`truncated (body has ${actual} of ${bodyLength} bytes)`)
  if (actual > bodyLength) fail(`${actual - bodyLength} unexpected bytes after the end of the index`)
  const body = bytes.subarray(HEADER_BYTES)
  if (crc32(body) !== view.getUint32(24, true)) fail('checksum mismatch (the file is corrupt)')
  if (view.getUint32(28, true) !== 0) fail('corrupt header (reserved field)')

  let at = HEADER_BYTES
  const need = (n: number, what: string): void => {
    if (at + n > bytes.length) fail(`section ${what} runs past the end`)
  }
  need(4, 'metadata')
  const jsonLength = view.getUint32(at, true)
  need(4 + jsonLength, 'metadata')
  let meta: Omit<IndexSnapshot, 'arrays'>
  try {
    meta = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at + 4, at + 4 + jsonLength)),
      decodeInfinity,
    )
  } catch (error) {
    return fail(`unreadable metadata (${(error as Error).message})`)
  }
  at += pad8(4 + jsonLength)
  const arrays = {} as Record<
    SectionName,
    Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint8Array
  >
  for (const [name, kind] of SECTIONS) {
    need(8, name)
    const byteLength = view.getUint32(at, true)
    need(8 + byteLength, name)
    const Ctor = CONSTRUCTORS[kind]
    if (byteLength % Ctor.BYTES_PER_ELEMENT !== 0) fail(`section ${name} has a partial element`)
    // copy into an aligned buffer of its own (a Node Buffer's slice would be a view, not a copy)
    const copy = new Uint8Array(byteLength)
    copy.set(bytes.subarray(at + 8, at + 8 + byteLength))
    arrays[name] = new Ctor(copy.buffer, 0, byteLength / Ctor.BYTES_PER_ELEMENT)
    at += 8 + pad8(byteLength)
  }
  if (at !== bytes.length) fail('sections do not fill the body')
  const snapshot = { ...meta, arrays } as IndexSnapshot
  checkConsistency(snapshot, fail)
  return snapshot
}

/** Cross-checks sizes and ids so that a valid checksum over inconsistent content is still refused. */
function checkConsistency(s: IndexSnapshot, fail: (problem: string) => never): void {
  const n = s.size
  if (!Number.isInteger(n) || n < 0) fail('bad size')
  if (!Array.isArray(s.ids) || s.ids.length !== n) fail('id list does not match the size')
  for (const list of [s.categories, s.moValues, s.evidenceValues]) {
    if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) fail('bad vocabulary')
  }
  if (typeof s.options !== 'object' || s.options === null) fail('bad options')
  const a = s.arrays
  for (const name of [
    'timeFrom',
    'timeTo',
    'utcOffsetMinutes',
    'hasLocation',
    'hasLatLon',
    'lat',
    'lon',
    'x',
    'y',
    'category',
    'categoryParent',
    'membership',
  ] as const) {
    if (n > 0 && a[name].length !== n) fail(`column ${name} has ${a[name].length} rows, expected ${n}`)
  }
  const lists = [
    ['mo', a.moStart, a.moIds, s.moValues.length],
    ['evidence', a.evidenceStart, a.evidenceIds, s.evidenceValues.length],
    ['narrative', a.narrativeStart, a.narrativeBigrams, Number.POSITIVE_INFINITY],
  ] as const
  for (const [name, start, ids, vocabulary] of lists) {
    if (start.length !== n + 1 || start[0] !== 0 || start[n] !== ids.length)
      fail(`list ${name} is inconsistent`)
    for (let i = 0; i < n; i++) if (start[i + 1] < start[i]) fail(`list ${name} is inconsistent`)
    if (vocabulary !== Number.POSITIVE_INFINITY) {
      for (let k = 0; k < ids.length; k++)
        if (ids[k] >= vocabulary) fail(`list ${name} refers to unknown values`)
    }
  }
  for (let i = 0; i < n; i++) {
    if (a.category[i] >= s.categories.length || a.categoryParent[i] >= s.categories.length) {
      fail('category ids out of range')
    }
    if (!(a.membership[i] >= 0 && a.membership[i] < s.labelCount)) fail('membership out of range')
  }
  const m = a.edgeA.length
  if (a.edgeB.length !== m || a.edgeWeight.length !== m) fail('edge sections differ in length')
  for (let k = 0; k < m; k++) {
    if (a.edgeA[k] >= n || a.edgeB[k] >= n || a.edgeA[k] === a.edgeB[k]) fail('edge refers to a missing row')
  }
}
