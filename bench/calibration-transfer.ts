/**
 * Do probabilities keep their meaning when a model links data of another size and density? A model
 * fitted on 10k generated province incidents links 1M of them, and one fitted on 1M links 10k (and each
 * its own size, for comparison); reported: the expected calibration error of the kept links (by tenths of
 * p: |mean probability − share truly linked|, weighted by links), their precision, B³ F1, and the priors
 * estimated on the linked data.
 *
 *   node --max-old-space-size=20000 --import tsx bench/calibration-transfer.ts [--small 10000] [--large 1000000]
 *
 * Training sets are seed 2, linked sets seed 1 (another year of the same province). Writes
 * bench/results/calibration-transfer.json.
 */
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { evaluatePartition } from '../src/evaluation/evaluatePartition'
import { evaluateScores } from '../src/evaluation/evaluateScores'
import { generateIncidents } from '../src/generate/generateIncidents'
import { linkIncidents } from '../src/link/linkIncidents'
import type { LinkageModel } from '../src/model/linkageModel'
import { trainModel } from '../src/model/trainModel'
import type { Incident } from '../src/schema/incident'
import { parseIncidents } from '../src/schema/parseIncidents'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? args[at + 1] : fallback
}
const small = Number(flag('small', '10000'))
const large = Number(flag('large', '1000000'))
const TZ = 'Asia/Shanghai'
const generate = (n: number, seed: number): Incident[] =>
  parseIncidents(generateIncidents({ n, seed, preset: 'province' }).incidents, { timeZone: TZ }).incidents

const models = new Map<number, { model: LinkageModel; trainSeconds: number }>()
for (const n of [small, large]) {
  const started = performance.now()
  const model = trainModel(generate(n, 2), { timeZone: TZ })
  models.set(n, { model, trainSeconds: (performance.now() - started) / 1000 })
  console.log(`trained on ${n}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

const rows: Record<string, unknown>[] = []
for (const linkN of [large, small]) {
  const incidents = generate(linkN, 1)
  for (const trainN of [small, large]) {
    const { model } = models.get(trainN) as { model: LinkageModel }
    for (const prior of ['estimate', 'model'] as const) {
      const started = performance.now()
      const result = linkIncidents(incidents, { timeZone: TZ, model, prior })
      const seconds = (performance.now() - started) / 1000
      const { pairs } = result
      const scores = evaluateScores(
        { a: pairs.a, b: pairs.b, score: pairs.probability, count: pairs.count },
        incidents,
      )
      const partition = evaluatePartition(result.assignments, incidents)
      let meanProbability = 0
      for (let k = 0; k < pairs.count; k++) meanProbability += pairs.probability[k]
      meanProbability /= Math.max(1, pairs.count)
      const row = {
        trainN,
        linkN,
        prior,
        keptLinks: pairs.count,
        calibrationError: scores.calibration?.expectedCalibrationError ?? Number.NaN,
        meanProbability,
        precision: scores.calibration === null ? Number.NaN : linkedShareOf(scores.calibration.bins),
        bcubedF1: partition.bcubed.f1,
        seconds,
        priors: result.priors.map((e) => ({
          kind: e.kind,
          linkedShare: e.linkedShareUsed,
          offsetBits: e.estimatedOffsetBits,
        })),
      }
      rows.push(row)
      console.log(JSON.stringify(row))
    }
  }
}

/** Share of the kept links that are truly linked, from the calibration bins. */
function linkedShareOf(bins: readonly { pairs: number; linkedShare: number }[]): number {
  let pairs = 0
  let linked = 0
  for (const bin of bins) {
    if (bin.pairs === 0) continue
    pairs += bin.pairs
    linked += bin.pairs * bin.linkedShare
  }
  return pairs > 0 ? linked / pairs : Number.NaN
}

writeFileSync(
  'bench/results/calibration-transfer.json',
  `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: cpus().length, node: process.version }, small, large, rows }, null, 2)}\n`,
)
console.log('wrote bench/results/calibration-transfer.json')
