import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { writeIncidentsCsv, writeIncidentsNdjson } from '../../src/generate/writeIncidents'
import { loadIncidents } from '../../src/io/readIncidents'
import { parseIncidents } from '../../src/schema/parseIncidents'

const dir = mkdtempSync(join(tmpdir(), 'caselink-gen-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const options = { n: 1500, seed: 9, preset: 'city' as const, chunkSize: 400 }

describe('writeIncidentsNdjson', () => {
  it('writes exactly JSON.stringify of the generated records, one per line', async () => {
    const path = join(dir, 'a.ndjson')
    const result = await writeIncidentsNdjson(path, options)
    const text = readFileSync(path, 'utf8')
    const expected = generateIncidents(options)
      .incidents.map((r) => `${JSON.stringify(r)}\n`)
      .join('')
    expect(text).toBe(expected)
    expect(result).toEqual({ records: 1500, bytes: Buffer.byteLength(expected) })
  })

  it('writes to a stream it leaves open', async () => {
    const stream = new PassThrough()
    const parts: Buffer[] = []
    stream.on('data', (b: Buffer) => parts.push(b))
    const result = await writeIncidentsNdjson(stream, { n: 50, seed: 1 })
    expect(stream.writableEnded).toBe(false)
    expect(Buffer.concat(parts).toString('utf8').split('\n')).toHaveLength(51)
    expect(result.records).toBe(50)
  })

  it('waits for drain on a slow stream and leaves no listeners behind', async () => {
    let written = 0
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length
        setImmediate(callback)
      },
    })
    const result = await writeIncidentsNdjson(slow, { n: 200, seed: 2, chunkSize: 7 })
    expect(written).toBe(result.bytes)
    expect(slow.listenerCount('drain')).toBe(0)
    expect(slow.listenerCount('error')).toBe(0)
  })

  it('reads back through loadIncidents to the same incidents as parsing in memory', async () => {
    const path = join(dir, 'b.ndjson')
    await writeIncidentsNdjson(path, options)
    const fromFile = await loadIncidents(path, { timeZone: 'Asia/Shanghai' })
    const inMemory = parseIncidents(generateIncidents(options).incidents, { timeZone: 'Asia/Shanghai' })
    expect(fromFile.counts.rejected).toBe(0)
    expect(fromFile.incidents).toEqual(inMemory.incidents)
  })

  it('rejects bad options before creating a file', async () => {
    const path = join(dir, 'never.ndjson')
    await expect(writeIncidentsNdjson(path, { n: -5 })).rejects.toThrow(/^caselink:/)
    expect(() => readFileSync(path)).toThrow()
  })
})

describe('writeIncidentsCsv', () => {
  it('writes only the header for n = 0, and no BOM when bom is false', async () => {
    const path = join(dir, 'empty.csv')
    const result = await writeIncidentsCsv(path, { n: 0, bom: false })
    const text = readFileSync(path, 'utf8')
    expect(text).toBe(
      'id,time,timeFrom,timeTo,lat,lon,x,y,category,mo,evidence,narrative,series,county,town,village\n',
    )
    expect(result).toEqual({ records: 0, bytes: Buffer.byteLength(text) })
  })

  it('writes a BOM, a header and one row per record, and reads back to the same incidents', async () => {
    const path = join(dir, 'c.csv')
    const result = await writeIncidentsCsv(path, options)
    const text = readFileSync(path, 'utf8')
    expect(text.charCodeAt(0)).toBe(0xfeff)
    expect(text.slice(1, text.indexOf('\n'))).toBe(
      'id,time,timeFrom,timeTo,lat,lon,x,y,category,mo,evidence,narrative,series,county,town,village',
    )
    expect(result.records).toBe(1500)
    const fromFile = await loadIncidents(path, { timeZone: 'Asia/Shanghai' })
    const inMemory = parseIncidents(generateIncidents(options).incidents, { timeZone: 'Asia/Shanghai' })
    expect(fromFile.counts.rejected).toBe(0)
    expect(fromFile.incidents.length).toBe(1500)
    for (let i = 0; i < 1500; i++) {
      const a = fromFile.incidents[i]
      const b = inMemory.incidents[i]
      expect({ ...a, attributes: undefined }).toEqual({ ...b, attributes: undefined })
    }
  })
})
