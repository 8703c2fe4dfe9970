import type { Command } from 'commander'
import { type NearRepeatResult, type NearRepeatZone, nearRepeat } from '../nearRepeat/nearRepeat'
import { readInput, withEncoding } from './linkCommand'
import { type InputFlags, parseNumber, withInputOptions } from './options'
import { createProgress } from './progress'
import { EXIT, UserError } from './userError'

/** Options of `caselink near-repeat`. */
export interface NearRepeatCommandOptions extends InputFlags {
  category?: string
  distanceBreaks?: string
  timeBreaks?: string
  closed?: string
  metric?: string
  timeUnit?: string
  permutations?: string
  seed?: string
  zone?: string[]
  sameLocation?: boolean
  beyond?: boolean
  timeZone?: string
  strict?: boolean
  json?: boolean
}

/**
 * The near-repeat table as the Near Repeat Calculator prints it: one row per distance band, one column per
 * time band, each cell the observed pairs, how many times chance and p, `*` where significant; then the
 * zones and a one-line reading.
 *
 * @example
 * console.log(formatNearRepeat(nearRepeat(incidents, { category: 'burglary' })))
 */
export function formatNearRepeat(result: NearRepeatResult): string {
  const { options } = result
  const what = options.category === null ? '' : `${options.category} `
  const lines = [
    `near-repeat: ${result.incidents.toLocaleString('en')} ${what}incidents, ${result.pairs.toLocaleString('en')} pairs, ${options.permutations} permutations (seed ${options.seed}), ${options.metric} distance, ${options.timeUnit === 'date' ? `calendar dates (${options.timeZone})` : 'exact times'}, bands closed on the ${options.closed}`,
  ]
  const skipped = []
  if (result.skipped.noLocation > 0) skipped.push(`${result.skipped.noLocation} without a location`)
  if (result.skipped.category > 0) skipped.push(`${result.skipped.category} of other categories`)
  if (result.issues.some((issue) => issue.severity === 'error')) {
    skipped.push(
      `${new Set(result.issues.filter((i) => i.severity === 'error').map((i) => i.index)).size} rows rejected`,
    )
  }
  if (skipped.length > 0) lines.push(`left out: ${skipped.join(', ')}`)
  for (const note of result.notes) lines.push(`note: ${note}`)
  lines.push('', 'observed pairs (× chance, p); * significant: p ≤ 0.05 and ≥ 1.2× chance')
  const cell = (d: number, t: number) => {
    const ratio = result.ratio[d][t]
    return `${result.observed[d][t].toLocaleString('en')} (${ratio === null ? '–' : `${ratio.toFixed(2)}×`}, ${formatP(result.p[d][t])})${result.significant[d][t] ? '*' : ''}`
  }
  const header = ['', ...result.timeBands.map((b) => b.label)]
  const body = result.distanceBands.map((band, d) => [
    band.label,
    ...result.timeBands.map((_, t) => cell(d, t)),
  ])
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((row) => row[c].length)))
  for (const row of [header, ...body]) {
    lines.push(row.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  '))
  }
  if (result.zones.length > 0) lines.push('')
  for (const zone of result.zones) lines.push(formatZone(what, zone))
  lines.push('', formatZone(what, result.headline))
  return lines.join('\n')
}

function formatZone(what: string, zone: NearRepeatResult['headline']): string {
  const ratio = zone.ratio === null ? 'chance gives none' : `${zone.ratio.toFixed(2)}× chance`
  return `${what}pairs ${zone.label}: ${zone.observed.toLocaleString('en')}, ${ratio}, p = ${formatP(zone.p)}${zone.significant ? ' (significant)' : ''}`
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : String(Number(p.toPrecision(3)))
}

function numberList(name: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined
  const parts = value.split(',')
  return parts.map((part) => parseNumber(name, part.trim()) as number)
}

function parseZone(text: string): NearRepeatZone {
  const match = /^\s*([0-9.]+)\s*:\s*([0-9.]+)\s*$/.exec(text)
  if (match === null) {
    throw new UserError(`caselink: --zone must be METRES:DAYS (e.g. 200:14), got '${text}'`)
  }
  return {
    maxDistance: parseNumber('--zone metres', match[1], { min: 0 }) as number,
    maxDays: parseNumber('--zone days', match[2], { min: 0 }) as number,
  }
}

/**
 * Registers `caselink near-repeat FILE`: the near-repeat (Knox) test on the file's located incidents.
 * Exit 0; 1 with `--strict` when rows were rejected; 2 when the input or an option cannot be used.
 *
 * @example
 * registerNearRepeatCommand(new Command('caselink'))
 */
export function registerNearRepeatCommand(program: Command): void {
  withInputOptions(
    program
      .command('near-repeat')
      .description('near-repeat (Knox) test: which distances and gaps hold more pairs of crimes than chance')
      .argument('<file>', 'CSV, JSON or NDJSON file')
      .option(
        '--category <category>',
        'only this category and its subcategories (burglary takes burglary.residential)',
      )
      .option('--distance-breaks <metres>', 'distance band breaks, from 0 (default 0,100,200,300,400,500)')
      .option('--time-breaks <days>', 'time band breaks, from 0 (default 0,7,14,21,28)')
      .option(
        '--closed <side>',
        "'right': 0–100, 101–200 (default); 'left': [0, 100), [100, 200) as NearRepeat",
      )
      .option('--metric <metric>', "'manhattan' (default) or 'euclidean'")
      .option(
        '--time-unit <unit>',
        "'date': whole days between local dates (default); 'exact': fractional days",
      )
      .option('--permutations <n>', 'Monte Carlo permutations of the times (default 999)')
      .option('--seed <n>', 'seed of the permutations (default 0)')
      .option('--zone <metres:days>', 'also test every pair within METRES and DAYS (repeatable)', collect, [])
      .option('--no-same-location', 'no band of its own for pairs at the same place (≤ 0.001 m)')
      .option('--no-beyond', 'leave out the pairs beyond the last breaks')
      .option('--time-zone <zone>', 'IANA time zone of local time stamps and calendar dates', 'UTC'),
  )
    .option('--strict', 'exit 1 when any input row was rejected')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: NearRepeatCommandOptions) => {
      const settings = {
        category: options.category,
        distanceBreaks: numberList('--distance-breaks', options.distanceBreaks),
        timeBreaks: numberList('--time-breaks', options.timeBreaks),
        closed: options.closed as 'right' | 'left' | undefined,
        metric: options.metric as 'manhattan' | 'euclidean' | undefined,
        timeUnit: options.timeUnit as 'date' | 'exact' | undefined,
        permutations: parseNumber('--permutations', options.permutations, { min: 1, integer: true }),
        seed: parseNumber('--seed', options.seed, { integer: true }),
        zones: (options.zone ?? []).map(parseZone),
        sameLocation: options.sameLocation,
        beyond: options.beyond,
        timeZone: options.timeZone,
      }
      const loaded = await readInput(file, options, createProgress())
      let result: NearRepeatResult
      try {
        result = nearRepeat(loaded.incidents, settings)
      } catch (error) {
        if (error instanceof RangeError) throw new UserError(error.message)
        throw error
      }
      const rejected = loaded.counts.rejected
      if (options.json) {
        const { issues: _none, ...rest } = result
        process.stdout.write(`${JSON.stringify({ file, counts: loaded.counts, ...rest }, null, 2)}\n`)
      } else {
        const text = formatNearRepeat(result)
        const input = `${withEncoding(file, loaded.encoding)}: ${loaded.counts.rows} rows, ${loaded.counts.valid} valid, ${rejected} rejected`
        process.stdout.write(`${input}\n${text}\n`)
      }
      process.exitCode = options.strict && rejected > 0 ? EXIT.rejected : EXIT.ok
    })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
