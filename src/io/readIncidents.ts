import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { Readable } from 'node:stream'
import { parse as parseCsv } from 'csv-parse'
import { FIELD_ALIASES } from '../schema/fieldAliases'
import { createIncidentParser, type ParseIncidentsOptions, type ParseResult } from '../schema/parseIncidents'
import { decodeChunks, type SourceEncoding, sourceEncoding } from './decodeSource'
import { readXlsx } from './readXlsx'

/** The input formats caselink reads. */
export type IncidentFormat = 'csv' | 'json' | 'ndjson' | 'xlsx'

/** Options of {@link readIncidents}. */
export interface ReadIncidentsOptions {
  /** Format; by default taken from the file extension (.csv/.tsv, .json, .ndjson/.jsonl). */
  format?: IncidentFormat
  /** CSV delimiter. Default `,` (a tab for `.tsv`). */
  delimiter?: string
  /**
   * Text encoding: `utf-8`, `utf-16le`, `utf-16be`, `gb18030` (`gbk`, `gb2312` read as it). Default: detected
   * from the first 64 KB (a BOM; else UTF-8 unless its non-ASCII bytes are mostly not UTF-8, then GB18030).
   */
  encoding?: SourceEncoding | string
  /** Told the encoding used, once it is known. */
  onEncoding?: (encoding: SourceEncoding) => void
  /** Spreadsheets: the sheet to read, by name. Default the first. */
  sheet?: string
}

/**
 * One record read from a source: a row (not yet validated), or a record that could not be read at all.
 * `line` is the 1-based line where the record starts.
 */
export type SourceRecord =
  | { kind: 'row'; row: unknown; line: number }
  | {
      kind: 'unreadable'
      code: 'malformed_json' | 'malformed_csv' | 'column_count_mismatch' | 'invalid_encoding'
      message: string
      line: number
      /** The record's raw text, when the reader has it (NDJSON line, JSON element, CSV record). */
      text?: string
    }

/**
 * Thrown (or rejected) when a source cannot be read at all: a missing file, an unknown format, a JSON
 * file that is not an array. Its message is one line, meant for a user.
 *
 * @example
 * try { await loadIncidents('cases.pdf') } catch (e) { if (e instanceof SourceError) console.error(e.message) }
 */
export class SourceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SourceError'
  }
}

/**
 * Tells the format of a file from its extension.
 *
 * @example
 * formatFromPath('cases.ndjson') // 'ndjson'
 */
export function formatFromPath(path: string): IncidentFormat | undefined {
  const ext = extname(path).toLowerCase()
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv'
  if (ext === '.json') return 'json'
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson'
  if (ext === '.xlsx') return 'xlsx'
  return undefined
}

/**
 * Streams the records of a CSV, NDJSON or JSON-array source (a path or a readable stream), UTF-8 with or
 * without BOM, one record at a time, never holding the file in memory. Records that cannot be read
 * (a malformed NDJSON line, a broken CSV quote) are yielded as `unreadable` with their line, so
 * nothing is lost. Validation is {@link createIncidentParser}'s job; {@link loadIncidents} does both.
 *
 * @example
 * for await (const record of readIncidents('fixtures/sample.ndjson')) {
 *   if (record.kind === 'row') console.log(record.line, record.row)
 * }
 */
export async function* readIncidents(
  source: string | Readable,
  options: ReadIncidentsOptions = {},
): AsyncGenerator<SourceRecord> {
  for await (const batch of readIncidentBatches(source, options)) yield* batch
}

/**
 * {@link readIncidents} in batches (one per chunk read, up to a few thousand records): the fast path,
 * one promise per batch instead of one per record.
 *
 * @example
 * for await (const batch of readIncidentBatches('cases.ndjson')) console.log(batch.length)
 */
export async function* readIncidentBatches(
  source: string | Readable,
  options: ReadIncidentsOptions = {},
): AsyncGenerator<SourceRecord[]> {
  const name = typeof source === 'string' ? source : 'stream'
  const format = options.format ?? (typeof source === 'string' ? formatFromPath(source) : undefined)
  if (format === undefined) {
    throw new SourceError(
      `caselink: cannot tell the format of ${name} (expected a .csv, .tsv, .json, .ndjson, .jsonl or .xlsx file, or pass a format)`,
    )
  }
  let raw: Readable
  if (typeof source === 'string') {
    try {
      const info = await stat(source)
      if (!info.isFile()) throw new SourceError(`caselink: ${source} is not a file`)
    } catch (error) {
      if (error instanceof SourceError) throw error
      throw new SourceError(
        `caselink: cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      )
    }
    raw = createReadStream(source, { highWaterMark: 1 << 20 })
  } else {
    raw = source
  }
  if (format === 'xlsx') {
    try {
      yield* readXlsx(raw, { sheet: options.sheet, isTimeColumn })
    } catch (error) {
      const message = (error as Error).message
      throw new SourceError(
        message.startsWith('caselink:')
          ? message
          : `caselink: cannot read ${name} as a spreadsheet: ${message}`,
      )
    }
    return
  }
  const encoding = options.encoding === undefined ? undefined : sourceEncoding(options.encoding)
  const stream = Readable.from(decodeChunks(raw, { encoding, onEncoding: options.onEncoding }))
  if (format === 'ndjson') yield* readNdjson(stream)
  else if (format === 'json') yield* readJsonArray(stream, name)
  else {
    const delimiter =
      options.delimiter ??
      (typeof source === 'string' && extname(source).toLowerCase() === '.tsv' ? '\t' : ',')
    yield* readCsv(stream, delimiter)
  }
}

/**
 * Reads and validates a whole source: {@link readIncidents} streamed into {@link createIncidentParser}.
 * Every record ends up valid or reported with its line; issues carry `line`. `encoding` is the text
 * encoding read (detected or forced; null for an empty file).
 *
 * @example
 * const { incidents, issues, counts } = await loadIncidents('fixtures/sample.csv', { timeZone: 'Asia/Shanghai' })
 */
export async function loadIncidents(
  source: string | Readable,
  options: ReadIncidentsOptions & ParseIncidentsOptions = {},
): Promise<ParseResult & { encoding: SourceEncoding | null }> {
  const parser = createIncidentParser(options)
  let encoding: SourceEncoding | null = null
  const onEncoding = (used: SourceEncoding) => {
    encoding = used
    options.onEncoding?.(used)
  }
  for await (const batch of readIncidentBatches(source, { ...options, onEncoding })) {
    for (const record of batch) {
      if (record.kind === 'row') parser.push(record.row, record.line)
      else parser.reject(record.code, record.message, record.line)
    }
  }
  return { ...parser.finish(), encoding }
}

/** Whether a header names a time field (directly or by a built-in alias): its spreadsheet numbers are dates. */
function isTimeColumn(header: string): boolean {
  const field = FIELD_ALIASES[header] ?? header
  return field === 'time' || field === 'timeFrom' || field === 'timeTo'
}

/** What a decoder gives for bytes not valid in the encoding. */
const REPLACEMENT = '\uFFFD'

function brokenBytes(line: number, text: string): SourceRecord {
  return {
    kind: 'unreadable',
    code: 'invalid_encoding',
    message: `the record at line ${line} holds bytes that are not valid in the file's encoding (shown as �); check the file's encoding (--encoding)`,
    line,
    text,
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

async function* readNdjson(stream: Readable): AsyncGenerator<SourceRecord[]> {
  let pending = ''
  let line = 0
  let first = true
  const parseLine = (text: string, lineNumber: number): SourceRecord | null => {
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text
    if (trimmed.trim() === '') return null
    if (trimmed.includes(REPLACEMENT)) return brokenBytes(lineNumber, trimmed)
    try {
      return { kind: 'row', row: JSON.parse(trimmed), line: lineNumber }
    } catch (error) {
      return {
        kind: 'unreadable',
        code: 'malformed_json',
        message: `line ${lineNumber} is not valid JSON: ${(error as Error).message}`,
        line: lineNumber,
        text: trimmed,
      }
    }
  }
  for await (const chunk of stream) {
    let text = pending + (chunk as string)
    if (first) {
      text = stripBom(text)
      first = false
    }
    let start = 0
    let newline = text.indexOf('\n', start)
    const batch: SourceRecord[] = []
    while (newline !== -1) {
      line++
      const record = parseLine(text.slice(start, newline), line)
      if (record !== null) batch.push(record)
      start = newline + 1
      newline = text.indexOf('\n', start)
    }
    pending = text.slice(start)
    if (batch.length > 0) yield batch
  }
  if (pending !== '') {
    line++
    const record = parseLine(pending, line)
    if (record !== null) yield [record]
  }
}

const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44
const NEWLINE = 10

/**
 * Splits a top-level JSON array into its elements as text while streaming, so each element is parsed
 * (and, when malformed, reported) on its own.
 */
async function* readJsonArray(stream: Readable, name: string): AsyncGenerator<SourceRecord[]> {
  let depth = 0 // 1 inside the top-level array
  let inString = false
  let escaped = false
  let opened = false
  let closed = false
  let element = ''
  let elementLine = 0
  let elementStarted = false
  let line = 1
  let first = true
  const finishElement = (): SourceRecord | null => {
    const text = element.trim()
    element = ''
    elementStarted = false
    if (text === '') return null
    try {
      return { kind: 'row', row: JSON.parse(text), line: elementLine }
    } catch (error) {
      return {
        kind: 'unreadable',
        code: 'malformed_json',
        message: `the array element at line ${elementLine} is not valid JSON: ${(error as Error).message}`,
        line: elementLine,
        text,
      }
    }
  }
  for await (const chunk of stream) {
    let text = chunk as string
    if (first) {
      text = stripBom(text)
      first = false
    }
    let sliceStart = 0
    const batch: SourceRecord[] = []
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === NEWLINE) line++
      if (inString) {
        if (escaped) escaped = false
        else if (c === BACKSLASH) escaped = true
        else if (c === QUOTE) inString = false
        continue
      }
      if (!opened) {
        if (c === OPEN_BRACKET) {
          opened = true
          depth = 1
          sliceStart = i + 1
        } else if (c > 32) {
          throw new SourceError(`caselink: ${name} is not a JSON array of records (it must start with "[")`)
        }
        continue
      }
      if (closed) {
        if (c > 32)
          throw new SourceError(`caselink: ${name} has text after the end of its JSON array (line ${line})`)
        continue
      }
      if (!elementStarted && depth === 1 && c > 32 && c !== COMMA && c !== CLOSE_BRACKET) {
        elementStarted = true
        elementLine = line
      }
      if (c === QUOTE) inString = true
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++
      else if (c === CLOSE_BRACE || (c === CLOSE_BRACKET && depth > 1)) depth--
      else if (depth === 1 && (c === COMMA || c === CLOSE_BRACKET)) {
        element += text.slice(sliceStart, i)
        sliceStart = i + 1
        const record = finishElement()
        if (record !== null) batch.push(record)
        if (c === CLOSE_BRACKET) {
          closed = true
          depth = 0
        }
      }
    }
    if (opened && !closed) element += text.slice(sliceStart)
    if (batch.length > 0) yield batch
  }
  if (!opened) throw new SourceError(`caselink: ${name} is empty, expected a JSON array of records`)
  if (!closed) {
    const record = finishElement()
    if (record !== null) {
      yield [
        record.kind === 'row'
          ? {
              kind: 'unreadable',
              code: 'malformed_json',
              message: `the JSON array is not closed after line ${elementLine}`,
              line: elementLine,
              text: JSON.stringify(record.row),
            }
          : record,
      ]
    }
  }
}

async function* readCsv(stream: Readable, delimiter: string): AsyncGenerator<SourceRecord[]> {
  const parser = stream.pipe(
    parseCsv({
      bom: true,
      delimiter,
      columns: false,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  )
  const skipped: SourceRecord[] = []
  parser.on('skip', (error: Error & { lines?: number; raw?: string }) => {
    const line = error.lines ?? 0
    const record: SourceRecord = {
      kind: 'unreadable',
      code: 'malformed_csv',
      message: `CSV record at line ${line} cannot be read: ${error.message}`,
      line,
    }
    // The text read up to the error: a broken quote can swallow the records after it, kept here.
    if (typeof error.raw === 'string') record.text = error.raw.replace(/\r?\n$/, '')
    skipped.push(record)
  })
  let header: string[] | null = null
  let batch: SourceRecord[] = []
  for await (const item of parser as AsyncIterable<{
    record: string[]
    info: { lines: number }
    raw: string
  }>) {
    const { record, info, raw } = item
    // Skip events fire while later records are still buffered: emit them in line order.
    while (skipped.length > 0 && skipped[0].line < info.lines) batch.push(skipped.shift()!)
    if (header === null) {
      header = record.map((cell) => cell.trim())
      continue
    }
    if (raw.includes(REPLACEMENT)) {
      batch.push(brokenBytes(info.lines, raw.replace(/\r?\n$/, '')))
    } else if (record.length !== header.length) {
      batch.push({
        kind: 'unreadable',
        code: 'column_count_mismatch',
        message: `CSV record at line ${info.lines} has ${record.length} cells, the header has ${header.length}`,
        line: info.lines,
        text: raw.replace(/\r?\n$/, ''),
      })
    } else {
      const row: Record<string, string> = Object.create(null)
      for (let c = 0; c < header.length; c++) row[header[c]] = record[c]
      batch.push({ kind: 'row', row, line: info.lines })
    }
    if (batch.length >= 1024) {
      yield batch
      batch = []
    }
  }
  batch.push(...skipped)
  if (batch.length > 0) yield batch
}
