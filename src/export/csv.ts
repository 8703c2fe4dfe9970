import { closeSync, openSync, writeSync } from 'node:fs'

/** A value written to one CSV cell; null and undefined are written as an empty cell. */
export type CsvCell = string | number | boolean | null | undefined

/** The UTF-8 byte order mark: Excel needs it to read a CSV file's Chinese text as UTF-8. */
export const UTF8_BOM = '\uFEFF'

/** A plain decimal number written as text (`-87.6`, `1e-3`): Excel reads it as a number, not a formula. */
const PLAIN_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/

/**
 * Neutralizes spreadsheet formula injection (CWE-1236, OWASP "CSV injection"): a text cell starting
 * with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel, LibreOffice and
 * Google Sheets show it as text instead of evaluating it. Numbers stay numbers: a `number` cell and a
 * text cell that is a plain decimal number (`-87.6`) are written unchanged. Returns the cell's text,
 * not yet quoted (see {@link formatCsvRow}).
 *
 * @example
 * neutralizeCsvCell('=HYPERLINK("http://x")') // `'=HYPERLINK("http://x")`
 * neutralizeCsvCell(-87.6)                    // '-87.6'
 * neutralizeCsvCell('-87.6')                  // '-87.6'
 */
export function neutralizeCsvCell(value: CsvCell): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  const text = String(value)
  if (text.length === 0) return text
  const c = text.charCodeAt(0)
  // = + - @ \t \r
  if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) {
    if ((c === 43 || c === 45) && PLAIN_NUMBER.test(text)) return text
    return `'${text}`
  }
  return text
}

/**
 * Formats one CSV record (RFC 4180, CRLF line end): every cell neutralized with
 * {@link neutralizeCsvCell}, then quoted when it holds a comma, a quote or a line break.
 *
 * @example
 * formatCsvRow(['A-1', 'say "hi", then =1+1', -87.6]) // 'A-1,"say ""hi"", then =1+1",-87.6\r\n'
 */
export function formatCsvRow(cells: readonly CsvCell[]): string {
  let line = ''
  for (let k = 0; k < cells.length; k++) {
    if (k > 0) line += ','
    line += quoteCsvText(neutralizeCsvCell(cells[k]))
  }
  return `${line}\r\n`
}

function quoteCsvText(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 44 || c === 34 || c === 10 || c === 13) return `"${text.replaceAll('"', '""')}"`
  }
  return text
}

/** Options of {@link toCsv}. */
export interface ToCsvOptions {
  /** Start with a UTF-8 byte order mark (for Excel). Default true. */
  bom?: boolean
}

/**
 * A whole CSV document (header first) as one string, neutralized and quoted like {@link formatCsvRow}.
 * For large outputs use {@link createTextFileWriter} and write row by row.
 *
 * @example
 * toCsv(['id', 'lon'], [['A-1', -87.6], ['=cmd', 1]]) // '\uFEFFid,lon\r\nA-1,-87.6\r\n\'=cmd,1\r\n'
 */
export function toCsv(
  header: readonly string[],
  rows: Iterable<readonly CsvCell[]>,
  options: ToCsvOptions = {},
): string {
  let text = (options.bom ?? true) ? UTF8_BOM : ''
  text += formatCsvRow(header)
  for (const row of rows) text += formatCsvRow(row)
  return text
}

/** A buffered, synchronous text file writer (UTF-8): no backpressure to handle, flushed in large chunks. */
export interface TextFileWriter {
  /** Appends text. */
  write(text: string): void
  /** Flushes and closes the file; returns the bytes written. */
  close(): number
}

const FLUSH_CHARS = 1 << 20

/**
 * Opens `path` for writing (truncating it) behind a buffer of about a million characters, so writing a
 * few hundred thousand rows costs a few hundred system calls.
 *
 * @example
 * const out = createTextFileWriter('links.csv')
 * out.write(UTF8_BOM + formatCsvRow(['id1', 'id2']))
 * out.close()
 */
export function createTextFileWriter(path: string): TextFileWriter {
  const fd = openSync(path, 'w')
  let parts: string[] = []
  let buffered = 0
  let bytes = 0
  let closed = false
  const flush = (): void => {
    if (parts.length === 0) return
    const buffer = Buffer.from(parts.join(''), 'utf8')
    let offset = 0
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset)
    bytes += buffer.length
    parts = []
    buffered = 0
  }
  return {
    write(text: string): void {
      if (closed) throw new Error(`caselink: ${path} is already closed`)
      parts.push(text)
      buffered += text.length
      if (buffered >= FLUSH_CHARS) flush()
    },
    close(): number {
      if (closed) return bytes
      flush()
      closeSync(fd)
      closed = true
      return bytes
    },
  }
}
