/**
 * Planted scenarios (issue 17): a province background with every planted series of
 * src/generate/scenarios.ts on top, linked by `linkIncidents`; per planted series, the detected series
 * holding most of its incidents, that series' size, precision/recall/F1 of the planted series against it,
 * and the number of detected series (singletons included) its incidents are spread over. Also whether a
 * detected series mixes two e-bike rings, whether a copycat fell into the impersonator's best series, and
 * the B³ F1 of the whole set.
 *
 *   npx tsx bench/scenarios.ts [--sizes 20000,1000000] [--seed 1] [--model default|trained] [--span-days D]
 *
 * `--model file.json`: link with that model file, default options.
 * `--model trained`: `trainModel` on another province set of the same size and span, seed + 1, without
 * scenarios (last year's solved cases), linked with the suite's trained options (the defaults: series links).
 * `--span-days`: the background's span; default the generator's, at least 270 days, so the impersonator's
 * 243 days sit inside the background (province's default span is 148 days at 20k, 545 at 1M).
 * Writes bench/results/scenarios.json (runs of other sizes, seeds or models already there are kept).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { evaluatePartition } from '../src/evaluation/evaluatePartition'
import {
  defaultTimeSpanDays,
  type GeneratedIncident,
  generateIncidents,
} from '../src/generate/generateIncidents'
import { type LinkResult, linkIncidents } from '../src/link/linkIncidents'
import { parseLinkageModel } from '../src/model/linkageModel'
import { trainModel } from '../src/model/trainModel'
import { parseIncidents } from '../src/schema/parseIncidents'
import { TRAINED_LINK_OPTIONS } from './suite/pipelineChild'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? args[at + 1] : fallback
}
const sizes = flag('sizes', '20000').split(',').map(Number)
const seed = Number(flag('seed', '1'))
const modelName = flag('model', 'default')
if (modelName !== 'default' && modelName !== 'trained' && !modelName.endsWith('.json')) {
  throw new Error(
    `bench/scenarios: --model must be default, trained or a model file (.json), got '${modelName}'`,
  )
}
const spanFlag = flag('span-days', '')
const TZ = 'Asia/Shanghai'
const OUT = 'bench/results/scenarios.json'
const MIN_SPAN_DAYS = 270

/** How one planted series came out. */
interface PlantedOutcome {
  label: string
  size: number
  /** The detected series holding most of its incidents (null when all are left alone). */
  best: string | null
  /** Rank of that series in the linker's priority order. */
  bestRank: number | null
  bestSize: number
  overlap: number
  precision: number
  recall: number
  f1: number
  /** Detected series its incidents are spread over, each incident left alone counting as one. */
  fragments: number
  /** Its incidents left alone (in no detected series). */
  alone: number
}

interface Run {
  n: number
  seed: number
  model: 'default' | 'trained'
  spanDays: number
  incidents: number
  planted: number
  trainSeconds: number | null
  linkSeconds: number
  detectedSeries: number
  bcubedF1: number
  bcubedPrecision: number
  bcubedRecall: number
  scenarios: PlantedOutcome[]
  /** Detected series holding incidents of two or more e-bike rings, with the rings they hold. */
  ebikeMixed: { series: string; rings: string[] }[]
  /** Copycats in the impersonator's best series. */
  copycatsInImpersonator: string[]
  /** Copycats linked to anything (in some detected series). */
  copycatsLinked: number
}

function groupLabel(label: string): string | null {
  if (!label.startsWith('scenario:')) return null
  return label.startsWith('scenario:copycat-') ? 'scenario:copycats' : label
}

function outcome(
  label: string,
  members: string[],
  assignments: LinkResult['assignments'],
  seriesSize: Map<string, number>,
  rankOf: Map<string, number>,
): PlantedOutcome {
  const inSeries = new Map<string, number>()
  let alone = 0
  for (const id of members) {
    const s = assignments[id] ?? null
    if (s === null) alone++
    else inSeries.set(s, (inSeries.get(s) ?? 0) + 1)
  }
  let best: string | null = null
  let overlap = 0
  for (const [s, count] of inSeries) {
    if (count > overlap || (count === overlap && best !== null && s < best)) {
      best = s
      overlap = count
    }
  }
  if (best === null) overlap = Math.min(1, members.length)
  const bestSize = best === null ? 1 : (seriesSize.get(best) ?? 0)
  const precision = overlap / bestSize
  const recall = overlap / members.length
  return {
    label,
    size: members.length,
    best,
    bestRank: best === null ? null : (rankOf.get(best) ?? null),
    bestSize,
    overlap,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    fragments: inSeries.size + alone,
    alone,
  }
}

function run(n: number): Run {
  const spanDays = spanFlag === '' ? Math.max(defaultTimeSpanDays(n), MIN_SPAN_DAYS) : Number(spanFlag)
  const { incidents: records } = generateIncidents({
    n,
    seed,
    preset: 'province',
    timeSpanDays: spanDays,
    scenarios: 'all',
  })
  const { incidents } = parseIncidents(records, { timeZone: TZ })
  let trainSeconds: number | null = null
  let options: Parameters<typeof linkIncidents>[1] = { timeZone: TZ }
  if (modelName === 'trained') {
    const started = performance.now()
    const training = generateIncidents({ n, seed: seed + 1, preset: 'province', timeSpanDays: spanDays })
    const model = trainModel(parseIncidents(training.incidents, { timeZone: TZ }).incidents, { timeZone: TZ })
    trainSeconds = (performance.now() - started) / 1000
    options = { timeZone: TZ, model, ...TRAINED_LINK_OPTIONS }
  } else if (modelName.endsWith('.json')) {
    options = { timeZone: TZ, model: parseLinkageModel(JSON.parse(readFileSync(modelName, 'utf8'))) }
  }
  const started = performance.now()
  const result = linkIncidents(incidents, options)
  const linkSeconds = (performance.now() - started) / 1000
  const seriesSize = new Map<string, number>()
  for (const id in result.assignments) {
    const s = result.assignments[id]
    if (s !== null) seriesSize.set(s, (seriesSize.get(s) ?? 0) + 1)
  }
  const rankOf = new Map(result.series.map((s) => [s.id, s.rank]))
  const groups = new Map<string, string[]>()
  const labelOf = new Map<string, string>()
  for (const r of records as GeneratedIncident[]) {
    for (const label of r.series) {
      const group = groupLabel(label)
      if (group === null) continue
      labelOf.set(r.id, label)
      const list = groups.get(label) ?? []
      list.push(r.id)
      groups.set(label, list)
    }
  }
  const order = [...groups.keys()].sort((a, b) => {
    const rank = (l: string) => (l.startsWith('scenario:copycat-') ? 1 : 0)
    return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true })
  })
  const scenarios = order.map((label) =>
    outcome(label, groups.get(label) ?? [], result.assignments, seriesSize, rankOf),
  )
  // e-bike rings sharing a detected series
  const ringsIn = new Map<string, Set<string>>()
  for (const [id, label] of labelOf) {
    if (!label.startsWith('scenario:ebike-ring-')) continue
    const s = result.assignments[id] ?? null
    if (s === null) continue
    const set = ringsIn.get(s) ?? new Set<string>()
    set.add(label)
    ringsIn.set(s, set)
  }
  const ebikeMixed = [...ringsIn]
    .filter(([, rings]) => rings.size > 1)
    .map(([series, rings]) => ({ series, rings: [...rings].sort() }))
  const impersonator = scenarios.find((s) => s.label === 'scenario:impersonator')
  const copycats = [...labelOf].filter(([, label]) => label.startsWith('scenario:copycat-'))
  const copycatsInImpersonator = copycats
    .filter(([id]) => impersonator?.best != null && result.assignments[id] === impersonator.best)
    .map(([, label]) => label)
  const copycatsLinked = copycats.filter(([id]) => (result.assignments[id] ?? null) !== null).length
  const partition = evaluatePartition(result.assignments, incidents)
  return {
    n,
    seed,
    model: modelName as 'default' | 'trained',
    spanDays,
    incidents: incidents.length,
    planted: incidents.length - n,
    trainSeconds,
    linkSeconds,
    detectedSeries: result.series.length,
    bcubedF1: partition.bcubed.f1,
    bcubedPrecision: partition.bcubed.precision,
    bcubedRecall: partition.bcubed.recall,
    scenarios,
    ebikeMixed,
    copycatsInImpersonator,
    copycatsLinked,
  }
}

const f3 = (x: number) => x.toFixed(3)
const runs: Run[] = []
for (const n of sizes) {
  const r = run(n)
  runs.push(r)
  const lines = [
    `### ${r.model} model, province ${r.n.toLocaleString('en')} + ${r.planted} planted (span ${r.spanDays} d, seed ${r.seed}): B³ F1 ${f3(r.bcubedF1)} (P ${f3(r.bcubedPrecision)}, R ${f3(r.bcubedRecall)}), link ${r.linkSeconds.toFixed(1)} s${r.trainSeconds === null ? '' : `, train ${r.trainSeconds.toFixed(1)} s`}`,
    '',
    '| planted series | size | best detected series (rank) | its size | overlap | precision | recall | F1 | fragments (alone) |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ]
  for (const s of r.scenarios) {
    if (s.label.startsWith('scenario:copycat-')) continue
    lines.push(
      `| ${s.label.slice('scenario:'.length)} | ${s.size} | ${s.best ?? '–'}${s.bestRank === null ? '' : ` (${s.bestRank})`} | ${s.bestSize} | ${s.overlap} | ${f3(s.precision)} | ${f3(s.recall)} | ${f3(s.f1)} | ${s.fragments} (${s.alone}) |`,
    )
  }
  lines.push(
    '',
    `E-bike rings mixed in one detected series: ${r.ebikeMixed.length === 0 ? 'none' : r.ebikeMixed.map((m) => `${m.series} (${m.rings.join(' + ')})`).join(', ')}.`,
    `Copycats in the impersonator's best series: ${r.copycatsInImpersonator.length === 0 ? 'none' : r.copycatsInImpersonator.join(', ')}; copycats linked to anything: ${r.copycatsLinked} of ${r.scenarios.filter((s) => s.label.startsWith('scenario:copycat-')).length}.`,
    '',
  )
  console.log(lines.join('\n'))
}

interface ResultsFile {
  date: string
  machine: { cores: number; node: string }
  runs: Run[]
}
const previous: Run[] = existsSync(OUT) ? (JSON.parse(readFileSync(OUT, 'utf8')) as ResultsFile).runs : []
const key = (r: Run) => `${r.n}/${r.seed}/${r.model}/${r.spanDays}`
const kept = previous.filter((p) => !runs.some((r) => key(r) === key(p)))
const all = [...kept, ...runs].sort((a, b) => a.n - b.n || a.seed - b.seed || a.model.localeCompare(b.model))
const file: ResultsFile = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, node: process.version },
  runs: all,
}
// biome ignores bench/results, so format through stdin (same text as `npx biome format` of the file)
const text = `${JSON.stringify(file, null, 2)}\n`
const formatted = spawnSync('npx', ['biome', 'format', '--stdin-file-path=scenarios.json'], {
  input: text,
  encoding: 'utf8',
})
writeFileSync(OUT, formatted.status === 0 && formatted.stdout !== '' ? formatted.stdout : text)
console.error(`wrote ${OUT}`)
