import { once } from 'node:events'
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname, extname } from 'node:path'
import { Transform } from 'node:stream'
import type { Command } from 'commander'
import { GENERATOR_PRESETS, type GeneratorPresetName } from '../generate/region'
import { SCENARIO_NAMES, type ScenarioName } from '../generate/scenarios'
import {
  type WriteIncidentsResult,
  writeIncidentsCsv,
  writeIncidentsNdjson,
} from '../generate/writeIncidents'
import { parseNumber } from './options'
import { createProgress } from './progress'
import { EXIT, UserError } from './userError'

/** Options of `caselink generate`. */
export interface GenerateCommandOptions {
  preset: string
  variant: string
  n: string
  seed: string
  output: string
  startDate?: string
  scenarios?: string
  quiet?: boolean
  json?: boolean
}

/**
 * Writes a generated case set to `path`, NDJSON or CSV by extension, with the generator's streaming
 * writers (10⁷ incidents never sit in memory). `onProgress` gets the records written so far.
 *
 * @example
 * await writeGeneratedIncidents('cases.ndjson', { n: 250_000, seed: 1, preset: 'province' })
 */
export async function writeGeneratedIncidents(
  path: string,
  options: {
    n: number
    seed: number
    preset: GeneratorPresetName
    variant?: 'standard' | 'plain'
    startDate?: string
    scenarios?: readonly ScenarioName[]
  },
  onProgress?: (written: number) => void,
): Promise<WriteIncidentsResult> {
  const ext = extname(path).toLowerCase()
  const csv = ext === '.csv'
  if (!csv && ext !== '.ndjson' && ext !== '.jsonl') {
    throw new UserError(`caselink: -o ${path}: the output must end in .ndjson, .jsonl or .csv`)
  }
  mkdirSync(dirname(path), { recursive: true })
  const write = csv ? writeIncidentsCsv : writeIncidentsNdjson
  if (onProgress === undefined) return write(path, options)
  // Count records (lines) on their way to the file, for the progress bar.
  let lines = csv ? -1 : 0
  const counter = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8')
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++
      onProgress(Math.max(0, lines))
      callback(null, chunk)
    },
  })
  const file = createWriteStream(path)
  counter.pipe(file)
  const result = await write(counter, options)
  counter.end()
  await once(file, 'finish')
  return result
}

/**
 * Reads `--scenarios`: `all` or comma-separated names of {@link SCENARIO_NAMES}, or a one-line
 * {@link UserError} listing the valid names.
 *
 * @example
 * parseScenarios('spree,parcel') // ['spree', 'parcel']
 */
export function parseScenarios(value: string | undefined): ScenarioName[] | undefined {
  if (value === undefined) return undefined
  const valid = `all or a comma-separated list of ${SCENARIO_NAMES.join(', ')}`
  if (value.trim() === 'all') return [...SCENARIO_NAMES]
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  if (names.length === 0) throw new UserError(`caselink: --scenarios must be ${valid}, got '${value}'`)
  for (const name of names) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new UserError(`caselink: --scenarios: unknown scenario '${name}', expected ${valid}`)
    }
  }
  return SCENARIO_NAMES.filter((name) => names.includes(name))
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
    .option(
      '--variant <name>',
      'standard, or plain: date-only windows, planar x/y, 30% without MO, offenders ranging tens of km, 10% by teams',
      'standard',
    )
    .option('--n <count>', 'number of incidents', '10000')
    .option('--seed <n>', 'seed: the same seed gives the same file', '1')
    .option('--start-date <YYYY-MM-DD>', 'first local day (default 2024-01-01)')
    .option(
      '--scenarios <list>',
      `planted series on top of the n background incidents: all, or a comma-separated list of ${SCENARIO_NAMES.join(', ')}`,
    )
    .option('-q, --quiet', 'no progress bars')
    .option('--json', 'print the summary as JSON')
    .action(async (options: GenerateCommandOptions) => {
      if (!presets.includes(options.preset)) {
        throw new UserError(
          `caselink: --preset must be one of ${presets.join(', ')}, got '${options.preset}'`,
        )
      }
      if (options.variant !== 'standard' && options.variant !== 'plain') {
        throw new UserError(`caselink: --variant must be standard or plain, got '${options.variant}'`)
      }
      const n = parseNumber('--n', options.n, { min: 1, max: 100_000_000, integer: true }) as number
      const seed = parseNumber('--seed', options.seed, { integer: true }) as number
      if (options.startDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.startDate)) {
        throw new UserError(`caselink: --start-date must be YYYY-MM-DD, got '${options.startDate}'`)
      }
      const scenarios = parseScenarios(options.scenarios)
      const progress = createProgress({ quiet: options.quiet })
      progress.stage('generating', n)
      const started = performance.now()
      const { records, bytes } = await writeGeneratedIncidents(
        options.output,
        {
          n,
          seed,
          preset: options.preset as GeneratorPresetName,
          variant: options.variant,
          startDate: options.startDate,
          scenarios,
        },
        progress.enabled ? (written) => progress.update(written) : undefined,
      )
      progress.done()
      const seconds = (performance.now() - started) / 1000
      if (options.json) {
        const summary = {
          output: options.output,
          preset: options.preset,
          n: records,
          seed,
          scenarios: scenarios ?? [],
          bytes,
          seconds,
        }
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
      } else {
        process.stdout.write(
          `wrote ${records} incidents (${options.preset}, seed ${seed}${scenarios === undefined ? '' : `, ${records - n} planted`}) to ${options.output} in ${seconds.toFixed(1)} s\n`,
        )
      }
      process.exitCode = EXIT.ok
    })
}
