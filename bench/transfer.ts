/**
 * The transfer matrix: a model trained (`trainModel`) on one generated set links another, of another
 * preset, variant or size. Per cell: B³ F1 and pairwise F1 of the series, pair ROC AUC and average
 * precision over all pairs of a 2,000-incident set of the linked distribution (every pair scored, with the
 * priors the linker estimates there), the expected calibration error of the kept links, and the null-test
 * share of links (the same data, times permuted). Beside each cell, its same-distribution cell: a model
 * trained on the linked distribution and size (another seed) linking the same set. The baseline row is the
 * two-variable score −log(1 + km) − log(1 + days) on the same pairs.
 *
 *   npx tsx bench/transfer.ts [--dists province,province-plain,city,city-plain,travelling,travelling-plain]
 *     [--train 2000,20000] [--link 2000,20000] [--null-max 100000] [--name transfer] [--small 2000,1000]
 *     [--small-dists county-plain,province-plain,city-plain,travelling-plain,county,province]
 *     [--series links|profile|none]
 *
 * `--series`: after clustering, the model's learned series links (default), the fixed profile rule
 * (`profileMerge: true`, what this bench used before series links), or neither.
 * A distribution is a preset, `-plain` for its plain variant (date-only windows, planar x/y, 30% without MO,
 * offenders ranging tens of km, 10% of incidents by teams). Training sets are seed 2, linked sets seed 1.
 * `--small T,L` adds the small solved set case: train on T incidents of each of `--small-dists` (default
 * county-plain, the plain variants, county and province), link L others of the same distribution.
 * Writes bench/results/<name>.json.
 */
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { evaluatePartition } from '../src/evaluation/evaluatePartition'
import { evaluateScores } from '../src/evaluation/evaluateScores'
import { type GenerateIncidentsOptions, generateIncidents } from '../src/generate/generateIncidents'
import type { GeneratorPresetName } from '../src/generate/region'
import { linkIncidents } from '../src/link/linkIncidents'
import { nullTest } from '../src/link/nullTest'
import { rowDistanceMeters } from '../src/model/fitting'
import type { LinkageModel } from '../src/model/linkageModel'
import { trainModel } from '../src/model/trainModel'
import type { Incident } from '../src/schema/incident'
import { parseIncidents } from '../src/schema/parseIncidents'
import { createPairScorer } from '../src/score/pairScorer'
import { buildCaseTable } from '../src/table/buildCaseTable'
import type { CaseTable } from '../src/table/CaseTable'
import { allPairs } from './allPairs'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? args[at + 1] : fallback
}
const list = (text: string) => text.split(',').filter((x) => x.length > 0)
const dists = list(flag('dists', 'province,province-plain,city,city-plain,travelling,travelling-plain'))
const trainSizes = list(flag('train', '2000,20000')).map(Number)
const linkSizes = list(flag('link', '2000,20000')).map(Number)
const nullMax = Number(flag('null-max', '100000'))
const seriesStep = flag('series', 'links')
if (seriesStep !== 'links' && seriesStep !== 'profile' && seriesStep !== 'none') {
  throw new Error(`bench/transfer: --series must be links, profile or none, got '${seriesStep}'`)
}
/** After clustering: the model's learned series links (default), the fixed profile rule, or nothing. */
const SERIES_OPTIONS =
  seriesStep === 'links'
    ? {}
    : seriesStep === 'profile'
      ? { profileMerge: true }
      : { seriesLinks: false as const }
const name = flag('name', 'transfer')
const small = list(flag('small', '2000,1000')).map(Number)
const smallDists = list(
  flag('small-dists', 'county-plain,province-plain,city-plain,travelling-plain,county,province'),
)
const TZ = 'Asia/Shanghai'
const AUC_SET = 2000

function generatorOptions(dist: string, n: number, seed: number): GenerateIncidentsOptions {
  const plain = dist.endsWith('-plain')
  const preset = (plain ? dist.slice(0, -'-plain'.length) : dist) as GeneratorPresetName
  return { n, seed, preset, variant: plain ? 'plain' : 'standard' }
}
const sets = new Map<string, Incident[]>()
function dataset(dist: string, n: number, seed: number): Incident[] {
  const key = `${dist}:${n}:${seed}`
  let incidents = sets.get(key)
  if (incidents === undefined) {
    incidents = parseIncidents(generateIncidents(generatorOptions(dist, n, seed)).incidents, {
      timeZone: TZ,
    }).incidents
    sets.set(key, incidents)
  }
  return incidents
}
const models = new Map<string, { model: LinkageModel; seconds: number }>()
function model(dist: string, n: number): LinkageModel {
  const key = `${dist}:${n}`
  let entry = models.get(key)
  if (entry === undefined) {
    const started = performance.now()
    const fitted = trainModel(dataset(dist, n, 2), { timeZone: TZ })
    entry = { model: fitted, seconds: (performance.now() - started) / 1000 }
    models.set(key, entry)
    console.error(
      `trained ${key} in ${entry.seconds.toFixed(1)} s; horizon ${fitted.blocking?.maxDistanceMeters} m / ${fitted.blocking?.maxGapDays} d`,
    )
  }
  return entry.model
}

/** Kilometres between two rows; 1,000 when not comparable (no location, or mixed systems). */
function kilometres(table: CaseTable, i: number, j: number): number {
  const meters = rowDistanceMeters(table, i, j)
  return Number.isNaN(meters) ? 1000 : meters / 1000
}

function gapDays(table: CaseTable, i: number, j: number): number {
  const gap = Math.max(table.timeFrom[i], table.timeFrom[j]) - Math.min(table.timeTo[i], table.timeTo[j])
  return Math.max(0, gap) / 86_400_000
}

/** AUC and AP over all pairs of the linked distribution's 2k set: the model (as linked there) and the baseline. */
const rankingCache = new Map<string, { auc: number; averagePrecision: number }>()
function ranking(fitted: LinkageModel | 'baseline', modelKey: string, dist: string) {
  const key = `${modelKey}>${dist}`
  const cached = rankingCache.get(key)
  if (cached !== undefined) return cached
  const incidents = dataset(dist, AUC_SET, 1)
  const table = buildCaseTable(incidents, { timeZone: TZ })
  const pairs = allPairs(table.size)
  const score = new Float64Array(pairs.count)
  if (fitted === 'baseline') {
    for (let k = 0; k < pairs.count; k++) {
      score[k] =
        -Math.log1p(kilometres(table, pairs.a[k], pairs.b[k])) -
        Math.log1p(gapDays(table, pairs.a[k], pairs.b[k]))
    }
  } else {
    // the model as the linker applies it there: priors estimated on that set
    const linked = linkIncidents(incidents, { timeZone: TZ, model: fitted })
    const scorer = createPairScorer(table, linked.model)
    for (let k = 0; k < pairs.count; k++) score[k] = scorer.matchWeight(pairs.a[k], pairs.b[k])
  }
  const metrics = evaluateScores({ a: pairs.a, b: pairs.b, score, count: pairs.count }, incidents)
  const result = { auc: metrics.auc, averagePrecision: metrics.averagePrecision }
  rankingCache.set(key, result)
  return result
}

interface Cell {
  trainDist: string
  trainN: number
  linkDist: string
  linkN: number
  bcubedF1: number
  pairwiseF1: number
  auc: number
  averagePrecision: number
  calibrationError: number
  nullShare: number | null
  linkSeconds: number
  horizon: string
}

function cell(trainDist: string, trainN: number, linkDist: string, linkN: number): Cell {
  const fitted = model(trainDist, trainN)
  const incidents = dataset(linkDist, linkN, 1)
  const started = performance.now()
  const result = linkIncidents(incidents, { timeZone: TZ, model: fitted, ...SERIES_OPTIONS })
  const linkSeconds = (performance.now() - started) / 1000
  const partition = evaluatePartition(result.assignments, incidents)
  const { pairs } = result
  const scores = evaluateScores(
    { a: pairs.a, b: pairs.b, score: pairs.probability, count: pairs.count },
    incidents,
  )
  const nullShare =
    linkN <= nullMax
      ? nullTest(incidents, {
          timeZone: TZ,
          model: fitted,
          ...SERIES_OPTIONS,
          permutationSeed: 1,
          observed: result,
        }).share.links
      : null
  const { auc, averagePrecision } = ranking(fitted, `${trainDist}:${trainN}`, linkDist)
  const stage = result.stats.stages.candidates
  return {
    trainDist,
    trainN,
    linkDist,
    linkN,
    bcubedF1: partition.bcubed.f1,
    pairwiseF1: partition.pairwise.f1,
    auc,
    averagePrecision,
    calibrationError: scores.calibration?.expectedCalibrationError ?? Number.NaN,
    nullShare,
    linkSeconds,
    horizon: `${Math.round(stage.maxDistanceMeters ?? 1500)} m / ${(stage.maxGapDays ?? 21).toFixed(1)} d`,
  }
}

const cells: Cell[] = []
for (const linkN of linkSizes) {
  for (const linkDist of dists) {
    for (const trainN of trainSizes) {
      for (const trainDist of dists) {
        const c = cell(trainDist, trainN, linkDist, linkN)
        cells.push(c)
        console.error(JSON.stringify(c))
      }
    }
  }
}
const smallCells: Cell[] = []
if (small.length === 2) {
  for (const dist of smallDists) smallCells.push(cell(dist, small[0], dist, small[1]))
}
const baselines = dists.map((dist) => ({ dist, ...ranking('baseline', 'baseline', dist) }))

const same = (c: Cell) =>
  cells.find(
    (x) =>
      x.trainDist === c.linkDist && x.trainN === c.linkN && x.linkDist === c.linkDist && x.linkN === c.linkN,
  )
const f3 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3)
const k = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`)
const lines = [
  `### ${name}: trained on one generated set, linking another (${cpus().length} cores, Node ${process.version})`,
  '',
  '| trained on | links | B³ F1 | same-distribution B³ | Δ | pairwise F1 | AUC (all pairs, 2k) | AP | baseline AUC / AP | calibration error | null share of links | horizon |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|',
]
for (const c of cells) {
  const s = same(c)
  const b = baselines.find((x) => x.dist === c.linkDist)
  lines.push(
    `| ${c.trainDist} ${k(c.trainN)} | ${c.linkDist} ${k(c.linkN)} | ${f3(c.bcubedF1)} | ${f3(s?.bcubedF1)} | ${s === undefined ? '–' : (c.bcubedF1 - s.bcubedF1).toFixed(3)} | ${f3(c.pairwiseF1)} | ${f3(c.auc)} | ${f3(c.averagePrecision)} | ${f3(b?.auc)} / ${f3(b?.averagePrecision)} | ${f3(c.calibrationError)} | ${f3(c.nullShare)} | ${c.horizon} |`,
  )
}
if (smallCells.length > 0) {
  lines.push(
    '',
    `Small solved sets: trained on ${small[0]} incidents, linking ${small[1]} others of the same distribution.`,
    '',
  )
  lines.push(
    '| distribution | B³ F1 | pairwise F1 | AUC (all pairs, 2k) | AP | baseline AUC / AP | calibration error | null share of links | horizon |',
    '|---|---:|---:|---:|---:|---|---:|---:|---|',
  )
  for (const c of smallCells) {
    const b = ranking('baseline', 'baseline', c.linkDist)
    lines.push(
      `| ${c.linkDist} | ${f3(c.bcubedF1)} | ${f3(c.pairwiseF1)} | ${f3(c.auc)} | ${f3(c.averagePrecision)} | ${f3(b.auc)} / ${f3(b.averagePrecision)} | ${f3(c.calibrationError)} | ${f3(c.nullShare)} | ${c.horizon} |`,
    )
  }
}
const worst = cells.reduce((w, c) => {
  const s = same(c)
  return s === undefined ? w : Math.min(w, c.bcubedF1 - s.bcubedF1)
}, 0)
const aucWins = cells.filter((c) => c.auc > (baselines.find((b) => b.dist === c.linkDist)?.auc ?? 1)).length
const apWins = cells.filter(
  (c) => c.averagePrecision > (baselines.find((b) => b.dist === c.linkDist)?.averagePrecision ?? 1),
).length
lines.push(
  '',
  `Worst transfer cell against its same-distribution cell: ${worst.toFixed(3)} B³ F1 (target ≥ −0.03). AUC above the baseline in ${aucWins} of ${cells.length} cells, AP in ${apWins} of ${cells.length}.`,
)
console.log(lines.join('\n'))
writeFileSync(
  `bench/results/${name}.json`,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, node: process.version },
      dists,
      trainSizes,
      linkSizes,
      trainSeconds: Object.fromEntries([...models].map(([key, value]) => [key, value.seconds])),
      cells,
      small: smallCells,
      baselines,
    },
    null,
    2,
  )}\n`,
)
console.error(`wrote bench/results/${name}.json`)
