import { describe, expect, it } from 'vitest'
import { generateCandidates } from '../../src/blocking/generateCandidates'
import { evaluateScores } from '../../src/evaluation/evaluateScores'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { LinkageModelSchema, levelMatchWeights } from '../../src/model/linkageModel'
import { spaceTimePairs } from '../../src/model/spaceTimePairs'
import { trainModel } from '../../src/model/trainModel'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { createPairScorer } from '../../src/score/pairScorer'
import { scorePairs } from '../../src/score/scorePairs'
import { buildCaseTable, EARTH_RADIUS_METERS } from '../../src/table/buildCaseTable'
import { createRandom } from '../../src/util/random'

const timeZone = 'Asia/Shanghai'
const { incidents } = parseIncidents(generateIncidents({ n: 3000, seed: 3, preset: 'city' }).incidents, {
  timeZone,
})
const table = buildCaseTable(incidents, { timeZone })

function weightsOf(model: ReturnType<typeof trainModel>, name: string): number[] {
  return Array.from(levelMatchWeights(model.comparisons.find((c) => c.name === name)!))
}

/** Mean match weight of linked and of unlinked pairs among the table's space-time pairs. */
function separation(model: ReturnType<typeof trainModel>) {
  const scorer = createPairScorer(table, model)
  const pairs = spaceTimePairs(table, { maxDistanceMeters: 5000, maxGapDays: 30 })
  const label = incidents.map((x) => new Set(x.series))
  let linked = 0
  let linkedSum = 0
  let other = 0
  let otherSum = 0
  for (let k = 0; k < pairs.count; k++) {
    const w = scorer.matchWeight(pairs.a[k], pairs.b[k])
    if (incidents[pairs.b[k]].series.some((s) => label[pairs.a[k]].has(s))) {
      linked++
      linkedSum += w
    } else {
      other++
      otherSum += w
    }
  }
  return { linked, other, linkedMean: linkedSum / linked, otherMean: otherSum / other }
}

let supervised: ReturnType<typeof trainModel> | undefined
/** The supervised model, fitted once for the tests that compare with it. */
function supervisedModel() {
  supervised ??= trainModel(incidents, { table, seed: 1 })
  return supervised
}

/** ROC AUC of a model's weights over the blocking candidates of the table (labels decide). */
function candidateAuc(fitted: ReturnType<typeof trainModel>): number {
  const candidates = generateCandidates(table)
  const scored = scorePairs(table, candidates, fitted)
  return evaluateScores(
    { a: scored.a, b: scored.b, score: scored.matchWeight, count: scored.count },
    incidents,
  ).auc
}

describe('trainModel', () => {
  const model = supervisedModel()

  it('learns weights in the expected direction, all finite, missing at 0', () => {
    expect(LinkageModelSchema.safeParse(model).success).toBe(true)
    expect(model.training?.method).toBe('supervised')
    const distance = weightsOf(model, 'distance')
    expect(distance[1]).toBeGreaterThan(distance[4])
    expect(distance[4]).toBeGreaterThan(distance[7])
    for (const comparison of model.comparisons) {
      const weights = Array.from(levelMatchWeights(comparison))
      expect(weights[0]).toBe(0)
      for (const w of weights) expect(Number.isFinite(w)).toBe(true)
    }
    // the generator's MO groups present in >= 5% of incidents get their own comparison
    expect(model.comparisons.some((c) => c.kind === 'moGroup')).toBe(true)
  })

  it('separates linked from unlinked candidate pairs', () => {
    const { linked, linkedMean, otherMean } = separation(model)
    expect(linked).toBeGreaterThan(100)
    expect(linkedMean - otherMean).toBeGreaterThan(5)
  })

  it('is deterministic for a seed, and fits the same pairs whatever the row order', () => {
    expect(trainModel(incidents, { table, seed: 1 })).toEqual(model)
    const reversed = trainModel([...incidents].reverse(), { timeZone, seed: 1 })
    // the same pairs, summed in another order: equal to rounding
    expect(reversed.training?.note).toBe(model.training?.note)
    for (const [c, comparison] of model.comparisons.entries()) {
      const other = levelMatchWeights(reversed.comparisons[c])
      levelMatchWeights(comparison).forEach((w, l) => {
        expect(other[l]).toBeCloseTo(w, 4)
      })
    }
  })

  it('fits pairs beyond blocking: far pairs are ranked by distance and gap, all else equal', () => {
    const province = parseIncidents(generateIncidents({ n: 12_000, seed: 4, preset: 'province' }).incidents, {
      timeZone,
    }).incidents
    const fitted = trainModel(province, { timeZone, seed: 1 })
    expect(fitted.training?.note).toMatch(/\d+ pairs beyond blocking \(\d+ linked\)/)
    const base = Date.UTC(2021, 3, 1, 12)
    const DAY = 86_400_000
    const at = (id: string, km: number, days: number): Incident => ({
      id,
      timeFrom: base + days * DAY,
      timeTo: base + days * DAY,
      lat: 31.2,
      lon: 121.4 + km / (111.32 * Math.cos((31.2 * Math.PI) / 180)),
      category: 'burglary.residential',
      mo: [],
      evidence: [],
      series: [],
      attributes: {},
    })
    const rows = [at('o', 0, 0), at('km5', 5, 40), at('km80', 80, 40), at('d200', 5, 200), at('d500', 5, 500)]
    const scorer = createPairScorer(buildCaseTable(rows, { timeZone }), fitted)
    // 5 km outranks 80 km at the same gap; a longer gap never outranks a shorter one at the same distance
    expect(scorer.matchWeight(0, 1)).toBeGreaterThan(scorer.matchWeight(0, 2) + 3)
    expect(scorer.matchWeight(0, 1)).toBeGreaterThanOrEqual(scorer.matchWeight(0, 3))
    expect(scorer.matchWeight(0, 3)).toBeGreaterThanOrEqual(scorer.matchWeight(0, 4))
    const distance = weightsOf(fitted, 'distance')
    const gap = weightsOf(fitted, 'timeGap')
    for (let l = 1; l < distance.length - 1; l++) expect(distance[l]).toBeGreaterThanOrEqual(distance[l + 1])
    for (let l = 1; l < gap.length - 1; l++) expect(gap[l]).toBeGreaterThanOrEqual(gap[l + 1])
    // 5–10 km over 10–30 km over 30–100 km (levels 7, 8, 9)
    expect(distance[7]).toBeGreaterThan(distance[8])
    expect(distance[8]).toBeGreaterThan(distance[9])
  })

  it("picks EM without labels ('auto'), and needs labels for 'supervised'", () => {
    const unlabelled = incidents.slice(0, 300).map((x) => ({ ...x, series: [] }))
    expect(() => trainModel(unlabelled, { method: 'supervised', timeZone })).toThrow(
      /^caselink: trainModel needs at least one series label/,
    )
    const em = trainModel(unlabelled, { timeZone, onWarning: () => {} })
    expect(em.training?.method).toBe('em')
    expect(() => trainModel(incidents, { table, method: 'best' as 'em' })).toThrow(/method must be/)
  })
})

describe("trainModel, method 'em'", () => {
  it('converges by EM without labels, separates linked pairs, and agrees with the supervised fit', () => {
    const warnings: string[] = []
    const em = trainModel(incidents, {
      table,
      method: 'em',
      uPairs: 30_000,
      onWarning: (w) => warnings.push(w),
    })
    expect(warnings).toEqual([])
    expect(em.training?.method).toBe('em')
    expect(em.training?.converged).toBe(true)
    expect(em.priorProbability).toBeGreaterThan(0)
    expect(em.priorProbability).toBeLessThan(1)
    const { linkedMean, otherMean } = separation(em)
    expect(linkedMean - otherMean).toBeGreaterThan(5)
    // on labelled data the two fits rank the candidate pairs alike
    const supervisedAuc = candidateAuc(supervisedModel())
    const emAuc = candidateAuc(em)
    expect(emAuc).toBeGreaterThan(0.9)
    expect(Math.abs(emAuc - supervisedAuc)).toBeLessThan(0.05)
  })

  it('warns when it stops before converging', () => {
    const warnings: string[] = []
    const em = trainModel(incidents, {
      table,
      method: 'em',
      uPairs: 5000,
      maxIterations: 1,
      onWarning: (w) => warnings.push(w),
    })
    expect(em.training?.converged).toBe(false)
    expect(warnings.join('\n')).toMatch(/^caselink: trainModel EM did not converge in 1 iterations/)
  })
})

describe('spaceTimePairs', () => {
  it('returns exactly the pairs within the horizon (against brute force)', () => {
    const random = createRandom(9)
    const rows: Incident[] = Array.from({ length: 300 }, (_, i) => {
      const from = Date.UTC(2021, 0, 1) + Math.floor(random() * 90 * 86_400_000)
      const planar = i % 5 === 0
      return {
        id: `p${i}`,
        timeFrom: from,
        timeTo: from + Math.floor(random() * random() * 10 * 86_400_000),
        ...(i % 17 === 0
          ? {}
          : planar
            ? { x: random() * 20_000, y: random() * 20_000 }
            : { lat: 31 + random() * 0.2, lon: 121 + random() * 0.2 }),
        mo: [],
        evidence: [],
        series: [],
        attributes: {},
      }
    })
    const t = buildCaseTable(rows)
    const maxDistanceMeters = 4000
    const maxGap = 7 * 86_400_000
    const got = spaceTimePairs(t, { maxDistanceMeters, maxGapDays: 7 })
    const key = (i: number, j: number) => `${Math.min(i, j)}-${Math.max(i, j)}`
    const gotKeys = new Set(Array.from({ length: got.count }, (_, k) => key(got.a[k], got.b[k])))
    expect(gotKeys.size).toBe(got.count)
    const expected = new Set<string>()
    for (let i = 0; i < t.size; i++) {
      for (let j = i + 1; j < t.size; j++) {
        if (!t.hasLocation[i] || !t.hasLocation[j] || t.hasLatLon[i] !== t.hasLatLon[j]) continue
        const gap = Math.max(0, t.timeFrom[j] - t.timeTo[i], t.timeFrom[i] - t.timeTo[j])
        if (gap > maxGap) continue
        let d: number
        if (t.hasLatLon[i]) {
          const rad = Math.PI / 180
          const h =
            Math.sin(((t.lat[j] - t.lat[i]) * rad) / 2) ** 2 +
            Math.cos(t.lat[i] * rad) *
              Math.cos(t.lat[j] * rad) *
              Math.sin(((t.lon[j] - t.lon[i]) * rad) / 2) ** 2
          d = 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(h))
        } else d = Math.hypot(t.x[j] - t.x[i], t.y[j] - t.y[i])
        if (d <= maxDistanceMeters) expected.add(key(i, j))
      }
    }
    expect(expected.size).toBeGreaterThan(20)
    expect([...gotKeys].sort()).toEqual([...expected].sort())
  })
})

describe('inputs', () => {
  it('trainModel, supervised and EM, does not mutate frozen incidents', () => {
    const frozen = Object.freeze(
      incidents
        .slice(0, 400)
        .map((x) =>
          Object.freeze({ ...x, mo: Object.freeze([...x.mo]), series: Object.freeze([...x.series]) }),
        ),
    ) as unknown as Incident[]
    const before = JSON.stringify(frozen)
    trainModel(frozen, { timeZone })
    trainModel(frozen, { method: 'em', uPairs: 1000, timeZone, onWarning: () => {} })
    expect(JSON.stringify(frozen)).toBe(before)
  })
})
