import type { Command } from 'commander'
import { evaluatePartition, type PartitionMetrics } from '../evaluation/evaluatePartition'
import { evaluateScores, type ScoreMetrics } from '../evaluation/evaluateScores'
import type { LinkResult } from '../link/linkIncidents'
import { formatTable } from './format'
import { formatCounts, linkOptionsFromFlags, readInput, runLink } from './linkCommand'
import { type InputFlags, parseNumber, readModelOption, withInputOptions } from './options'
import { createProgress } from './progress'
import { EXIT, UserError } from './userError'

/** Options of `caselink evaluate`. */
export interface EvaluateCommandOptions extends InputFlags {
  model?: string
  timeZone: string
  resolution?: string
  method?: string
  minProbability?: string
  seed?: string
  minF1?: string
  minAri?: string
  quiet?: boolean
  json?: boolean
}

/** Partition and pair-score metrics of a link run against the `series` labels of its incidents. */
export interface Evaluation {
  partition: PartitionMetrics
  scores: ScoreMetrics
}

/**
 * Evaluates a link run against the ground truth of its incidents' `series` labels: the partition
 * (pairwise and B-cubed precision/recall/F1, adjusted Rand, NMI, series rebuilt) and the kept links'
 * probabilities (AUC, average precision; pairs never kept rank last; calibration of the kept links).
 *
 * @example
 * const { partition } = evaluateLinkResult(linkIncidents(rows))
 * partition.pairwise.f1
 */
export function evaluateLinkResult(result: LinkResult): Evaluation {
  const partition = evaluatePartition(result.assignments, result.incidents)
  const { a, b, probability, count } = result.pairs
  const scores = evaluateScores({ a, b, score: probability, count }, result.incidents)
  return { partition, scores }
}

const pct = (x: number): string => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)}%`)
const fixed = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(3))

/**
 * The metrics as a text table.
 *
 * @example
 * console.log(formatEvaluation(evaluateLinkResult(result)))
 */
export function formatEvaluation({ partition: p, scores: s }: Evaluation): string {
  const rows = [
    ['metric', 'value', 'detail'],
    [
      'pairwise precision',
      pct(p.pairwise.precision),
      `${p.pairwise.truePositives} of ${p.pairwise.predictedPairs} predicted pairs`,
    ],
    [
      'pairwise recall',
      pct(p.pairwise.recall),
      `${p.pairwise.truePositives} of ${p.pairwise.truePairs} true pairs`,
    ],
    ['pairwise F1', pct(p.pairwise.f1), ''],
    ['B-cubed precision', pct(p.bcubed.precision), ''],
    ['B-cubed recall', pct(p.bcubed.recall), ''],
    ['B-cubed F1', pct(p.bcubed.f1), ''],
    ['adjusted Rand', fixed(p.adjustedRand), ''],
    ['NMI', fixed(p.nmi), ''],
    [
      'series rebuilt',
      pct(p.seriesRebuilt.matchedShare),
      `${p.seriesRebuilt.matched} of ${p.seriesRebuilt.series} true series (size ≥ 3) at Jaccard ≥ 0.5; ${p.seriesRebuilt.exact} exactly`,
    ],
    [
      'link AUC',
      fixed(s.auc),
      `${s.scoredPositives} of ${s.positives} true links kept; unkept pairs rank last`,
    ],
    ['link average precision', fixed(s.averagePrecision), ''],
  ]
  if (s.calibration !== null) {
    rows.push([
      'link calibration error',
      fixed(s.calibration.expectedCalibrationError),
      `kept links: mean |p − linked share| over tenths of p (0 = p means what it says)`,
    ])
  }
  for (const t of s.atThresholds) {
    rows.push([
      `links p ≥ ${t.threshold}`,
      `P ${pct(t.precision)}  R ${pct(t.recall)}`,
      `${t.truePositives} true, ${t.falsePositives} false`,
    ])
  }
  return `${p.incidents} labelled incidents, ${p.trueSeries} true groups, ${p.predictedSeries} predicted groups\n\n${formatTable(rows, 'lrl')}`
}

/**
 * Registers `caselink evaluate INPUT` (labelled input): link, then score the result against the `series`
 * labels; exit 1 when `--min-f1` or `--min-ari` is given and not reached.
 *
 * @example
 * registerEvaluateCommand(new Command('caselink'))
 */
export function registerEvaluateCommand(program: Command): void {
  withInputOptions(
    program
      .command('evaluate')
      .description('link a labelled case set and measure the result against its series labels')
      .argument('<input>', 'CSV, JSON or NDJSON file of incidents with series labels')
      .option('--model <file>', 'linkage model JSON (default: the built-in model)')
      .option('--time-zone <zone>', 'IANA time zone for local time stamps', 'UTC'),
  )
    .option('--resolution <r>', 'clustering resolution (CPM γ)')
    .option('--method <method>', 'clustering method: leiden-cpm, louvain, components')
    .option('--min-probability <p>', 'links below this probability are not kept (default 0.5)')
    .option('--seed <n>', 'clustering seed')
    .option('--min-f1 <x>', 'target: exit 1 when pairwise F1 is below this (0..1)')
    .option('--min-ari <x>', 'target: exit 1 when the adjusted Rand index is below this')
    .option('-q, --quiet', 'no progress bars')
    .option('--json', 'print the metrics as JSON')
    .action(async (input: string, options: EvaluateCommandOptions) => {
      const minF1 = parseNumber('--min-f1', options.minF1, { min: 0, max: 1 })
      const minAri = parseNumber('--min-ari', options.minAri, { min: -1, max: 1 })
      const linkOptions = linkOptionsFromFlags(options)
      const model = await readModelOption(options.model)
      if (model !== undefined) linkOptions.model = model
      const progress = createProgress({ quiet: options.quiet })
      const loaded = await readInput(input, options, progress)
      if (!loaded.incidents.some((incident) => incident.series.length > 0)) {
        throw new UserError(
          `caselink: ${input}: no valid incident has a series label; evaluate needs labelled input`,
        )
      }
      const result = runLink(loaded, linkOptions, progress)
      const evaluation = evaluateLinkResult(result)
      const failed: string[] = []
      if (minF1 !== undefined && !(evaluation.partition.pairwise.f1 >= minF1)) {
        failed.push(`pairwise F1 ${evaluation.partition.pairwise.f1.toFixed(3)} < ${minF1}`)
      }
      if (minAri !== undefined && !(evaluation.partition.adjustedRand >= minAri)) {
        failed.push(`adjusted Rand ${evaluation.partition.adjustedRand.toFixed(3)} < ${minAri}`)
      }
      if (options.json) {
        const targets = { minF1: minF1 ?? null, minAri: minAri ?? null, passed: failed.length === 0, failed }
        process.stdout.write(
          `${JSON.stringify({ input, counts: loaded.counts, ...evaluation, targets }, null, 2)}\n`,
        )
      } else {
        const lines = [formatCounts(input, loaded.counts, loaded.encoding), formatEvaluation(evaluation)]
        if (failed.length > 0) lines.push('', `target missed: ${failed.join('; ')}`)
        process.stdout.write(`${lines.join('\n')}\n`)
      }
      process.exitCode = failed.length > 0 ? EXIT.rejected : EXIT.ok
    })
}
