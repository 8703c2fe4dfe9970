/**
 * Where accuracy is lost, on the province preset: the blocking's ceiling and the model's share.
 *
 *   npx tsx bench/accuracy-analysis.ts [n=100000] [--rare-df 100] [--rare-distance 30000] [--max-distance 1500]
 *     [--max-gap 21] [--training-n n] [--preset province|city|travelling]
 *   nice node --max-old-space-size=20000 --import tsx bench/accuracy-analysis.ts 1000000
 *
 * Generates n incidents (seed 1) and a training set (seed 2, of the same size unless `--training-n`: last
 * year's solved cases of the same province, so of the same density), and reports B³ at the
 * pipeline's defaults (edge floor, Leiden-CPM γ) for:
 * - the oracle on the candidates: exactly the truly linked candidate pairs as edges (what a perfect
 *   pair classifier could reach with this blocking);
 * - `defaultModel()`, and `trainModel` fitted with naive Bayes (`fit: 'frequencies'`) and with
 *   the logistic fit (the default), trained on the other set;
 * - the oracle bound of attaching lone incidents: each incident left alone joins the detected series
 *   holding most of its offender's incidents when one lies within 30 km and 60 days (labels decide), i.e.
 *   the recall lost to series members that no candidate pair reaches;
 * - oracle bounds of series-level steps after clustering (see `seriesStepOracles`): merging the detected
 *   fragments of one offender, attaching lone incidents anywhere, attaching them through existing candidates;
 * - the logistic partition after `mergeSeriesByProfile` (the pipeline's profile merge, at its defaults).
 * Plus each model's calibration over the candidate pairs at p ≥ 0.5. Results merge into
 * bench/results/accuracy-analysis.json under the key `n` (plus the blocking options that differ from the
 * defaults: rare-MO limit, distance, gap).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { BLOCKING_DEFAULTS } from '../src/blocking/blockingOptions'
import { generateCandidates } from '../src/blocking/generateCandidates'
import { detectSeries } from '../src/cluster/detectSeries'
import { evaluatePartition } from '../src/evaluation/evaluatePartition'
import { evaluateScores } from '../src/evaluation/evaluateScores'
import { generateIncidents } from '../src/generate/generateIncidents'
import { similarityGraphFromEdges } from '../src/graph/similarityGraph'
import { LINK_DEFAULTS } from '../src/link/linkIncidents'
import { defaultModel } from '../src/model/defaultModel'
import { shareLabel } from '../src/model/fitting'
import { type LinkageModel, matchProbability } from '../src/model/linkageModel'
import { trainModel } from '../src/model/trainModel'
import { parseIncidents } from '../src/schema/parseIncidents'
import { createPairScorer } from '../src/score/pairScorer'
import { mergeSeriesByProfile } from '../src/series/mergeSeriesByProfile'
import { buildCaseTable } from '../src/table/buildCaseTable'
import { hashString } from '../src/util/random'

const args = process.argv.slice(2)
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000)
const numberArg = (flag: string, fallback: number) => {
  const at = args.indexOf(flag)
  return at >= 0 ? Number(args[at + 1]) : fallback
}
const rareDf = numberArg('--rare-df', BLOCKING_DEFAULTS.rareMo.maxDocumentFrequency)
const rareDistanceMeters = numberArg('--rare-distance', BLOCKING_DEFAULTS.rareMo.maxDistanceMeters)
const trainingN = numberArg('--training-n', n)
const presetAt = args.indexOf('--preset')
const preset = (presetAt >= 0 ? args[presetAt + 1] : 'province') as 'province' | 'city' | 'travelling'
const maxDistanceMeters = numberArg('--max-distance', BLOCKING_DEFAULTS.maxDistanceMeters)
const maxGapDays = numberArg('--max-gap', BLOCKING_DEFAULTS.maxGapDays)
const TZ = 'Asia/Shanghai'
const blocking = {
  maxDistanceMeters,
  maxGapDays,
  rareMo: { maxDocumentFrequency: rareDf, maxDistanceMeters: rareDistanceMeters },
}
const started = performance.now()
const generate = (count: number, seed: number) =>
  parseIncidents(generateIncidents({ n: count, seed, preset }).incidents, { timeZone: TZ }).incidents

const incidents = generate(n, 1)
const table = buildCaseTable(incidents, { timeZone: TZ })
const candidates = generateCandidates(table, blocking)
const linked = new Uint8Array(candidates.count)
let linkedCount = 0
for (let k = 0; k < candidates.count; k++) {
  if (shareLabel(table, candidates.a[k], candidates.b[k])) {
    linked[k] = 1
    linkedCount++
  }
}
const nodeKeys = Uint32Array.from(incidents, (incident) => hashString(incident.id))
const { minProbability } = LINK_DEFAULTS
const { resolution } = LINK_DEFAULTS.clustering

interface Scores {
  bcubedF1: number
  bcubedPrecision: number
  bcubedRecall: number
  edges: number
  trueEdges: number
}

/** Clusters the candidates whose probability reaches the floor, as linkIncidents does. */
function partitionOf(probability: Float64Array): Int32Array {
  const keep: number[] = []
  for (let k = 0; k < candidates.count; k++) if (probability[k] >= minProbability) keep.push(k)
  const graph = similarityGraphFromEdges(
    n,
    Uint32Array.from(keep, (k) => candidates.a[k]),
    Uint32Array.from(keep, (k) => candidates.b[k]),
    Float64Array.from(keep, (k) => probability[k]),
  )
  return detectSeries(graph, { method: 'leiden-cpm', resolution, seed: 0, nodeKeys }).membership
}

function scoresOf(membership: Int32Array, probability: Float64Array): Scores {
  const m = evaluatePartition(membership, incidents)
  let edges = 0
  let trueEdges = 0
  for (let k = 0; k < candidates.count; k++) {
    if (probability[k] < minProbability) continue
    edges++
    trueEdges += linked[k]
  }
  return {
    bcubedF1: m.bcubed.f1,
    bcubedPrecision: m.bcubed.precision,
    bcubedRecall: m.bcubed.recall,
    edges,
    trueEdges,
  }
}

function probabilitiesOf(model: LinkageModel): Float64Array {
  const scorer = createPairScorer(table, model)
  const probability = new Float64Array(candidates.count)
  for (let k = 0; k < candidates.count; k++)
    probability[k] = matchProbability(scorer.matchWeight(candidates.a[k], candidates.b[k]))
  return probability
}

function calibrationOf(probability: Float64Array) {
  const keep: number[] = []
  for (let k = 0; k < candidates.count; k++) if (probability[k] >= 0.5) keep.push(k)
  const metrics = evaluateScores(
    {
      a: Uint32Array.from(keep, (k) => candidates.a[k]),
      b: Uint32Array.from(keep, (k) => candidates.b[k]),
      score: Float64Array.from(keep, (k) => probability[k]),
    },
    incidents,
  )
  const calibration = metrics.calibration
  return {
    expectedCalibrationError: calibration?.expectedCalibrationError ?? Number.NaN,
    bins: (calibration?.bins ?? [])
      .filter((bin) => bin.pairs > 0)
      .map((bin) => ({
        from: bin.from,
        pairs: bin.pairs,
        meanScore: round(bin.meanScore),
        linkedShare: round(bin.linkedShare),
      })),
  }
}

/**
 * Oracle bound of attaching lone incidents to detected series: labels decide, within 30 km and 60 days of
 * a member (centroid-free: any member), the series holding most members of the incident's offender.
 */
function attachOracle(membership: Int32Array): Scores {
  const size = new Map<number, number>()
  for (const c of membership) size.set(c, (size.get(c) ?? 0) + 1)
  // label → detected series (of size ≥ 2) holding its incidents, with their members
  const byLabel = new Map<string, Map<number, number[]>>()
  incidents.forEach((incident, i) => {
    if ((size.get(membership[i]) ?? 0) < 2) return
    for (const label of incident.series) {
      let series = byLabel.get(label)
      if (series === undefined) byLabel.set(label, (series = new Map()))
      const members = series.get(membership[i]) ?? []
      members.push(i)
      series.set(membership[i], members)
    }
  })
  const attached = Int32Array.from(membership)
  const km = (i: number, j: number) =>
    Math.hypot(
      ((incidents[i].lat ?? 0) - (incidents[j].lat ?? 0)) * 111.2,
      ((incidents[i].lon ?? 0) - (incidents[j].lon ?? 0)) * 111.2 * Math.cos((32 * Math.PI) / 180),
    )
  incidents.forEach((incident, i) => {
    if ((size.get(membership[i]) ?? 0) !== 1 || incident.lat === undefined) return
    let best = -1
    let bestMembers = 0
    for (const label of incident.series) {
      for (const [series, members] of byLabel.get(label) ?? []) {
        const near = members.some(
          (j) => km(i, j) <= 30 && Math.abs(table.timeFrom[i] - table.timeFrom[j]) <= 60 * 86_400_000,
        )
        if (near && members.length > bestMembers) {
          best = series
          bestMembers = members.length
        }
      }
    }
    if (best >= 0) attached[i] = best
  })
  return scoresOfPartition(attached)
}

/** Members of each community, and the majority offender label of each community of two or more. */
function communitiesOf(membership: Int32Array) {
  const members = new Map<number, number[]>()
  membership.forEach((c, i) => {
    const list = members.get(c)
    if (list === undefined) members.set(c, [i])
    else list.push(i)
  })
  const majority = new Map<number, { label: string; share: number }>()
  for (const [c, list] of members) {
    if (list.length < 2) continue
    const counts = new Map<string, number>()
    for (const i of list)
      for (const label of incidents[i].series) counts.set(label, (counts.get(label) ?? 0) + 1)
    let label = ''
    let most = 0
    for (const [l, count] of counts) {
      if (count > most) {
        most = count
        label = l
      }
    }
    majority.set(c, { label, share: most / list.length })
  }
  return { members, majority }
}

function scoresOfPartition(membership: Int32Array): Scores {
  const m = evaluatePartition(membership, incidents)
  return {
    bcubedF1: m.bcubed.f1,
    bcubedPrecision: m.bcubed.precision,
    bcubedRecall: m.bcubed.recall,
    edges: Number.NaN,
    trueEdges: Number.NaN,
  }
}

/**
 * Oracle bounds of series-level steps after clustering (labels decide, no distance or time limit):
 * - `mergeFragments`: detected series (two or more members, a majority label holding at least half) of the
 *   same majority offender merged into the largest;
 * - `attachAnywhere`: the same, lone incidents included (each joins its offender's largest detected series);
 * - `attachViaCandidates`: a lone incident joins its offender's largest detected series only through a
 *   candidate pair it already has with a member (what a step reusing the blocking could reach).
 */
function seriesStepOracles(membership: Int32Array) {
  const { members, majority } = communitiesOf(membership)
  const largest = new Map<string, number>()
  for (const [c, { label }] of majority) {
    const best = largest.get(label)
    if (best === undefined || (members.get(best)?.length ?? 0) < (members.get(c)?.length ?? 0))
      largest.set(label, c)
  }
  const merged = (withLone: boolean) => {
    const out = Int32Array.from(membership)
    for (const [c, list] of members) {
      let target: number | undefined
      if (list.length >= 2) {
        const major = majority.get(c)
        if (major !== undefined && major.share >= 0.5) target = largest.get(major.label)
      } else if (withLone) {
        for (const label of incidents[list[0]].series) {
          const t = largest.get(label)
          if (
            t !== undefined &&
            (target === undefined || (members.get(t)?.length ?? 0) > (members.get(target)?.length ?? 0))
          )
            target = t
        }
      }
      if (target !== undefined) for (const i of list) out[i] = target
    }
    return out
  }
  const viaCandidates = Int32Array.from(membership)
  const consider = (lone: number, member: number) => {
    if ((members.get(membership[lone])?.length ?? 0) !== 1) return
    const c = membership[member]
    const major = majority.get(c)
    if (major === undefined || !incidents[lone].series.includes(major.label)) return
    const current = viaCandidates[lone]
    if (current === membership[lone] || (members.get(current)?.length ?? 0) < (members.get(c)?.length ?? 0))
      viaCandidates[lone] = c
  }
  for (let k = 0; k < candidates.count; k++) {
    consider(candidates.a[k], candidates.b[k])
    consider(candidates.b[k], candidates.a[k])
  }
  return {
    mergeFragments: scoresOfPartition(merged(false)),
    attachAnywhere: scoresOfPartition(merged(true)),
    attachViaCandidates: scoresOfPartition(viaCandidates),
  }
}

const round = (x: number) => Math.round(x * 10_000) / 10_000

const oracleProbability = Float64Array.from(linked, (l) => (l === 1 ? 1 : 0))
const oracle = scoresOf(partitionOf(oracleProbability), oracleProbability)
const training = generate(trainingN, 2)
const models: Record<string, LinkageModel> = {
  defaultModel: defaultModel(),
  naiveBayes: trainModel(training, { timeZone: TZ, blocking, fit: 'frequencies' }),
  logistic: trainModel(training, { timeZone: TZ, blocking }),
}
const results: Record<string, unknown> = {}
let logisticMembership: Int32Array | null = null
for (const [name, model] of Object.entries(models)) {
  const probability = probabilitiesOf(model)
  const membership = partitionOf(probability)
  if (name === 'logistic') logisticMembership = membership
  results[name] = { ...scoresOf(membership, probability), calibration: calibrationOf(probability) }
}
const attach = attachOracle(logisticMembership as Int32Array)
const seriesSteps = seriesStepOracles(logisticMembership as Int32Array)
const mergeStarted = performance.now()
const profileMerge = scoresOfPartition(
  mergeSeriesByProfile(table, logisticMembership as Int32Array).membership,
)
const profileMergeSeconds = Math.round(performance.now() - mergeStarted) / 1000

const key = [
  String(n),
  rareDf === BLOCKING_DEFAULTS.rareMo.maxDocumentFrequency ? '' : `rare-df ${rareDf}`,
  rareDistanceMeters === BLOCKING_DEFAULTS.rareMo.maxDistanceMeters ? '' : `rare ${rareDistanceMeters} m`,
  trainingN === n ? '' : `trained on ${trainingN}`,
  preset === 'province' ? '' : preset,
  maxDistanceMeters === BLOCKING_DEFAULTS.maxDistanceMeters ? '' : `${maxDistanceMeters} m`,
  maxGapDays === BLOCKING_DEFAULTS.maxGapDays ? '' : `${maxGapDays} d`,
]
  .filter((part) => part !== '')
  .join(' ')
const report = {
  n,
  preset,
  rareMoMaxDocumentFrequency: rareDf,
  rareMoMaxDistanceMeters: rareDistanceMeters,
  maxDistanceMeters,
  maxGapDays,
  trainingIncidents: training.length,
  defaults: { minProbability, resolution },
  candidates: candidates.count,
  candidatesByRule: candidates.byRule,
  /** 2 × space-time candidate pairs / incidents: how crowded the blocking horizon is. */
  spaceTimeCandidatesPerIncident: round((2 * candidates.byRule.spaceTime) / n),
  linkedCandidates: linkedCount,
  oracleOnCandidates: oracle,
  ...results,
  attachLoneIncidentsOracle: attach,
  seriesStepOracles: seriesSteps,
  logisticThenProfileMerge: { ...profileMerge, seconds: profileMergeSeconds },
  seconds: Math.round((performance.now() - started) / 100) / 10,
  node: process.version,
}
const path = 'bench/results/accuracy-analysis.json'
const all = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {}
all[key] = report
writeFileSync(path, `${JSON.stringify(all, null, 2)}\n`)
const f = (s: Scores) =>
  `B³ F1 ${s.bcubedF1.toFixed(3)} (P ${s.bcubedPrecision.toFixed(3)}, R ${s.bcubedRecall.toFixed(3)})`
console.log(
  `${key}: ${candidates.count} candidates, ${linkedCount} linked; oracle on candidates ${f(oracle)}; ` +
    Object.keys(models)
      .map((name) => {
        const r = results[name] as Scores & { calibration: { expectedCalibrationError: number } }
        return `${name} ${f(r)} calibration error ${r.calibration.expectedCalibrationError.toFixed(3)}`
      })
      .join('; ') +
    `; lone-incident attachment oracle ${f(attach)}; ` +
    Object.entries(seriesSteps)
      .map(([name, scores]) => `${name} oracle ${f(scores)}`)
      .join('; ') +
    `; logistic, then merging series with agreeing profiles ${f(profileMerge)}`,
)
