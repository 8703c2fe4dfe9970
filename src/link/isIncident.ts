import type { Incident, RecordIssue } from '../schema/incident'

/**
 * True when a value already has the shape of a parsed {@link Incident} (numeric window, list fields,
 * attributes), so pipelines can take parsed incidents without validating them twice.
 *
 * @example
 * isIncident(parseIncidents(rows).incidents[0]) // true
 * isIncident({ id: 'A', time: '2021-05-13' }) // false
 */
export function isIncident(value: unknown): value is Incident {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v.id === 'string' &&
    typeof v.timeFrom === 'number' &&
    typeof v.timeTo === 'number' &&
    Array.isArray(v.mo) &&
    Array.isArray(v.evidence) &&
    Array.isArray(v.series) &&
    typeof v.attributes === 'object' &&
    v.attributes !== null
  )
}

/**
 * The canonical record of a parsed incident (attributes spread back as fields), for re-validation
 * alongside raw rows.
 *
 * @example
 * parseIncidents([incidentToRecord(incident)]).incidents[0] // equal to incident
 */
export function incidentToRecord(incident: Incident): Record<string, unknown> {
  const record: Record<string, unknown> = Object.create(null)
  for (const key of Object.keys(incident.attributes)) record[key] = incident.attributes[key]
  record.id = incident.id
  record.timeFrom = incident.timeFrom
  record.timeTo = incident.timeTo
  if (incident.lat !== undefined) record.lat = incident.lat
  if (incident.lon !== undefined) record.lon = incident.lon
  if (incident.x !== undefined) record.x = incident.x
  if (incident.y !== undefined) record.y = incident.y
  if (incident.category !== undefined) record.category = incident.category
  record.mo = incident.mo
  record.evidence = incident.evidence
  if (incident.narrative !== undefined) record.narrative = incident.narrative
  record.series = incident.series
  return record
}

/**
 * Takes already parsed incidents as they are, rejecting only later duplicates of an id (the one check
 * that spans rows), so the pipeline's tables stay keyed by unique ids.
 *
 * @example
 * const { incidents, issues } = acceptParsed(parseIncidents(rows).incidents)
 */
export function acceptParsed(rows: readonly Incident[]): { incidents: Incident[]; issues: RecordIssue[] } {
  const firstIndex = new Map<string, number>()
  const incidents: Incident[] = []
  const issues: RecordIssue[] = []
  rows.forEach((incident, index) => {
    const first = firstIndex.get(incident.id)
    if (first !== undefined) {
      issues.push({
        index,
        id: incident.id,
        code: 'duplicate_id',
        severity: 'error',
        path: [index, 'id'],
        message: `id "${incident.id}" was already used by row ${first} (that row is kept)`,
      })
      return
    }
    firstIndex.set(incident.id, index)
    incidents.push(incident)
  })
  return { incidents, issues }
}
