/**
 * Reads the city's published year (../shared/data/chicago-2016.ndjson.gz, see its README) for the
 * benches: a .gz is unpacked to .tmp first, then read as any input on the America/Chicago clock.
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { loadIncidents } from '../src/io/readIncidents'
import type { Incident } from '../src/schema/incident'

/**
 * The valid incidents of the Chicago file at `path` (.ndjson, or .ndjson.gz unpacked to
 * .tmp/chicago-2016.ndjson).
 *
 * @example
 * const incidents = await readChicago('../shared/data/chicago-2016.ndjson.gz')
 */
export async function readChicago(path: string): Promise<Incident[]> {
  if (!path.endsWith('.gz')) return (await loadIncidents(path, { timeZone: 'America/Chicago' })).incidents
  const out = '.tmp/chicago-2016.ndjson'
  mkdirSync('.tmp', { recursive: true })
  await new Promise<void>((resolve, reject) =>
    createReadStream(path)
      .pipe(createGunzip())
      .pipe(createWriteStream(out))
      .on('finish', resolve)
      .on('error', reject),
  )
  return (await loadIncidents(out, { timeZone: 'America/Chicago' })).incidents
}
