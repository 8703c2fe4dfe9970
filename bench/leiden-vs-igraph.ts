/**
 * Compares caselink's Leiden (CPM) with igraph's (Debian python3-igraph) on planted graphs shaped like
 * linkage graphs: series of 1–30 incidents (heavy-tailed sizes), within-series pairs linked with
 * probability P_IN and high link probabilities, plus random noise links with low probabilities, about
 * EDGES_PER_NODE edges per node in total. Both run on the same binary edge list, each in its own process
 * (so peak memory is per process). Reports adjusted Rand to the planted truth, CPM quality (igraph's
 * normalization, computed by the same function for both), time and peak RSS.
 *
 *   npx tsx bench/leiden-vs-igraph.ts [--sizes 10000,100000,1000000] [--resolution 0.2] [--seed 1]
 *                                     [--iterations 2,-1] [--igraph no] [--dir /tmp/x]
 *
 * Each iteration setting runs for both (-1 = until an iteration moves no node; emulated for igraph 0.10,
 * see igraph_leiden.py). Appends to bench/results/leiden-vs-igraph.json when --append is given.
 *
 * Writes bench/results/leiden-vs-igraph.json. Needs /usr/bin/python3 with igraph (apt-get install
 * python3-igraph).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { detectSeries } from '../src/cluster/detectSeries'
import { cpmQuality } from '../src/cluster/quality'
import { type SimilarityGraph, similarityGraphFromEdges } from '../src/graph/similarityGraph'
import { createRandom } from '../src/util/random'

const EDGES_PER_NODE = 6
const P_IN = 0.6
const MAX_SERIES = 30
const SIZE_EXPONENT = 2

interface Planted {
  n: number
  a: Uint32Array
  b: Uint32Array
  w: Float64Array
  truth: Int32Array
  seriesCount: number
}

/** Planted linkage graph; node ids are a random permutation so ids carry no hint of the truth. */
function planted(n: number, seed: number): Planted {
  const random = createRandom(seed)
  // Heavy-tailed sizes: P(s) ∝ s^-SIZE_EXPONENT on 1..MAX_SERIES.
  const cdf = new Float64Array(MAX_SERIES)
  let z = 0
  for (let s = 1; s <= MAX_SERIES; s++) z += s ** -SIZE_EXPONENT
  let acc = 0
  for (let s = 1; s <= MAX_SERIES; s++) {
    acc += s ** -SIZE_EXPONENT / z
    cdf[s - 1] = acc
  }
  const perm = new Uint32Array(n)
  for (let i = 0; i < n; i++) perm[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = perm[i]
    perm[i] = perm[j]
    perm[j] = t
  }
  const truth = new Int32Array(n)
  const capacity = EDGES_PER_NODE * n + 64
  const a = new Uint32Array(capacity)
  const b = new Uint32Array(capacity)
  const w = new Float64Array(capacity)
  let m = 0
  let start = 0
  let series = 0
  while (start < n) {
    const u = random()
    let s = 1
    while (s < MAX_SERIES && cdf[s - 1] < u) s++
    s = Math.min(s, n - start)
    for (let i = start; i < start + s; i++) {
      truth[perm[i]] = series
      for (let j = i + 1; j < start + s; j++) {
        if (random() < P_IN && m < capacity) {
          a[m] = perm[i]
          b[m] = perm[j]
          // Link probability of a true pair: mostly high, 0.3..1.
          const x = random()
          w[m] = 1 - 0.7 * x * x
          m++
        }
      }
    }
    series++
    start += s
  }
  const within = m
  while (m < EDGES_PER_NODE * n) {
    const u = Math.floor(random() * n)
    const v = Math.floor(random() * n)
    if (u === v) continue
    a[m] = u
    b[m] = v
    // Link probability of a false pair: mostly tiny, below 0.3.
    const x = random()
    w[m] = 0.3 * x * x * x * x
    m++
  }
  console.error(`  n=${n}: ${series} series, ${within} within-series edges, ${m - within} noise edges`)
  return { n, a: a.slice(0, m), b: b.slice(0, m), w: w.slice(0, m), truth, seriesCount: series }
}

/** The graph's undirected edges (u < v), in row order. */
function edgeList(graph: SimilarityGraph): { a: Uint32Array; b: Uint32Array; w: Float64Array } {
  const m = graph.edgeCount
  const a = new Uint32Array(m)
  const b = new Uint32Array(m)
  const w = new Float64Array(m)
  let e = 0
  for (let u = 0; u < graph.nodeCount; u++) {
    for (let k = graph.offsets[u]; k < graph.offsets[u + 1]; k++) {
      const v = graph.targets[k]
      if (v <= u) continue
      a[e] = u
      b[e] = v
      w[e] = graph.weights[k]
      e++
    }
  }
  return { a, b, w }
}

function writeEdges(path: string, p: Planted): void {
  const m = p.a.length
  const header = new Uint32Array([p.n, m])
  const buffer = Buffer.concat([
    Buffer.from(header.buffer),
    Buffer.from(p.a.buffer, p.a.byteOffset, 4 * m),
    Buffer.from(p.b.buffer, p.b.byteOffset, 4 * m),
    Buffer.from(p.w.buffer, p.w.byteOffset, 8 * m),
  ])
  writeFileSync(path, buffer)
}

function readEdges(path: string): { n: number; a: Uint32Array; b: Uint32Array; w: Float64Array } {
  const file = readFileSync(path)
  const data = new ArrayBuffer(file.byteLength)
  new Uint8Array(data).set(file)
  const [n, m] = new Uint32Array(data, 0, 2)
  return {
    n,
    a: new Uint32Array(data, 8, m),
    b: new Uint32Array(data, 8 + 4 * m, m),
    w: new Float64Array(data, 8 + 8 * m, m),
  }
}

function readMembership(path: string, n: number): Int32Array {
  const file = readFileSync(path)
  if (file.byteLength !== 4 * n)
    throw new Error(`caselink: ${path} has ${file.byteLength} bytes, want ${4 * n}`)
  const out = new Int32Array(n)
  new Uint8Array(out.buffer).set(file)
  return out
}

/** Adjusted Rand index (Hubert & Arabie 1985) from contingency counts. */
function adjustedRand(x: Int32Array, y: Int32Array): number {
  const n = x.length
  let maxY = 0
  for (let i = 0; i < n; i++) if (y[i] > maxY) maxY = y[i]
  const cells = new Map<number, number>()
  const rows = new Map<number, number>()
  const cols = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const key = x[i] * (maxY + 1) + y[i]
    cells.set(key, (cells.get(key) ?? 0) + 1)
    rows.set(x[i], (rows.get(x[i]) ?? 0) + 1)
    cols.set(y[i], (cols.get(y[i]) ?? 0) + 1)
  }
  const pairs = (k: number) => (k * (k - 1)) / 2
  let index = 0
  for (const c of cells.values()) index += pairs(c)
  let sumRows = 0
  for (const c of rows.values()) sumRows += pairs(c)
  let sumCols = 0
  for (const c of cols.values()) sumCols += pairs(c)
  const expected = (sumRows * sumCols) / pairs(n)
  const max = (sumRows + sumCols) / 2
  return max === expected ? 1 : (index - expected) / (max - expected)
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}

/** Child mode: run caselink on an edge file, write membership, print JSON. */
function runOurs(
  edgesPath: string,
  outPath: string,
  resolution: number,
  seed: number,
  iterations: number,
): void {
  const { n, a, b, w } = readEdges(edgesPath)
  let t = performance.now()
  const graph = similarityGraphFromEdges(n, a, b, w)
  const buildSeconds = (performance.now() - t) / 1000
  t = performance.now()
  const cpu = process.cpuUsage()
  const result = detectSeries(graph, { resolution, seed, maxIterations: iterations })
  const seconds = (performance.now() - t) / 1000
  const used = process.cpuUsage(cpu)
  const cpuSeconds = (used.user + used.system) / 1e6
  writeFileSync(outPath, Buffer.from(result.membership.buffer))
  console.log(
    JSON.stringify({
      seconds,
      cpuSeconds,
      buildSeconds,
      iterations: result.iterations,
      clusters: result.count,
      quality: result.quality,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  )
}

interface RunReport {
  seconds: number
  cpuSeconds: number
  buildSeconds: number
  iterations: number
  clusters: number
  quality: number
  maxRssKb: number
  igraphVersion?: string
}

function main(): void {
  if (process.argv[2] === '--child') {
    runOurs(
      process.argv[3],
      process.argv[4],
      Number(process.argv[5]),
      Number(process.argv[6]),
      Number(process.argv[7]),
    )
    return
  }
  const sizes = arg('sizes', '10000,100000,1000000').split(',').map(Number)
  const resolution = Number(arg('resolution', '0.2'))
  const seed = Number(arg('seed', '1'))
  const iterations = arg('iterations', '2').split(',').map(Number)
  const withIgraph = arg('igraph', 'yes') !== 'no'
  const agreements: { n: number; resolution: number; iterations: number; adjustedRandBetween: number }[] = []
  const dir = arg('dir', join(tmpdir(), `caselink-leiden-${process.pid}`))
  mkdirSync(dir, { recursive: true })
  const rows: Record<string, unknown>[] = []
  for (const n of sizes) {
    const raw = planted(n, seed + n)
    // Both implementations get the same simple graph: duplicates merged (max), as caselink builds it.
    const graph = similarityGraphFromEdges(raw.n, raw.a, raw.b, raw.w)
    const p = { ...raw, ...edgeList(graph) }
    const edgesPath = join(dir, `edges-${n}.bin`)
    writeEdges(edgesPath, p)
    const record = (name: string, report: RunReport, membershipPath: string) => {
      const membership = readMembership(membershipPath, n)
      const row = {
        n,
        edges: graph.edgeCount,
        planted: p.seriesCount,
        implementation: name,
        resolution,
        adjustedRand: adjustedRand(membership, p.truth),
        quality: cpmQuality(graph, membership, resolution),
        clusters: report.clusters,
        iterations: report.iterations,
        seconds: report.seconds,
        cpuSeconds: report.cpuSeconds,
        buildSeconds: report.buildSeconds,
        peakRssMb: report.maxRssKb / 1024,
        ...(report.igraphVersion ? { igraphVersion: report.igraphVersion } : {}),
      }
      rows.push(row)
      console.error(JSON.stringify(row))
      return membership
    }
    // For each iteration setting, ours then igraph, back to back (the machine is shared: neighbouring runs
    // see similar load; CPU seconds are the fairer comparison).
    for (const it of iterations) {
      const oursPath = join(dir, `ours-${n}-${it}.bin`)
      const ours = spawnSync(
        'nice',
        [
          process.execPath,
          '--max-old-space-size=8192',
          '--import',
          'tsx',
          'bench/leiden-vs-igraph.ts',
          '--child',
          edgesPath,
          oursPath,
          String(resolution),
          String(seed),
          String(it),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      )
      if (ours.status !== 0) throw new Error(`caselink: our run failed: ${ours.stderr}`)
      const oursReport = JSON.parse(ours.stdout.trim().split('\n').pop() ?? '') as RunReport
      const oursMembership = record(`caselink maxIterations=${it}`, oursReport, oursPath)
      if (!withIgraph) continue
      const igraphPath = join(dir, `igraph-${n}-${it}.bin`)
      const run = spawnSync(
        'nice',
        [
          '/usr/bin/python3',
          'bench/igraph_leiden.py',
          edgesPath,
          '--resolution',
          String(resolution),
          '--seed',
          String(seed),
          '--iterations',
          String(it),
          '--membership',
          igraphPath,
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      )
      if (run.status !== 0) throw new Error(`caselink: igraph run failed: ${run.stderr}`)
      const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as RunReport
      const igraphMembership = record(`igraph n_iterations=${it}`, report, igraphPath)
      const agreement = adjustedRand(oursMembership, igraphMembership)
      console.error(`  ARI(caselink, igraph) at ${it} iterations = ${agreement.toFixed(4)}`)
      console.error(`  igraph's quality computed in Python = ${report.quality}`)
      agreements.push({ n, resolution, iterations: it, adjustedRandBetween: agreement })
    }
  }
  mkdirSync('bench/results', { recursive: true })
  const out = {
    bench: 'leiden-vs-igraph',
    date: new Date().toISOString(),
    node: process.version,
    generator: {
      edgesPerNode: EDGES_PER_NODE,
      pIn: P_IN,
      maxSeries: MAX_SERIES,
      sizeExponent: SIZE_EXPONENT,
    },
    seed,
    rows,
    agreements,
  }
  const resultsPath = 'bench/results/leiden-vs-igraph.json'
  if (process.argv.includes('--append') && existsSync(resultsPath)) {
    const previous = JSON.parse(readFileSync(resultsPath, 'utf8')) as typeof out
    out.rows = [...previous.rows, ...rows]
    out.agreements = [...previous.agreements, ...agreements]
  }
  writeFileSync(resultsPath, `${JSON.stringify(out, null, 2)}\n`)
  console.log(
    '| n | edges | implementation | ARI to truth | CPM quality | clusters | iterations | seconds | CPU s | peak RSS MB |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const r of out.rows) {
    const f = (x: unknown, d: number) => (x as number).toFixed(d)
    console.log(
      `| ${r.n} | ${r.edges} | ${r.implementation} | ${f(r.adjustedRand, 4)} | ${f(r.quality, 5)} | ${r.clusters} | ${r.iterations} | ${f(r.seconds, 2)} | ${f(r.cpuSeconds, 2)} | ${f(r.peakRssMb, 0)} |`,
    )
  }
}

main()
