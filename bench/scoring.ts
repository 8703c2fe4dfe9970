/**
 * Scoring throughput of the pair-scoring kernel (createPairScorer → scoreRange) on a 100k-row
 * table of synthetic incidents with every comparison populated, random candidate pairs.
 *
 *   nice npx tsx bench/scoring.ts [rows=100000] [pairs=5000000]
 *
 * Writes bench/results/scoring.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { defaultModel } from '../src/model/defaultModel'
import type { Incident } from '../src/schema/incident'
import { createPairScorer } from '../src/score/pairScorer'
import { scoreRange } from '../src/score/scorePairs'
import { buildCaseTable } from '../src/table/buildCaseTable'
import { createRandom, type Random } from '../src/util/random'

const rows = Number(process.argv[2] ?? 100_000)
const pairs = Number(process.argv[3] ?? 5_000_000)
const random = createRandom(20260521)

const CHARS = '撬门入室盗窃电动车现金手机快递包裹小区楼道夜间凌晨白天锁具破坏翻窗阳台老人独居店铺收银台'
function text(r: Random, length: number): string {
  let s = ''
  for (let k = 0; k < length; k++) s += CHARS[Math.floor(r() * CHARS.length)]
  return s
}

function makeIncidents(n: number, r: Random): Incident[] {
  const start = Date.UTC(2021, 0, 1)
  const groups = ['entry', 'target', 'tool', 'time', 'exit', 'pretext']
  const categories = [
    'theft.ebike',
    'theft.parcel',
    'theft.shop',
    'burglary.residential',
    'burglary.shop',
    'fraud',
  ]
  const kinds = ['fingerprint', 'dna', 'plate', 'phone', 'shoeprint', 'vehicle']
  const incidents: Incident[] = []
  for (let i = 0; i < n; i++) {
    const from = start + Math.floor(r() * 365 * 86_400_000)
    const length = r() < 0.3 ? 0 : Math.floor(r() * r() * 30 * 3_600_000)
    const mo: string[] = []
    const moCount = 2 + Math.floor(r() * 4)
    for (let k = 0; k < moCount; k++) {
      const g = groups[Math.floor(r() * groups.length)]
      mo.push(`${g}:${Math.floor(r() * r() * 20)}`)
    }
    const evidence: string[] = []
    if (r() < 0.15) evidence.push(`${kinds[Math.floor(r() * kinds.length)]}:${Math.floor(r() * 20_000)}`)
    incidents.push({
      id: `I${i}`,
      timeFrom: from,
      timeTo: from + length,
      lat: 31 + r() * 2,
      lon: 119 + r() * 2,
      category: r() < 0.05 ? undefined : categories[Math.floor(r() * categories.length)],
      mo: [...new Set(mo)],
      evidence,
      narrative: r() < 0.2 ? undefined : text(r, 15 + Math.floor(r() * 40)),
      series: [],
      attributes: {},
    })
  }
  return incidents
}

const incidents = makeIncidents(rows, random)
let t = performance.now()
const table = buildCaseTable(incidents, { timeZone: 'Asia/Shanghai' })
const buildMs = performance.now() - t
const model = defaultModel({ moGroups: ['entry', 'target', 'tool'] })
t = performance.now()
const scorer = createPairScorer(table, model)
const compileMs = performance.now() - t

const a = new Uint32Array(pairs)
const b = new Uint32Array(pairs)
for (let k = 0; k < pairs; k++) {
  a[k] = Math.floor(random() * rows)
  b[k] = Math.floor(random() * rows)
}
const outA = new Uint32Array(pairs)
const outB = new Uint32Array(pairs)
const outW = new Float64Array(pairs)

// warm-up, then the best of 5 runs
scoreRange(scorer, a, b, 0, Math.min(pairs, 500_000), Number.NEGATIVE_INFINITY, outA, outB, outW, 0)
const runs: number[] = []
for (let run = 0; run < 5; run++) {
  t = performance.now()
  scoreRange(scorer, a, b, 0, pairs, Number.NEGATIVE_INFINITY, outA, outB, outW, 0)
  runs.push(performance.now() - t)
}
const bestMs = Math.min(...runs)
let checksum = 0
for (let k = 0; k < pairs; k++) checksum += outW[k]
const result = {
  rows,
  pairs,
  comparisons: model.comparisons.length,
  buildCaseTableMs: Math.round(buildMs),
  compileScorerMs: Math.round(compileMs),
  runsMs: runs.map((ms) => Math.round(ms)),
  pairsPerSecond: Math.round(pairs / (bestMs / 1000)),
  nanosecondsPerPair: Number(((bestMs * 1e6) / pairs).toFixed(1)),
  meanMatchWeight: checksum / pairs,
  node: process.version,
}
console.log(JSON.stringify(result, null, 2))
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(new URL('./results/scoring.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`)
