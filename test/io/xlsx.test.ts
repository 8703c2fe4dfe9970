import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadIncidents, SourceError } from '../../src/io/readIncidents'

const TZ = 'Asia/Shanghai'
let dir: string
let workbook: string

/** The sample's rows as a spreadsheet: times as date cells, coordinates as numbers, a second sheet. */
async function writeSample(path: string): Promise<void> {
  const lines = readFileSync('fixtures/sample.csv', 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\n')
  const header = lines[0].split(',')
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('案件')
  sheet.addRow(header)
  for (const line of lines.slice(1)) {
    const cells = line.split(',')
    sheet.addRow(
      cells.map((cell, c) => {
        const name = header[c]
        if ((name === '发案开始时间' || name === '发案结束时间') && cell !== '') {
          const [date, time] = cell.split(' ')
          const [y, m, d] = date.split('-').map(Number)
          const [hh, mm, ss] = time.split(':').map(Number)
          return new Date(Date.UTC(y, m - 1, d, hh, mm, ss))
        }
        if ((name === '经度' || name === '纬度') && cell !== '') return Number(cell)
        return cell
      }),
    )
  }
  for (const name of ['发案开始时间', '发案结束时间'])
    sheet.getColumn(header.indexOf(name) + 1).numFmt = 'yyyy-mm-dd hh:mm:ss'
  const other = book.addWorksheet('补充')
  other.addRow(['案件编号', '发案时间', '经度', '纬度'])
  other.addRow(['X-1', 45413.35, 119.4, 32.1]) // an Excel date serial in a time column: 2024-05-01 08:24
  other.addRow(['X-2', '2024-05-02 09:00', 119.4, 32.1, 'one cell too many'])
  await book.xlsx.writeFile(path)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'caselink-xlsx-'))
  workbook = join(dir, 'sample.xlsx')
  await writeSample(workbook)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('xlsx', () => {
  it('reads the first sheet to the same incidents as the CSV, date cells on the time zone clock', async () => {
    const csv = await loadIncidents('fixtures/sample.csv', { timeZone: TZ })
    const xlsx = await loadIncidents(workbook, { timeZone: TZ })
    expect(xlsx.counts).toEqual(csv.counts)
    expect(xlsx.incidents).toEqual(csv.incidents)
    expect(xlsx.issues.map((i) => i.line)).toEqual(csv.issues.map((i) => i.line))
  })

  it('reads a sheet by name: Excel date serials in time columns, sheet row numbers in issues', async () => {
    const { incidents, issues, counts } = await loadIncidents(workbook, { timeZone: TZ, sheet: '补充' })
    expect(counts).toMatchObject({ rows: 2, valid: 1, rejected: 1 })
    expect(new Date(incidents[0].timeFrom).toISOString()).toBe('2024-05-01T00:24:00.000Z')
    expect(issues.find((i) => i.severity === 'error')).toMatchObject({
      code: 'column_count_mismatch',
      line: 3,
    })
  })

  it('names the sheets when the one asked for is missing', async () => {
    await expect(loadIncidents(workbook, { sheet: '2025' })).rejects.toBeInstanceOf(SourceError)
    await expect(loadIncidents(workbook, { sheet: '2025' })).rejects.toThrow(
      /no sheet "2025" \(sheets: 案件, 补充\)/,
    )
  })
})
