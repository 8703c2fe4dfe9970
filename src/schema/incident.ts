/**
 * A validated, normalized incident: the output of {@link parseIncidents} and the input of every later
 * stage. Times are epoch milliseconds; a point in time has `timeFrom === timeTo`.
 *
 * @example
 * const incident: Incident = {
 *   id: 'A-1', timeFrom: 1620864000000, timeTo: 1620900000000, lat: 31.2, lon: 121.5,
 *   category: 'burglary.residential', mo: ['entry:pry-door'], evidence: [], series: [], attributes: {},
 * }
 */
export interface Incident {
  /** Case number, unique within one parse. */
  id: string
  /** Start of the time window, epoch ms. */
  timeFrom: number
  /** End of the time window, epoch ms; `timeTo >= timeFrom`. */
  timeTo: number
  /** WGS84 latitude in degrees, when the location was given as lat/lon. */
  lat?: number
  /** WGS84 longitude in degrees, when the location was given as lat/lon. */
  lon?: number
  /** Planar x in metres, when the location was given as x/y. */
  x?: number
  /** Planar y in metres, when the location was given as x/y. */
  y?: number
  /** Offence type, hierarchical with dots (`theft.ebike`). */
  category?: string
  /** Modus-operandi codes `group:value`, trimmed and de-duplicated, in input order. */
  mo: string[]
  /** Evidence identifiers `kind:value`, trimmed and de-duplicated, in input order. */
  evidence: string[]
  /** Free-text narrative. */
  narrative?: string
  /** Ground-truth series labels (offender or series ids); empty when unknown. */
  series: string[]
  /** Every other field of the input row, in a null-prototype object. */
  attributes: Record<string, unknown>
}

/** Severity of a {@link RecordIssue}: errors reject the row, warnings keep it. */
export type IssueSeverity = 'error' | 'warning'

/**
 * A problem found in one input row, shaped like a zod issue with the row in front.
 *
 * @example
 * const issue: RecordIssue = {
 *   index: 12, id: 'INC-77', code: 'time_range_reversed', severity: 'error',
 *   path: [12, 'timeTo'], message: 'timeTo is before timeFrom',
 * }
 */
export interface RecordIssue {
  /** Zero-based index of the row in the input (for files: the record's position, see `line`). */
  index: number
  /** The row's id, when it had a readable one. */
  id?: string
  /** snake_case code, stable across versions. */
  code: string
  severity: IssueSeverity
  /** Row index, then the field (and list position) at fault. */
  path: (string | number)[]
  /** Readable reason. */
  message: string
  /** 1-based line in the source file, when read from a file. */
  line?: number
}
