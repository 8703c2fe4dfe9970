/**
 * Spreadsheets: the rows of one sheet of an .xlsx file, streamed (exceljs's streaming reader: the file is
 * never held whole), as the readers' source records.
 */
import type { Readable } from 'node:stream'
import ExcelJS from 'exceljs'
import type { SourceRecord } from './readIncidents'

const DAY_MS = 86_400_000
/** Excel's day 0 (1899-12-30) in Unix days: serial − 25569 = days since 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25_569
/** Serials of 1900-01-01 … 9999-12-31. */
const MIN_SERIAL = 1
const MAX_SERIAL = 2_958_465

/** Options of {@link readXlsx}. */
export interface ReadXlsxOptions {
  /** The sheet to read, by name; default the first. */
  sheet?: string
  /** Whether a header names a time field: its numbers are Excel date serials. */
  isTimeColumn?: (header: string) => boolean
}

/**
 * Streams the rows of one sheet of an .xlsx workbook (the first, or `sheet`): its first row is the header,
 * every later non-empty row a record with its sheet row number as `line`. Cells are read as the user sees
 * them: text as text, numbers as numbers, date cells, and numbers in time columns (Excel date serials), as
 * wall-clock stamps (`2024-05-01 08:30:00`) for the parser to read on the `timeZone` clock (Excel stores no
 * time zone); formulas by their result, rich text by its text. A row with more cells than the header is
 * reported as unreadable. Throws a `caselink:` error when the sheet is missing.
 *
 * @example
 * for await (const batch of readXlsx('cases.xlsx', { sheet: '2024' })) console.log(batch.length)
 */
export async function* readXlsx(
  source: string | Readable,
  options: ReadXlsxOptions = {},
): AsyncGenerator<SourceRecord[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source as never, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  })
  const isTime = options.isTimeColumn ?? (() => false)
  const seen: string[] = []
  for await (const worksheet of reader) {
    const sheetName = (worksheet as unknown as { name?: string }).name ?? ''
    seen.push(sheetName)
    if (options.sheet !== undefined && sheetName !== options.sheet) {
      // drain the sheet so the reader moves on
      for await (const _row of worksheet) {
      }
      continue
    }
    let header: string[] | null = null
    let timeColumn: boolean[] = []
    let batch: SourceRecord[] = []
    for await (const row of worksheet) {
      const values = (row as ExcelJS.Row).values as unknown[]
      if (header === null) {
        header = []
        for (let c = 1; c < values.length; c++) header[c - 1] = cellText(values[c]).trim()
        timeColumn = header.map((name) => name !== '' && isTime(name))
        continue
      }
      const line = (row as ExcelJS.Row).number
      let last = values.length - 1
      while (last >= 1 && isEmpty(values[last])) last--
      if (last < 1) continue
      if (last > header.length) {
        batch.push({
          kind: 'unreadable',
          code: 'column_count_mismatch',
          message: `sheet row ${line} has ${last} cells, the header has ${header.length}`,
          line,
          text: values
            .slice(1, last + 1)
            .map(cellText)
            .join(','),
        })
      } else {
        const record: Record<string, unknown> = Object.create(null)
        for (let c = 1; c <= last; c++) {
          const name = header[c - 1]
          if (name === '' || isEmpty(values[c])) continue
          record[name] = cellValue(values[c], timeColumn[c - 1])
        }
        batch.push({ kind: 'row', row: record, line })
      }
      if (batch.length >= 1024) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
    return
  }
  if (options.sheet !== undefined) {
    throw new Error(
      `caselink: the workbook has no sheet "${options.sheet}" (sheets: ${seen.join(', ') || 'none'})`,
    )
  }
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '')
}

/** A cell as the parser reads it: text, a number, or a wall-clock stamp for dates and time serials. */
function cellValue(value: unknown, timeColumn: boolean): unknown {
  if (value instanceof Date) return wallClock(value.getTime())
  if (typeof value === 'number') {
    if (timeColumn && value >= MIN_SERIAL && value <= MAX_SERIAL) {
      return wallClock(Math.round((value - EXCEL_EPOCH_DAYS) * DAY_MS))
    }
    return value
  }
  if (typeof value === 'object' && value !== null) {
    const cell = value as { result?: unknown; text?: unknown; richText?: { text: string }[]; error?: unknown }
    if ('result' in cell) return cellValue(cell.result, timeColumn)
    if (Array.isArray(cell.richText)) return cell.richText.map((part) => part.text).join('')
    if (typeof cell.text === 'string') return cell.text
    if (cell.error !== undefined) return String(cell.error)
  }
  return typeof value === 'string' ? value : String(value)
}

function cellText(value: unknown): string {
  const read = cellValue(value, false)
  return typeof read === 'string' ? read : String(read ?? '')
}

/** Epoch ms of a wall-clock time written as if UTC (what Excel's serials are) → `YYYY-MM-DD HH:mm:ss`. */
function wallClock(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}
