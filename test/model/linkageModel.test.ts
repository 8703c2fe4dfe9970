import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultModel, makeComparison } from '../../src/model/defaultModel'
import {
  expectedLevelCount,
  LinkageModelSchema,
  levelLabels,
  levelMatchWeights,
  matchProbability,
  parseLinkageModel,
  priorMatchWeight,
} from '../../src/model/linkageModel'
import { loadModel, saveModel, serializeModel } from '../../src/model/modelFile'

describe('LinkageModel', () => {
  it('defaultModel is valid, with the documented layout and a missing level of weight 0', () => {
    const model = defaultModel({ moGroups: ['entry', 'target'] })
    expect(LinkageModelSchema.safeParse(model).success).toBe(true)
    expect(model.comparisons.map((c) => c.name)).toEqual([
      'distance',
      'timeGap',
      'timeOfDay',
      'dayOfWeek',
      'mo',
      'evidence',
      'category',
      'narrative',
      'mo:entry',
      'mo:target',
    ])
    for (const comparison of model.comparisons) {
      expect(comparison.levels.length).toBe(
        expectedLevelCount(comparison.kind, comparison.thresholds?.length ?? 0),
      )
      const weights = levelMatchWeights(comparison)
      expect(weights[0]).toBe(0)
      for (const w of weights) expect(Number.isFinite(w)).toBe(true)
    }
    expect(priorMatchWeight(model)).toBe(priorMatchWeight(defaultModel()))
    // the built-in weighs values by their frequency, closeness by the background, and has a prior per kind
    expect(model.comparisons.find((c) => c.kind === 'mo')?.termFrequencyAdjustment).toBe(true)
    expect(model.comparisons.find((c) => c.kind === 'category')?.termFrequencyAdjustment).toBe(true)
    expect(model.background).toMatchObject({ maxDistanceMeters: 1500, maxGapDays: 21 })
    expect(model.pairPriors?.near.linkedGapShares?.length).toBe(
      (model.pairPriors?.gapBinsDays.length ?? 0) + 1,
    )
  })

  it('the built-in model says what a fitted model of offenders should: closer, sooner and more alike weigh more', () => {
    const model = defaultModel()
    const weights = (name: string) =>
      Array.from(levelMatchWeights(model.comparisons.find((c) => c.name === name)!))
    // levels 1.. are ordered from closest to farthest (or most to least similar): weights fall along them,
    // allowing 0.5 bit of noise between neighbouring thin levels
    for (const name of ['distance', 'timeGap', 'mo']) {
      const w = weights(name).slice(1)
      for (let k = 1; k < w.length; k++) expect(w[k]).toBeLessThan(w[k - 1] + 0.5)
      expect(w[0] - w[w.length - 1]).toBeGreaterThan(3)
    }
    // a shared fingerprint or DNA trace is strong evidence
    expect(weights('evidence')[1]).toBeGreaterThan(10)
  })

  it('floors level weights at minMatchWeight (distance never vetoes)', () => {
    const distance = {
      ...makeComparison('distance', 'distance', [500], [0.05, 0.9, 0.1], [0.05, 0.01, 0.99]),
      minMatchWeight: -4,
    }
    distance.levels[2] = { label: '> 500 m', m: 1e-9, u: 0.5 }
    expect(levelMatchWeights(distance)[2]).toBe(-4)
  })

  it('uses a fitted level weight in place of log2(m / u), and refuses one on the missing level', () => {
    const model = defaultModel()
    const distance = model.comparisons[0]
    const fitted = {
      ...distance,
      levels: distance.levels.map((l, k) => (k === 2 ? { ...l, weight: 1.25 } : l)),
    }
    const weights = levelMatchWeights(fitted)
    expect(weights[2]).toBe(1.25)
    expect(weights[1]).toBe(levelMatchWeights(distance)[1])
    const bad = { ...distance, levels: distance.levels.map((l, k) => (k === 0 ? { ...l, weight: 2 } : l)) }
    expect(() => parseLinkageModel({ ...model, comparisons: [bad] })).toThrow(
      /levels\.0\.weight: missing level weighs 0/,
    )
    expect(parseLinkageModel({ ...model, comparisons: [fitted] }).comparisons[0].levels[2].weight).toBe(1.25)
  })

  it('labels levels from thresholds', () => {
    expect(levelLabels('distance', [500, 2000])).toEqual(['missing', '<= 500 m', '<= 2000 m', '> 2000 m'])
    expect(levelLabels('timeOfDay', [1])).toEqual(['missing', 'window >= 24 h', '<= 1 h', '> 1 h'])
  })

  it('rejects invalid models with caselink: errors naming the problem', () => {
    const model = defaultModel()
    expect(() => parseLinkageModel({ ...model, priorProbability: 1 })).toThrow(
      /^caselink: .*priorProbability/,
    )
    const broken = structuredClone(model)
    broken.comparisons[0].thresholds = [2000, 500, 10000, 50000]
    expect(() => parseLinkageModel(broken)).toThrow(/thresholds must increase/)
    const short = structuredClone(model)
    short.comparisons[1].levels.pop()
    expect(() => parseLinkageModel(short)).toThrow(/levels/)
    const duplicate = structuredClone(model)
    duplicate.comparisons[1].name = 'distance'
    expect(() => parseLinkageModel(duplicate)).toThrow(/duplicate name/)
    expect(() => parseLinkageModel('{not json')).toThrow(/^caselink: model is not valid JSON/)
  })

  it('saves and loads a model unchanged, and reports a bad file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caselink-model-'))
    const model = defaultModel({ moGroups: ['entry'] })
    const path = join(dir, 'model.json')
    await saveModel(model, path)
    expect(await loadModel(path)).toEqual(model)
    expect(parseLinkageModel(serializeModel(model))).toEqual(model)
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ ...model, version: 2 }))
    await expect(loadModel(bad)).rejects.toThrow(/^caselink: cannot load model .*bad\.json/)
  })

  it('converts match weights to probabilities without overflow', () => {
    expect(matchProbability(0)).toBe(0.5)
    expect(matchProbability(1)).toBeCloseTo(2 / 3, 15)
    expect(matchProbability(-1)).toBeCloseTo(1 / 3, 15)
    expect(matchProbability(5000)).toBe(1)
    expect(matchProbability(-5000)).toBe(0)
  })
})
