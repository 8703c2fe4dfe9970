/**
 * The benchmark suite (issue 7): a scale curve of the whole pipeline on generated case sets, the
 * clustering core on its own, and baselines, in one run.
 *
 *   npx tsx bench/run.ts              # 10k, 100k, 1M (median of 3 at ≤ 100k)
 *   npx tsx bench/run.ts --quick      # 10k once, no brute force: a smoke test (CI runs it)
 *   npx tsx bench/run.ts --large      # adds 3M and 10M
 *   npx tsx bench/run.ts --sizes 20000,50000 --reps 1 --name custom
 *
 * Each size runs in its own process, so peak memory (process.resourceUsage().maxRSS) is that size's
 * own. Writes bench/results/<name>.json and prints a markdown table (kept in bench/README.md).
 * Numbers are read, never asserted: the machine is shared and noisy.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { pairwiseBaselines, runPipelineChild, type SizeResult } from './suite/pipelineChild'
import { formatTables } from './suite/report'

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(name)
const value = (name: string) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}

if (value('--child') !== undefined) {
  const n = Number(value('--n'))
  const seed = Number(value('--seed') ?? 1)
  const preset = (value('--preset') ?? 'province') as 'province' | 'city' | 'travelling'
  const child = value('--child')
  const out =
    child === 'baseline'
      ? pairwiseBaselines(n, seed, preset)
      : await runPipelineChild(n, seed, preset, flag('--no-core'))
  process.stdout.write(`\n@@RESULT@@${JSON.stringify(out)}\n`)
  process.exit(0)
}

const quick = flag('--quick')
const sizes = (
  value('--sizes') ??
  (quick ? '10000' : flag('--large') ? '10000,100000,1000000,3000000,10000000' : '10000,100000,1000000')
)
  .split(',')
  .map(Number)
const reps = Number(value('--reps') ?? (quick ? 1 : 3))
const preset = value('--preset') ?? 'province'
const name = value('--name') ?? (quick ? 'quick' : 'suite')
const baselineSizes =
  quick || flag('--no-baselines') ? [] : (value('--baseline-sizes') ?? '10000,20000').split(',').map(Number)

function runChild(args: string[], heapMb: number): unknown {
  const child = spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${heapMb}`,
      '--max-semi-space-size=64',
      '--import',
      'tsx',
      'bench/run.ts',
      ...args,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const marker = child.stdout.lastIndexOf('@@RESULT@@')
  if (child.status !== 0 || marker < 0)
    throw new Error(`bench child failed (${args.join(' ')}): exit ${child.status}`)
  return JSON.parse(child.stdout.slice(marker + '@@RESULT@@'.length))
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const results: SizeResult[] = []
for (const n of sizes) {
  const runs = n <= 100_000 ? reps : 1
  const heapMb = Math.min(20_000, Math.max(2_000, Math.ceil(n / 1_000_000) * 7_000))
  const samples: SizeResult[] = []
  for (let r = 0; r < runs; r++) {
    process.stderr.write(`bench: ${n.toLocaleString('en-US')} incidents, run ${r + 1}/${runs}\n`)
    samples.push(
      runChild(
        [
          '--child',
          'pipeline',
          '--n',
          String(n),
          '--seed',
          '1',
          '--preset',
          preset,
          ...(n > 3_000_000 ? ['--no-core'] : []),
        ],
        heapMb,
      ) as SizeResult,
    )
  }
  // Median of the end-to-end time; the run that has it is reported whole (its stages add up).
  const target = median(samples.map((s) => s.pipeline.totalMs))
  const chosen = samples.find((s) => s.pipeline.totalMs === target)!
  chosen.runs = runs
  chosen.totalMsAllRuns = samples.map((s) => s.pipeline.totalMs)
  results.push(chosen)
}

const baselines = baselineSizes.map((n) => {
  process.stderr.write(`bench: brute force baseline at ${n.toLocaleString('en-US')}\n`)
  return runChild(['--child', 'baseline', '--n', String(n), '--seed', '1', '--preset', preset], 8_000)
})

const report = {
  name,
  date: new Date().toISOString(),
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryBytes: totalmem(),
    node: process.version,
    platform: process.platform,
  },
  preset,
  sizes: results,
  baselines,
}
mkdirSync('bench/results', { recursive: true })
writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(report, null, 2)}\n`)
rmSync('.tmp/bench', { recursive: true, force: true })
const tables = formatTables(report)
process.stdout.write(`${tables}\n`)
process.stderr.write(`bench: wrote bench/results/${name}.json\n`)
