/**
 * Every code a {@link RecordIssue} can carry, with its severity and meaning. Stable across versions:
 * scripts may switch on them.
 *
 * @example
 * ISSUE_CODES.duplicate_id.severity // 'error'
 */
export const ISSUE_CODES = {
  invalid_type: { severity: 'error', meaning: 'the row is not an object, or a field has the wrong type' },
  missing_id: { severity: 'error', meaning: 'no id, or an empty one' },
  duplicate_id: { severity: 'error', meaning: 'the id was already used by an earlier row (which is kept)' },
  missing_time: { severity: 'error', meaning: 'neither time nor timeFrom is given' },
  conflicting_time: { severity: 'error', meaning: 'time is given together with timeFrom or timeTo' },
  invalid_time: { severity: 'error', meaning: 'a time value is not a readable time' },
  impossible_date: {
    severity: 'error',
    meaning: 'a calendar date or clock time that does not exist (Feb 30, 25:00)',
  },
  time_range_reversed: { severity: 'error', meaning: 'timeTo is before timeFrom' },
  invalid_number: { severity: 'error', meaning: 'a coordinate is not a number' },
  lat_out_of_range: { severity: 'error', meaning: 'latitude outside [-90, 90]' },
  lon_out_of_range: { severity: 'error', meaning: 'longitude outside [-180, 180]' },
  invalid_crs: { severity: 'error', meaning: "a row's coordinate system is not wgs84, gcj02 or bd09" },
  incomplete_location: { severity: 'error', meaning: 'lat without lon (or x without y), or the reverse' },
  conflicting_fields: { severity: 'error', meaning: 'two input columns map to the same field' },
  malformed_json: { severity: 'error', meaning: 'an NDJSON line or JSON array element is not valid JSON' },
  malformed_csv: { severity: 'error', meaning: 'a CSV record could not be read (quoting)' },
  invalid_encoding: {
    severity: 'error',
    meaning:
      "a record holds bytes that are not valid in the file's encoding (the record is left out, the file read on)",
  },
  column_count_mismatch: {
    severity: 'error',
    meaning: 'a CSV record has a different number of cells than the header',
  },
  long_window: { severity: 'warning', meaning: 'the time window is longer than maxWindowDays (kept)' },
  nonexistent_local_time: {
    severity: 'warning',
    meaning: 'a local time inside a daylight-saving gap; moved forward by the gap (kept)',
  },
  ambiguous_local_time: {
    severity: 'warning',
    meaning: 'a local time that occurs twice (daylight-saving overlap); the earlier instant is used (kept)',
  },
  epoch_seconds_suspected: {
    severity: 'warning',
    meaning: 'an epoch number before 1973, probably seconds rather than milliseconds (kept as milliseconds)',
  },
  evidence_without_kind: { severity: 'warning', meaning: 'an evidence item without a `kind:` prefix (kept)' },
  unknown_field: {
    severity: 'warning',
    meaning: 'a field outside the record format, kept as an attribute (reported once per field name)',
  },
} as const satisfies Record<string, { severity: 'error' | 'warning'; meaning: string }>

/** One issue code. */
export type IssueCode = keyof typeof ISSUE_CODES
