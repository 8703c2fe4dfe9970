import { type CoordinateSystem, convertLatLon, coordinateSystem } from './coordinateSystems'
import {
  CANONICAL_FIELDS,
  type CanonicalField,
  EVIDENCE_COLUMNS,
  FIELD_ALIASES,
  MO_COLUMNS,
} from './fieldAliases'
import type { Incident, RecordIssue } from './incident'
import { ISSUE_CODES, type IssueCode } from './issueCodes'
import { parseTime } from './parseTime'
import { FIELD_EXPECTATIONS, type RecordInput, RecordSchema } from './recordSchema'
import { createZoneClock } from './zoneClock'

const DAY_MS = 86_400_000
/** Epoch numbers below this (1973-03-03) are probably seconds. */
const EPOCH_SECONDS_SUSPECT_MS = 1e11

/** Options of {@link parseIncidents} and {@link createIncidentParser}. */
export interface ParseIncidentsOptions {
  /** IANA zone for offset-less stamps such as `2021-05-13 08:00:00`. Default `'UTC'`. */
  timeZone?: string
  /** `'report'` (default): bad rows go to `issues`. `'throw'`: one aggregated error if any row is rejected. */
  onInvalid?: 'report' | 'throw'
  /** Windows longer than this many days are kept with a `long_window` warning. Default 30. */
  maxWindowDays?: number
  /** Input column → canonical field, applied before the built-in aliases ({@link FIELD_ALIASES}). */
  fieldMap?: Readonly<Record<string, string>>
  /** Use the built-in Chinese header aliases. Default true. */
  aliases?: boolean
  /**
   * Coordinate system of lat/lon without a `crs` field of their own: `'wgs84'` (default), `'gcj02'` (Amap,
   * Tencent) or `'bd09'` (Baidu). Converted to WGS84 at parse; the given coordinates stay in `attributes`
   * (`givenLat`, `givenLon`, `givenCrs`).
   */
  crs?: CoordinateSystem | string
}

/** What {@link parseIncidents} returns: every row is in `incidents` or has an error in `issues`. */
export interface ParseResult {
  incidents: Incident[]
  issues: RecordIssue[]
  /** Rows seen, rows kept, rows rejected, warnings. `valid + rejected === rows`. */
  counts: { rows: number; valid: number; rejected: number; warnings: number }
}

/** A streaming parser: push rows one at a time (as a file is read), then finish. */
export interface IncidentParser {
  /** Validates one row; `line` is its 1-based line in the source, if any. */
  push(row: unknown, line?: number): void
  /** Reports a row that could not even be read (malformed JSON or CSV) so it is counted, not lost. */
  reject(code: IssueCode, message: string, line?: number): void
  /** The result so far (and at the end). */
  finish(): ParseResult
}

const DEFAULTS = {
  timeZone: 'UTC',
  onInvalid: 'report',
  maxWindowDays: 30,
  aliases: true,
} as const

const TIME_FIELDS = ['time', 'timeFrom', 'timeTo'] as const

/** One bit per canonical field, to tell which a row gave. */
const FIELD_BIT = new Map<string, number>(CANONICAL_FIELDS.map((field, i) => [field, 1 << i]))

/**
 * A record with every canonical field, all absent: one fixed object shape for every row, so V8 keeps
 * it in fast mode (filling an empty object key by key in varying orders does not).
 */
function emptyCanonical(): Record<CanonicalField, unknown> {
  return {
    id: undefined,
    time: undefined,
    timeFrom: undefined,
    timeTo: undefined,
    lat: undefined,
    lon: undefined,
    x: undefined,
    y: undefined,
    category: undefined,
    mo: undefined,
    evidence: undefined,
    narrative: undefined,
    series: undefined,
    crs: undefined,
  }
}

/**
 * Validates and normalizes incident rows. Never throws for a bad row: each row ends up in `incidents`
 * or is reported in `issues` (`{ index, id?, code, severity, path, message }`), so
 * `incidents.length + counts.rejected === rows.length`. Input is not mutated. Duplicate ids keep the
 * first row. Unknown fields are kept in `attributes` (a null-prototype object).
 *
 * @example
 * const { incidents, issues } = parseIncidents(
 *   [{ id: 'A-1', time: '2021-05-13 08:00:00', lat: 31.2, lon: 121.5, mo: 'entry:pry-door;target:elderly' }],
 *   { timeZone: 'Asia/Shanghai' },
 * )
 * incidents[0].timeFrom // 1620864000000
 */
export function parseIncidents(rows: readonly unknown[], options: ParseIncidentsOptions = {}): ParseResult {
  if (!Array.isArray(rows)) {
    throw new TypeError(`caselink: parseIncidents expects an array of rows, got ${describe(rows)}`)
  }
  const parser = createIncidentParser(options)
  for (let i = 0; i < rows.length; i++) parser.push(rows[i])
  return parser.finish()
}

/**
 * Creates the streaming parser behind {@link parseIncidents}, for readers that validate rows as they
 * arrive so a large file is never held twice in memory.
 *
 * @example
 * const parser = createIncidentParser({ timeZone: 'Asia/Shanghai' })
 * parser.push({ id: 'A-1', time: 1620864000000 }, 2)
 * const { incidents } = parser.finish()
 */
export function createIncidentParser(options: ParseIncidentsOptions = {}): IncidentParser {
  const timeZone = options.timeZone ?? DEFAULTS.timeZone
  const onInvalid = options.onInvalid ?? DEFAULTS.onInvalid
  const maxWindowMs = (options.maxWindowDays ?? DEFAULTS.maxWindowDays) * DAY_MS
  const useAliases = options.aliases ?? DEFAULTS.aliases
  const defaultCrs = options.crs === undefined ? 'wgs84' : coordinateSystem(options.crs)
  if (defaultCrs === null) {
    throw new RangeError(
      `caselink: crs must be 'wgs84', 'gcj02' or 'bd09', got ${JSON.stringify(options.crs)}`,
    )
  }
  const clock = createZoneClock(timeZone)
  const fieldMap = new Map<string, string>()
  if (useAliases) for (const [from, to] of Object.entries(FIELD_ALIASES)) fieldMap.set(from, to)
  if (options.fieldMap !== undefined) {
    for (const [from, to] of Object.entries(options.fieldMap)) fieldMap.set(from, to)
  }

  const incidents: Incident[] = []
  const issues: RecordIssue[] = []
  const firstIndexOfId = new Map<string, number>()
  const reportedUnknownFields = new Set<string>()
  let index = 0
  let rejected = 0
  let warnings = 0
  /** The readable id of the row being read, so issues of a rejected row still name it. */
  let currentId: string | undefined

  // Per-row state, reused: no closure or list is allocated for a clean row.
  let rowIndex = 0
  let rowLine: number | undefined
  let rowIssues: RecordIssue[] | null = null
  let rowFailed = false
  const add = (code: IssueCode, field: (string | number)[], message: string): void => {
    const issue: RecordIssue = {
      index: rowIndex,
      code,
      severity: ISSUE_CODES[code].severity,
      path: [rowIndex, ...field],
      message,
    }
    if (rowLine !== undefined) issue.line = rowLine
    if (issue.severity === 'error') rowFailed = true
    if (rowIssues === null) rowIssues = []
    rowIssues.push(issue)
  }

  const push = (row: unknown, line?: number): void => {
    rowIndex = index++
    rowLine = line
    rowIssues = null
    rowFailed = false
    currentId = undefined
    const incident = readRow(row)
    if (!rowFailed && incident !== null) {
      const first = firstIndexOfId.get(incident.id)
      if (first !== undefined) {
        add('duplicate_id', ['id'], `id "${incident.id}" was already used by row ${first} (that row is kept)`)
      } else {
        firstIndexOfId.set(incident.id, rowIndex)
      }
    }
    if (rowIssues !== null) {
      const id = incident?.id ?? currentId
      for (const issue of rowIssues as RecordIssue[]) {
        if (id !== undefined) issue.id = id
        issues.push(issue)
        if (issue.severity === 'warning') warnings++
      }
    }
    if (rowFailed || incident === null) rejected++
    else incidents.push(incident)
  }

  const readRow = (row: unknown): Incident | null => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      add('invalid_type', [], `row ${rowIndex} must be an object with incident fields, got ${describe(row)}`)
      return null
    }
    const canonical = emptyCanonical()
    const attributes: Record<string, unknown> = Object.create(null)
    const keys = Object.keys(row)
    let seenFields = 0
    let extraMo: string[] | undefined
    let extraEvidence: string[] | undefined
    for (const key of keys) {
      const value = (row as Record<string, unknown>)[key]
      const field = fieldMap.get(key) ?? key
      const bit = FIELD_BIT.get(field)
      if (bit !== undefined) {
        if ((seenFields & bit) !== 0) {
          const previous = keys.find((k) => (fieldMap.get(k) ?? k) === field)
          add('conflicting_fields', [key], `"${key}" and "${previous}" both give ${field}`)
          continue
        }
        seenFields |= bit
        canonical[field as CanonicalField] = value
      } else if (useAliases && (MO_COLUMNS.has(key) || EVIDENCE_COLUMNS.has(key))) {
        // a column of MO values or identifiers of its own kind: its values join mo or evidence
        const kind = EVIDENCE_COLUMNS.get(key)
        for (const item of columnValues(value)) {
          const code = item.includes(':') ? item : `${kind ?? key}:${item}`
          if (kind === undefined) (extraMo ??= []).push(code)
          else (extraEvidence ??= []).push(code)
        }
      } else {
        attributes[key] = value
        if (!reportedUnknownFields.has(key)) {
          reportedUnknownFields.add(key)
          add('unknown_field', [key], `"${key}" is not a record field; kept as an attribute (reported once)`)
        }
      }
    }
    currentId = readableId(canonical.id)
    const checked = RecordSchema.safeParse(canonical)
    if (!checked.success) {
      const seen = new Set<string>()
      for (const issue of checked.error.issues) {
        const field = String(issue.path[0])
        if (seen.has(field)) continue
        seen.add(field)
        const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
        const at = path.length > 1 ? ` (at ${path.slice(1).join('.')})` : ''
        add(
          'invalid_type',
          path,
          `${field} must be ${FIELD_EXPECTATIONS[field as keyof RecordInput]}${at}, got ${describe(pathValue(canonical, path))}`,
        )
      }
      return null
    }
    return normalize(checked.data, attributes, extraMo, extraEvidence)
  }

  /** Reads one time field: undefined when absent, NaN (with an issue) when unreadable. */
  const readTime = (input: RecordInput, field: (typeof TIME_FIELDS)[number]): number | undefined => {
    const value = input[field]
    if (isAbsent(value)) return undefined
    const parsed = parseTime(value as string | number, clock)
    if (!parsed.ok) {
      add(parsed.code, [field], `${field}: ${parsed.message}`)
      return Number.NaN
    }
    if (parsed.status === 'nonexistent') {
      add(
        'nonexistent_local_time',
        [field],
        `${field} "${value}" does not exist in ${timeZone} (daylight-saving gap); read as ${new Date(parsed.epochMs).toISOString()}`,
      )
    } else if (parsed.status === 'ambiguous') {
      add(
        'ambiguous_local_time',
        [field],
        `${field} "${value}" occurs twice in ${timeZone}; the earlier, ${new Date(parsed.epochMs).toISOString()}, is used`,
      )
    } else if (parsed.status === 'epoch' && Math.abs(parsed.epochMs) < EPOCH_SECONDS_SUSPECT_MS) {
      add(
        'epoch_seconds_suspected',
        [field],
        `${field} ${value} is before 1973 as milliseconds; is it in seconds?`,
      )
    }
    return parsed.epochMs
  }

  const normalize = (
    input: RecordInput,
    attributes: Record<string, unknown>,
    extraMo?: string[],
    extraEvidence?: string[],
  ): Incident | null => {
    let ok = true
    const id = input.id === null || input.id === undefined ? '' : String(input.id).trim()
    if (id === '') {
      add('missing_id', ['id'], 'id is missing or empty')
      ok = false
    }
    const time = readTime(input, 'time')
    const from = readTime(input, 'timeFrom')
    const to = readTime(input, 'timeTo')
    if (Number.isNaN(time) || Number.isNaN(from) || Number.isNaN(to)) ok = false
    let timeFrom = Number.NaN
    let timeTo = Number.NaN
    const hasTime = time !== undefined
    const hasFrom = from !== undefined
    const hasTo = to !== undefined
    if (hasTime && (hasFrom || hasTo)) {
      add(
        'conflicting_time',
        [hasFrom ? 'timeFrom' : 'timeTo'],
        'give either time, or timeFrom (and timeTo), not both',
      )
      ok = false
    } else if (!hasTime && !hasFrom) {
      add(
        'missing_time',
        [hasTo ? 'timeFrom' : 'time'],
        hasTo ? 'timeTo is given without timeFrom' : 'time or timeFrom is required',
      )
      ok = false
    } else if (hasTime) {
      timeFrom = timeTo = time
    } else if (ok) {
      timeFrom = from as number
      timeTo = hasTo ? to : timeFrom
      if (timeTo < timeFrom) {
        add(
          'time_range_reversed',
          ['timeTo'],
          `timeTo (${input.timeTo}) is before timeFrom (${input.timeFrom})`,
        )
        ok = false
      } else if (timeTo - timeFrom > maxWindowMs) {
        const days = ((timeTo - timeFrom) / DAY_MS).toFixed(1)
        add(
          'long_window',
          ['timeTo'],
          `the time window is ${days} days long (more than ${maxWindowMs / DAY_MS}); kept`,
        )
      }
    }

    const lat = readNumber(input.lat, 'lat', add)
    const lon = readNumber(input.lon, 'lon', add)
    const x = readNumber(input.x, 'x', add)
    const y = readNumber(input.y, 'y', add)
    if (lat === null || lon === null || x === null || y === null) ok = false
    if (typeof lat === 'number' && (lat < -90 || lat > 90)) {
      add('lat_out_of_range', ['lat'], `lat ${lat} is outside [-90, 90]`)
      ok = false
    }
    if (typeof lon === 'number' && (lon < -180 || lon > 180)) {
      add('lon_out_of_range', ['lon'], `lon ${lon} is outside [-180, 180]`)
      ok = false
    }
    if ((lat === undefined) !== (lon === undefined) && lat !== null && lon !== null) {
      add('incomplete_location', [lat === undefined ? 'lat' : 'lon'], 'lat and lon must be given together')
      ok = false
    }
    if ((x === undefined) !== (y === undefined) && x !== null && y !== null) {
      add('incomplete_location', [x === undefined ? 'x' : 'y'], 'x and y must be given together')
      ok = false
    }
    let crs = defaultCrs
    if (!isAbsent(input.crs)) {
      const named = coordinateSystem(input.crs as string)
      if (named === null) {
        add(
          'invalid_crs',
          ['crs'],
          `crs "${input.crs}" is not a coordinate system (expected wgs84, gcj02 or bd09)`,
        )
        ok = false
      } else crs = named
    }

    const mo = readList(input.mo)
    if (extraMo !== undefined) for (const code of extraMo) if (!mo.includes(code)) mo.push(code)
    const evidence = readList(input.evidence)
    if (extraEvidence !== undefined)
      for (const code of extraEvidence) if (!evidence.includes(code)) evidence.push(code)
    for (let k = 0; k < evidence.length; k++) {
      const colon = evidence[k].indexOf(':')
      if (colon <= 0) {
        add(
          'evidence_without_kind',
          ['evidence', k],
          `evidence "${evidence[k]}" has no kind (expected kind:value, e.g. fingerprint:FP-1); kept`,
        )
      }
    }
    const series = readLabels(input.series)
    if (!ok) return null

    // Built in the canonical field order, optional fields only when present.
    const incident = { id, timeFrom, timeTo } as Incident
    if (typeof lat === 'number' && typeof lon === 'number') {
      if (crs === 'wgs84') {
        incident.lat = lat
        incident.lon = lon
      } else {
        // converted to WGS84; the coordinates as given stay in the attributes
        const converted = convertLatLon(lat, lon, crs, 'wgs84')
        incident.lat = converted.lat
        incident.lon = converted.lon
        attributes.givenLat = lat
        attributes.givenLon = lon
        attributes.givenCrs = crs
      }
    }
    if (typeof x === 'number' && typeof y === 'number') {
      incident.x = x
      incident.y = y
    }
    const category = isAbsent(input.category) ? '' : (input.category as string).trim()
    if (category !== '') incident.category = category
    incident.mo = mo
    incident.evidence = evidence
    if (!isAbsent(input.narrative)) incident.narrative = input.narrative as string
    incident.series = series
    incident.attributes = attributes
    return incident
  }

  const reject = (code: IssueCode, message: string, line?: number): void => {
    const rowIndex = index++
    const issue: RecordIssue = {
      index: rowIndex,
      code,
      severity: ISSUE_CODES[code].severity,
      path: [rowIndex],
      message,
    }
    if (line !== undefined) issue.line = line
    issues.push(issue)
    rejected++
  }

  const finish = (): ParseResult => {
    const result: ParseResult = {
      incidents,
      issues,
      counts: { rows: index, valid: incidents.length, rejected, warnings },
    }
    if (onInvalid === 'throw' && rejected > 0) throw new IncidentValidationError(result)
    return result
  }

  return { push, reject, finish }
}

/**
 * Thrown by {@link parseIncidents} with `onInvalid: 'throw'` when rows were rejected; `result` holds
 * everything, the message the first few problems.
 *
 * @example
 * try { parseIncidents(rows, { onInvalid: 'throw' }) } catch (e) { if (e instanceof IncidentValidationError) console.log(e.result.counts) }
 */
export class IncidentValidationError extends Error {
  readonly result: ParseResult
  constructor(result: ParseResult) {
    const errors = result.issues.filter((issue) => issue.severity === 'error')
    const shown = errors
      .slice(0, 10)
      .map((issue) => `  ✖ ${issue.message}\n    → at ${formatPath(issue.path)}`)
    const more = errors.length > 10 ? `\n  … and ${errors.length - 10} more` : ''
    super(
      `caselink: ${result.counts.rejected} of ${result.counts.rows} rows rejected\n${shown.join('\n')}${more}`,
    )
    this.name = 'IncidentValidationError'
    this.result = result
  }
}

/**
 * Formats an issue path the way zod's prettifyError does: `[12].timeTo`.
 *
 * @example
 * formatPath([12, 'timeTo']) // '[12].timeTo'
 */
export function formatPath(path: readonly (string | number)[]): string {
  let text = ''
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `.${part}`
  return text.startsWith('.') ? text.slice(1) : text
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
}

function readNumber(
  value: string | number | null | undefined,
  field: string,
  add: (code: IssueCode, field: (string | number)[], message: string) => void,
): number | undefined | null {
  if (isAbsent(value)) return undefined
  const number = typeof value === 'number' ? value : Number((value as string).trim())
  if (!Number.isFinite(number)) {
    add('invalid_number', [field], `${field} "${value}" is not a finite number`)
    return null
  }
  return number
}

/** The values of an MO or identifier column: a list, or text split at ; ； 、 , ， (trimmed, none empty). */
function columnValues(value: unknown): string[] {
  if (value === null || value === undefined) return []
  const items = Array.isArray(value) ? value.map(String) : String(value).split(/[;；、,，]/)
  return items.map((item) => item.trim()).filter((item) => item !== '')
}

function readList(value: string | string[] | null | undefined): string[] {
  if (value === null || value === undefined) return []
  const items = typeof value === 'string' ? value.split(';') : value
  const out: string[] = []
  // Lists are usually a handful of codes, where a linear scan beats a Set; long ones get a Set.
  const seen = items.length > 16 ? new Set<string>() : null
  for (const item of items) {
    const trimmed = item.trim()
    if (trimmed === '') continue
    if (seen === null ? out.includes(trimmed) : seen.has(trimmed)) continue
    seen?.add(trimmed)
    out.push(trimmed)
  }
  return out
}

function readLabels(value: RecordInput['series']): string[] {
  if (value === null || value === undefined) return []
  if (Array.isArray(value)) return readList(value.map(String))
  return readList(String(value))
}

function readableId(id: unknown): string | undefined {
  if (typeof id === 'string' && id.trim() !== '') return id.trim()
  if (typeof id === 'number' && Number.isFinite(id)) return String(id)
  return undefined
}

function pathValue(root: Record<string, unknown>, path: readonly (string | number)[]): unknown {
  let value: unknown = root
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string | number, unknown>)[part]
  }
  return value
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string')
    return value.length > 40 ? `the string "${value.slice(0, 40)}…"` : `the string "${value}"`
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`
  return typeof value === 'object' ? 'an object' : typeof value
}
