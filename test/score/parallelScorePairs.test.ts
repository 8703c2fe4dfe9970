import { describe, expect, it } from 'vitest'
import { generateCandidates } from '../../src/blocking/generateCandidates'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { defaultModel } from '../../src/model/defaultModel'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { scorePairsParallel } from '../../src/score/parallelScorePairs'
import { type ScoredPairs, scorePairs } from '../../src/score/scorePairs'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const { incidents } = parseIncidents(generateIncidents({ n: 4000, seed: 5, preset: 'city' }).incidents, {
  timeZone: 'Asia/Shanghai',
})
const table = buildCaseTable(incidents, { timeZone: 'Asia/Shanghai' })
const candidates = generateCandidates(table, { maxDistanceMeters: 1500, maxGapDays: 14 })
const model = defaultModel({ moGroups: ['entry', 'target'] })

/** Index of the first differing element (bytes for weights: bit for bit), or -1. */
function firstDifference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) return Math.min(x.length, y.length)
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return k
  return -1
}

function bytes(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
}

function expectIdentical(actual: ScoredPairs, expected: ScoredPairs): void {
  expect(actual.count).toBe(expected.count)
  expect(firstDifference(actual.a, expected.a)).toBe(-1)
  expect(firstDifference(actual.b, expected.b)).toBe(-1)
  expect(firstDifference(bytes(actual.matchWeight), bytes(expected.matchWeight))).toBe(-1)
  expect(firstDifference(bytes(actual.probability), bytes(expected.probability))).toBe(-1)
}

describe('scorePairsParallel', () => {
  it('gives the same pairs, weights (bit for bit) and order as scorePairs, across 2 threads and many chunks', async () => {
    expect(candidates.count).toBeGreaterThan(20_000)
    expect(candidates.count).toBeLessThan(600_000)
    for (const minProbability of [0, 0.5]) {
      const expected = scorePairs(table, candidates, model, { minProbability })
      const actual = await scorePairsParallel(table, candidates, model, {
        minProbability,
        workers: 2,
        minParallelPairs: 0,
        chunkPairs: 3_001,
        // workers only: the calling thread could otherwise take every chunk before they start
        scoreOnCallingThread: false,
      })
      expectIdentical(actual, expected)
      expect(actual.threads).toBe(2)
      if (minProbability > 0) expect(actual.count).toBeLessThan(candidates.count)
    }
  })

  it('matches scorePairs with a reference table and with a match-weight floor', async () => {
    const reference = buildCaseTable(incidents.slice(0, 1500), { timeZone: 'Asia/Shanghai' })
    const options = { reference, minMatchWeight: 2 }
    const expected = scorePairs(table, candidates, model, options)
    const actual = await scorePairsParallel(table, candidates, model, {
      ...options,
      workers: 3,
      minParallelPairs: 0,
      chunkPairs: 10_000,
    })
    // with the calling thread taking part (2 workers + caller)
    expectIdentical(actual, expected)
    expect(actual.threads).toBe(3)
  })

  it('spreads chunks over the calling thread and workers: same result whoever scores which chunk', async () => {
    const expected = scorePairs(table, candidates, model, { minProbability: 0.2 })
    const actual = await scorePairsParallel(table, candidates, model, {
      minProbability: 0.2,
      workers: 2,
      minParallelPairs: 0,
      chunkPairs: 777,
    })
    expectIdentical(actual, expected)
    expect(actual.threads).toBe(2)
  })

  it('scores on the calling thread below minParallelPairs or with one worker (same result)', async () => {
    const expected = scorePairs(table, candidates, model)
    const single = await scorePairsParallel(table, candidates, model, { workers: 1 })
    expectIdentical(single, expected)
    expect(single.threads).toBe(1)
    const few = await scorePairsParallel(table, candidates, model, { minParallelPairs: 1e9 })
    expectIdentical(few, expected)
    expect(few.threads).toBe(1)
  })

  it('rejects rows outside the table and bad worker counts with caselink errors', async () => {
    const bad = { count: 1, a: Uint32Array.of(0), b: Uint32Array.of(table.size) }
    await expect(scorePairsParallel(table, bad, model, { minParallelPairs: 0, workers: 2 })).rejects.toThrow(
      /^caselink: candidate pair 0 refers to a row outside/,
    )
    await expect(scorePairsParallel(table, candidates, model, { workers: 0 })).rejects.toThrow(
      /^caselink: workers/,
    )
  })
})
