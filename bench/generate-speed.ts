/**
 * Generator and evaluation speed, and the streaming writer's memory.
 *
 *   npx tsx bench/generate-speed.ts [n=1000000] [streamN=2500000] [seed=1]
 *
 * 1. generateIncidents({ n }) in memory: wall and CPU time, heap after.
 * 2. JSON.stringify of every record (what the NDJSON writer does) on the same records.
 * 3. evaluatePartition on the n records: a perfect partition and one with 20% of assignments scrambled.
 * 4. writeIncidentsNdjson of streamN records to a temporary file, in a child process, reporting its
 *    peak RSS (process.resourceUsage().maxRSS), then the file is deleted.
 * Writes bench/results/generate-speed.json.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { evaluatePartition } from '../src/evaluation/evaluatePartition'
import { generateIncidents } from '../src/generate/generateIncidents'
import { writeIncidentsNdjson } from '../src/generate/writeIncidents'

const mode = process.argv[2]

function cpuMs(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start)
  return Math.round((u.user + u.system) / 1000)
}

if (mode === 'stream') {
  const n = Number(process.argv[3])
  const path = process.argv[4]
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const result = await writeIncidentsNdjson(path, { n, seed: Number(process.argv[5] ?? 1) })
  const out = {
    n,
    wallMs: Math.round(performance.now() - t0),
    cpuMs: cpuMs(c0),
    bytes: result.bytes,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }
  process.stdout.write(JSON.stringify(out))
} else {
  const n = Number(process.argv[2] ?? 1_000_000)
  const streamN = Number(process.argv[3] ?? 2_500_000)
  const seed = Number(process.argv[4] ?? 1)
  const results: Record<string, unknown> = { n, streamN, seed, node: process.version }
  // Wall times depend on the machine's load (the benchmark machine is shared); CPU times less so.
  results.loadAverageAtStart = loadavg().map((x) => Math.round(x * 10) / 10)

  let t0 = performance.now()
  let c0 = process.cpuUsage()
  const { incidents } = generateIncidents({ n, seed })
  results.generate = {
    wallMs: Math.round(performance.now() - t0),
    cpuMs: cpuMs(c0),
    heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e6),
  }
  console.log('generateIncidents', results.generate)

  t0 = performance.now()
  c0 = process.cpuUsage()
  let bytes = 0
  for (const r of incidents) bytes += JSON.stringify(r).length + 1
  results.stringify = { wallMs: Math.round(performance.now() - t0), cpuMs: cpuMs(c0), chars: bytes }
  console.log('JSON.stringify all', results.stringify)

  const perfect: Record<string, string | null> = {}
  for (const r of incidents) perfect[r.id] = r.series[0]
  t0 = performance.now()
  c0 = process.cpuUsage()
  const m1 = evaluatePartition(perfect, incidents)
  const perfectMs = Math.round(performance.now() - t0)
  const perfectCpuMs = cpuMs(c0)
  const noisy = new Map<string, string | null>()
  let k = 0
  for (const r of incidents) noisy.set(r.id, k++ % 5 === 0 ? `X${k % 1000}` : r.series[0])
  t0 = performance.now()
  c0 = process.cpuUsage()
  const m2 = evaluatePartition(noisy, incidents)
  results.evaluatePartition = {
    perfectWallMs: perfectMs,
    perfectCpuMs,
    noisyWallMs: Math.round(performance.now() - t0),
    noisyCpuMs: cpuMs(c0),
    // perfect on the first label: co-offended series joined by a second label are split, so not exactly 1
    perfectFirstLabelB3F1: Math.round(m1.bcubed.f1 * 1e4) / 1e4,
    noisyB3F1: Math.round(m2.bcubed.f1 * 1e4) / 1e4,
    noisyAri: Math.round(m2.adjustedRand * 1e4) / 1e4,
  }
  console.log('evaluatePartition', results.evaluatePartition)

  if (streamN > 0) {
    const dir = join(tmpdir(), `caselink-stream-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    const path = join(dir, 'stream.ndjson')
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), 'stream', String(streamN), path, String(seed)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    )
    if (child.status !== 0) throw new Error(`caselink bench: stream child failed: ${child.stderr}`)
    const stream = JSON.parse(child.stdout)
    stream.fileMB = Math.round(statSync(path).size / 1e6)
    rmSync(dir, { recursive: true, force: true })
    results.streamNdjson = stream
    console.log('writeIncidentsNdjson (child process)', stream)
  }
  mkdirSync('bench/results', { recursive: true })
  writeFileSync('bench/results/generate-speed.json', `${JSON.stringify(results, null, 2)}\n`)
}
