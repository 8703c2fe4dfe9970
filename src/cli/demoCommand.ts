import { join } from 'node:path'
import type { Command } from 'commander'
import { writeLinkOutputs } from '../export/writeLinkOutputs'
import { generateIncidents } from '../generate/generateIncidents'
import { linkIncidents } from '../link/linkIncidents'
import { trainModel } from '../model/trainModel'
import { parseIncidents } from '../schema/parseIncidents'
import { evaluateLinkResult } from './evaluateCommand'
import { formatBytes, formatTopSeries } from './format'
import { writeGeneratedIncidents } from './generateCommand'
import { formatCounts, formatFiles, readInput, runLink } from './linkCommand'
import { parseNumber } from './options'
import { createProgress } from './progress'
import { EXIT } from './userError'

/** Options of `caselink demo`. */
export interface DemoCommandOptions {
  n: string
  seed: string
  out: string
  quiet?: boolean
}

/**
 * Registers `caselink demo` (what `npm run demo` runs): generate a `province` case set with planted
 * series, link it, print the ten top series with their reasons and the accuracy against the planted
 * truth (with the built-in model, then with a model fitted on another generated set of solved cases),
 * and write every output into `--out` (default ./demo-output).
 *
 * @example
 * registerDemoCommand(new Command('caselink'))
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'generate a province case set with planted series, link it, show the top series and the accuracy',
    )
    .option('--n <count>', 'incidents to generate', '20000')
    .option('--seed <n>', 'generator seed', '1')
    .option('-o, --out <dir>', 'output directory', 'demo-output')
    .option('-q, --quiet', 'no progress bars')
    .action(async (options: DemoCommandOptions) => {
      const started = performance.now()
      const n = parseNumber('--n', options.n, { min: 10, max: 10_000_000, integer: true }) as number
      const seed = parseNumber('--seed', options.seed, { integer: true }) as number
      const progress = createProgress({ quiet: options.quiet })
      const input = join(options.out, 'incidents.ndjson')
      const say = (text: string) => process.stdout.write(`${text}\n`)
      let lap = performance.now()
      const took = (): string => {
        const now = performance.now()
        const text = `(${((now - lap) / 1000).toFixed(1)} s)`
        lap = now
        return text
      }

      progress.stage('generating', n)
      const generated = await writeGeneratedIncidents(
        input,
        { n, seed, preset: 'province' },
        progress.enabled ? (k) => progress.update(k) : undefined,
      )
      progress.done()
      say(
        `1. generated ${generated.records} incidents of the 'province' preset (seed ${seed}) → ${input}, ${formatBytes(generated.bytes)} ${took()}`,
      )

      const loaded = await readInput(input, { timeZone: 'Asia/Shanghai' }, progress)
      say(`2. read back ${formatCounts(input, loaded.counts, loaded.encoding)} ${took()}`)

      const result = runLink(loaded, { timeZone: 'Asia/Shanghai' }, progress)
      const { stats } = result
      say(
        `3. linked in ${(stats.totalMs / 1000).toFixed(1)} s: ${stats.stages.candidates.pairs} candidate pairs scored, ` +
          `${stats.stages.scoring.kept} links kept, ${result.series.length} series holding ` +
          `${stats.stages.summaries.incidentsInSeries} incidents ${took()}`,
      )
      say('')
      say('top 10 series (priority = size × cohesion × recency × shared evidence):')
      say(formatTopSeries(result, 10))

      const accuracyLine = (evaluation: ReturnType<typeof evaluateLinkResult>): string[] => {
        const { partition: p, scores } = evaluation
        return [
          `   pairwise precision ${(100 * p.pairwise.precision).toFixed(1)}%, recall ${(100 * p.pairwise.recall).toFixed(1)}%, ` +
            `F1 ${(100 * p.pairwise.f1).toFixed(1)}%; B-cubed F1 ${(100 * p.bcubed.f1).toFixed(1)}%; ` +
            `adjusted Rand ${p.adjustedRand.toFixed(3)}`,
          `   true series of 3+ incidents rebuilt (Jaccard ≥ 0.5): ${p.seriesRebuilt.matched} of ${p.seriesRebuilt.series} ` +
            `(${(100 * p.seriesRebuilt.matchedShare).toFixed(1)}%), ${p.seriesRebuilt.exact} exactly; link AUC ${scores.auc.toFixed(3)}`,
        ]
      }
      say('')
      say(`accuracy against the planted offenders, built-in model ${took()}:`)
      for (const line of accuracyLine(evaluateLinkResult(result))) say(line)

      // The recommended path: fit the model on solved cases (here another generated year, seed + 1).
      const solved = parseIncidents(generateIncidents({ n, seed: seed + 1, preset: 'province' }).incidents, {
        timeZone: 'Asia/Shanghai',
      }).incidents
      const model = trainModel(solved, { timeZone: 'Asia/Shanghai' })
      const trained = linkIncidents(loaded.incidents, { timeZone: 'Asia/Shanghai', model })
      say('')
      say(
        `accuracy with a model fitted on ${solved.length} solved cases (another generated set, seed ${seed + 1}; ` +
          `caselink train) ${took()}:`,
      )
      for (const line of accuracyLine(evaluateLinkResult(trained))) say(line)

      progress.stage('writing', 7)
      let written = 0
      const files = writeLinkOutputs(result, options.out, {
        rejected: loaded.rejected,
        meta: {
          input,
          counts: loaded.counts,
          options: { preset: 'province', n, seed, timeZone: 'Asia/Shanghai' },
        },
        onFile: () => progress.update(++written),
      })
      progress.done()
      say('')
      say(`4. wrote ${options.out} ${took()}:`)
      say(formatFiles(files))
      say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
      process.exitCode = EXIT.ok
    })
}
