import type { Command } from 'commander'
import type { SeriesMethod } from '../cluster/detectSeries'
import {
  OUTPUT_FORMATS,
  type OutputFile,
  type OutputFormat,
  writeLinkOutputs,
} from '../export/writeLinkOutputs'
import {
  LINK_DEFAULTS,
  type LinkIncidentsOptions,
  type LinkResult,
  linkIncidents,
} from '../link/linkIncidents'
import { type NullTestResult, nullTest } from '../link/nullTest'
import { formatBytes, formatTable, formatTopSeries } from './format'
import { type LoadedInput, loadInput } from './loadInput'
import { type InputFlags, parseNumber, readModelOption, withInputOptions } from './options'
import { createProgress, type Progress } from './progress'
import { EXIT, UserError } from './userError'

/** Options of `caselink link`. */
export interface LinkCommandOptions extends InputFlags {
  model?: string
  timeZone: string
  out: string
  formats: string
  resolution?: string
  method?: string
  minProbability?: string
  seed?: string
  maxGraphEdges?: string
  top: string
  strict?: boolean
  profileMerge?: boolean
  seriesLinks?: boolean
  attachLone?: boolean
  prior?: string
  nullTest?: boolean
  nullSeed?: string
  quiet?: boolean
  json?: boolean
}

const METHODS: readonly SeriesMethod[] = ['leiden-cpm', 'louvain', 'components']
const STAGES = [
  'parse',
  'table',
  'candidates',
  'priors',
  'scoring',
  'graph',
  'clustering',
  'summaries',
] as const

/**
 * Reads `--formats json,csv,…` into a list of output formats, or throws a one-line usage error.
 *
 * @example
 * parseFormats('json,csv') // ['json', 'csv']
 */
export function parseFormats(text: string): OutputFormat[] {
  const formats = text
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter((f) => f !== '')
  if (formats.length === 0) throw new UserError('caselink: --formats is empty')
  for (const format of formats) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new UserError(
        `caselink: --formats: unknown format '${format}' (expected ${OUTPUT_FORMATS.join(', ')})`,
      )
    }
  }
  return formats as OutputFormat[]
}

/**
 * Link options from the command line: only flags actually given are set, so the library defaults apply
 * to the rest.
 *
 * @example
 * linkOptionsFromFlags({ timeZone: 'Asia/Shanghai', resolution: '0.3' })
 */
export function linkOptionsFromFlags(options: {
  timeZone?: string
  resolution?: string
  method?: string
  minProbability?: string
  seed?: string
  profileMerge?: boolean
  seriesLinks?: boolean
  attachLone?: boolean
  prior?: string
}): LinkIncidentsOptions {
  const clustering: NonNullable<LinkIncidentsOptions['clustering']> = {}
  const resolution = parseNumber('--resolution', options.resolution, { min: 0 })
  if (resolution !== undefined) clustering.resolution = resolution
  const seed = parseNumber('--seed', options.seed, { integer: true })
  if (seed !== undefined) clustering.seed = seed
  if (options.method !== undefined) {
    if (!(METHODS as readonly string[]).includes(options.method)) {
      throw new UserError(`caselink: --method must be one of ${METHODS.join(', ')}, got '${options.method}'`)
    }
    clustering.method = options.method as SeriesMethod
  }
  const result: LinkIncidentsOptions = { timeZone: options.timeZone, clustering }
  const minProbability = parseNumber('--min-probability', options.minProbability, { min: 0, max: 1 })
  if (minProbability !== undefined) result.minProbability = minProbability
  if (options.profileMerge === true) result.profileMerge = true
  if (options.seriesLinks === false) result.seriesLinks = false
  if (options.attachLone === false) result.attachLone = false
  if (options.prior !== undefined) {
    if (options.prior !== 'estimate' && options.prior !== 'model') {
      throw new UserError(`caselink: --prior must be 'estimate' or 'model', got '${options.prior}'`)
    }
    result.prior = options.prior
  }
  return result
}

/**
 * One line on the priors estimated per kind of pair: the share of each kind's candidate pairs the data show
 * linked, against the model's own belief.
 *
 * @example
 * formatPriors(result) // 'priors estimated on the data: near pairs 16.3% linked of 319,420 (model 7.9%), …'
 */
export function formatPriors(result: LinkResult): string | null {
  const estimated = result.priors.filter((e) => e.kept === undefined)
  if (estimated.length === 0) return null
  const percent = (x: number) => `${(100 * x).toFixed(x < 0.001 ? 3 : 1)}%`
  const parts = estimated.map(
    (e) =>
      `${e.kind} pairs ${percent(e.linkedShareUsed)} linked of ${e.pairs.toLocaleString('en-US')} (model ${percent(e.modelShare ?? Number.NaN)})`,
  )
  return `priors estimated on the data: ${parts.join(', ')}`
}

/**
 * One line on a null test: what the time-permuted data still link, and its share of the real run.
 *
 * @example
 * formatNullTest(nullTest(incidents)) // 'null test (times permuted among 300 incidents, seed 1): 4 links (2.1% of 190), …'
 */
export function formatNullTest(test: Omit<NullTestResult, 'nullResult' | 'permutation'>): string {
  const share = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`)
  const { observed, permutedRun, share: shares, permuted } = test
  return (
    `null test (times permuted among ${permuted.incidents} incidents, seed ${permuted.seed}): ` +
    `${permutedRun.links} links (${share(shares.links)} of ${observed.links}), ` +
    `${permutedRun.series} series (${share(shares.series)} of ${observed.series}), ` +
    `${permutedRun.incidentsInSeries} incidents in series (${share(shares.incidentsInSeries)} of ${observed.incidentsInSeries})`
  )
}

/**
 * Links incidents already loaded, with a progress bar over the pipeline's stages.
 *
 * @example
 * const result = runLink(loaded, { timeZone: 'UTC' }, createProgress())
 */
export function runLink(loaded: LoadedInput, options: LinkIncidentsOptions, progress: Progress): LinkResult {
  progress.stage('linking', STAGES.length)
  let ended = 0
  const result = linkIncidents(loaded.incidents, {
    ...options,
    // Stages run synchronously: the bar is redrawn as each stage starts, naming it.
    onStage: (stage, phase) => {
      if (phase === 'end') ended++
      else progress.update(ended, stage)
    },
  })
  progress.done()
  return result
}

/**
 * Loads an input file with a byte progress bar, keeping rejected records.
 *
 * @example
 * const loaded = await readInput('cases.csv', { timeZone: 'UTC' }, createProgress())
 */
export async function readInput(file: string, options: InputFlags, progress: Progress): Promise<LoadedInput> {
  progress.stage('reading', 100)
  const loaded = await loadInput(file, {
    timeZone: options.timeZone,
    format: options.format,
    encoding: options.encoding,
    crs: options.crs,
    sheet: options.sheet,
    onBytes: progress.enabled
      ? (read, total) => progress.update(Math.floor((100 * read) / Math.max(1, total)), file)
      : undefined,
  })
  progress.done()
  return loaded
}

/**
 * A one-line summary of input counts.
 *
 * @example
 * formatCounts('cases.csv', loaded.counts) // 'cases.csv: 300 rows, 300 valid, 0 rejected, 1 warnings'
 * formatCounts('cases.csv', loaded.counts, 'gb18030') // 'cases.csv (GB18030): 300 rows, …'
 */
export function formatCounts(file: string, counts: LoadedInput['counts'], encoding?: string | null): string {
  return `${withEncoding(file, encoding)}: ${counts.rows} rows, ${counts.valid} valid, ${counts.rejected} rejected, ${counts.warnings} warnings`
}

/**
 * A file name with the encoding it was read in, when that is not UTF-8.
 *
 * @example
 * withEncoding('cases.csv', 'gb18030') // 'cases.csv (GB18030)'
 */
export function withEncoding(file: string, encoding?: string | null): string {
  return encoding === undefined || encoding === null || encoding === 'utf-8'
    ? file
    : `${file} (${encoding.toUpperCase()})`
}

/**
 * The list of files written, as an aligned table.
 *
 * @example
 * console.log(formatFiles(files))
 */
export function formatFiles(files: readonly OutputFile[]): string {
  return formatTable(
    files.map((f) => [
      f.path,
      f.skipped === undefined ? formatBytes(f.bytes) : 'skipped',
      f.skipped ?? f.description,
    ]),
    'lr',
  )
}

/**
 * Registers `caselink link INPUT`: validate, link and write series.json, assignments.csv, links.csv,
 * series.geojson, graph.gexf, graph.graphml and rejected.ndjson into `--out`.
 *
 * @example
 * registerLinkCommand(new Command('caselink'))
 */
export function registerLinkCommand(program: Command): void {
  withInputOptions(
    program
      .command('link')
      .description('link incidents into candidate series and write the outputs for analyst tools')
      .argument('<input>', 'CSV, JSON or NDJSON file of incidents')
      .option('--model <file>', 'linkage model JSON (default: the built-in model)')
      .option('--time-zone <zone>', 'IANA time zone for local time stamps', 'UTC'),
  )
    .option('-o, --out <dir>', 'output directory', 'caselink-output')
    .option('--formats <list>', `outputs to write: ${OUTPUT_FORMATS.join(',')}`, OUTPUT_FORMATS.join(','))
    .option(
      '--resolution <r>',
      `clustering resolution (CPM γ: minimum mean link probability inside a series; default ${LINK_DEFAULTS.clustering.resolution})`,
    )
    .option('--method <method>', `clustering method: ${METHODS.join(', ')}`)
    .option(
      '--min-probability <p>',
      `links below this probability are not kept (default ${LINK_DEFAULTS.minProbability})`,
    )
    .option('--seed <n>', 'clustering seed')
    .option('--max-graph-edges <n>', 'write graph.gexf/graph.graphml only up to this many links', '100000')
    .option('--top <n>', 'series to print', '10')
    .option('--profile-merge', 'merge detected series whose offender profiles agree (fixed rule; see README)')
    .option('--no-series-links', "do not link detected series by the model's series-to-series part")
    .option('--no-attach-lone', 'do not join lone incidents to series by their links below the edge floor')
    .option(
      '--prior <how>',
      "'estimate' (default): each kind of pair's prior re-estimated on the data; 'model': the model's",
    )
    .option(
      '--null-test',
      'link the data again with the times permuted among incidents and report what chance alone links',
    )
    .option('--null-seed <n>', 'seed of the null test permutation', '1')
    .option('--strict', 'exit 1 when any input row was rejected')
    .option('-q, --quiet', 'no progress bars')
    .option('--json', 'print the run summary as JSON (alone on stdout)')
    .action(async (input: string, options: LinkCommandOptions) => {
      const formats = parseFormats(options.formats)
      const maxGraphEdges = parseNumber('--max-graph-edges', options.maxGraphEdges, { min: 0, integer: true })
      const top = parseNumber('--top', options.top, { min: 0, integer: true }) ?? 10
      const linkOptions = linkOptionsFromFlags(options)
      const model = await readModelOption(options.model)
      if (model !== undefined) linkOptions.model = model
      const progress = createProgress({ quiet: options.quiet })
      const t0 = performance.now()
      const loaded = await readInput(input, options, progress)
      const t1 = performance.now()
      const result = runLink(loaded, linkOptions, progress)
      let nullSummary: Omit<NullTestResult, 'nullResult' | 'permutation'> | undefined
      if (options.nullTest === true) {
        const permutationSeed = parseNumber('--null-seed', options.nullSeed, { integer: true }) ?? 1
        progress.stage('null test', 1)
        const {
          nullResult: _run,
          permutation: _permutation,
          ...summary
        } = nullTest(loaded.incidents, {
          ...linkOptions,
          observed: result,
          permutationSeed,
        })
        progress.done()
        nullSummary = summary
      }
      const t2 = performance.now()
      progress.stage('writing', formats.length + 1)
      let written = 0
      const files = writeLinkOutputs(result, options.out, {
        formats,
        rejected: loaded.rejected,
        maxGraphEdges,
        meta: {
          input,
          counts: loaded.counts,
          options: {
            timeZone: options.timeZone,
            model: options.model ?? 'default',
            minProbability: linkOptions.minProbability ?? null,
            clustering: linkOptions.clustering,
            profileMerge: linkOptions.profileMerge === true,
            seriesLinks: linkOptions.seriesLinks !== false,
            attachLone: linkOptions.attachLone !== false,
            prior: linkOptions.prior ?? 'estimate',
            formats,
          },
          ...(nullSummary === undefined ? {} : { nullTest: nullSummary }),
        },
        onFile: () => progress.update(++written),
      })
      progress.done()
      const timings = { readMs: t1 - t0, linkMs: t2 - t1, writeMs: performance.now() - t2 }
      const usage = process.resourceUsage()
      const resources = {
        cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
        maxRssBytes: usage.maxRSS * 1024,
      }
      const stats = result.stats
      if (options.json) {
        const summary = {
          input,
          counts: loaded.counts,
          series: result.series.length,
          incidentsInSeries: stats.stages.summaries.incidentsInSeries,
          links: result.links.length,
          priors: result.priors,
          nullTest: nullSummary ?? null,
          stats,
          timings,
          resources,
          outputs: files,
          topSeries: result.series.slice(0, top),
        }
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
      } else {
        const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
        const lines = [
          `${formatCounts(input, loaded.counts, loaded.encoding)} (read in ${seconds(timings.readMs)})`,
          `linked in ${(stats.totalMs / 1000).toFixed(1)} s: ${stats.stages.candidates.pairs} candidate pairs, ` +
            `${stats.stages.scoring.kept} links kept, ${result.series.length} series ` +
            `(${stats.stages.summaries.incidentsInSeries} incidents)`,
        ]
        const priors = formatPriors(result)
        if (priors !== null) lines.push(priors)
        if (nullSummary !== undefined) lines.push(formatNullTest(nullSummary))
        if (top > 0 && result.series.length > 0)
          lines.push('', `top ${Math.min(top, result.series.length)} series:`, formatTopSeries(result, top))
        lines.push('', `wrote ${options.out} in ${seconds(timings.writeMs)}:`, formatFiles(files))
        lines.push(
          '',
          `done in ${seconds(timings.readMs + timings.linkMs + timings.writeMs)} ` +
            `(CPU ${seconds(resources.cpuMs)}, peak memory ${formatBytes(resources.maxRssBytes)})`,
        )
        process.stdout.write(`${lines.join('\n')}\n`)
      }
      process.exitCode = options.strict && loaded.counts.rejected > 0 ? EXIT.rejected : EXIT.ok
    })
}
