/**
 * Candidate generation (blocking) and parallel scoring at scale.
 *
 *   nice npx tsx bench/blocking.ts [provinceN=1000000] [travellingN=300000] [bruteN=20000]
 *
 * 1. `province` (default 1,000,000 incidents), default blocking options and default model: the table
 *    is built once by a child process and cached in bench/data/; a second child process loads it, runs
 *    analyzeBlocking, generateCandidates and scorePairsParallel (all cores), and reports times, pairs
 *    per second and its peak RSS (so the peak covers the table, candidates and scoring, not the
 *    generator's records). Also scores a slice single-threaded for the parallel speed-up.
 * 2. `travelling` (default 300,000): recall of the long-range rules, the share of true linked pairs
 *    beyond the space-time horizon that shared evidence or rare MO bring in, their cost and precision.
 * 3. brute force (all n(n−1)/2 pairs through the same rule predicate) vs blocking at 20,000
 *    `province` incidents: identical output, speed-up.
 *
 * Writes bench/results/blocking.json.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { deserialize, serialize } from 'node:v8'
import { Worker } from 'node:worker_threads'
import { analyzeBlocking } from '../src/blocking/analyzeBlocking'
import {
  BLOCKING_DEFAULTS,
  RULE_EVIDENCE,
  RULE_RARE_MO,
  resolveBlockingOptions,
} from '../src/blocking/blockingOptions'
import {
  type GenerateCandidatesOptions,
  generateCandidates,
  generateCandidatesBruteForce,
} from '../src/blocking/generateCandidates'
import { compileHorizon, horizonRule, pairRule } from '../src/blocking/horizon'
import { generateIncidentChunks } from '../src/generate/generateIncidents'
import type { GeneratorPresetName } from '../src/generate/region'
import { defaultModel } from '../src/model/defaultModel'
import type { Incident } from '../src/schema/incident'
import { parseIncidents } from '../src/schema/parseIncidents'
import { scorePairsParallel } from '../src/score/parallelScorePairs'
import { scorePairs } from '../src/score/scorePairs'
import { buildCaseTable } from '../src/table/buildCaseTable'
import type { CaseTable } from '../src/table/CaseTable'

const SEED = 1
const TIME_ZONE = 'Asia/Shanghai'
const MIN_PROBABILITY = 0.5
const SCRIPT = new URL(import.meta.url).pathname

function tablePath(preset: GeneratorPresetName, n: number): string {
  return new URL(`./data/blocking-${preset}-${n}-seed${SEED}.table`, import.meta.url).pathname
}

function buildTable(preset: GeneratorPresetName, n: number): CaseTable {
  const incidents: Incident[] = []
  for (const chunk of generateIncidentChunks({ n, seed: SEED, preset }, 50_000)) {
    for (const incident of parseIncidents(chunk, { timeZone: TIME_ZONE }).incidents) incidents.push(incident)
  }
  return buildCaseTable(incidents, { timeZone: TIME_ZONE })
}

/** The table from the cache, built by a child process when missing (keeps generator memory out). */
function cachedTable(preset: GeneratorPresetName, n: number): { table: CaseTable; buildMs: number | null } {
  const path = tablePath(preset, n)
  let buildMs: number | null = null
  if (!existsSync(path)) {
    const started = performance.now()
    const child = spawnSync(
      process.execPath,
      ['--max-old-space-size=12000', '--import', 'tsx', SCRIPT, '--build-table', preset, String(n)],
      { stdio: 'inherit' },
    )
    if (child.status !== 0) throw new Error(`table build failed for ${preset} ${n}`)
    buildMs = Math.round(performance.now() - started)
  }
  return { table: deserialize(readFileSync(path)) as CaseTable, buildMs }
}

const mb = (bytes: number) => Math.round(bytes / 1e6)
/** CPU time of the process (all threads), ms: on a shared machine, wall time overstates the work. */
const cpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1000)

/** Child: load the table, generate candidates, score in parallel; report times and peak RSS. */
async function measureProvince(n: number): Promise<Record<string, unknown>> {
  const path = tablePath('province', n)
  let t = performance.now()
  const table = deserialize(readFileSync(path)) as CaseTable
  const loadMs = performance.now() - t
  const rssAfterLoad = mb(process.memoryUsage().rss)
  t = performance.now()
  const analysis = analyzeBlocking(table, { topBlocks: 3 })
  const analyzeMs = performance.now() - t
  t = performance.now()
  let c = cpuMs()
  const candidates = generateCandidates(table)
  const generateMs = performance.now() - t
  const generateCpuMs = cpuMs() - c
  const rssAfterCandidates = mb(process.memoryUsage().rss)
  const model = defaultModel()
  t = performance.now()
  c = cpuMs()
  const scored = await scorePairsParallel(table, candidates, model, { minProbability: MIN_PROBABILITY })
  const scoreMs = performance.now() - t
  const scoreCpuMs = cpuMs() - c
  const peakAfterScoring = peakRssMb()
  // parallel speed-up on a slice: the same pairs on one thread and on all workers
  const slice = Math.min(candidates.count, 4_000_000)
  const sliceCandidates = {
    count: slice,
    a: candidates.a.subarray(0, slice),
    b: candidates.b.subarray(0, slice),
  }
  t = performance.now()
  c = cpuMs()
  const single = scorePairs(table, sliceCandidates, model, { minProbability: MIN_PROBABILITY })
  const singleMs = performance.now() - t
  const singleCpuMs = cpuMs() - c
  t = performance.now()
  c = cpuMs()
  const parallel = await scorePairsParallel(table, sliceCandidates, model, {
    minProbability: MIN_PROBABILITY,
  })
  const parallelMs = performance.now() - t
  const parallelCpuMs = cpuMs() - c
  let identical = single.count === parallel.count
  for (let k = 0; identical && k < single.count; k++) {
    identical =
      single.a[k] === parallel.a[k] &&
      single.b[k] === parallel.b[k] &&
      Object.is(single.matchWeight[k], parallel.matchWeight[k])
  }
  return {
    rows: n,
    options: 'defaults',
    loadTableMs: Math.round(loadMs),
    analyzeBlocking: {
      ms: Math.round(analyzeMs),
      pairs: analysis.pairs,
      byRule: analysis.byRule,
      reductionFactor: Math.round(analysis.reductionFactor),
      hotBlocks: analysis.hotBlocks,
      cappedValues: analysis.capped.length,
      cappedTop: analysis.capped.slice(0, 3),
    },
    candidates: candidates.count,
    byRule: candidates.byRule,
    generateCandidatesMs: Math.round(generateMs),
    generateCandidatesCpuMs: Math.round(generateCpuMs),
    scoring: {
      workers: scored.threads,
      minProbability: MIN_PROBABILITY,
      kept: scored.count,
      ms: Math.round(scoreMs),
      pairsPerSecond: Math.round(candidates.count / (scoreMs / 1000)),
      cpuMsAllThreads: Math.round(scoreCpuMs),
      pairsPerCpuSecond: Math.round(candidates.count / (scoreCpuMs / 1000)),
    },
    generatePlusScoreMs: Math.round(generateMs + scoreMs),
    // what the same work takes on otherwise idle cores: generation is one thread, scoring spreads
    // its CPU time over the workers
    generatePlusScoreIdleEstimateMs: Math.round(generateCpuMs + scoreCpuMs / Math.max(1, scored.threads)),
    memory: {
      rssAfterLoadMb: rssAfterLoad,
      rssAfterCandidatesMb: rssAfterCandidates,
      peakRssMb: peakAfterScoring,
    },
    parallelSpeedUp: {
      pairs: slice,
      singleThreadMs: Math.round(singleMs),
      parallelMs: Math.round(parallelMs),
      singleThreadCpuMs: Math.round(singleCpuMs),
      parallelCpuMsAllThreads: Math.round(parallelCpuMs),
      workers: parallel.threads,
      speedUp: Number((singleMs / parallelMs).toFixed(2)),
      idleSpeedUpEstimate: Number((singleCpuMs / (parallelCpuMs / Math.max(1, parallel.threads))).toFixed(2)),
      identical,
    },
  }
}

/**
 * How much parallel throughput the machine gives: wall time of a pure CPU loop run in two worker
 * threads at once over the same loop in one (1.0: two independent cores; 2.0: one core's worth).
 */
async function twoThreadSpinRatio(): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads'); let x = 0
    for (let i = 0; i < 2e8; i++) x = (x * 1664525 + 1013904223) | 0
    parentPort.postMessage(x)`
  const run = async (threads: number) => {
    const t = performance.now()
    await Promise.all(
      Array.from(
        { length: threads },
        () =>
          new Promise<void>((resolve) => {
            const worker = new Worker(code, { eval: true })
            worker.on('message', () => {
              void worker.terminate()
              resolve()
            })
          }),
      ),
    )
    return performance.now() - t
  }
  const one = await run(1)
  const two = await run(2)
  return Number((two / one).toFixed(2))
}

/** Recall of the long-range rules: true linked pairs beyond the space-time horizon they bring in. */
function travellingRecall(n: number): Record<string, unknown>[] {
  const { table, buildMs } = cachedTable('travelling', n)
  const truth = truePairs(table)
  return [{}, PAIRS_ONLY].map((options) => longRangeRecall(table, truth, options, buildMs))
}

/** Rare MO without triples (rare values and pairs of values only), with a higher rarity limit. */
const PAIRS_ONLY: GenerateCandidatesOptions = { rareMo: { triples: false, maxDocumentFrequency: 50 } }

function longRangeRecall(
  table: CaseTable,
  truth: { a: Uint32Array; b: Uint32Array },
  options: GenerateCandidatesOptions,
  buildMs: number | null,
): Record<string, unknown> {
  const t = performance.now()
  const c = cpuMs()
  const candidates = generateCandidates(table, options)
  const generateMs = performance.now() - t
  const generateCpuMs = cpuMs() - c
  const h = compileHorizon(table, resolveBlockingOptions(options))
  let within = 0
  let beyond = 0
  const broughtIn = { evidence: 0, rareMo: 0 }
  for (let k = 0; k < truth.a.length; k++) {
    const i = truth.a[k]
    const j = truth.b[k]
    if (horizonRule(h, i, j) >= 0) {
      within++
      continue
    }
    beyond++
    const rule = pairRule(h, i, j)
    if (rule === RULE_EVIDENCE) broughtIn.evidence++
    else if (rule === RULE_RARE_MO) broughtIn.rareMo++
  }
  const longRangePairs = candidates.byRule.evidence + candidates.byRule.rareMo
  return {
    rows: table.size,
    options: Object.keys(options).length === 0 ? 'defaults' : options,
    buildTableMs: buildMs,
    candidates: candidates.count,
    byRule: candidates.byRule,
    generateCandidatesMs: Math.round(generateMs),
    generateCandidatesCpuMs: Math.round(generateCpuMs),
    truePairs: truth.a.length,
    truePairsWithinHorizon: within,
    truePairsBeyondHorizon: beyond,
    broughtInByEvidence: broughtIn.evidence,
    broughtInByRareMo: broughtIn.rareMo,
    longRangeRecall: Number(((broughtIn.evidence + broughtIn.rareMo) / beyond).toFixed(4)),
    longRangePrecision: Number(((broughtIn.evidence + broughtIn.rareMo) / longRangePairs).toFixed(4)),
    pairRecallAllRules: Number(
      ((within + broughtIn.evidence + broughtIn.rareMo) / truth.a.length).toFixed(4),
    ),
  }
}

/**
 * Recall of true linked pairs at 1M province rows for the defaults and alternatives of similar cost:
 * pairs (exact count), share of true pairs produced, and share of true pairs whose incidents end up
 * connected through produced true pairs (what clustering can recover by transitivity).
 */
function provinceRecall(n: number): Record<string, unknown>[] {
  const { table } = cachedTable('province', n)
  const truth = truePairs(table)
  const configs: GenerateCandidatesOptions[] = [
    {},
    { categoryGroups: 'none', maxDistanceMeters: 1000, maxGapDays: 7 },
    { categoryGroups: 'parent', maxDistanceMeters: 1000, maxGapDays: 14 },
    { categoryGroups: 'category', maxDistanceMeters: 2000, maxGapDays: 14 },
    { categoryGroups: 'category', maxDistanceMeters: 2000, maxGapDays: 21 },
    PAIRS_ONLY,
  ]
  const parent = new Int32Array(table.size)
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]]
      x = parent[x]
    }
    return x
  }
  return configs.map((options) => {
    const analysis = analyzeBlocking(table, { ...options, topBlocks: 0 })
    const h = compileHorizon(table, resolveBlockingOptions(options))
    for (let i = 0; i < table.size; i++) parent[i] = i
    let produced = 0
    for (let k = 0; k < truth.a.length; k++) {
      if (pairRule(h, truth.a[k], truth.b[k]) < 0) continue
      produced++
      parent[find(truth.a[k])] = find(truth.b[k])
    }
    let connected = 0
    for (let k = 0; k < truth.a.length; k++) if (find(truth.a[k]) === find(truth.b[k])) connected++
    return {
      options: Object.keys(options).length === 0 ? 'defaults' : options,
      pairs: analysis.pairs,
      truePairs: truth.a.length,
      pairRecall: Number((produced / truth.a.length).toFixed(4)),
      connectedRecall: Number((connected / truth.a.length).toFixed(4)),
    }
  })
}

/** Unique true linked row pairs (rows sharing a series label), a < b. */
function truePairs(table: CaseTable): { a: Uint32Array; b: Uint32Array } {
  const labels = table.seriesValues.length
  const start = new Uint32Array(labels + 1)
  for (let k = 0; k < table.seriesIds.length; k++) start[table.seriesIds[k] + 1]++
  for (let s = 0; s < labels; s++) start[s + 1] += start[s]
  const rows = new Uint32Array(table.seriesIds.length)
  const fill = start.slice(0, labels)
  for (let i = 0; i < table.size; i++) {
    for (let k = table.seriesStart[i]; k < table.seriesStart[i + 1]; k++) rows[fill[table.seriesIds[k]]++] = i
  }
  const seen = new Set<number>()
  const a: number[] = []
  const b: number[] = []
  for (let s = 0; s < labels; s++) {
    for (let p = start[s]; p < start[s + 1]; p++) {
      for (let q = p + 1; q < start[s + 1]; q++) {
        const i = Math.min(rows[p], rows[q])
        const j = Math.max(rows[p], rows[q])
        const key = i * table.size + j
        if (seen.has(key)) continue
        seen.add(key)
        a.push(i)
        b.push(j)
      }
    }
  }
  return { a: Uint32Array.from(a), b: Uint32Array.from(b) }
}

/** Brute force (every pair through the rule predicate) vs the grid, default options. */
function bruteForce(n: number): Record<string, unknown> {
  const table = buildTable('province', n)
  let t = performance.now()
  const blocked = generateCandidates(table)
  const blockedMs = performance.now() - t
  t = performance.now()
  const brute = generateCandidatesBruteForce(table)
  const bruteMs = performance.now() - t
  let identical = blocked.count === brute.count
  for (let k = 0; identical && k < brute.count; k++) {
    identical =
      blocked.a[k] === brute.a[k] && blocked.b[k] === brute.b[k] && blocked.rule[k] === brute.rule[k]
  }
  return {
    rows: n,
    allPairs: (n * (n - 1)) / 2,
    candidates: blocked.count,
    byRule: blocked.byRule,
    blockingMs: Math.round(blockedMs),
    bruteForceMs: Math.round(bruteMs),
    speedUp: Math.round(bruteMs / blockedMs),
    identical,
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  if (args[0] === '--build-table') {
    const preset = args[1] as GeneratorPresetName
    const n = Number(args[2])
    const table = buildTable(preset, n)
    mkdirSync(new URL('./data/', import.meta.url), { recursive: true })
    writeFileSync(tablePath(preset, n), serialize(table))
    return
  }
  if (args[0] === '--measure') {
    // measured alone (table cached), e.g. when the machine is quieter:
    //   nice node --max-old-space-size=8000 --import tsx bench/blocking.ts --measure 1000000
    process.stdout.write(`${JSON.stringify(await measureProvince(Number(args[1])))}\n`)
    return
  }
  const provinceN = Number(args[0] ?? 1_000_000)
  const travellingN = Number(args[1] ?? 300_000)
  const bruteN = Number(args[2] ?? 20_000)
  const started = new Date().toISOString()
  const load = loadavg()
  const spinRatio = await twoThreadSpinRatio()

  cachedTable('province', provinceN)
  const child = spawnSync(
    process.execPath,
    ['--max-old-space-size=8000', '--import', 'tsx', SCRIPT, '--measure', String(provinceN)],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  if (child.status !== 0) throw new Error('province measurement failed')
  const province = JSON.parse(child.stdout)
  console.log('province', JSON.stringify(province))
  const recall = provinceRecall(provinceN)
  console.log('recall', JSON.stringify(recall))
  const travelling = travellingRecall(travellingN)
  console.log('travelling', JSON.stringify(travelling))
  const brute = bruteForce(bruteN)
  console.log('bruteForce', JSON.stringify(brute))

  const result = {
    started,
    machine: {
      cores: availableParallelism(),
      loadAverageAtStart: load.map((v) => Number(v.toFixed(2))),
      // wall(2 threads) / wall(1 thread) of a pure CPU loop: ~2 means the cores give one core's throughput
      twoThreadSpinWallRatio: spinRatio,
    },
    node: process.version,
    defaults: BLOCKING_DEFAULTS,
    province,
    provinceRecall: recall,
    travelling,
    bruteForce: brute,
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  writeFileSync(new URL('./results/blocking.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`)
}

await main()
