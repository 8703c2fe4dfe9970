import type { Command } from 'commander'
import { type LinkageModel, levelMatchWeights } from '../model/linkageModel'
import { saveModel } from '../model/modelFile'
import { trainModel } from '../model/trainModel'
import type { Incident } from '../schema/incident'
import { buildCaseTable } from '../table/buildCaseTable'
import { formatTable, signed } from './format'
import { formatCounts, readInput } from './linkCommand'
import { type InputFlags, parseNumber, readModelOption, withInputOptions } from './options'
import { createProgress } from './progress'
import { EXIT, UserError } from './userError'

/** Options of `caselink train`. */
export interface TrainCommandOptions extends InputFlags {
  output: string
  method: string
  template?: string
  timeZone: string
  seed?: string
  quiet?: boolean
  json?: boolean
}

/**
 * Whether supervised training is possible: some `series` label is shared by at least two incidents.
 *
 * @example
 * hasSharedLabel(incidents) // true for a set with solved series
 */
export function hasSharedLabel(incidents: readonly Incident[]): boolean {
  const seen = new Set<string>()
  for (const incident of incidents) {
    for (const label of incident.series) {
      if (seen.has(label)) return true
      seen.add(label)
    }
  }
  return false
}

/**
 * The horizon a model learned, in one line (empty when it has none).
 *
 * @example
 * formatLearnedBlocking(model) // 'blocking learned from the solved cases: 10,000 m, 45 days …'
 */
export function formatLearnedBlocking(model: LinkageModel): string {
  const learned = model.blocking
  if (learned === undefined) return ''
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`
  const rare =
    learned.rareMo === undefined
      ? ''
      : `; rare MO within ${learned.rareMo.maxDistanceMeters.toLocaleString('en-US')} m, ${learned.rareMo.maxGapDays} days (${learned.rareMo.pairsPerIncident.toFixed(1)} pairs per incident)`
  return `blocking learned from the solved cases: ${learned.maxDistanceMeters.toLocaleString('en-US')} m, ${learned.maxGapDays} days (${learned.pairsPerIncident.toFixed(1)} space-time pairs per incident)${rare}; reaches ${pct(learned.coverage)} of linked pairs (the defaults 1,500 m, 21 days, rare MO within 30 km, 180 days: ${pct(learned.defaultCoverage)}); linking rescales the space-time horizon to the data's density\n`
}

/**
 * A model's series-to-series part in one line (empty when it has none).
 *
 * @example
 * formatSeriesLinks(model) // 'series links: 5,161 pairs of detected series compared, 788 one offender's; …'
 */
export function formatSeriesLinks(model: LinkageModel): string {
  const links = model.seriesLinks
  if (links === undefined) return ''
  const fitted =
    links.training === undefined
      ? ''
      : `${links.training.pairs.toLocaleString('en-US')} pairs of detected series compared, ${links.training.linked.toLocaleString('en-US')} one offender's; `
  return `series links: ${fitted}merged at p ≥ ${links.minProbability}, never across a pair below ${links.vetoProbability}, within ${(links.reach.maxDistanceMeters / 1000).toLocaleString('en-US')} km and ${links.reach.maxGapDays} days\n`
}

/**
 * A model's m / u table: one row per comparison level with its match weight, the prior first.
 *
 * @example
 * console.log(formatModelTable(model))
 */
export function formatModelTable(model: LinkageModel): string {
  const prior = model.priorProbability
  const rows: string[][] = [
    ['comparison', 'level', 'm', 'u', 'weight'],
    ['prior λ', '', prior.toPrecision(3), '', signed(Math.log2(prior / (1 - prior)))],
  ]
  for (const comparison of model.comparisons) {
    const weights = levelMatchWeights(comparison)
    comparison.levels.forEach((level, k) => {
      rows.push([
        k === 0 ? comparison.name : '',
        level.label,
        level.m.toPrecision(3),
        level.u.toPrecision(3),
        signed(weights[k]),
      ])
    })
  }
  return formatTable(rows, 'llrrr')
}

/**
 * Registers `caselink train INPUT -o model.json`: supervised from `series` labels when incidents share
 * one (`trainModel`: level weights fitted jointly on the candidate pairs and a sample beyond them), else EM without
 * labels (or as `--method` says); prints the learned m / u table with each level's weight.
 *
 * @example
 * registerTrainCommand(new Command('caselink'))
 */
export function registerTrainCommand(program: Command): void {
  withInputOptions(
    program
      .command('train')
      .description('fit a linkage model: supervised from series labels, else EM; print the m/u table')
      .argument('<input>', 'CSV, JSON or NDJSON file of incidents')
      .requiredOption('-o, --output <file>', 'model JSON to write')
      .option('--method <method>', 'auto (supervised when labels exist, else EM), supervised or em', 'auto')
      .option(
        '--template <file>',
        'model whose comparisons and thresholds to fit (default: the built-in layout)',
      )
      .option('--time-zone <zone>', 'IANA time zone for local time stamps', 'UTC'),
  )
    .option('--seed <n>', 'seed of the pair sampling', '1')
    .option('-q, --quiet', 'no progress bars')
    .option('--json', 'print the model as JSON (alone on stdout)')
    .action(async (input: string, options: TrainCommandOptions) => {
      if (!['auto', 'supervised', 'em'].includes(options.method)) {
        throw new UserError(`caselink: --method must be auto, supervised or em, got '${options.method}'`)
      }
      const seed = parseNumber('--seed', options.seed, { integer: true })
      const template = await readModelOption(options.template)
      const loaded = await readInput(input, options, createProgress({ quiet: options.quiet }))
      if (loaded.incidents.length < 2) {
        throw new UserError(
          `caselink: ${input}: ${loaded.incidents.length} valid incidents, training needs at least 2`,
        )
      }
      const labelled = hasSharedLabel(loaded.incidents)
      const method: 'supervised' | 'em' =
        options.method === 'auto' ? (labelled ? 'supervised' : 'em') : (options.method as 'supervised' | 'em')
      if (method === 'supervised' && !labelled) {
        throw new UserError(
          `caselink: ${input}: no series label is shared by two valid incidents; use --method em`,
        )
      }
      const table = buildCaseTable(loaded.incidents, { timeZone: options.timeZone })
      const fit = { table, timeZone: options.timeZone, seed, ...(template ? { template } : {}) }
      const warnings: string[] = []
      const model = trainModel(loaded.incidents, {
        ...fit,
        method,
        onWarning: (message) => warnings.push(message),
      })
      for (const warning of warnings) process.stderr.write(`caselink: warning: ${warning}\n`)
      await saveModel(model, options.output)
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ output: options.output, method, counts: loaded.counts, model }, null, 2)}\n`,
        )
      } else {
        const how =
          method === 'supervised'
            ? 'supervised, from series labels (logistic fit on the candidate pairs and a sample beyond them)'
            : 'EM, without labels'
        process.stdout.write(
          `${formatCounts(input, loaded.counts, loaded.encoding)}\ntrained ${how} → ${options.output}\n${formatLearnedBlocking(model)}${formatSeriesLinks(model)}\n${formatModelTable(model)}\n`,
        )
      }
      process.exitCode = EXIT.ok
    })
}
