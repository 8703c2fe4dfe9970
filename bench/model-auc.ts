/**
 * Linkage quality of the trained model on generated `province` data: offenders are split in two
 * halves by a hash of their label; the model is trained (trainModel) on the incidents of one half and
 * tested on the incidents of the other (incidents of crews spanning both halves are dropped).
 *
 * Two test sets, both scored with the same trained model:
 *  1. exhaustive: a random sample of `sample` test incidents, every pair scored (no blocking);
 *     pairwise ROC AUC of the model and of each comparison alone (its level weight as the score).
 *  2. candidates: every pair of the test half within a space-time horizon (spaceTimePairs, 10 km and
 *     60 days) is scored; the pairs outside the horizon count as unscored, i.e. tied at the lowest
 *     score (evaluateScores' rule), so missed links lower the AUC.
 * Also reported: defaultModel and trainModel with method em (EM, no labels) on the exhaustive set.
 *
 *   nice node --max-old-space-size=6000 --import tsx bench/model-auc.ts [n=40000] [sample=4000]
 *
 * Writes bench/results/model-auc.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { evaluateScores } from '../src/evaluation/evaluateScores'
import { generateIncidents } from '../src/generate/generateIncidents'
import { defaultModel } from '../src/model/defaultModel'
import type { LinkageModel } from '../src/model/linkageModel'
import { spaceTimePairs } from '../src/model/spaceTimePairs'
import { trainModel } from '../src/model/trainModel'
import type { Incident } from '../src/schema/incident'
import { parseIncidents } from '../src/schema/parseIncidents'
import { createPairScorer } from '../src/score/pairScorer'
import { scorePairs } from '../src/score/scorePairs'
import { buildCaseTable } from '../src/table/buildCaseTable'
import { createRandom, hashString } from '../src/util/random'
import { allPairs } from './allPairs'

const n = Number(process.argv[2] ?? 40_000)
const sample = Number(process.argv[3] ?? 4000)
const timeZone = 'Asia/Shanghai'
const started = performance.now()
const log = (message: string) =>
  console.error(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${message}`)

const { incidents } = parseIncidents(generateIncidents({ n, seed: 1, preset: 'province' }).incidents, {
  timeZone,
})
const half = (label: string) => hashString(label) % 2
const train: Incident[] = []
const test: Incident[] = []
let dropped = 0
for (const incident of incidents) {
  const halves = new Set(incident.series.map(half))
  if (halves.size !== 1) dropped++
  else if (halves.has(0)) train.push(incident)
  else test.push(incident)
}
log(
  `${incidents.length} incidents: ${train.length} train, ${test.length} test, ${dropped} dropped (crews across halves)`,
)

const trainTable = buildCaseTable(train, { timeZone })
const trained = trainModel(train, { table: trainTable, seed: 1 })
log(`trained: ${trained.training?.note}; λ over candidates ${trained.priorProbability.toExponential(3)}`)

// ---- 1. exhaustive pairs of a random sample of test incidents
const random = createRandom(2)
const picked = new Set<number>()
while (picked.size < Math.min(sample, test.length)) picked.add(Math.floor(random() * test.length))
const sampleIncidents = [...picked].sort((x, y) => x - y).map((k) => test[k])
const sampleTable = buildCaseTable(sampleIncidents, { timeZone })
const m = sampleTable.size
const { a, b, count: pairCount } = allPairs(m)

function exhaustiveAuc(model: LinkageModel, perComparison: boolean) {
  const scorer = createPairScorer(sampleTable, model)
  const C = scorer.comparisonCount
  const total = new Float64Array(pairCount)
  const each = perComparison ? Array.from({ length: C }, () => new Float32Array(pairCount)) : []
  const levels = new Int8Array(C)
  const weights = new Float64Array(C)
  for (let k = 0; k < pairCount; k++) {
    if (perComparison) {
      total[k] = scorer.explain(a[k], b[k], levels, weights)
      for (let c = 0; c < C; c++) each[c][k] = weights[c]
    } else total[k] = scorer.matchWeight(a[k], b[k])
  }
  const metrics = evaluateScores({ a, b, score: total, count: pairCount }, sampleIncidents, {
    thresholds: [0],
  })
  const comparisons = each.map((score, c) => ({
    comparison: model.comparisons[c].name,
    auc: round(evaluateScores({ a, b, score, count: pairCount }, sampleIncidents, { thresholds: [] }).auc),
  }))
  return {
    auc: round(metrics.auc),
    averagePrecision: round(metrics.averagePrecision),
    positives: metrics.positives,
    comparisons,
  }
}

function round(x: number): number {
  return Number(x.toFixed(4))
}

const exhaustive = exhaustiveAuc(trained, true)
log(`exhaustive (${m} incidents, ${pairCount} pairs, ${exhaustive.positives} linked): AUC ${exhaustive.auc}`)
const bestSingle = exhaustive.comparisons.reduce((x, y) => (y.auc > x.auc ? y : x))
log(`best single comparison: ${bestSingle.comparison} ${bestSingle.auc}`)
const defaultAuc = exhaustiveAuc(defaultModel({ moGroups: trainTable.moGroupValues }), false)
log(`defaultModel AUC ${defaultAuc.auc}`)
const warnings: string[] = []
const estimated = trainModel(test, {
  method: 'em',
  table: buildCaseTable(test, { timeZone }),
  onWarning: (message) => warnings.push(message),
  seed: 1,
})
const estimatedAuc = exhaustiveAuc(estimated, false)
log(
  `trainModel method em (EM on the test half, no labels) AUC ${estimatedAuc.auc}: ${estimated.training?.note}`,
)

// ---- 2. candidate pairs of the whole test half within a space-time horizon
const testTable = buildCaseTable(test, { timeZone })
const candidates = spaceTimePairs(testTable, { maxDistanceMeters: 10_000, maxGapDays: 60 })
const scored = scorePairs(testTable, candidates, trained)
const candidateMetrics = evaluateScores(
  { a: scored.a, b: scored.b, score: scored.matchWeight, count: scored.count },
  test,
  { thresholds: [0] },
)
log(
  `candidates (${candidates.count} pairs, ${candidateMetrics.scoredPositives}/${candidateMetrics.positives} linked pairs inside the horizon): AUC ${round(candidateMetrics.auc)}`,
)

const result = {
  n,
  train: train.length,
  test: test.length,
  dropped,
  trainedModel: trained.training,
  exhaustive: {
    incidents: m,
    pairs: pairCount,
    linkedPairs: exhaustive.positives,
    trainedAuc: exhaustive.auc,
    trainedAveragePrecision: exhaustive.averagePrecision,
    defaultModelAuc: defaultAuc.auc,
    estimatedModelAuc: estimatedAuc.auc,
    estimatedModel: estimated.training,
    estimateWarnings: warnings,
    comparisonAuc: exhaustive.comparisons,
    beatsEverySingleComparison: exhaustive.comparisons.every((c) => exhaustive.auc > c.auc),
  },
  candidates: {
    horizon: { maxDistanceMeters: 10_000, maxGapDays: 60 },
    pairs: candidates.count,
    linkedPairs: candidateMetrics.positives,
    linkedPairsInHorizon: candidateMetrics.scoredPositives,
    auc: round(candidateMetrics.auc),
    averagePrecision: round(candidateMetrics.averagePrecision),
    nonCandidatePairs: 'unscored: tied at the lowest score (evaluateScores)',
  },
  seconds: round((performance.now() - started) / 1000),
}
console.log(JSON.stringify(result, null, 2))
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(new URL('./results/model-auc.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`)
