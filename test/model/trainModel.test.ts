import { describe, expect, it } from 'vitest'
import { generateCandidates } from '../../src/blocking/generateCandidates'
import { evaluateScores } from '../../src/evaluation/evaluateScores'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { defaultModel } from '../../src/model/defaultModel'
import { matchProbability } from '../../src/model/linkageModel'
import { trainModel } from '../../src/model/trainModel'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { createPairScorer } from '../../src/score/pairScorer'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const timeZone = 'Asia/Shanghai'
const load = (seed: number) =>
  parseIncidents(generateIncidents({ n: 4000, seed, preset: 'province' }).incidents, { timeZone }).incidents

describe('trainModel', () => {
  const train = load(11)
  const model = trainModel(train, { timeZone, fit: 'frequencies' })
  const fitted = trainModel(train, { timeZone })

  it('with fit "frequencies", sets the prior to the share of linked pairs among the candidates', () => {
    const table = buildCaseTable(train, { timeZone })
    const candidates = generateCandidates(table)
    const labels = train.map((i) => new Set(i.series))
    let linked = 0
    for (let k = 0; k < candidates.count; k++) {
      if (train[candidates.b[k]].series.some((s) => labels[candidates.a[k]].has(s))) linked++
    }
    expect(model.priorProbability).toBeCloseTo(linked / candidates.count, 12)
    expect(model.training?.pairs).toBe(candidates.count)
  })

  it('gives missing levels weight 0 and no infinite weight', () => {
    for (const comparison of model.comparisons) {
      expect(comparison.levels[0].m).toBe(comparison.levels[0].u)
      for (const level of comparison.levels) expect(Number.isFinite(Math.log2(level.m / level.u))).toBe(true)
    }
  })

  it('fits a weight on every non-missing level but evidence, and reproduces the linked share on average', () => {
    expect(fitted.training?.converged).toBe(true)
    for (const comparison of fitted.comparisons) {
      expect(comparison.levels[0].weight).toBeUndefined()
      for (const level of comparison.levels.slice(1)) {
        if (comparison.kind === 'evidence') expect(level.weight).toBeUndefined()
        else expect(Number.isFinite(level.weight)).toBe(true)
      }
    }
    // at the maximum-likelihood solution the mean fitted probability equals the linked share (intercept score)
    const table = buildCaseTable(train, { timeZone })
    const candidates = generateCandidates(table)
    const scorer = createPairScorer(table, fitted)
    let sum = 0
    for (let k = 0; k < candidates.count; k++)
      sum += matchProbability(scorer.matchWeight(candidates.a[k], candidates.b[k]))
    const linkedShare = model.priorProbability
    expect(Math.abs(sum / candidates.count - linkedShare)).toBeLessThan(0.002 * linkedShare + 1e-4)
  })

  it('ranks held-out candidate pairs better than the built-in model, and the logistic fit better than naive Bayes', () => {
    const test = load(12)
    const table = buildCaseTable(test, { timeZone })
    const candidates = generateCandidates(table)
    const ap = (m: typeof model) => {
      const scorer = createPairScorer(table, m)
      const score = new Float64Array(candidates.count)
      for (let k = 0; k < candidates.count; k++)
        score[k] = matchProbability(scorer.matchWeight(candidates.a[k], candidates.b[k]))
      return evaluateScores({ a: candidates.a, b: candidates.b, score }, test).averagePrecision
    }
    // the built-in model is itself fitted (on other generated sets): a fit on this data's distribution,
    // with its MO groups, still ranks better
    expect(ap(fitted)).toBeGreaterThan(ap(defaultModel()))
    expect(ap(fitted)).toBeGreaterThan(ap(model))
  })

  it('refuses a supervised fit without linked pairs, naming the problem', () => {
    const unlabelled = train.map((i) => ({ ...i, series: [] }))
    expect(() => trainModel(unlabelled, { timeZone, method: 'supervised' })).toThrow(
      /needs at least one series label shared by two incidents/,
    )
    // a label shared only by two incidents that blocking never pairs
    const first = train[0]
    const far = {
      ...first,
      id: 'far-away',
      lat: (first.lat ?? 0) + 3,
      series: ['LONE'],
      mo: [],
      evidence: [],
    }
    const lonely = [...unlabelled.slice(1), { ...first, series: ['LONE'] }, far]
    expect(() => trainModel(lonely, { timeZone })).toThrow(/needs linked and unlinked candidate pairs/)
  })

  it('fits a uniform sample of about maxPairs pairs, the same whatever the row order', () => {
    const table = buildCaseTable(train, { timeZone })
    const count = generateCandidates(table).count
    const maxPairs = Math.round(count / 3)
    const sampled = trainModel(train, { timeZone, fit: 'frequencies', maxPairs })
    const pairs = sampled.training?.pairs ?? 0
    // binomial(count, 1/3): 5 standard deviations
    expect(Math.abs(pairs - maxPairs)).toBeLessThan(5 * Math.sqrt(maxPairs))
    expect(sampled.training?.note).toContain(`a sample of ${count} candidate pairs`)
    // a uniform sample keeps the linked share (the prior) near the full set's
    expect(Math.abs(sampled.priorProbability - model.priorProbability)).toBeLessThan(
      0.15 * model.priorProbability,
    )
    const reversed = trainModel([...train].reverse(), { timeZone, fit: 'frequencies', maxPairs })
    expect(reversed.training?.pairs).toBe(pairs)
    expect(reversed.priorProbability).toBeCloseTo(sampled.priorProbability, 12)
    const other = trainModel(train, { timeZone, fit: 'frequencies', maxPairs, seed: 2 })
    expect(other.training?.pairs).not.toBe(pairs)
  })

  it('refuses a maxPairs that is not a positive integer', () => {
    for (const maxPairs of [0, -1, 2.5, Number.NaN]) {
      expect(() => trainModel(train, { timeZone, maxPairs })).toThrow(/maxPairs must be a positive integer/)
    }
  })
})
