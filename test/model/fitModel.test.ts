import { describe, expect, it } from 'vitest'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { estimateModel } from '../../src/model/estimateModel'
import { LinkageModelSchema, levelMatchWeights } from '../../src/model/linkageModel'
import { spaceTimePairs } from '../../src/model/spaceTimePairs'
import { trainModel } from '../../src/model/trainModel'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { createPairScorer } from '../../src/score/pairScorer'
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

describe('trainModel', () => {
  const model = trainModel(incidents, { table, uPairs: 30_000, seed: 1 })

  it('learns weights in the expected direction, all finite, missing at 0', () => {
    expect(LinkageModelSchema.safeParse(model).success).toBe(true)
    expect(model.training?.method).toBe('supervised')
    const distance = weightsOf(model, 'distance')
    expect(distance[1]).toBeGreaterThan(distance[3])
    expect(distance[3]).toBeGreaterThan(distance[4])
    const mo = weightsOf(model, 'mo')
    expect(mo[1]).toBeGreaterThan(3)
    expect(mo[mo.length - 1]).toBeLessThan(0)
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
    expect(linkedMean - otherMean).toBeGreaterThan(10)
  })

  it('is deterministic for a seed', () => {
    expect(trainModel(incidents, { table, uPairs: 30_000, seed: 1 })).toEqual(model)
  })

  it('weighs each series equally, so one large series does not dominate m', () => {
    const base = Date.UTC(2021, 0, 1)
    const make = (id: string, series: string, category: string, k: number): Incident => ({
      id,
      timeFrom: base + k * 86_400_000,
      timeTo: base + k * 86_400_000,
      x: k * 10,
      y: 0,
      category,
      mo: [],
      evidence: [],
      series: [series],
      attributes: {},
    })
    const rows: Incident[] = []
    // one series of 30 with the same category in all its pairs (435 pairs)…
    for (let k = 0; k < 30; k++) rows.push(make(`big${k}`, 'BIG', 'theft.ebike', k))
    // …and 20 series of 2 whose pairs differ in category
    for (let s = 0; s < 20; s++) {
      rows.push(make(`s${s}a`, `S${s}`, 'burglary.home', s))
      rows.push(make(`s${s}b`, `S${s}`, 'fraud.phone', s))
    }
    const trained = trainModel(rows, { uPairs: 5000, moGroups: [] })
    const category = trained.comparisons.find((c) => c.name === 'category')!
    // equal weight per series: P(same | linked) ≈ 1/21, not 435/455
    expect(category.levels[1].m).toBeLessThan(0.1)
    expect(category.levels[3].m).toBeGreaterThan(0.85)
  })

  it('estimates λ over the given candidates, and needs labels', () => {
    const candidates = spaceTimePairs(table, { maxDistanceMeters: 3000, maxGapDays: 30 })
    const overCandidates = trainModel(incidents, { table, uPairs: 2000, candidates })
    expect(overCandidates.priorProbability).toBeGreaterThan(model.priorProbability * 5)
    const unlabelled = incidents.slice(0, 50).map((x) => ({ ...x, series: [] }))
    expect(() => trainModel(unlabelled)).toThrow(/^caselink: trainModel needs/)
  })
})

describe('estimateModel', () => {
  it('converges by EM without labels and separates linked pairs', () => {
    const warnings: string[] = []
    const model = estimateModel(incidents, { table, uPairs: 30_000, onWarning: (w) => warnings.push(w) })
    expect(warnings).toEqual([])
    expect(model.training?.method).toBe('em')
    expect(model.training?.converged).toBe(true)
    expect(model.priorProbability).toBeGreaterThan(0)
    expect(model.priorProbability).toBeLessThan(1)
    const { linkedMean, otherMean } = separation(model)
    expect(linkedMean - otherMean).toBeGreaterThan(5)
  })

  it('warns when it stops before converging', () => {
    const warnings: string[] = []
    const model = estimateModel(incidents, {
      table,
      uPairs: 5000,
      maxIterations: 1,
      onWarning: (w) => warnings.push(w),
    })
    expect(model.training?.converged).toBe(false)
    expect(warnings.join('\n')).toMatch(/^caselink: estimateModel EM did not converge in 1 iterations/)
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
  it('trainModel and estimateModel do not mutate frozen incidents', () => {
    const frozen = Object.freeze(
      incidents
        .slice(0, 400)
        .map((x) =>
          Object.freeze({ ...x, mo: Object.freeze([...x.mo]), series: Object.freeze([...x.series]) }),
        ),
    ) as unknown as Incident[]
    const before = JSON.stringify(frozen)
    trainModel(frozen, { uPairs: 1000, timeZone })
    estimateModel(frozen, { uPairs: 1000, timeZone, onWarning: () => {} })
    expect(JSON.stringify(frozen)).toBe(before)
  })
})
