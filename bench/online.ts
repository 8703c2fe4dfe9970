/**
 * Online index benchmark: add throughput, query latency and memory per indexed incident.
 *
 *   npx tsx bench/online.ts [n=200000] [batch=1000]
 *   nice -n 10 node --expose-gc --max-old-space-size=12000 --import tsx bench/online.ts 1000000
 *
 * Generates n + 1000 province incidents (seed 1), indexes the first n in time order (batches of `batch`
 * incidents, the last 2000 one at a time), queries the 1000 held-out incidents (k = 10), saves and loads the
 * index. Wall times and CPU times are both reported: the machine is shared, so CPU time is the fairer
 * measure of the work. Results are merged into bench/results/online.json under the key n.
 */
import { execSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { generateIncidents } from '../src/generate/generateIncidents'
import { createLinkageIndex, loadLinkageIndex } from '../src/online/linkageIndex'
import { parseIncidents } from '../src/schema/parseIncidents'

const n = Number(process.argv[2] ?? 200_000)
const batch = Number(process.argv[3] ?? 1000)
const QUERIES = 1000
const SINGLES = Math.min(2000, Math.floor(n / 10))
const TZ = 'Asia/Shanghai'
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

function memory(): { heapMB: number; externalMB: number; totalMB: number } {
  gc()
  gc()
  const m = process.memoryUsage()
  const heapMB = m.heapUsed / 2 ** 20
  const externalMB = (m.external + m.arrayBuffers) / 2 ** 20
  return { heapMB, externalMB, totalMB: heapMB + m.arrayBuffers / 2 ** 20 }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

const t0 = performance.now()
const generated = generateIncidents({ n: n + QUERIES, seed: 1, preset: 'province' }).incidents
const { incidents: parsed } = parseIncidents(generated, { timeZone: TZ })
generated.length = 0
const all = parsed.sort((p, q) => p.timeFrom - q.timeFrom || (p.id < q.id ? -1 : 1))
// held-out queries: every (n / QUERIES)-th incident, so they span the whole period
const queries = []
const indexed = []
const stride = Math.floor(all.length / QUERIES)
for (let i = 0; i < all.length; i++) {
  if (queries.length < QUERIES && i % stride === stride - 1) queries.push(all[i])
  else indexed.push(all[i])
}
console.log(
  `generated and parsed ${all.length} incidents in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
)

// garbage-collection pauses (main thread), to tell them from the index's own work on a shared machine
let gcMs = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration
}).observe({ entryTypes: ['gc'] })

const before = memory()
const index = createLinkageIndex({ timeZone: TZ })
const loadBefore = loadavg()[0]
let wall = performance.now()
let cpu = cpuMs()
const gcStart = gcMs
let compared = 0
let linked = 0
const bulk = indexed.length - SINGLES
for (let start = 0; start < bulk; start += batch) {
  const r = index.add(indexed.slice(start, Math.min(bulk, start + batch)))
  compared += r.compared
  linked += r.linked
  if ((start / batch) % 100 === 0) {
    console.log(`  ${start + batch} added, ${((performance.now() - wall) / 1000).toFixed(1)} s`)
  }
}
const bulkWallMs = performance.now() - wall
const bulkCpuMs = cpuMs() - cpu
const loadAfter = loadavg()[0]
// gc entries are delivered asynchronously: let them arrive before reading the sum
await new Promise((resolve) => setTimeout(resolve, 50))
const bulkGcMs = gcMs - gcStart
wall = performance.now()
cpu = cpuMs()
const singleWall = new Float64Array(SINGLES)
for (let k = 0; k < SINGLES; k++) {
  const s = performance.now()
  const r = index.add([indexed[bulk + k]])
  singleWall[k] = performance.now() - s
  compared += r.compared
  linked += r.linked
}
const singlesWallMs = performance.now() - wall
const singlesCpuMs = cpuMs() - cpu
singleWall.sort()
const after = memory()
const stats = index.stats()

const latency = new Float64Array(QUERIES)
const latencyCpu = new Float64Array(QUERIES)
let comparedPerQuery = 0
let withSeries = 0
for (let k = 0; k < QUERIES; k++) {
  const c = cpuMs()
  const s = performance.now()
  const result = index.query(queries[k], { k: 10 })
  latency[k] = performance.now() - s
  latencyCpu[k] = cpuMs() - c
  comparedPerQuery += result.compared
  if (result.series.length > 0) withSeries++
}
latency.sort()
latencyCpu.sort()

const path = join(tmpdir(), `caselink-online-bench-${process.pid}.clx`)
wall = performance.now()
await index.save(path)
const saveMs = performance.now() - wall
const fileBytes = statSync(path).size
wall = performance.now()
const loaded = await loadLinkageIndex(path)
const loadMs = performance.now() - wall
rmSync(path)
const same = loaded.size === index.size && loaded.stats().series === stats.series

const result = {
  n: indexed.length,
  batch,
  commit: execSync('git rev-parse --short HEAD').toString().trim(),
  node: process.version,
  loadAverageDuringBulk: [+loadBefore.toFixed(2), +loadAfter.toFixed(2)],
  add: {
    bulkIncidents: bulk,
    bulkWallMs: Math.round(bulkWallMs),
    bulkCpuMs: Math.round(bulkCpuMs),
    bulkPerSecondWall: Math.round((bulk / bulkWallMs) * 1000),
    bulkPerSecondCpu: Math.round((bulk / bulkCpuMs) * 1000),
    bulkGcPauseMs: Math.round(bulkGcMs),
    singleIncidents: SINGLES,
    singlePerSecondWall: Math.round((SINGLES / singlesWallMs) * 1000),
    singlePerSecondCpu: Math.round((SINGLES / singlesCpuMs) * 1000),
    singleP50Ms: +percentile(singleWall, 0.5).toFixed(3),
    singleP99Ms: +percentile(singleWall, 0.99).toFixed(3),
    comparedPairs: compared,
    links: stats.links,
    linkedTotal: linked,
    series: stats.series,
  },
  query: {
    queries: QUERIES,
    k: 10,
    p50Ms: +percentile(latency, 0.5).toFixed(3),
    p99Ms: +percentile(latency, 0.99).toFixed(3),
    maxMs: +latency[QUERIES - 1].toFixed(3),
    cpuP50Ms: +percentile(latencyCpu, 0.5).toFixed(3),
    cpuP99Ms: +percentile(latencyCpu, 0.99).toFixed(3),
    meanCompared: Math.round(comparedPerQuery / QUERIES),
    withSeries,
  },
  memory: {
    heapDeltaMB: +(after.heapMB - before.heapMB).toFixed(1),
    arrayBuffersDeltaMB: +(after.totalMB - after.heapMB - (before.totalMB - before.heapMB)).toFixed(1),
    bytesPerIncident: Math.round(((after.totalMB - before.totalMB) * 2 ** 20) / indexed.length),
    typedArrayBytesPerIncident: Math.round(stats.typedArrayBytes / indexed.length),
    note: 'heap + array buffers after GC, minus before; id strings are shared with the parsed incidents',
  },
  persistence: {
    saveMs: Math.round(saveMs),
    loadMs: Math.round(loadMs),
    fileMB: +(fileBytes / 2 ** 20).toFixed(1),
    same,
  },
}
console.log(JSON.stringify(result, null, 2))
const out = 'bench/results/online.json'
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {}
previous[String(indexed.length)] = result
writeFileSync(out, `${JSON.stringify(previous, null, 2)}\n`)
