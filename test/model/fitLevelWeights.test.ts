import { describe, expect, it } from 'vitest'
import { fitLevelWeights, type LevelDesign } from '../../src/model/fitLevelWeights'
import { createRandom } from '../../src/util/random'

/** Pairs drawn from a known logistic model over comparisons with 3 levels each (level 0 missing). */
function simulate(count: number, weights: number[][], interceptBits: number, copyOf: number[], seed: number) {
  const C = weights.length
  const random = createRandom(seed)
  const levels = new Int8Array(count * C)
  const linked = new Uint8Array(count)
  const levelStart = new Int32Array(C + 1)
  for (let c = 0; c < C; c++) levelStart[c + 1] = levelStart[c] + 3
  for (let k = 0; k < count; k++) {
    let z = interceptBits
    for (let c = 0; c < C; c++) {
      const level = copyOf[c] >= 0 ? levels[k * C + copyOf[c]] : Math.floor(random() * 3)
      levels[k * C + c] = level
      z += weights[c][level]
    }
    linked[k] = random() < 1 / (1 + 2 ** -z) ? 1 : 0
  }
  const design: LevelDesign = {
    count,
    comparisonCount: C,
    levels,
    levelStart,
    fitted: new Uint8Array(C).fill(1),
    offsetBits: null,
    linked,
  }
  return design
}

describe('fitLevelWeights', () => {
  it('recovers the weights of a logistic model it is given data from', () => {
    const truth = [
      [0, 3, -2],
      [0, -1, 1.5],
    ]
    const design = simulate(200_000, truth, -1, [-1, -1], 7)
    const fit = fitLevelWeights(design, { l2: 0.01 })
    expect(fit.converged).toBe(true)
    expect(fit.interceptBits).toBeCloseTo(-1, 1)
    for (let c = 0; c < 2; c++) {
      expect(fit.weightBits[3 * c]).toBe(0)
      for (let l = 1; l < 3; l++) expect(Math.abs(fit.weightBits[3 * c + l] - truth[c][l])).toBeLessThan(0.06)
    }
  })

  it('reaches the same optimum with the Hessian measured on a sample of the rows', () => {
    const truth = [
      [0, 3, -2],
      [0, -1, 1.5],
      [0, 0.5, -0.5],
    ]
    const design = simulate(40_000, truth, -1, [-1, -1, -1], 9)
    // offsets make the rows distinct, so the sample is a real one
    const random = createRandom(3)
    design.offsetBits = Float64Array.from({ length: design.count }, () => random() - 0.5)
    const whole = fitLevelWeights(design)
    const sampled = fitLevelWeights(design, { hessianRows: 500 })
    expect(sampled.converged).toBe(true)
    expect(sampled.loss).toBeCloseTo(whole.loss, 6)
    for (let f = 0; f < whole.weightBits.length; f++) {
      expect(Math.abs(sampled.weightBits[f] - whole.weightBits[f])).toBeLessThan(1e-4)
    }
    expect(Math.abs(sampled.interceptBits - whole.interceptBits)).toBeLessThan(1e-4)
    expect(() => fitLevelWeights(design, { hessianRows: 0 })).toThrow(/hessianRows/)
  })

  it('splits the evidence of a duplicated comparison instead of counting it twice', () => {
    // comparison 1 is a copy of comparison 0: naive Bayes would double its weights; the fit shares them
    const truth = [
      [0, 2, -2],
      [0, 0, 0],
    ]
    const fit = fitLevelWeights(simulate(100_000, truth, 0, [-1, 0], 3), { l2: 0.01 })
    for (let l = 1; l < 3; l++) {
      expect(Math.abs(fit.weightBits[l] + fit.weightBits[3 + l] - truth[0][l])).toBeLessThan(0.06)
      expect(Math.abs(fit.weightBits[l] - fit.weightBits[3 + l])).toBeLessThan(1e-6)
    }
  })

  it('weighs repeated pairs exactly: a design given twice with twice the penalty fits the same weights', () => {
    const design = simulate(
      20_000,
      [
        [0, 1, -1],
        [0, 0.5, 2],
      ],
      -0.5,
      [-1, -1],
      9,
    )
    const twice: LevelDesign = {
      ...design,
      count: 2 * design.count,
      levels: Int8Array.from([...design.levels, ...design.levels]),
      linked: Uint8Array.from([...design.linked, ...design.linked]),
    }
    const once = fitLevelWeights(design, { l2: 0.5 })
    const doubled = fitLevelWeights(twice, { l2: 1 })
    expect(doubled.interceptBits).toBeCloseTo(once.interceptBits, 9)
    for (let f = 0; f < once.weightBits.length; f++)
      expect(doubled.weightBits[f]).toBeCloseTo(once.weightBits[f], 9)
  })

  it('keeps fixed offsets out of the fitted weights, and is deterministic', () => {
    const design = simulate(50_000, [[0, 1, -1]], 0, [-1], 5)
    const shifted = { ...design, offsetBits: new Float64Array(design.count).fill(2) }
    const plain = fitLevelWeights(design)
    const fit = fitLevelWeights(shifted)
    expect(fit.interceptBits).toBeCloseTo(plain.interceptBits - 2, 6)
    expect(fit.weightBits[1]).toBeCloseTo(plain.weightBits[1], 6)
    expect(fitLevelWeights(shifted)).toEqual(fit)
  })
})
