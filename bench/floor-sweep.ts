/**
 * The edge floor and CPM γ, chosen once from measurements across presets and sizes: the built-in model
 * with its priors estimated on each set (the linker's defaults), B³ F1 at each floor and γ.
 *
 *   npx tsx bench/floor-sweep.ts [sets, default sample,province:10000,city:10000,travelling:10000,province:100000,city:100000,travelling:100000]
 *
 * Each set is linked once with the lowest floor; higher floors and other γ re-cluster its kept pairs (as
 * `linkIncidents` would keep and cluster them). Generated sets are seed 1; `sample` is the bundled
 * fixtures/sample.ndjson. Writes bench/results/floor-sweep.json.
 */
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { detectSeries } from '../src/cluster/detectSeries'
import { evaluatePartition } from '../src/evaluation/evaluatePartition'
import { generateIncidents } from '../src/generate/generateIncidents'
import { similarityGraphFromEdges } from '../src/graph/similarityGraph'
import { loadIncidents } from '../src/io/readIncidents'
import { LINK_DEFAULTS, linkIncidents } from '../src/link/linkIncidents'
import { parseIncidents } from '../src/schema/parseIncidents'
import { hashString } from '../src/util/random'

const sets = (
  process.argv[2] ??
  'sample,province:10000,city:10000,travelling:10000,province:100000,city:100000,travelling:100000'
).split(',')
const floors = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
const gammas = [0.005, 0.05, 0.2]
const rows: { set: string; floor: number; gamma: number; bcubedF1: number }[] = []
for (const set of sets) {
  const [name, size] = set.split(':')
  const incidents =
    name === 'sample'
      ? (await loadIncidents('fixtures/sample.ndjson')).incidents
      : parseIncidents(
          generateIncidents({ n: Number(size), seed: 1, preset: name as 'province' }).incidents,
          {
            timeZone: 'Asia/Shanghai',
          },
        ).incidents
  const result = linkIncidents(incidents, { timeZone: 'Asia/Shanghai', minProbability: Math.min(...floors) })
  const nodeKeys = Uint32Array.from(result.table.ids, hashString)
  const line: string[] = []
  for (const floor of floors) {
    const keep: number[] = []
    for (let k = 0; k < result.pairs.count; k++) if (result.pairs.probability[k] >= floor) keep.push(k)
    const graph = similarityGraphFromEdges(
      result.table.size,
      Uint32Array.from(keep, (k) => result.pairs.a[k]),
      Uint32Array.from(keep, (k) => result.pairs.b[k]),
      Float64Array.from(keep, (k) => result.pairs.probability[k]),
    )
    for (const gamma of gammas) {
      const { membership } = detectSeries(graph, {
        method: 'leiden-cpm',
        resolution: gamma,
        seed: 0,
        nodeKeys,
      })
      const bcubedF1 = evaluatePartition(membership, result.incidents).bcubed.f1
      rows.push({ set, floor, gamma, bcubedF1 })
      line.push(`${floor}/${gamma}: ${bcubedF1.toFixed(4)}`)
    }
  }
  console.log(`${set}  ${line.join('  ')}`)
}
writeFileSync(
  'bench/results/floor-sweep.json',
  `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: cpus().length, node: process.version }, defaults: LINK_DEFAULTS, rows }, null, 2)}\n`,
)
console.log('wrote bench/results/floor-sweep.json')
