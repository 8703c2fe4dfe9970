import type { LinkResult } from '../link/linkIncidents'
import { type CsvCell, formatCsvRow, type TextFileWriter, UTF8_BOM } from './csv'

/** Columns of assignments.csv. */
export const ASSIGNMENTS_CSV_HEADER = ['id', 'seriesId', 'seriesSize', 'seriesRank', 'priority'] as const

/**
 * The rows of assignments.csv: one per valid incident, in input order — its id, its series id (empty
 * when in no series), the series size, rank and priority (empty when in no series).
 *
 * @example
 * for (const row of assignmentRows(result)) console.log(row) // ['AJ0000001', 'S4', 3, 4, 1.2345]
 */
export function* assignmentRows(result: LinkResult): Generator<CsvCell[]> {
  const { table, seriesOfRow, series } = result
  for (let i = 0; i < table.size; i++) {
    const s = seriesOfRow[i]
    if (s < 0) yield [table.ids[i], null, null, null, null]
    else yield [table.ids[i], series[s].id, series[s].size, series[s].rank, round(series[s].priority, 6)]
  }
}

/**
 * Writes assignments.csv (UTF-8 with BOM, formula injection neutralized) and returns the data rows written.
 *
 * @example
 * const out = createTextFileWriter('assignments.csv')
 * writeAssignmentsCsv(result, out)
 * out.close()
 */
export function writeAssignmentsCsv(result: LinkResult, out: TextFileWriter): number {
  out.write(UTF8_BOM + formatCsvRow(ASSIGNMENTS_CSV_HEADER))
  let rows = 0
  for (const row of assignmentRows(result)) {
    out.write(formatCsvRow(row))
    rows++
  }
  return rows
}

/**
 * Rounds to `digits` decimals, as a number.
 *
 * @example
 * round(0.1234567, 6) // 0.123457
 */
export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
