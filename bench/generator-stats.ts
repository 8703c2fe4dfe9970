/**
 * Prints the synthetic generator's statistics: true-series size histogram, share of singletons,
 * distance / time-gap / MO / evidence distributions of linked pairs vs random unlinked pairs, and an
 * estimate of how many unlinked incidents fall near each incident in space and time (the linker's
 * difficulty). Writes bench/results/generator-stats.json.
 *
 *   npx tsx bench/generator-stats.ts [n=100000] [presets=city,province,travelling] [seed=1] [out]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { evaluatePartition } from '../src/evaluation/evaluatePartition'
import { buildTruth } from '../src/evaluation/truth'
import { type GeneratedIncident, generateIncidents } from '../src/generate/generateIncidents'
import type { GeneratorPresetName } from '../src/generate/region'
import { createRandom } from '../src/util/random'

const n = Number(process.argv[2] ?? 100_000)
const presets = (process.argv[3] ?? 'city,province,travelling').split(',') as GeneratorPresetName[]
const seed = Number(process.argv[4] ?? 1)
const PAIR_SAMPLE = 200_000

function timeOf(r: GeneratedIncident): number {
  if (r.time) return Date.parse(r.time)
  return (Date.parse(r.timeFrom as string) + Date.parse(r.timeTo as string)) / 2
}

function km(a: GeneratedIncident, b: GeneratedIncident): number {
  const toRad = Math.PI / 180
  const dLat = ((b.lat as number) - (a.lat as number)) * toRad
  const dLon = ((b.lon as number) - (a.lon as number)) * toRad
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos((a.lat as number) * toRad) * Math.cos((b.lat as number) * toRad) * Math.sin(dLon / 2) ** 2
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h))
}

function quantiles(values: number[]): Record<string, number> {
  const s = Float64Array.from(values).sort()
  const q = (p: number) => (s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(p * s.length))])
  const r = (x: number) => Math.round(x * 100) / 100
  return { p10: r(q(0.1)), p25: r(q(0.25)), p50: r(q(0.5)), p75: r(q(0.75)), p90: r(q(0.9)), p99: r(q(0.99)) }
}

function share(values: number[], limit: number): number {
  let k = 0
  for (const v of values) if (v <= limit) k++
  return values.length === 0 ? Number.NaN : Math.round((1000 * k) / values.length) / 1000
}

function jaccard(x: string[], y: string[]): number {
  if (x.length === 0 && y.length === 0) return 0
  let inter = 0
  for (const v of x) if (y.includes(v)) inter++
  return inter / (x.length + y.length - inter)
}

interface PairStats {
  pairs: number
  distanceKm: Record<string, number>
  within1Km: number
  within5Km: number
  within20Km: number
  gapDays: Record<string, number>
  within1Day: number
  within7Days: number
  within30Days: number
  sameCategory: number
  meanMoJaccard: number
  shareSomeEvidence: number
}

function pairStats(list: GeneratedIncident[], pairs: [number, number][]): PairStats {
  const d: number[] = []
  const g: number[] = []
  let sameCat = 0
  let mo = 0
  let ev = 0
  for (const [i, j] of pairs) {
    const a = list[i]
    const b = list[j]
    if (a.lat !== undefined && b.lat !== undefined) d.push(km(a, b))
    g.push(Math.abs(timeOf(a) - timeOf(b)) / 86_400_000)
    if (a.category === b.category) sameCat++
    mo += jaccard(a.mo, b.mo)
    if (a.evidence.some((e) => b.evidence.includes(e))) ev++
  }
  const r = (x: number) => Math.round(x * 1000) / 1000
  return {
    pairs: pairs.length,
    distanceKm: quantiles(d),
    within1Km: share(d, 1),
    within5Km: share(d, 5),
    within20Km: share(d, 20),
    gapDays: quantiles(g),
    within1Day: share(g, 1),
    within7Days: share(g, 7),
    within30Days: share(g, 30),
    sameCategory: r(sameCat / pairs.length),
    meanMoJaccard: r(mo / pairs.length),
    shareSomeEvidence: r(ev / pairs.length),
  }
}

/**
 * A crude rule-based linker, to show the series are recoverable from the signal: union incidents that
 * share an identifying trace (fingerprint, DNA, plate, phone), or that have the same category, lie within
 * 3 km and 14 days, and have MO Jaccard ≥ 0.5 (frauds: same first two MO codes, within 14 days, MO Jaccard
 * ≥ 0.8, any place);
 * series = connected components. Returns its B-cubed F1 and the all-singletons baseline. The thresholds
 * can be changed with RULE_KM, RULE_DAYS and RULE_JACCARD.
 */
const RULE_KM = Number(process.env.RULE_KM ?? 3)
const RULE_DAYS = Number(process.env.RULE_DAYS ?? 14)
const RULE_JACCARD = Number(process.env.RULE_JACCARD ?? 0.5)

function ruleBaseline(list: GeneratedIncident[]): Record<string, number> {
  const count = list.length
  const parent = new Int32Array(count)
  for (let i = 0; i < count; i++) parent[i] = i
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]]
      i = parent[i]
    }
    return i
  }
  const union = (a: number, b: number) => {
    const x = find(a)
    const y = find(b)
    if (x !== y) parent[y] = x
  }
  const firstWith = new Map<string, number>()
  for (let i = 0; i < count; i++) {
    for (const e of list[i].evidence) {
      if (e.startsWith('shoeprint:')) continue
      const f = firstWith.get(e)
      if (f === undefined) firstWith.set(e, i)
      else union(f, i)
    }
  }
  const day = list.map((r) => timeOf(r) / 86_400_000)
  const lat0 = 32
  const xs = list.map((r) => (r.lon ?? Number.NaN) * 111.32 * Math.cos((lat0 * Math.PI) / 180))
  const ys = list.map((r) => (r.lat ?? Number.NaN) * 110.574)
  const buckets = new Map<string, number[]>()
  const fraudBuckets = new Map<string, number[]>()
  const fraudKey = (w: number, r: GeneratedIncident) => `${w}|${r.mo.slice(0, 2).join(';')}`
  for (let i = 0; i < count; i++) {
    const w = Math.floor(day[i] / RULE_DAYS)
    if (list[i].category === 'fraud.telecom') {
      // Frauds: compared only with frauds sharing the first two MO codes (script, channel) nearby in time.
      const key = fraudKey(w, list[i])
      const b = fraudBuckets.get(key)
      if (b) b.push(i)
      else fraudBuckets.set(key, [i])
      continue
    }
    if (Number.isNaN(xs[i])) continue
    const key = `${Math.floor(xs[i] / RULE_KM)},${Math.floor(ys[i] / RULE_KM)},${w}`
    const b = buckets.get(key)
    if (b) b.push(i)
    else buckets.set(key, [i])
  }
  for (let i = 0; i < count; i++) {
    const r = list[i]
    const w = Math.floor(day[i] / RULE_DAYS)
    if (r.category === 'fraud.telecom') {
      for (let dw = -1; dw <= 1; dw++) {
        for (const j of fraudBuckets.get(fraudKey(w + dw, r)) ?? []) {
          if (j <= i || Math.abs(day[j] - day[i]) > RULE_DAYS) continue
          if (jaccard(r.mo, list[j].mo) >= 0.8) union(i, j)
        }
      }
      continue
    }
    if (Number.isNaN(xs[i])) continue
    const cx = Math.floor(xs[i] / RULE_KM)
    const cy = Math.floor(ys[i] / RULE_KM)
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dw = -1; dw <= 1; dw++) {
          for (const j of buckets.get(`${cx + dx},${cy + dy},${w + dw}`) ?? []) {
            if (j <= i || list[j].category !== r.category) continue
            if (Math.abs(day[j] - day[i]) > RULE_DAYS || Math.hypot(xs[j] - xs[i], ys[j] - ys[i]) > RULE_KM)
              continue
            if (jaccard(r.mo, list[j].mo) >= RULE_JACCARD) union(i, j)
          }
        }
      }
    }
  }
  const assignment: Record<string, string> = {}
  for (let i = 0; i < count; i++) assignment[list[i].id] = `R${find(i)}`
  const m = evaluatePartition(assignment, list)
  const none = evaluatePartition({}, list)
  const r3 = (x: number) => Math.round(x * 1000) / 1000
  return {
    ruleKm: RULE_KM,
    ruleDays: RULE_DAYS,
    ruleJaccard: RULE_JACCARD,
    ruleB3Precision: r3(m.bcubed.precision),
    ruleB3Recall: r3(m.bcubed.recall),
    ruleB3F1: r3(m.bcubed.f1),
    ruleSeriesRebuilt: r3(m.seriesRebuilt.matchedShare),
    allSingletonsB3F1: r3(none.bcubed.f1),
  }
}

const results: Record<string, unknown> = {}
for (const preset of presets) {
  const t0 = performance.now()
  const { incidents } = generateIncidents({ n, seed, preset })
  const generateMs = Math.round(performance.now() - t0)
  const truth = buildTruth(incidents)
  const size = new Int32Array(truth.componentCount)
  for (let i = 0; i < truth.count; i++) size[truth.component[i]]++
  const bins: [string, number, number][] = [
    ['1', 1, 1],
    ['2', 2, 2],
    ['3', 3, 3],
    ['4-5', 4, 5],
    ['6-10', 6, 10],
    ['11-20', 11, 20],
    ['21-50', 21, 50],
    ['51-100', 51, 100],
    ['101+', 101, Number.POSITIVE_INFINITY],
  ]
  const histogram: Record<string, { series: number; incidents: number }> = {}
  for (const [label] of bins) histogram[label] = { series: 0, incidents: 0 }
  let largest = 0
  for (const s of size) {
    largest = Math.max(largest, s)
    const bin = bins.find(([, lo, hi]) => s >= lo && s <= hi)
    if (bin) {
      histogram[bin[0]].series++
      histogram[bin[0]].incidents += s
    }
  }
  const multiLabel = incidents.filter((r) => r.series.length > 1).length
  // Linked pairs: within label groups (sampled evenly when there are too many).
  const byRow = truth.row
  let linkedTotal = 0
  for (let l = 0; l < truth.labelCount; l++) {
    const s = truth.memberStart[l + 1] - truth.memberStart[l]
    linkedTotal += (s * (s - 1)) / 2
  }
  const random = createRandom(seed * 7919 + 1)
  const keep = Math.min(1, PAIR_SAMPLE / Math.max(1, linkedTotal))
  const linked: [number, number][] = []
  for (let l = 0; l < truth.labelCount; l++) {
    for (let x = truth.memberStart[l]; x < truth.memberStart[l + 1]; x++) {
      for (let y = x + 1; y < truth.memberStart[l + 1]; y++) {
        if (random() < keep) linked.push([byRow[truth.members[x]], byRow[truth.members[y]]])
      }
    }
  }
  const labelsOf = (r: number) => incidents[r].series
  const unlinked: [number, number][] = []
  while (unlinked.length < PAIR_SAMPLE) {
    const i = Math.floor(random() * n)
    const j = Math.floor(random() * n)
    if (i === j || labelsOf(i).some((l) => labelsOf(j).includes(l))) continue
    unlinked.push([i, j])
  }
  const linkedStats = pairStats(incidents, linked)
  const unlinkedStats = pairStats(incidents, unlinked)
  // Expected unlinked neighbours of an incident within 2 km and 7 days (from the random pair sample).
  let near = 0
  for (const [i, j] of unlinked) {
    const a = incidents[i]
    const b = incidents[j]
    if (a.lat === undefined || b.lat === undefined) continue
    if (km(a, b) <= 2 && Math.abs(timeOf(a) - timeOf(b)) <= 7 * 86_400_000) near++
  }
  const times = incidents.map(timeOf)
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const t of times) {
    if (t < first) first = t
    if (t > last) last = t
  }
  const spanDays = (last - first) / 86_400_000
  const categories: Record<string, number> = {}
  for (const r of incidents) categories[r.category] = (categories[r.category] ?? 0) + 1
  const windows = incidents.filter((r) => r.timeFrom !== undefined).length
  const withEvidence = incidents.filter((r) => r.evidence.length > 0).length
  const noLocation = incidents.filter((r) => r.lat === undefined).length
  const offenders = new Set<string>()
  for (const r of incidents) for (const l of r.series) offenders.add(l)
  results[preset] = {
    n,
    seed,
    generateMs,
    spanDays: Math.round(spanDays),
    offenderLabels: offenders.size,
    trueSeries: truth.componentCount,
    largestSeries: largest,
    singletonShare: Math.round((1000 * histogram['1'].incidents) / n) / 1000,
    multiLabelShare: Math.round((1000 * multiLabel) / n) / 1000,
    windowShare: Math.round((1000 * windows) / n) / 1000,
    evidenceShare: Math.round((1000 * withEvidence) / n) / 1000,
    missingLocationShare: Math.round((1000 * noLocation) / n) / 1000,
    categories,
    seriesSizeHistogram: histogram,
    linkedPairs: { total: linkedTotal, ...linkedStats },
    unlinkedPairs: unlinkedStats,
    unlinkedNeighboursWithin2Km7Days: Math.round((near / unlinked.length) * (n - 1) * 10) / 10,
    ruleBaseline: ruleBaseline(incidents),
  }
  console.log(`\n=== ${preset}: n=${n} seed=${seed} (generated in ${generateMs} ms) ===`)
  console.log(JSON.stringify(results[preset], null, 1).replace(/\n\s*/g, ' ').replace(/ {2,}/g, ' '))
}
mkdirSync('bench/results', { recursive: true })
writeFileSync(
  process.argv[5] ?? 'bench/results/generator-stats.json',
  `${JSON.stringify(results, null, 2)}\n`,
)
