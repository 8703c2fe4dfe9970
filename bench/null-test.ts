/**
 * The permutation null test (`nullTest`) on real and generated data: how much of what the linker finds
 * is found again when the times are permuted among the incidents (places, categories, habits and traces
 * kept), with the linker's defaults (the built-in model, priors estimated on the data) and, for
 * comparison, with the model's own priors (`prior: 'model'`, what the linker did before they were
 * estimated).
 *
 *   node --max-old-space-size=12000 --import tsx bench/null-test.ts [--chicago ../shared/data/chicago-2016.ndjson.gz]
 *     [--province 100000] [--seed 3]
 *
 * Chicago: a city's published year (see ../shared/data/README.md), read with --time-zone America/Chicago.
 * Generated: the province preset at the given size and seed (the 100k, seed 3), with its offender
 * labels, so that the links the permuted run keeps can be checked: true habit and trace links survive a
 * time permutation. Writes bench/results/null-test.json.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { evaluatePartition } from '../src/evaluation/evaluatePartition'
import { generateIncidents } from '../src/generate/generateIncidents'
import { linkIncidents } from '../src/link/linkIncidents'
import { nullTest } from '../src/link/nullTest'
import { shareLabel } from '../src/model/fitting'
import type { Incident } from '../src/schema/incident'
import { parseIncidents } from '../src/schema/parseIncidents'
import { readChicago } from './chicago'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? args[at + 1] : fallback
}
const chicagoPath = flag('chicago', '../shared/data/chicago-2016.ndjson.gz')
const provinceN = Number(flag('province', '100000'))
const seed = Number(flag('seed', '3'))

interface Row {
  data: string
  prior: 'estimate' | 'model'
  incidents: number
  seconds: number
  observed: { links: number; series: number; incidentsInSeries: number }
  permuted: { links: number; series: number; incidentsInSeries: number }
  share: { links: number; series: number; incidentsInSeries: number }
  /** Generated data: B³ F1 of the real run, and the share of the permuted run's links that are true. */
  bcubedF1?: number
  permutedLinkPrecision?: number
  priors?: { kind: string; linkedShare: number; pairs: number }[]
}

const rows: Row[] = []
async function measure(data: string, incidents: Incident[], timeZone: string): Promise<void> {
  for (const prior of ['estimate', 'model'] as const) {
    const started = performance.now()
    const result = nullTest(incidents, { timeZone, prior, permutationSeed: 1 })
    const seconds = (performance.now() - started) / 1000
    const row: Row = {
      data,
      prior,
      incidents: incidents.length,
      seconds,
      observed: result.observed,
      permuted: result.permutedRun,
      share: result.share,
    }
    const observedRun = linkIncidents(incidents, { timeZone, prior })
    row.priors = observedRun.priors.map((e) => ({
      kind: e.kind,
      linkedShare: e.linkedShareUsed,
      pairs: e.pairs,
    }))
    if (incidents.some((incident) => incident.series.length > 0)) {
      row.bcubedF1 = evaluatePartition(observedRun.assignments, incidents).bcubed.f1
      const { table, pairs } = result.nullResult
      let truePairs = 0
      for (let k = 0; k < pairs.count; k++) if (shareLabel(table, pairs.a[k], pairs.b[k])) truePairs++
      row.permutedLinkPrecision = pairs.count > 0 ? truePairs / pairs.count : Number.NaN
    }
    rows.push(row)
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`
    console.log(
      `${data} prior=${prior}: real ${row.observed.links} links / ${row.observed.series} series; permuted ${row.permuted.links} / ${row.permuted.series}: share of links ${pct(row.share.links)}, series ${pct(row.share.series)}, incidents in series ${pct(row.share.incidentsInSeries)} (${seconds.toFixed(1)} s)` +
        (row.bcubedF1 === undefined
          ? ''
          : `; B³ F1 ${row.bcubedF1.toFixed(4)}, permuted links true ${pct(row.permutedLinkPrecision ?? Number.NaN)}`),
    )
  }
}

if (existsSync(chicagoPath)) await measure('chicago-2016', await readChicago(chicagoPath), 'America/Chicago')
else console.log(`skipped Chicago: ${chicagoPath} not found`)
if (provinceN > 0) {
  const { incidents } = parseIncidents(
    generateIncidents({ n: provinceN, seed, preset: 'province' }).incidents,
    {
      timeZone: 'Asia/Shanghai',
    },
  )
  await measure(`province-${provinceN}-seed${seed}`, incidents, 'Asia/Shanghai')
}
writeFileSync(
  'bench/results/null-test.json',
  `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: cpus().length, node: process.version }, rows }, null, 2)}\n`,
)
console.log('wrote bench/results/null-test.json')
