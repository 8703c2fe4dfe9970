import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { stringify } from 'csv-stringify/sync'
import {
  type GeneratedIncident,
  type GenerateIncidentsOptions,
  generateIncidentChunks,
} from './generateIncidents'

/** Options of {@link writeIncidentsNdjson} and {@link writeIncidentsCsv}: the generator's, plus output ones. */
export interface WriteIncidentsOptions extends GenerateIncidentsOptions {
  /** Records generated and written at a time. Default 10,000. */
  chunkSize?: number
  /** CSV only: start with a UTF-8 byte-order mark so Excel reads the Chinese text. Default true. */
  bom?: boolean
}

/** What a writer wrote. */
export interface WriteIncidentsResult {
  records: number
  bytes: number
}

/**
 * CSV columns, in order; lists (`mo`, `evidence`, `series`) are joined with `;`.
 *
 * @example
 * GENERATED_CSV_COLUMNS.join(',') // 'id,time,timeFrom,timeTo,lat,lon,category,…'
 */
export const GENERATED_CSV_COLUMNS = [
  'id',
  'time',
  'timeFrom',
  'timeTo',
  'lat',
  'lon',
  'x',
  'y',
  'category',
  'mo',
  'evidence',
  'narrative',
  'series',
  'county',
  'town',
  'village',
] as const

const DEFAULTS = { chunkSize: 10_000, bom: true }

/** Resolves on 'drain', rejects on 'error', and leaves no listener behind either way. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError)
      resolve()
    }
    const onError = (error: Error) => {
      stream.off('drain', onDrain)
      reject(error)
    }
    stream.once('drain', onDrain)
    stream.once('error', onError)
  })
}

async function writeChunks(
  target: string | Writable,
  options: WriteIncidentsOptions,
  render: (chunk: GeneratedIncident[], first: boolean) => string,
): Promise<WriteIncidentsResult> {
  // Plan first (validates the options) so a bad call creates no file.
  const chunks = generateIncidentChunks(options, options.chunkSize ?? DEFAULTS.chunkSize)
  let next = chunks.next()
  const own = typeof target === 'string'
  const stream: Writable = own ? createWriteStream(target) : target
  if (!own && (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function')) {
    throw new TypeError('caselink: expected a file path or a writable stream')
  }
  let records = 0
  let bytes = 0
  let failure: Error | undefined
  const onError = (error: Error) => {
    failure = error
  }
  stream.on('error', onError)
  try {
    let first = true
    for (; !next.done; next = chunks.next()) {
      const chunk = next.value
      if (failure) throw failure
      // Encode once: the buffer gives the byte count and is what the stream writes.
      const buffer = Buffer.from(render(chunk, first), 'utf8')
      first = false
      records += chunk.length
      bytes += buffer.length
      if (!stream.write(buffer)) await drained(stream)
    }
    if (first) {
      const text = render([], true)
      bytes += Buffer.byteLength(text)
      if (text !== '') stream.write(text)
    }
    if (own) {
      stream.end()
      await once(stream, 'finish')
    }
    if (failure) throw failure
  } catch (error) {
    if (own) stream.destroy()
    throw error
  } finally {
    stream.off('error', onError)
  }
  return { records, bytes }
}

/**
 * Generates incidents (see {@link generateIncidents}) and writes them as NDJSON, one record per line,
 * chunk by chunk with back-pressure, so 10,000,000 records never sit in memory together (the plan
 * keeps about 40 bytes per incident). A path is created and closed; a stream you pass is left open.
 * The lines are exactly `JSON.stringify` of the records `generateIncidents` returns for the same options.
 *
 * @example
 * await writeIncidentsNdjson('province-1m.ndjson', { n: 1_000_000, seed: 1 })
 */
export function writeIncidentsNdjson(
  target: string | Writable,
  options: WriteIncidentsOptions,
): Promise<WriteIncidentsResult> {
  return writeChunks(target, options, (chunk) => {
    if (chunk.length === 0) return ''
    const lines: string[] = new Array(chunk.length + 1)
    for (let i = 0; i < chunk.length; i++) lines[i] = JSON.stringify(chunk[i])
    lines[chunk.length] = ''
    return lines.join('\n')
  })
}

function csvRow(r: GeneratedIncident): unknown[] {
  return [
    r.id,
    r.time,
    r.timeFrom,
    r.timeTo,
    r.lat,
    r.lon,
    r.x,
    r.y,
    r.category,
    r.mo.join(';'),
    r.evidence.join(';'),
    r.narrative,
    r.series.join(';'),
    r.county,
    r.town,
    r.village,
  ]
}

/**
 * Generates incidents and writes them as CSV (columns {@link GENERATED_CSV_COLUMNS}, a header row, lists
 * joined with `;`, UTF-8 with a byte-order mark by default), chunk by chunk like
 * {@link writeIncidentsNdjson}. Uses csv-stringify for quoting.
 *
 * @example
 * await writeIncidentsCsv('city-100k.csv', { n: 100_000, seed: 2, preset: 'city' })
 */
export function writeIncidentsCsv(
  target: string | Writable,
  options: WriteIncidentsOptions,
): Promise<WriteIncidentsResult> {
  const bom = options.bom ?? DEFAULTS.bom
  return writeChunks(target, options, (chunk, first) => {
    const body = stringify(chunk.map(csvRow), { header: first, columns: [...GENERATED_CSV_COLUMNS] })
    return first && bom ? `\ufeff${body}` : body
  })
}
