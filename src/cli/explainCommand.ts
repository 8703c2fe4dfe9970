import type { Command } from 'commander'
import { generateCandidates } from '../blocking/generateCandidates'
import { blockingFor, scorerWithPriors } from '../link/linkIncidents'
import { defaultModel } from '../model/defaultModel'
import type { LinkageModel } from '../model/linkageModel'
import { scoringStatistics } from '../score/pairScorer'
import { explainPair, type PairScore } from '../score/scorePair'
import { buildCaseTable } from '../table/buildCaseTable'
import { formatTable, signed } from './format'
import { readInput } from './linkCommand'
import type { LoadedInput } from './loadInput'
import { type InputFlags, readModelOption, withInputOptions } from './options'
import { createProgress } from './progress'
import { EXIT, UserError } from './userError'

/** Options of `caselink explain`. */
export interface ExplainCommandOptions extends InputFlags {
  model?: string
  prior: 'estimate' | 'model'
  timeZone: string
  quiet?: boolean
  json?: boolean
}

/** A compared value with its unit, by comparison kind. */
function formatValue(kind: string, value: number | null): string {
  if (value === null) return ''
  switch (kind) {
    case 'distance':
      return value < 1000 ? `${Math.round(value)} m` : `${(value / 1000).toFixed(2)} km`
    case 'timeGap':
    case 'timeOfDay':
      return `${value.toFixed(1)} h`
    case 'dayOfWeek':
      return `${value.toFixed(2)} d`
    case 'mo':
    case 'narrative':
      return value.toFixed(3)
    default:
      return String(Math.round(value * 1000) / 1000)
  }
}

/**
 * The waterfall of one pair as a text table: the prior, each comparison's level, compared value and
 * match weight, the running total, then the total and the probability.
 *
 * @example
 * console.log(formatWaterfall('A', 'B', explainPair(scorer, 0, 1), defaultModel()))
 */
export function formatWaterfall(id1: string, id2: string, score: PairScore, model: LinkageModel): string {
  const kinds = new Map(model.comparisons.map((c) => [c.name, c.kind as string]))
  const rows: string[][] = [['comparison', 'level', 'value', 'weight', 'running']]
  let running = 0
  for (const c of score.contributions) {
    running += c.matchWeight
    rows.push([
      c.comparison,
      c.comparison === 'prior' ? '' : c.label,
      c.comparison === 'background' ? '' : formatValue(kinds.get(c.comparison) ?? '', c.value),
      signed(c.matchWeight),
      signed(running),
    ])
    // what drove a value-specific weight: each shared value with its bits
    if (c.details !== undefined && c.comparison !== 'background' && c.details.length > 0) {
      const values = c.details.map((d) => `${d.value} ${signed(d.bits)}`).join(', ')
      rows.push(['', `  of which ${signed(c.adjustment ?? 0)}: ${values}`, '', '', ''])
    }
  }
  rows.push(['total', '', '', signed(score.matchWeight), ''])
  return [
    `${id1} – ${id2}: match weight ${signed(score.matchWeight)} bits, probability ${score.probability.toFixed(6)}`,
    '',
    formatTable(rows, 'llrrr'),
  ].join('\n')
}

/** Row of an id among the valid incidents, or a one-line error saying why it is not there. */
function rowOf(loaded: LoadedInput, file: string, id: string): number {
  for (let i = 0; i < loaded.incidents.length; i++) if (loaded.incidents[i].id === id) return i
  for (const record of loaded.rejected) {
    if (record.issues.some((issue) => issue.id === id)) {
      const error = record.issues.find((issue) => issue.severity === 'error')
      const where = record.line === undefined ? '' : ` line ${record.line}`
      throw new UserError(
        `caselink: ${file}${where}: incident ${id} was rejected: ${error?.message ?? 'invalid row'}`,
      )
    }
  }
  throw new UserError(
    `caselink: ${file}: no incident with id ${id} (${loaded.incidents.length} valid incidents)`,
  )
}

/**
 * Registers `caselink explain INPUT ID1 ID2`: the waterfall of one pair's score, scored against the whole
 * file (MO rarity, term frequencies, evidence frequencies and background rates come from all its
 * incidents, and the priors are re-estimated on its candidate pairs, as `caselink link` scores them).
 *
 * @example
 * registerExplainCommand(new Command('caselink'))
 */
export function registerExplainCommand(program: Command): void {
  withInputOptions(
    program
      .command('explain')
      .description("explain one pair's score: each comparison's level and match weight, the prior, the total")
      .argument('<input>', 'CSV, JSON or NDJSON file of incidents')
      .argument('<id1>', 'first incident id')
      .argument('<id2>', 'second incident id')
      .option('--model <file>', 'linkage model JSON (default: the built-in model)')
      .option(
        '--prior <how>',
        "'estimate': the priors re-estimated on the file, as `caselink link` scores; 'model': the model's",
        'estimate',
      )
      .option('--time-zone <zone>', 'IANA time zone for local time stamps', 'UTC'),
  )
    .option('-q, --quiet', 'no progress bars')
    .option('--json', 'print the explanation as JSON')
    .action(async (input: string, id1: string, id2: string, options: ExplainCommandOptions) => {
      const model = (await readModelOption(options.model)) ?? defaultModel()
      const loaded = await readInput(input, options, createProgress({ quiet: options.quiet }))
      const i = rowOf(loaded, input, id1)
      const j = rowOf(loaded, input, id2)
      if (i === j) throw new UserError(`caselink: explain needs two different incidents, got ${id1} twice`)
      if (options.prior !== 'estimate' && options.prior !== 'model') {
        throw new UserError(`caselink: --prior must be 'estimate' or 'model', got '${options.prior}'`)
      }
      const table = buildCaseTable(loaded.incidents, { timeZone: options.timeZone })
      // score as `caselink link` does: the priors re-estimated on the file's candidate pairs
      const statistics = scoringStatistics(table, model)
      const candidates = generateCandidates(table, blockingFor(model, statistics, undefined))
      const { scorer } = scorerWithPriors(table, candidates, model, { prior: options.prior, statistics })
      const score = explainPair(scorer, i, j)
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ id1, id2, ...score }, null, 2)}\n`)
      } else {
        process.stdout.write(`${formatWaterfall(id1, id2, score, model)}\n`)
      }
      process.exitCode = EXIT.ok
    })
}
