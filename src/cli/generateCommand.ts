import { mkdirSync } from 'node:fs'
import { dirname, extname } from 'node:path'
import type { Command } from 'commander'
import { createTextFileWriter, formatCsvRow, UTF8_BOM } from '../export/csv'
import { type GeneratedIncident, generateIncidentChunks } from '../generate/generateIncidents'
import { GENERATOR_PRESETS, type GeneratorPresetName } from '../generate/region'
import { parseNumber } from './options'
import { createProgress } from './progress'
import { EXIT, UserError } from './userError'

/** Options of `caselink generate`. */
export interface GenerateCommandOptions {
  preset: string
  n: string
  seed: string
  output: string
  startDate?: string
  quiet?: boolean
  json?: boolean
}

/** Columns of a generated CSV file (the record format's names; lists joined with ';'). */
export const GENERATED_CSV_HEADER = [
  'id',
  'time',
  'timeFrom',
  'timeTo',
  'lat',
  'lon',
  'category',
  'mo',
  'evidence',
  'narrative',
  'series',
  'county',
  'town',
  'village',
] as const

/**
 * One generated record as a CSV row in {@link GENERATED_CSV_HEADER} order.
 *
 * @example
 * formatCsvRow(generatedCsvRow(incident))
 */
export function generatedCsvRow(r: GeneratedIncident): (string | number | undefined)[] {
  return [
    r.id,
    r.time,
    r.timeFrom,
    r.timeTo,
    r.lat,
    r.lon,
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
 * Writes a generated case set to `path`, NDJSON or CSV by extension, streaming in chunks of 10,000
 * records (10⁷ incidents never sit in memory). Returns the records written and the bytes.
 *
 * @example
 * writeGeneratedIncidents('cases.ndjson', { n: 250_000, seed: 1, preset: 'province' })
 */
export function writeGeneratedIncidents(
  path: string,
  options: { n: number; seed: number; preset: GeneratorPresetName; startDate?: string },
  onProgress: (written: number) => void = () => {},
): { records: number; bytes: number } {
  const ext = extname(path).toLowerCase()
  const csv = ext === '.csv'
  if (!csv && ext !== '.ndjson' && ext !== '.jsonl') {
    throw new UserError(`caselink: -o ${path}: the output must end in .ndjson, .jsonl or .csv`)
  }
  mkdirSync(dirname(path), { recursive: true })
  const out = createTextFileWriter(path)
  let records = 0
  try {
    if (csv) out.write(UTF8_BOM + formatCsvRow(GENERATED_CSV_HEADER))
    for (const chunk of generateIncidentChunks(options, 10_000)) {
      let text = ''
      for (const record of chunk)
        text += csv ? formatCsvRow(generatedCsvRow(record)) : `${JSON.stringify(record)}\n`
      out.write(text)
      records += chunk.length
      onProgress(records)
    }
  } finally {
    out.close()
  }
  return { records, bytes: out.close() }
}

/**
 * Registers `caselink generate --preset P --n N --seed S -o FILE`: a synthetic case set with planted
 * (offender-model) series and ground-truth `series` labels.
 *
 * @example
 * registerGenerateCommand(new Command('caselink'))
 */
export function registerGenerateCommand(program: Command): void {
  const presets = Object.keys(GENERATOR_PRESETS)
  program
    .command('generate')
    .description('generate a synthetic case set with planted series and ground-truth labels')
    .requiredOption('-o, --output <file>', 'output file, .ndjson/.jsonl or .csv')
    .option('--preset <name>', `region and offender population: ${presets.join(', ')}`, 'province')
    .option('--n <count>', 'number of incidents', '10000')
    .option('--seed <n>', 'seed: the same seed gives the same file', '1')
    .option('--start-date <YYYY-MM-DD>', 'first local day (default 2024-01-01)')
    .option('-q, --quiet', 'no progress bars')
    .option('--json', 'print the summary as JSON')
    .action((options: GenerateCommandOptions) => {
      if (!presets.includes(options.preset)) {
        throw new UserError(
          `caselink: --preset must be one of ${presets.join(', ')}, got '${options.preset}'`,
        )
      }
      const n = parseNumber('--n', options.n, { min: 1, max: 100_000_000, integer: true }) as number
      const seed = parseNumber('--seed', options.seed, { integer: true }) as number
      if (options.startDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.startDate)) {
        throw new UserError(`caselink: --start-date must be YYYY-MM-DD, got '${options.startDate}'`)
      }
      const progress = createProgress({ quiet: options.quiet })
      progress.stage('generating', n)
      const started = performance.now()
      const { records, bytes } = writeGeneratedIncidents(
        options.output,
        { n, seed, preset: options.preset as GeneratorPresetName, startDate: options.startDate },
        (written) => progress.update(written),
      )
      progress.done()
      const seconds = (performance.now() - started) / 1000
      if (options.json) {
        const summary = { output: options.output, preset: options.preset, n: records, seed, bytes, seconds }
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
      } else {
        process.stdout.write(
          `wrote ${records} incidents (${options.preset}, seed ${seed}) to ${options.output} in ${seconds.toFixed(1)} s\n`,
        )
      }
      process.exitCode = EXIT.ok
    })
}
