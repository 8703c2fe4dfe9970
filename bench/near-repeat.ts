/**
 * Speed of the near-repeat (Knox) test (`nearRepeat`): a year of one city's burglaries (Chicago 2016,
 * ../shared/data, 14,278 located; the R package NearRepeat took 902 s for 99 permutations on 12,947 of
 * them on 2 cores) with 999 permutations, and generated province incidents at 1M with 99 permutations;
 * the defaults otherwise (100 m × 5 and 7 days × 4 bands, right-closed, Manhattan, calendar dates).
 * Only `nearRepeat` is timed (the incidents are parsed before). Targets: 13k × 999 ≤ 5 s, 1M × 99 ≤ 60 s.
 *
 *   node --max-old-space-size=12000 --import tsx bench/near-repeat.ts [--chicago ../shared/data/chicago-2016.ndjson.gz]
 *     [--sizes 1000000] [--permutations 99]
 *
 * Writes bench/results/near-repeat.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { generateIncidents } from '../src/generate/generateIncidents'
import { type NearRepeatResult, nearRepeat } from '../src/nearRepeat/nearRepeat'
import type { Incident } from '../src/schema/incident'
import { parseIncidents } from '../src/schema/parseIncidents'
import { readChicago } from './chicago'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? args[at + 1] : fallback
}
const chicagoPath = flag('chicago', '../shared/data/chicago-2016.ndjson.gz')
const sizes = flag('sizes', '1000000').split(',').filter(Boolean).map(Number)
const generatedPermutations = Number(flag('permutations', '99'))

interface Run {
  data: string
  incidents: number
  permutations: number
  seconds: number
  peakRssBytes: number
  headline: NearRepeatResult['headline']
  observedNearPairs: number
}

const runs: Run[] = []
function measure(
  data: string,
  incidents: Incident[],
  timeZone: string,
  permutations: number,
  category?: string,
) {
  const started = performance.now()
  const result = nearRepeat(incidents, { timeZone, permutations, category })
  const seconds = (performance.now() - started) / 1000
  const near = result.observed
    .slice(0, result.options.beyond ? -1 : undefined)
    .reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0)
  const run: Run = {
    data,
    incidents: result.incidents,
    permutations,
    seconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    headline: result.headline,
    observedNearPairs: near,
  }
  runs.push(run)
  const h = result.headline
  console.log(
    `${data}: ${run.incidents.toLocaleString('en')} incidents × ${permutations} permutations in ${seconds.toFixed(2)} s; ${near.toLocaleString('en')} pairs within ${result.options.distanceBreaks.at(-1)} m; ${h.label}: ${h.observed} pairs, ${h.ratio?.toFixed(2)}× chance, p = ${h.p}`,
  )
}

const chicago = await readChicago(chicagoPath)
measure('Chicago 2016 burglary', chicago, 'America/Chicago', 999, 'burglary')
for (const n of sizes) {
  const { incidents: records } = generateIncidents({ n, seed: 1, preset: 'province' })
  const { incidents } = parseIncidents(records, { timeZone: 'Asia/Shanghai' })
  measure(`province ${n.toLocaleString('en')}`, incidents, 'Asia/Shanghai', generatedPermutations)
}
mkdirSync('bench/results', { recursive: true })
writeFileSync(
  'bench/results/near-repeat.json',
  `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, node: process.version, runs }, null, 2)}\n`,
)
console.log('wrote bench/results/near-repeat.json')
