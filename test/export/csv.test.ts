import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTextFileWriter, formatCsvRow, neutralizeCsvCell, toCsv, UTF8_BOM } from '../../src/export/csv'

const DANGEROUS = ['=', '+', '-', '@', '\t', '\r']

describe('neutralizeCsvCell', () => {
  it('prefixes text starting with = + - @ tab or CR with a quote', () => {
    expect(neutralizeCsvCell('=HYPERLINK("http://evil","x")')).toBe(`'=HYPERLINK("http://evil","x")`)
    expect(neutralizeCsvCell('+1+cmd|calc')).toBe(`'+1+cmd|calc`)
    expect(neutralizeCsvCell('-2+3')).toBe(`'-2+3`)
    expect(neutralizeCsvCell('@SUM(A1:A9)')).toBe(`'@SUM(A1:A9)`)
    expect(neutralizeCsvCell('\t=1')).toBe(`'\t=1`)
    expect(neutralizeCsvCell('\r=1')).toBe(`'\r=1`)
  })

  it('keeps numbers numbers: -87.6 as a number or as plain text is unchanged', () => {
    expect(neutralizeCsvCell(-87.6)).toBe('-87.6')
    expect(neutralizeCsvCell('-87.6')).toBe('-87.6')
    expect(neutralizeCsvCell('+3')).toBe('+3')
    expect(neutralizeCsvCell('-1e-7')).toBe('-1e-7')
    expect(neutralizeCsvCell(0)).toBe('0')
    expect(neutralizeCsvCell(Number.NaN)).toBe('')
  })

  it('leaves ordinary text, Chinese text and empty cells alone', () => {
    expect(neutralizeCsvCell('苏K12345')).toBe('苏K12345')
    expect(neutralizeCsvCell('a=b')).toBe('a=b')
    expect(neutralizeCsvCell('')).toBe('')
    expect(neutralizeCsvCell(null)).toBe('')
    expect(neutralizeCsvCell(undefined)).toBe('')
  })

  it('property: a text cell read back by a CSV parser never starts with a formula character, and loses nothing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom(...DANGEROUS).chain((c) => fc.string().map((s) => c + s)),
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        (cells) => {
          const [back] = parse(formatCsvRow(cells), { relax_quotes: false }) as string[][]
          expect(back).toHaveLength(cells.length)
          for (let k = 0; k < cells.length; k++) {
            const plainNumber = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(cells[k])
            if (cells[k] !== '' && DANGEROUS.includes(cells[k][0]) && !plainNumber) {
              expect(back[k]).toBe(`'${cells[k]}`)
            } else {
              expect(back[k]).toBe(cells[k])
            }
            if (!plainNumber) expect(DANGEROUS.includes(back[k][0] ?? '')).toBe(false)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('toCsv and createTextFileWriter', () => {
  it('starts with a UTF-8 BOM, quotes commas, quotes and line breaks, ends rows with CRLF', () => {
    const text = toCsv(['id', 'note', 'lon'], [['A,1', 'say "hi"\nthen', -87.6]])
    expect(text.startsWith(UTF8_BOM)).toBe(true)
    expect(text).toBe(`${UTF8_BOM}id,note,lon\r\n"A,1","say ""hi""\nthen",-87.6\r\n`)
    expect(toCsv(['id'], [], { bom: false })).toBe('id\r\n')
  })

  it('writes what it was given, in UTF-8, and reports the bytes', () => {
    const path = join(tmpdir(), `caselink-writer-${process.pid}.txt`)
    const out = createTextFileWriter(path)
    const big = '案'.repeat(700_000) // over the flush threshold, 3 bytes each
    out.write('a')
    out.write(big)
    out.write('z')
    const bytes = out.close()
    const back = readFileSync(path, 'utf8')
    rmSync(path)
    expect(back).toBe(`a${big}z`)
    expect(bytes).toBe(2 + 3 * 700_000)
    expect(() => out.write('more')).toThrow(/caselink: .* closed/)
  })
})
