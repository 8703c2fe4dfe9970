import type { SizeResult } from './pipelineChild'

interface Report {
  name: string
  date: string
  machine: { cores: number; cpu?: string; memoryBytes: number; node: string }
  preset: string
  sizes: SizeResult[]
  baselines: unknown[]
}

interface Baseline {
  n: number
  pairs: number
  candidates: number
  candidatesIdenticalToBruteForce: boolean
  blockingMs: number
  bruteForceCandidatesMs: number
  blockedLinkMs: number
  allPairsLinkMs: number
  speedUp: number
  accuracy: { blocked: { bcubedF1: number }; allPairs: { bcubedF1: number } }
}

const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '–')
const f = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–')
const count = (x: number) => x.toLocaleString('en-US')
const gb = (bytes: number) => (bytes / 1024 ** 3).toFixed(2)

/** Growth exponent k in t ∝ n^k between two sizes. */
export function exponent(n1: number, v1: number, n2: number, v2: number): number {
  return Math.log(v2 / v1) / Math.log(n2 / n1)
}

/**
 * The suite's markdown tables: the scale curve with per-stage times and accuracy, the growth
 * exponents, the clustering core per size, and the brute-force baselines.
 */
export function formatTables(report: Report): string {
  const lines: string[] = []
  lines.push(
    `### ${report.name}: ${report.preset} preset, ${report.machine.cores} cores, Node ${report.machine.node}, ${report.date.slice(0, 10)}`,
    '',
    '| incidents | total s | parse | table | candidates | priors | scoring | graph | clustering | summaries | candidate pairs | edges | series | peak RSS GB | B³ F1 | pairwise F1 | series rebuilt | B³ F1 trained | pairwise F1 trained | rebuilt trained | train s | calibration error (p ≥ 0.5) default / trained |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  )
  const calibrationCell = (r: (typeof report.sizes)[number]): string =>
    r.calibration === undefined || Number.isNaN(r.calibration.defaultModel)
      ? '–'
      : `${f(r.calibration.defaultModel)} / ${f(r.calibration.trained)}`
  for (const r of report.sizes) {
    const st = r.pipeline.stages
    lines.push(
      `| ${count(r.n)} | ${s(r.pipeline.totalMs)} | ${s(st.parse.ms)} | ${s(st.table.ms)} | ${s(st.candidates.ms)} | ${s(st.priors?.ms ?? Number.NaN)} | ${s(st.scoring.ms)} | ${s(st.graph.ms)} | ${s(st.clustering.ms)} | ${s(st.summaries.ms)} | ${count(r.counts.candidates)} | ${count(r.counts.edges)} | ${count(r.counts.series)} | ${gb(r.peakRssBytes)} | ${f(r.accuracy.bcubedF1)} | ${f(r.accuracy.pairwiseF1)} | ${f(r.accuracy.seriesRebuilt)} | ${f(r.trained.accuracy.bcubedF1)} | ${f(r.trained.accuracy.pairwiseF1)} | ${f(r.trained.accuracy.seriesRebuilt)} | ${s(r.trained.trainMs)} | ${calibrationCell(r)} |`,
    )
  }
  const small = report.sizes.find((r) => r.n === 100_000)
  const large = report.sizes.find((r) => r.n === 1_000_000)
  if (small !== undefined && large !== undefined) {
    lines.push(
      '',
      `Growth from 100k to 1M: time ∝ n^${f(exponent(small.n, small.pipeline.totalMs, large.n, large.pipeline.totalMs), 2)}, peak memory ∝ n^${f(exponent(small.n, small.peakRssBytes, large.n, large.peakRssBytes), 2)}.`,
    )
  }
  lines.push(
    '',
    'Times are seconds; sizes ≤ 100k show the run with the median total of `runs` runs. Accuracy is against the generator\'s offender labels, with `defaultModel()` and, under "trained", with `trainModel` on another generated set of the same size (next seed: last year\'s solved cases of the same province; "train s" includes generating and parsing it) and linked with the defaults (series links on). Peak RSS is read when the default-model run ends (parse and link). Calibration error: expected calibration error of the pair probabilities over the candidate pairs at p ≥ 0.5 (by tenths of p; 0 = pairs at probability p are linked a share p of the time), measured up to 100k.',
  )
  for (const r of report.sizes) {
    if (r.core.length === 0) continue
    lines.push(
      '',
      `#### Clustering core on the ${count(r.n)}-incident graph (${count(r.counts.edges)} edges)`,
      '',
      '| method | s | communities | CPM quality | modularity | adjusted Rand | B³ F1 | pairwise F1 | note |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    )
    for (const c of r.core) {
      lines.push(
        `| ${c.method} | ${s(c.ms)} | ${count(c.communities)} | ${c.cpmQuality === null ? '–' : f(c.cpmQuality, 4)} | ${f(c.modularity, 4)} | ${f(c.accuracy.adjustedRand)} | ${f(c.accuracy.bcubedF1)} | ${f(c.accuracy.pairwiseF1)} | ${c.note ?? ''} |`,
      )
    }
  }
  const baselines = report.baselines as Baseline[]
  if (baselines.length > 0) {
    lines.push(
      '',
      '#### Blocking against brute force',
      '',
      '| incidents | all pairs | candidate pairs | identical to brute force | blocking s | brute-force candidates s | link (blocked) s | link (all pairs) s | speed-up | B³ F1 blocked | B³ F1 all pairs |',
      '|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    )
    for (const b of baselines) {
      lines.push(
        `| ${count(b.n)} | ${count(b.pairs)} | ${count(b.candidates)} | ${b.candidatesIdenticalToBruteForce ? 'yes' : 'NO'} | ${s(b.blockingMs)} | ${s(b.bruteForceCandidatesMs)} | ${s(b.blockedLinkMs)} | ${s(b.allPairsLinkMs)} | ${f(b.speedUp, 0)}× | ${f(b.accuracy.blocked.bcubedF1)} | ${f(b.accuracy.allPairs.bcubedF1)} |`,
      )
    }
  }
  return lines.join('\n')
}
