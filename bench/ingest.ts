/**
 * Ingestion benchmark (issue 2): read and validate N NDJSON records (default 1,000,000) with
 * loadIncidents, in a fresh process so peak RSS is the reader's own.
 *
 *   npx tsx bench/ingest.ts [--n 1000000] [--keep]
 *
 * Runs the read twice: with the CLI's young-generation size (`--max-semi-space-size`, see
 * src/cli/relaunch.ts; the reported figures) and with Node's default (`defaultNodeFlags`).
 * Writes bench/results/ingest.json. Targets: 1M records in ≤ 10 s, ≤ 1.5 GB peak RSS.
 */
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { CLI_SEMI_SPACE_MB } from '../src/cli/relaunch'
import { createRandom } from '../src/util/random'

const args = process.argv.slice(2)
const n = Number(args[args.indexOf('--n') + 1] ?? 0) || 1_000_000

if (args[0] === '--child') {
  const { loadIncidents } = await import('../src/io/readIncidents')
  const file = args[1]
  const started = performance.now()
  const result = await loadIncidents(file, { timeZone: 'Asia/Shanghai' })
  const seconds = (performance.now() - started) / 1000
  const peakRssBytes = process.resourceUsage().maxRSS * 1024
  process.stdout.write(JSON.stringify({ seconds, peakRssBytes, counts: result.counts }))
  process.exit(0)
}

/** Writes realistic records (the canonical format, Chinese narratives) without holding them. */
async function writeFixture(path: string, count: number): Promise<void> {
  const random = createRandom(7)
  const out = createWriteStream(path)
  const categories = ['burglary.residential', 'burglary.shop', 'theft.ebike', 'theft.parcel', 'fraud.telecom']
  const mos = [
    'entry:pry-door',
    'entry:window',
    'time:night',
    'target:cash',
    'target:elderly',
    'tool:screwdriver',
  ]
  const start = Date.UTC(2024, 0, 1)
  let buffer = ''
  for (let i = 0; i < count; i++) {
    const from = start + Math.floor(random() * 365 * 86_400_000)
    const windowed = random() < 0.6
    const record: Record<string, unknown> = {
      id: `320${String(i).padStart(9, '0')}`,
      timeFrom: new Date(from).toISOString().replace('Z', '+00:00'),
    }
    if (windowed)
      record.timeTo = new Date(from + Math.floor(random() * 12) * 3_600_000)
        .toISOString()
        .replace('Z', '+00:00')
    if (random() > 0.02) {
      record.lat = Number((31.5 + random()).toFixed(5))
      record.lon = Number((118.8 + random() * 1.5).toFixed(5))
    }
    record.category = categories[Math.floor(random() * categories.length)]
    record.mo = [mos[Math.floor(random() * mos.length)], mos[Math.floor(random() * mos.length)]]
    record.evidence = random() < 0.05 ? [`fingerprint:FP-${Math.floor(random() * 1e6)}`] : []
    record.narrative = '事主将电动车停放于小区楼下，次日发现被盗，现场监控未拍到。'
    if (random() < 0.4) record.series = `O${Math.floor(random() * count * 0.3)}`
    record.county = '某县'
    buffer += `${JSON.stringify(record)}\n`
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain')
      buffer = ''
    }
  }
  out.end(buffer)
  await once(out, 'finish')
}

mkdirSync('bench/data', { recursive: true })
const file = `bench/data/ingest-${n}.ndjson`
if (!existsSync(file)) await writeFixture(file, n)
/** One read in a fresh process, with extra Node flags. */
function measure(flags: string[]) {
  const child = spawnSync(
    process.execPath,
    [...flags, '--import', 'tsx', 'bench/ingest.ts', '--child', file],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  )
  if (child.status !== 0) {
    process.stderr.write(child.stderr)
    process.exit(1)
  }
  return JSON.parse(child.stdout) as { seconds: number; peakRssBytes: number; counts: Record<string, number> }
}
// As the CLI runs (its young-generation size, src/cli/relaunch.ts), then with Node's defaults (what a
// library caller gets without the flag), one after the other so the ratio is measured under one load.
const measured = measure([`--max-semi-space-size=${CLI_SEMI_SPACE_MB}`])
const defaultNode = measure([])
const result = {
  name: 'ingest',
  date: new Date().toISOString(),
  machine: { cores: cpus().length, node: process.version },
  records: n,
  fileBytes: statSync(file).size,
  ...measured,
  recordsPerSecond: Math.round(n / measured.seconds),
  nodeFlags: [`--max-semi-space-size=${CLI_SEMI_SPACE_MB}`],
  defaultNodeFlags: { seconds: defaultNode.seconds, peakRssBytes: defaultNode.peakRssBytes },
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  targets: { seconds: 10, peakRssBytes: 1.5 * 1024 ** 3 },
}
writeFileSync('bench/results/ingest.json', `${JSON.stringify(result, null, 2)}\n`)
console.log(
  `ingest: ${n} NDJSON records (${(result.fileBytes / 1e6).toFixed(0)} MB) read and validated in ${measured.seconds.toFixed(2)} s ` +
    `(${result.recordsPerSecond.toLocaleString('en-US')}/s), peak RSS ${(measured.peakRssBytes / 1024 ** 3).toFixed(2)} GB; ` +
    `${measured.counts.valid} valid, ${measured.counts.rejected} rejected; with Node's default young generation ` +
    `${defaultNode.seconds.toFixed(2)} s, ${(defaultNode.peakRssBytes / 1024 ** 3).toFixed(2)} GB`,
)
