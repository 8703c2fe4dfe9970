/**
 * Scoring throughput of the pair-scoring kernel (createPairScorer → scoreRange) on a 100k-row table
 * of generated `province` incidents (generateIncidents → parseIncidents → buildCaseTable), uniformly
 * random row pairs (the worst case for caches: blocking's pairs are far more local), one thread.
 * Reports wall and CPU time (process.cpuUsage) of the best of 5 runs, and the load average, since the
 * machine may be shared.
 *
 *   nice npx tsx bench/scoring.ts [rows=100000] [pairs=5000000]
 *
 * Writes bench/results/scoring.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { generateIncidents } from '../src/generate/generateIncidents'
import { defaultModel } from '../src/model/defaultModel'
import { parseIncidents } from '../src/schema/parseIncidents'
import { createPairScorer } from '../src/score/pairScorer'
import { scoreRange } from '../src/score/scorePairs'
import { buildCaseTable } from '../src/table/buildCaseTable'
import { createRandom } from '../src/util/random'

const rows = Number(process.argv[2] ?? 100_000)
const pairs = Number(process.argv[3] ?? 5_000_000)
const random = createRandom(20260521)

const generated = generateIncidents({ n: rows, seed: 1, preset: 'province' }).incidents
const { incidents } = parseIncidents(generated, { timeZone: 'Asia/Shanghai' })
let t = performance.now()
const table = buildCaseTable(incidents, { timeZone: 'Asia/Shanghai' })
const buildMs = performance.now() - t
// the default layout plus one comparison per MO group of the data (what trainModel's 'auto' picks)
const model = defaultModel({ moGroups: table.moGroupValues })
t = performance.now()
const scorer = createPairScorer(table, model)
const compileMs = performance.now() - t

const a = new Uint32Array(pairs)
const b = new Uint32Array(pairs)
for (let k = 0; k < pairs; k++) {
  a[k] = Math.floor(random() * table.size)
  b[k] = Math.floor(random() * table.size)
}
const outA = new Uint32Array(pairs)
const outB = new Uint32Array(pairs)
const outW = new Float64Array(pairs)

// warm-up, then the best of 5 runs
scoreRange(scorer, a, b, 0, Math.min(pairs, 500_000), Number.NEGATIVE_INFINITY, outA, outB, outW, 0)
const runs: number[] = []
const cpuRuns: number[] = []
for (let run = 0; run < 5; run++) {
  t = performance.now()
  const cpu = process.cpuUsage()
  scoreRange(scorer, a, b, 0, pairs, Number.NEGATIVE_INFINITY, outA, outB, outW, 0)
  const used = process.cpuUsage(cpu)
  runs.push(performance.now() - t)
  cpuRuns.push((used.user + used.system) / 1000)
}
const bestMs = Math.min(...runs)
const bestCpuMs = Math.min(...cpuRuns)
let checksum = 0
for (let k = 0; k < pairs; k++) checksum += outW[k]
const result = {
  rows: table.size,
  pairs,
  comparisons: model.comparisons.length,
  buildCaseTableMs: Math.round(buildMs),
  compileScorerMs: Math.round(compileMs),
  runsMs: runs.map((ms) => Math.round(ms)),
  cpuRunsMs: cpuRuns.map((ms) => Math.round(ms)),
  pairsPerSecond: Math.round(pairs / (bestMs / 1000)),
  pairsPerCpuSecond: Math.round(pairs / (bestCpuMs / 1000)),
  nanosecondsPerPair: Number(((bestMs * 1e6) / pairs).toFixed(1)),
  meanMatchWeight: checksum / pairs,
  loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  node: process.version,
}
console.log(JSON.stringify(result, null, 2))
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(new URL('./results/scoring.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`)
