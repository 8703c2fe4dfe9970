import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { Transform } from 'node:stream'
import type { RejectedRecord } from '../export/rejectedNdjson'
import type { SourceEncoding } from '../io/decodeSource'
import { formatFromPath, type IncidentFormat, readIncidentBatches, SourceError } from '../io/readIncidents'
import type { IssueCode } from '../schema/issueCodes'
import { createIncidentParser, type ParseResult } from '../schema/parseIncidents'

/** Options of {@link loadInput}. */
export interface LoadInputOptions {
  timeZone?: string
  format?: IncidentFormat
  /** Text encoding, see `ReadIncidentsOptions.encoding`. Default: detected. */
  encoding?: string
  /** Coordinate system of lat/lon, see `ParseIncidentsOptions.crs`. Default WGS84. */
  crs?: string
  /** Spreadsheets: the sheet to read. Default the first. */
  sheet?: string
  /** Called with bytes read so far and the file size, as the file streams in. */
  onBytes?: (read: number, total: number) => void
}

/** What {@link loadInput} returns: the parse result and every rejected record with its row as read. */
export interface LoadedInput extends ParseResult {
  rejected: RejectedRecord[]
  /** The text encoding read (null for an empty file). */
  encoding: SourceEncoding | null
}

/**
 * Streams an input file once through the validating parser, keeping each rejected record (its row as
 * read, or only its line when it could not be read) with its issues, so the CLI can write
 * rejected.ndjson and drop nothing silently. Valid rows are not kept twice.
 *
 * @example
 * const { incidents, rejected, counts } = await loadInput('cases.csv', { timeZone: 'Asia/Shanghai' })
 */
export async function loadInput(path: string, options: LoadInputOptions = {}): Promise<LoadedInput> {
  const parser = createIncidentParser({ timeZone: options.timeZone, crs: options.crs })
  const format = options.format ?? formatFromPath(path)
  let source: string | Transform = path
  if (options.onBytes !== undefined && format !== undefined) {
    let size: number
    try {
      const info = await stat(path)
      if (!info.isFile()) throw new SourceError(`caselink: ${path} is not a file`)
      size = info.size
    } catch (error) {
      if (error instanceof SourceError) throw error
      throw new SourceError(
        `caselink: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      )
    }
    let read = 0
    const onBytes = options.onBytes
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        read += chunk.length
        onBytes(read, size)
        callback(null, chunk)
      },
    })
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('error', (error) => counter.destroy(error))
      .pipe(counter)
    source = counter
  }
  const delimiter = extname(path).toLowerCase() === '.tsv' ? '\t' : undefined
  const rejected: RejectedRecord[] = []
  let seenRejected = 0
  let seenIssues = 0
  const collect = (row: unknown, line: number, text?: string): void => {
    // finish() returns the counts and issues so far; a rejected count that grew means this row was rejected.
    const state = parser.finish()
    if (state.counts.rejected > seenRejected) {
      const issues = state.issues.slice(seenIssues)
      const record: RejectedRecord = { index: state.counts.rows - 1, line, issues }
      if (row !== undefined) record.row = row
      if (text !== undefined) record.text = text
      rejected.push(record)
      seenRejected = state.counts.rejected
    }
    seenIssues = state.issues.length
  }
  let encoding: SourceEncoding | null = null
  for await (const batch of readIncidentBatches(source, {
    format,
    delimiter,
    encoding: options.encoding,
    sheet: options.sheet,
    onEncoding: (used) => {
      encoding = used
    },
  })) {
    for (const record of batch) {
      if (record.kind === 'row') {
        parser.push(record.row, record.line)
        collect(record.row, record.line)
      } else {
        parser.reject(record.code as IssueCode, record.message, record.line)
        collect(undefined, record.line, record.text)
      }
    }
  }
  return { ...parser.finish(), rejected, encoding }
}
