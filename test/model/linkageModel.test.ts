import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultModel } from '../../src/model/defaultModel'
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
    expect(priorMatchWeight(model)).toBeCloseTo(Math.log2(0.0001 / 0.9999), 12)
  })

  it('documents its starting weights (rounded in the defaultModel comment)', () => {
    const model = defaultModel()
    const rounded = (name: string) =>
      Array.from(levelMatchWeights(model.comparisons.find((c) => c.name === name)!), (w) =>
        Number(w.toFixed(1)),
      )
    expect(rounded('distance')).toEqual([0, 7.2, 3.6, 1.3, -1.3, -2.9])
    expect(rounded('timeGap')).toEqual([0, 5.6, 3.5, 1.3, -1, -3.7])
    expect(rounded('mo')).toEqual([0, 5.9, 3.9, 1.3, -0.6, -2.9])
    expect(rounded('category')).toEqual([0, 2.1, -1.6, -3.3])
  })

  it('floors level weights at minMatchWeight (distance never vetoes)', () => {
    const model = defaultModel()
    const distance = { ...model.comparisons[0], levels: model.comparisons[0].levels.map((l) => ({ ...l })) }
    distance.levels[5] = { label: '> 50000 m', m: 1e-9, u: 0.5 }
    expect(levelMatchWeights(distance)[5]).toBe(-4)
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
