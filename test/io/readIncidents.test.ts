import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { loadIncidents, readIncidents, SourceError } from '../../src/io/readIncidents'
import { ISSUE_CODES } from '../../src/schema/issueCodes'

const fromText = (text: string) => Readable.from([text])

describe('readIncidents and loadIncidents', () => {
  it('reads the bundled CSV (Chinese headers, BOM) and NDJSON sample to the same incidents', async () => {
    const csv = await loadIncidents('fixtures/sample.csv', { timeZone: 'Asia/Shanghai' })
    const ndjson = await loadIncidents('fixtures/sample.ndjson')
    expect(csv.counts).toMatchObject({ rows: 300, valid: 300, rejected: 0 })
    expect(ndjson.counts).toMatchObject({ rows: 300, valid: 300, rejected: 0 })
    const strip = (result: typeof csv) => result.incidents.map(({ attributes: _a, ...rest }) => rest)
    expect(strip(csv)).toEqual(strip(ndjson))
    expect(csv.incidents[0].attributes.所属区县).toBe('某县')
    expect(new Set(csv.incidents.flatMap((i) => i.series)).size).toBeGreaterThanOrEqual(8)
  })

  it('maps every built-in Chinese header alias', async () => {
    const text =
      '案件编号,发案开始时间,发案结束时间,经度,纬度,案件类别,作案手段,痕迹物证,简要案情\n' +
      'A-1,2021-05-13 08:00:00,2021-05-13 18:00:00,121.5,31.2,burglary.residential,entry:pry-door;target:elderly,fingerprint:FP-1,事主家中被盗\n'
    const { incidents } = await loadIncidents(fromText(text), { format: 'csv', timeZone: 'Asia/Shanghai' })
    expect(incidents[0]).toMatchObject({
      id: 'A-1',
      timeFrom: Date.UTC(2021, 4, 13, 0),
      timeTo: Date.UTC(2021, 4, 13, 10),
      lat: 31.2,
      lon: 121.5,
      category: 'burglary.residential',
      mo: ['entry:pry-door', 'target:elderly'],
      evidence: ['fingerprint:FP-1'],
      narrative: '事主家中被盗',
    })
  })

  it('reports a malformed NDJSON line with its line number and keeps reading', async () => {
    const text = '{"id":"A","time":1620864000000}\n\n{"id":"B",\n{"id":"C","time":1620864000000}\r\n'
    const { incidents, issues, counts } = await loadIncidents(fromText(text), { format: 'ndjson' })
    expect(incidents.map((i) => i.id)).toEqual(['A', 'C'])
    expect(counts).toMatchObject({ rows: 3, valid: 2, rejected: 1 })
    expect(issues[0]).toMatchObject({ index: 1, code: 'malformed_json', line: 3 })
    const records = []
    for await (const record of readIncidents(fromText(text), { format: 'ndjson' })) records.push(record)
    expect(records[1]).toMatchObject({ kind: 'unreadable', text: '{"id":"B",' })
  })

  it('streams a JSON array element by element, with line numbers, BOM and malformed elements', async () => {
    const text =
      '\uFEFF[\n  {"id":"A","time":0,"narrative":"a, [b] {c} \\"d\\""},\n  {"id":"B" "time":0},\n  {"id":"C","time":0}\n]\n'
    const records = []
    for await (const record of readIncidents(Readable.from(text.match(/.{1,7}/gs)!), { format: 'json' }))
      records.push(record)
    expect(records.map((r) => [r.kind, r.line])).toEqual([
      ['row', 2],
      ['unreadable', 3],
      ['row', 4],
    ])
    expect(records[0]).toMatchObject({ row: { narrative: 'a, [b] {c} "d"' } })
  })

  it('refuses a JSON file that is not an array, in one readable line', async () => {
    await expect(loadIncidents(fromText('{"id":"A"}'), { format: 'json' })).rejects.toThrow(
      /is not a JSON array/,
    )
  })

  it('reports CSV rows with the wrong number of cells, broken quotes or a broken byte, in line order', async () => {
    const { counts, issues } = await loadIncidents('fixtures/hostile.csv')
    expect(counts).toMatchObject({ rows: 5, valid: 2, rejected: 3 })
    expect(issues.map((i) => [i.index, i.code, i.line])).toEqual([
      [1, 'column_count_mismatch', 3],
      [2, 'malformed_csv', 4],
      [4, 'invalid_encoding', 6],
    ])
    const unreadable = []
    for await (const record of readIncidents('fixtures/hostile.csv'))
      if (record.kind === 'unreadable') unreadable.push(record)
    expect(unreadable.map((r) => r.kind === 'unreadable' && r.text)).toEqual([
      'C-2,2024-03-05 22:10:00,119.4',
      'C-3,2024-03-06 01:00:00,119.5,32.1,burglary.shop,"小卖部""被盗"',
      'C-5,2024-03-07 02:00:00,119.5,32.1,burglary.shop,\uFFFD被盗',
    ])
  })

  it('gives a SourceError for a missing file or an unknown extension', async () => {
    await expect(loadIncidents('fixtures/none.csv')).rejects.toBeInstanceOf(SourceError)
    await expect(loadIncidents('fixtures/none.pdf')).rejects.toThrow(/cannot tell the format/)
  })

  it('covers every issue code with the hostile fixtures and loses no row', async () => {
    const ndjson = await loadIncidents('fixtures/hostile.ndjson', { timeZone: 'America/Chicago' })
    const csv = await loadIncidents('fixtures/hostile.csv')
    const lines = readFileSync('fixtures/hostile.ndjson', 'utf8').trim().split('\n').length
    expect(ndjson.counts.rows).toBe(lines)
    for (const result of [ndjson, csv]) {
      const rejected = new Set(result.issues.filter((i) => i.severity === 'error').map((i) => i.index))
      expect(result.incidents.length + rejected.size).toBe(result.counts.rows)
    }
    const seen = new Set([...ndjson.issues, ...csv.issues].map((i) => i.code))
    expect([...seen].sort()).toEqual(Object.keys(ISSUE_CODES).sort())
  })
})
