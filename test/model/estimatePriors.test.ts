import { describe, expect, it } from 'vitest'
import { generateCandidates } from '../../src/blocking/generateCandidates'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { permuteTimes } from '../../src/link/nullTest'
import { defaultModel } from '../../src/model/defaultModel'
import { estimatePriors, mixtureShare, windowGapDays } from '../../src/model/estimatePriors'
import { shareLabel } from '../../src/model/fitting'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { createPairScorer } from '../../src/score/pairScorer'
import { buildCaseTable } from '../../src/table/buildCaseTable'
import { createRandom } from '../../src/util/random'

const TZ = 'Asia/Shanghai'

describe('mixtureShare', () => {
  it('recovers a planted linked share from gap counts drawn from the two components (EM, one parameter)', () => {
    const linked = Float64Array.of(0.4, 0.3, 0.15, 0.1, 0.05)
    const chance = Float64Array.of(0.05, 0.1, 0.2, 0.3, 0.35)
    const random = createRandom(7)
    for (const planted of [0.02, 0.15, 0.6]) {
      const n = 50_000
      const observed = new Float64Array(5)
      const nullCounts = new Float64Array(5)
      const draw = (shares: Float64Array) => {
        let u = random()
        for (let b = 0; b < 5; b++) if ((u -= shares[b]) < 0) return b
        return 4
      }
      for (let k = 0; k < n; k++) observed[draw(random() < planted ? linked : chance)]++
      for (let k = 0; k < 2 * n; k++) nullCounts[draw(chance)]++
      const fit = mixtureShare(observed, nullCounts, linked, n, 2 * n)
      expect(Math.abs(fit.share - planted)).toBeLessThan(3 * fit.standardError)
      expect(fit.standardError).toBeLessThan(0.02)
      expect(fit.dispersion).toBeLessThan(3)
      // the same counts read with a linked distribution they were not drawn from: the fit is worse than
      // sampling explains
      const wrong = Float64Array.of(0.05, 0.05, 0.1, 0.3, 0.5)
      const misfit = mixtureShare(observed, nullCounts, wrong, n, 2 * n)
      expect(misfit.dispersion).toBeGreaterThan(10)
    }
  })
})

describe('estimatePriors', () => {
  const incidents = parseIncidents(generateIncidents({ n: 20_000, seed: 21, preset: 'province' }).incidents, {
    timeZone: TZ,
  }).incidents
  const model = defaultModel()

  /** Each kind's true linked share among the candidate pairs (labels decide). */
  function truth(
    table: ReturnType<typeof buildCaseTable>,
    candidates: ReturnType<typeof generateCandidates>,
  ) {
    const scorer = createPairScorer(table, model)
    const pairs = [0, 0, 0]
    const linked = [0, 0, 0]
    for (let k = 0; k < candidates.count; k++) {
      const kind = scorer.pairClass(candidates.a[k], candidates.b[k])
      pairs[kind]++
      if (shareLabel(table, candidates.a[k], candidates.b[k])) linked[kind]++
    }
    return linked.map((x, kind) => x / pairs[kind])
  }

  it('estimates the share of linked pairs of each kind that labels show, without the labels', () => {
    const table = buildCaseTable(incidents, { timeZone: TZ })
    const candidates = generateCandidates(table)
    const scorer = createPairScorer(table, model)
    const { estimates } = estimatePriors(table, candidates, scorer, { confidence: 0 })
    const shares = truth(table, candidates)
    // near pairs and pairs sharing evidence: within 3 standard errors of the truth (far pairs, sharing rare
    // habits months apart, are estimated well from about 50,000 incidents: bench/README)
    for (const kind of [0, 1]) {
      const e = estimates[kind]
      expect(Math.abs(e.linkedShare - shares[kind])).toBeLessThan(3 * e.standardError)
      expect(e.standardError).toBeLessThan(0.02)
    }
    // the kind's offset moved so that the mean probability over its pairs is the estimate
    expect(estimates[0].estimatedOffsetBits).not.toBe(estimates[0].offsetBits)
  })

  it('finds no linked pairs beyond chance in time-permuted data: every kind links almost nothing', () => {
    const permuted = permuteTimes(incidents, 3).incidents
    const table = buildCaseTable(permuted, { timeZone: TZ })
    const candidates = generateCandidates(table)
    const scorer = createPairScorer(table, model)
    const { estimates } = estimatePriors(table, candidates, scorer)
    for (const e of estimates) {
      expect(e.dataShare).toBeLessThan(3 * e.standardError + 0.005)
      expect(e.linkedShareUsed).toBeLessThan(0.02)
    }
  })

  it('keeps about the model’s belief for a kind with few pairs, and is deterministic for a seed', () => {
    const few = incidents.slice(0, 400)
    const table = buildCaseTable(few, { timeZone: TZ })
    const candidates = generateCandidates(table)
    const scorer = createPairScorer(table, model)
    const first = estimatePriors(table, candidates, scorer)
    const near = first.estimates[0]
    expect(near.sampledPairs).toBeLessThan(100)
    // the data's precision is small against the belief's (standard error 0.05)
    expect(Math.abs(near.linkedShare - (near.modelShare as number))).toBeLessThan(
      Math.abs((near.dataShare as number) - (near.modelShare as number)),
    )
    expect(estimatePriors(table, candidates, scorer)).toEqual(first)
    expect(estimatePriors(table, candidates, scorer, { seed: 2 }).estimates).not.toEqual(first.estimates)
    // lowered by its error on the log scale: a noisy share is divided by at most e^(relative error), never
    // taken to nothing (which would rank every pair of the kind below all others)
    for (const e of first.estimates) {
      if (Number.isNaN(e.linkedShare)) continue
      expect(e.linkedShareUsed).toBeLessThanOrEqual(e.linkedShare)
      expect(e.linkedShareUsed).toBeGreaterThanOrEqual(
        0.999 * e.linkedShare * Math.exp(-e.standardError / e.linkedShare),
      )
      expect(e.linkedShareUsed).toBeGreaterThan(1e-6)
    }
  })

  it('leaves a model without pairPriors as it is, and rejects bad options', () => {
    const table = buildCaseTable(incidents.slice(0, 200), { timeZone: TZ })
    const candidates = generateCandidates(table)
    const { pairPriors: _priors, ...plain } = model
    const scorer = createPairScorer(table, plain)
    expect(estimatePriors(table, candidates, scorer)).toEqual({ model: plain, estimates: [] })
    expect(() => estimatePriors(table, candidates, scorer, { maxSampledPairs: 0 })).toThrow(/maxSampledPairs/)
    expect(() => estimatePriors(table, candidates, scorer, { confidence: -1 })).toThrow(/confidence/)
  })

  it('measures window gaps as blocking does: 0 when the windows overlap', () => {
    const day = 86_400_000
    const table = buildCaseTable(
      [
        { id: 'a', timeFrom: 0, timeTo: 2 * day, mo: [], evidence: [], series: [], attributes: {} },
        { id: 'b', timeFrom: day, timeTo: day, mo: [], evidence: [], series: [], attributes: {} },
        { id: 'c', timeFrom: 5 * day, timeTo: 6 * day, mo: [], evidence: [], series: [], attributes: {} },
      ],
      { timeZone: TZ },
    )
    expect(windowGapDays(table, 0, 1)).toBe(0)
    expect(windowGapDays(table, 0, 2)).toBe(3)
  })
})
