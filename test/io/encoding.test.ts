import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeChunks, detectEncoding, type SourceEncoding, sourceEncoding } from '../../src/io/decodeSource'
import { loadIncidents } from '../../src/io/readIncidents'
import { linkIncidents } from '../../src/link/linkIncidents'
import { buildCli, type CliRunner } from '../cli/cliBuild'

const TZ = 'Asia/Shanghai'

async function text(chunks: Uint8Array[], encoding?: SourceEncoding) {
  let out = ''
  for await (const piece of decodeChunks(Readable.from(chunks), { encoding })) out += piece
  return out
}

describe('text encodings', () => {
  it('detects UTF-8 (BOM or not), UTF-16 by BOM, and GB18030 when the bytes are mostly not UTF-8', () => {
    const sample = '案件编号,发案时间\n320100001,2024-05-01 08:00'
    expect(detectEncoding(Buffer.from(sample, 'utf8'))).toBe('utf-8')
    expect(detectEncoding(Buffer.from(`\uFEFF${sample}`, 'utf8'))).toBe('utf-8')
    expect(detectEncoding(Buffer.from(`\uFEFF${sample}`, 'utf16le'))).toBe('utf-16le')
    expect(detectEncoding(readFileSync('fixtures/sample-gb18030.csv'))).toBe('gb18030')
    // one broken byte in a UTF-8 file is a broken byte, not another encoding
    expect(detectEncoding(readFileSync('fixtures/sample-broken-byte.csv'))).toBe('utf-8')
    expect(sourceEncoding('GBK')).toBe('gb18030')
    expect(sourceEncoding('utf8')).toBe('utf-8')
    expect(() => sourceEncoding('latin1')).toThrow(/unknown encoding 'latin1'/)
  })

  it('decodes a character split across chunks whole, whatever the chunk boundaries', async () => {
    const original = readFileSync('fixtures/sample.csv', 'utf8').slice(0, 3000)
    for (const encoding of ['utf-8', 'gb18030', 'utf-16le'] as const) {
      const bytes = Buffer.from(
        encoding === 'gb18030'
          ? readFileSync('fixtures/sample-gb18030.csv').subarray(0, 2000)
          : Buffer.alloc(0),
      )
      const whole =
        encoding === 'gb18030' ? new TextDecoder('gb18030').decode(bytes) : original.replace(/^\uFEFF/, '')
      const encoded =
        encoding === 'gb18030' ? bytes : Buffer.from(whole, encoding === 'utf-8' ? 'utf8' : 'utf16le')
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: encoded.length - 1 }), { maxLength: 12 }),
          async (cuts) => {
            const points = [...new Set(cuts)].sort((a, b) => a - b)
            const chunks: Uint8Array[] = []
            let from = 0
            for (const at of [...points, encoded.length]) {
              chunks.push(encoded.subarray(from, at))
              from = at
            }
            expect(await text(chunks, encoding)).toBe(whole)
          },
        ),
        { numRuns: 30 },
      )
    }
  })

  it('reads the sample saved as GB18030 and as UTF-16LE to the same incidents, and links them to the same series', async () => {
    const utf8 = await loadIncidents('fixtures/sample.csv', { timeZone: TZ })
    expect(utf8.encoding).toBe('utf-8')
    const reference = linkIncidents(utf8.incidents, { timeZone: TZ })
    for (const [file, encoding] of [
      ['fixtures/sample-gb18030.csv', 'gb18030'],
      ['fixtures/sample-utf16le.csv', 'utf-16le'],
    ] as const) {
      const other = await loadIncidents(file, { timeZone: TZ })
      expect(other.encoding).toBe(encoding)
      expect(other.counts).toEqual(utf8.counts)
      expect(other.incidents).toEqual(utf8.incidents)
      expect(linkIncidents(other.incidents, { timeZone: TZ }).assignments).toEqual(reference.assignments)
    }
  })

  it('a broken byte costs its row, reported with its line, never the file; a wrong forced encoding costs rows, not a crash', async () => {
    const broken = await loadIncidents('fixtures/sample-broken-byte.csv', { timeZone: TZ })
    expect(broken.counts.rejected).toBe(1)
    expect(broken.counts.valid).toBe(299)
    const issue = broken.issues.find((i) => i.severity === 'error')
    expect(issue?.code).toBe('invalid_encoding')
    expect(issue?.line).toBe(6)
    const forced = await loadIncidents('fixtures/sample-gb18030.csv', { timeZone: TZ, encoding: 'utf-8' })
    expect(forced.encoding).toBe('utf-8')
    expect(forced.counts.valid + forced.counts.rejected).toBe(forced.counts.rows)
    expect(forced.counts.rejected).toBeGreaterThan(0)
    const right = await loadIncidents('fixtures/sample-gb18030.csv', { timeZone: TZ, encoding: 'GBK' })
    expect(right.counts.valid).toBe(300)
  })
})

describe('caselink --encoding', () => {
  let cli: CliRunner
  beforeAll(async () => {
    cli = await buildCli('encoding')
  })

  it('says which encoding it read, takes --encoding, refuses an unknown one in one line', () => {
    const detected = cli(['validate', 'fixtures/sample-gb18030.csv', '--time-zone', TZ])
    expect(detected.status).toBe(0)
    expect(detected.stdout).toMatch(
      /^fixtures\/sample-gb18030\.csv \(GB18030\): 300 rows, 300 valid, 0 rejected/,
    )
    const forced = cli(['validate', 'fixtures/sample-gb18030.csv', '--time-zone', TZ, '--encoding', 'utf-8'])
    expect(forced.status).toBe(1)
    expect(forced.stdout).toContain('[invalid_encoding]')
    const unknown = cli(['link', 'fixtures/sample.csv', '--encoding', 'latin1'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr.trim()).toBe(
      "caselink: unknown encoding 'latin1' (expected utf-8, utf-16le, utf-16be, gb18030 or gbk)",
    )
  })
})
