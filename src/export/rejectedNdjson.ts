import type { RecordIssue } from '../schema/incident'
import type { TextFileWriter } from './csv'

/** A rejected input record: where it was, what it held (when it could be read at all), and why. */
export interface RejectedRecord {
  /** Zero-based record index in the input. */
  index: number
  /** 1-based line in the source file, when known. */
  line?: number
  /** The row as read (an object for CSV and JSON rows); absent when the record could not be read. */
  row?: unknown
  /** The raw text of a record that could not be read as a row (a broken JSON line, a CSV record with the wrong cell count). */
  text?: string
  /** Every issue of the row (errors and warnings). */
  issues: RecordIssue[]
}

/**
 * Writes rejected.ndjson: one JSON object per rejected record (`{ index, line, row, issues }`), in input
 * order, so nothing read is silently dropped. Returns the records written.
 *
 * @example
 * const out = createTextFileWriter('rejected.ndjson')
 * writeRejectedNdjson(rejected, out)
 * out.close()
 */
export function writeRejectedNdjson(rejected: readonly RejectedRecord[], out: TextFileWriter): number {
  for (const record of rejected) {
    const line: Record<string, unknown> = { index: record.index }
    if (record.line !== undefined) line.line = record.line
    if (record.row !== undefined) line.row = record.row
    if (record.text !== undefined) line.text = record.text
    line.issues = record.issues
    out.write(`${JSON.stringify(line)}\n`)
  }
  return rejected.length
}
