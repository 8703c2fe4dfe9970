import type { LinkResult } from '../link/linkIncidents'
import { round } from './assignmentsCsv'
import { type CsvCell, formatCsvRow, type TextFileWriter, UTF8_BOM } from './csv'
import { createLinkReasons } from './linkReasons'

/** Columns of links.csv: the link-list shape i2 Analyst's Notebook imports (two entity ids, then link attributes). */
export const LINKS_CSV_HEADER = ['id1', 'id2', 'probability', 'matchWeight', 'seriesId', 'reasons'] as const

/** Options of {@link linkRows}. */
export interface LinkRowsOptions {
  /** Reasons listed per link, strongest first. Default 3. */
  maxReasons?: number
}

const DEFAULTS = { maxReasons: 3 }

/**
 * The rows of links.csv: every kept link inside a series (`result.links`, by series then strength), with
 * its probability, match weight, series and top reasons joined with '; '.
 *
 * @example
 * for (const [id1, id2, p, w, s, reasons] of linkRows(result)) console.log(id1, id2, reasons)
 */
export function* linkRows(result: LinkResult, options: LinkRowsOptions = {}): Generator<CsvCell[]> {
  const maxReasons = options.maxReasons ?? DEFAULTS.maxReasons
  const { table, links, scorer } = result
  const reasonsOf = createLinkReasons(scorer, maxReasons)
  const rowOf = new Map<string, number>()
  for (let i = 0; i < table.size; i++) rowOf.set(table.ids[i], i)
  for (const link of links) {
    const i = rowOf.get(link.a)
    const j = rowOf.get(link.b)
    const reasons = i === undefined || j === undefined ? '' : reasonsOf(i, j)
    yield [link.a, link.b, round(link.probability, 6), round(link.matchWeight, 3), link.seriesId, reasons]
  }
}

/**
 * Writes links.csv (UTF-8 with BOM, formula injection neutralized) and returns the data rows written.
 *
 * @example
 * const out = createTextFileWriter('links.csv')
 * writeLinksCsv(result, out)
 * out.close()
 */
export function writeLinksCsv(
  result: LinkResult,
  out: TextFileWriter,
  options: LinkRowsOptions = {},
): number {
  out.write(UTF8_BOM + formatCsvRow(LINKS_CSV_HEADER))
  let rows = 0
  for (const row of linkRows(result, options)) {
    out.write(formatCsvRow(row))
    rows++
  }
  return rows
}
