import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { build } from 'tsup'
import { describe, expect, it } from 'vitest'
import config from '../../tsup.config'

/**
 * Builds the library and the worker chunk as `npm run build` does (same tsup entries and options,
 * without type declarations) into node_modules/.cache (so dependencies resolve, dist/ untouched), then
 * runs scorePairsParallel from the built ESM and CommonJS bundles in a plain Node process.
 */
async function buildLibrary(outDir: string): Promise<void> {
  const list = (Array.isArray(config) ? config : [config]) as Record<string, unknown>[]
  const wanted = list.filter(
    (c) =>
      typeof c.entry === 'object' && c.entry !== null && ('index' in c.entry || 'parallelWorker' in c.entry),
  )
  expect(wanted).toHaveLength(2)
  for (const entry of wanted)
    await build({ ...entry, outDir, dts: false, clean: false, config: false, silent: true } as never)
}

const SCRIPT = `
const run = async (lib) => {
  const { generateIncidents, parseIncidents, buildCaseTable, generateCandidates, defaultModel, scorePairs, scorePairsParallel } = lib
  const { incidents } = parseIncidents(generateIncidents({ n: 2500, seed: 9, preset: 'city' }).incidents, { timeZone: 'Asia/Shanghai' })
  const table = buildCaseTable(incidents, { timeZone: 'Asia/Shanghai' })
  const candidates = generateCandidates(table, { maxDistanceMeters: 1500, maxGapDays: 14 })
  const model = defaultModel()
  const single = scorePairs(table, candidates, model, { minProbability: 0.1 })
  const parallel = await scorePairsParallel(table, candidates, model, { minProbability: 0.1, workers: 2, minParallelPairs: 0, scoreOnCallingThread: false })
  let identical = parallel.count === single.count
  for (let k = 0; identical && k < single.count; k++) {
    identical = parallel.a[k] === single.a[k] && parallel.b[k] === single.b[k] && Object.is(parallel.matchWeight[k], single.matchWeight[k])
  }
  return { threads: parallel.threads, count: single.count, candidates: candidates.count, identical }
}
`

describe('scorePairsParallel from the built package', () => {
  it('starts the built worker chunk from dist/index.js (ESM, with flags workers reject) and dist/index.cjs (CommonJS)', async () => {
    const outDir = resolve('node_modules/.cache/caselink-parallel-test')
    await buildLibrary(outDir)
    const esm = spawnSync(
      process.execPath,
      [
        '--max-old-space-size=3000',
        '--input-type=module',
        '-e',
        `${SCRIPT}\nconsole.log(JSON.stringify(await run(await import(${JSON.stringify(`${outDir}/index.js`)}))))`,
      ],
      { encoding: 'utf8', cwd: '/' },
    )
    expect(esm.stderr).toBe('')
    const cjs = spawnSync(
      process.execPath,
      [
        '-e',
        `${SCRIPT}\nrun(require(${JSON.stringify(`${outDir}/index.cjs`)})).then((r) => console.log(JSON.stringify(r)))`,
      ],
      { encoding: 'utf8', cwd: '/' },
    )
    expect(cjs.stderr).toBe('')
    for (const output of [esm.stdout, cjs.stdout]) {
      const result = JSON.parse(output)
      expect(result.threads).toBe(2)
      expect(result.identical).toBe(true)
      expect(result.candidates).toBeGreaterThan(10_000)
      expect(result.count).toBeGreaterThan(0)
    }
  })
})
