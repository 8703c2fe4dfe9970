import { describe, expect, it } from 'vitest'
import { defaultModel } from '../../src/model/defaultModel'
import { type LinkageModel, matchProbability } from '../../src/model/linkageModel'
import type { Incident } from '../../src/schema/incident'
import { createPairScorer } from '../../src/score/pairScorer'
import { explainPair, scorePair } from '../../src/score/scorePair'
import { scorePairs, scoreRange, weightFloor } from '../../src/score/scorePairs'
import { buildCaseTable } from '../../src/table/buildCaseTable'
import { createRandom, type Random } from '../../src/util/random'

const HOUR = 3_600_000
const BASE = Date.UTC(2021, 4, 13)

function incident(id: string, fields: Partial<Incident> = {}): Incident {
  return { id, timeFrom: BASE, timeTo: BASE, mo: [], evidence: [], series: [], attributes: {}, ...fields }
}

const CHARS = '撬门入室盗窃电动车现金手机快递包裹小区楼道夜间凌晨'
function randomIncidents(n: number, random: Random): Incident[] {
  const out: Incident[] = []
  for (let i = 0; i < n; i++) {
    const from = BASE + Math.floor(random() * 60 * 24 * HOUR)
    const length = random() < 0.3 ? 0 : Math.floor(random() * random() * 200 * HOUR)
    const planar = random() < 0.2
    const missingLocation = random() < 0.1
    let narrative: string | undefined
    if (random() < 0.7) {
      narrative = ''
      const length2 = 1 + Math.floor(random() * 30)
      for (let k = 0; k < length2; k++)
        narrative += CHARS[Math.floor(random() * (4 + random() * CHARS.length))] ?? '撬'
    }
    out.push({
      id: `R${i}`,
      timeFrom: from,
      timeTo: from + length,
      ...(missingLocation
        ? {}
        : planar
          ? { x: random() * 20_000, y: random() * 20_000 }
          : { lat: 31 + random() * 0.5, lon: 121 + random() * 0.5 }),
      category:
        random() < 0.1
          ? undefined
          : ['theft.ebike', 'theft.parcel', 'burglary.home'][Math.floor(random() * 3)],
      mo: Array.from(
        { length: Math.floor(random() * 4) },
        () => `${['entry', 'target'][Math.floor(random() * 2)]}:${Math.floor(random() * 5)}`,
      ),
      evidence:
        random() < 0.3
          ? [
              `${['fingerprint', 'plate', 'shoeprint', 'other'][Math.floor(random() * 4)]}:${Math.floor(random() * 6)}`,
            ]
          : [],
      narrative,
      series: [],
      attributes: {},
    })
  }
  return out
}

describe('createPairScorer', () => {
  const incidents = randomIncidents(300, createRandom(11))
  const table = buildCaseTable(incidents, { timeZone: 'Asia/Shanghai' })
  const model = defaultModel({ moGroups: ['entry', 'target'] })
  const scorer = createPairScorer(table, model)
  const C = scorer.comparisonCount
  // the same layout without the value- and place-specific weights (term frequencies, background, priors
  // per kind), and with a background neighbourhood wide enough for the random test data
  const { background: _b, pairPriors: _p, ...rest } = model
  const plain: LinkageModel = {
    ...rest,
    comparisons: model.comparisons.map((c) =>
      c.kind === 'mo' || c.kind === 'category' ? { ...c, termFrequencyAdjustment: false } : c,
    ),
  }
  const adjusted: LinkageModel = {
    ...model,
    background: { maxDistanceMeters: 8000, maxGapDays: 15, referenceExpected: 2 },
  }

  it('gives the same levels on the fast (bounded) path as on the exact path', () => {
    const fast = new Int8Array(C)
    const exact = new Int8Array(C)
    const weights = new Float64Array(C)
    const values = new Float64Array(C)
    const random = createRandom(3)
    for (let k = 0; k < 20_000; k++) {
      const i = Math.floor(random() * table.size)
      const j = Math.floor(random() * table.size)
      scorer.levels(i, j, fast)
      const total = scorer.explain(i, j, exact, weights, values)
      expect(Array.from(fast)).toEqual(Array.from(exact))
      expect(scorer.matchWeight(i, j)).toBe(total)
    }
  })

  it('gives identical weights compiled and interpreted, with MO bitmaps and with MO lists', () => {
    const letters = createRandom(13)
    const pool = [0, 1].map(() =>
      Array.from({ length: 600 }, () => String.fromCharCode(0x4e00 + Math.floor(letters() * 400))).join(''),
    )
    const long = () => pool[Math.floor(letters() * 2)]
    const wide = randomIncidents(300, createRandom(12)).map((x, k) => ({
      ...x,
      mo: [...x.mo, `rare:${k % 150}`, `other:${k}`],
      // long narratives: more than 255 common signature bits (the popcount's byte sums)
      narrative: k % 3 === 0 ? long() : x.narrative,
    }))
    for (const [rows, m] of [
      [incidents, plain],
      [wide, plain],
      [incidents, adjusted],
      [wide, adjusted],
    ] as const) {
      const t = buildCaseTable(rows, { timeZone: 'Asia/Shanghai' })
      const compiled = createPairScorer(t, m)
      const interpreted = createPairScorer(t, m, { compile: false })
      const a = new Int8Array(C)
      const b = new Int8Array(C)
      const random = createRandom(8)
      let near = 0
      for (let k = 0; k < 5000; k++) {
        const i = Math.floor(random() * t.size)
        const j = Math.floor(random() * t.size)
        expect(compiled.matchWeight(i, j)).toBe(interpreted.matchWeight(i, j))
        compiled.levels(i, j, a)
        interpreted.levels(i, j, b)
        expect(Array.from(a)).toEqual(Array.from(b))
        if (compiled.background(i, j) !== 0) near++
      }
      // the adjusted model's background term is exercised (and the plain model has none)
      if (m === adjusted) expect(near).toBeGreaterThan(20)
      else expect(near).toBe(0)
    }
    const wideTable = buildCaseTable(wide)
    expect(wideTable.moValues.length).toBeGreaterThan(256)
    const longRow = wide.findIndex((x) => x.narrative === pool[0])
    expect(wideTable.narrativeStart[longRow + 1] - wideTable.narrativeStart[longRow]).toBeGreaterThan(500)
  })

  it('is symmetric', () => {
    const random = createRandom(4)
    for (let k = 0; k < 5000; k++) {
      const i = Math.floor(random() * table.size)
      const j = Math.floor(random() * table.size)
      expect(Math.abs(scorer.matchWeight(i, j) - scorer.matchWeight(j, i))).toBeLessThan(1e-9)
    }
  })

  it('explains a pair with contributions that sum exactly to the total, prior first', () => {
    for (const [i, j] of [
      [0, 1],
      [5, 9],
      [17, 17],
    ]) {
      const explained = explainPair(scorer, i, j)
      expect(explained.contributions[0].comparison).toBe('prior')
      let sum = 0
      for (const c of explained.contributions) sum += c.matchWeight
      expect(sum).toBe(explained.matchWeight)
      expect(explained.matchWeight).toBe(scorer.matchWeight(i, j))
      expect(explained.probability).toBe(matchProbability(explained.matchWeight))
      // prior, one per comparison, then the background term (for neighbours) and the prior of the pair's kind
      const names = explained.contributions.map((c) => c.comparison)
      expect(names.slice(1, C + 1)).toEqual(model.comparisons.map((c) => c.name))
      for (const extra of names.slice(C + 1)) expect(['background', 'pairPrior']).toContain(extra)
    }
  })

  it('gives missing data its own level with weight 0', () => {
    const t = buildCaseTable([incident('a'), incident('b', { lat: 31, lon: 121 })])
    const s = createPairScorer(t, model)
    const levels = new Int8Array(C)
    const weights = new Float64Array(C)
    s.explain(0, 1, levels, weights)
    for (let c = 0; c < C; c++) {
      const name = model.comparisons[c].name
      if (name === 'timeGap' || name === 'timeOfDay' || name === 'dayOfWeek') continue
      expect([name, levels[c]]).toEqual([name, 0])
      expect(weights[c]).toBe(0)
    }
  })
})

describe('comparisons', () => {
  const model = defaultModel({ moGroups: ['entry'] })
  const levelOf = (a: Incident, b: Incident, name: string, reference?: ReturnType<typeof buildCaseTable>) => {
    const result = scorePair(a, b, model, { reference })
    const c = result.contributions.find((x) => x.comparison === name)!
    return c
  }

  it('distance: haversine for lat/lon, Euclid for x/y, missing across the two', () => {
    const a = incident('a', { lat: 31, lon: 121 })
    const b = incident('b', { lat: 31.01, lon: 121 })
    const d = levelOf(a, b, 'distance')
    expect(d.label).toBe('<= 1500 m')
    expect(d.value).toBeCloseTo(1112, 0)
    expect(levelOf(incident('p', { x: 0, y: 0 }), incident('q', { x: 300, y: 400 }), 'distance').value).toBe(
      500,
    )
    expect(levelOf(incident('p', { x: 0, y: 0 }), incident('q', { x: 300, y: 400 }), 'distance').label).toBe(
      '<= 500 m',
    )
    expect(levelOf(a, incident('q', { x: 0, y: 0 }), 'distance').label).toBe('missing')
  })

  it('distance lowers a score but never vetoes: 80 km apart with shared rare MO, evidence and pretext', () => {
    const shared = {
      mo: ['entry:slip-latch', 'pretext:meter-reader', 'target:elderly'],
      category: 'fraud.door',
    }
    const a = incident('a', {
      lat: 31,
      lon: 121,
      ...shared,
      evidence: ['phone:13800001111'],
      narrative: '冒充抄表员骗老人开门',
    })
    const b = incident('b', {
      lat: 31.72,
      lon: 121,
      ...shared,
      timeFrom: BASE + 30 * HOUR,
      timeTo: BASE + 30 * HOUR,
      evidence: ['phone:13800001111'],
      narrative: '冒充抄表员骗老人开门入室',
    })
    const result = scorePair(a, b, model)
    const distance = result.contributions.find((c) => c.comparison === 'distance')!
    expect(distance.value! / 1000).toBeCloseTo(80, 0)
    expect(distance.matchWeight).toBeLessThan(0)
    expect(distance.matchWeight).toBeGreaterThanOrEqual(-4)
    expect(result.probability).toBeGreaterThan(0.99)
  })

  it('time gap and time of day use the local clock', () => {
    // 23:00 and 01:00 Shanghai time are 2 h apart on the clock
    const a = incident('a', { timeFrom: Date.UTC(2021, 4, 13, 15), timeTo: Date.UTC(2021, 4, 13, 15) })
    const b = incident('b', { timeFrom: Date.UTC(2021, 4, 14, 17), timeTo: Date.UTC(2021, 4, 14, 17) })
    const result = scorePair(a, b, model, { timeZone: 'Asia/Shanghai' })
    const byName = Object.fromEntries(result.contributions.map((c) => [c.comparison, c]))
    expect(byName.timeGap.value).toBeCloseTo(26, 9)
    expect(byName.timeOfDay.value).toBeCloseTo(2, 9)
    expect(byName.dayOfWeek.value).toBeCloseTo(26 / 24, 9)
    const long = incident('c', { timeFrom: BASE, timeTo: BASE + 30 * HOUR })
    expect(scorePair(a, long, model).contributions.find((c) => c.comparison === 'timeOfDay')!.label).toBe(
      'window >= 24 h',
    )
  })

  it('MO: a shared rare value counts more than a shared common one', () => {
    const common = Array.from({ length: 50 }, (_, k) =>
      incident(`c${k}`, { mo: ['entry:pry-door', `x:${k}`] }),
    )
    const rare = [
      incident('r1', { mo: ['entry:slip-latch', 'y:1'] }),
      incident('r2', { mo: ['entry:slip-latch', 'y:2'] }),
    ]
    const reference = buildCaseTable([...common, ...rare])
    const sharedCommon = levelOf(common[0], common[1], 'mo', reference)
    const sharedRare = levelOf(rare[0], rare[1], 'mo', reference)
    expect(sharedRare.value!).toBeGreaterThan(sharedCommon.value!)
    expect(sharedRare.matchWeight).toBeGreaterThan(sharedCommon.matchWeight)
    // without a reference, every value weighs the same: plain Jaccard 1/3
    expect(levelOf(common[0], common[1], 'mo').value).toBeCloseTo(1 / 3, 12)
    expect(levelOf(rare[0], rare[1], 'mo:entry').label).toBe('same entry')
    expect(levelOf(rare[0], common[1], 'mo:entry').label).toBe('different entry')
    expect(levelOf(rare[0], incident('z', { mo: ['y:1'] }), 'mo:entry').label).toBe('missing')
  })

  it('evidence: shared strong identifiers weigh a lot, a value shared by many weighs little', () => {
    const many = Array.from({ length: 200 }, (_, k) =>
      incident(`m${k}`, { evidence: k < 100 ? ['plate:苏A00000'] : [`plate:苏B${k}`] }),
    )
    const reference = buildCaseTable(many)
    const rareShared = levelOf(
      incident('a', { evidence: ['plate:苏B150'] }),
      incident('b', { evidence: ['plate:苏B150'] }),
      'evidence',
      reference,
    )
    const commonShared = levelOf(many[0], many[1], 'evidence', reference)
    expect(rareShared.label).toBe('shared strong')
    expect(commonShared.label).toBe('shared strong')
    expect(rareShared.matchWeight).toBeGreaterThan(commonShared.matchWeight + 5)
    expect(commonShared.matchWeight).toBeLessThan(2)
    expect(
      levelOf(
        incident('a', { evidence: ['dna:X1', 'plate:P'] }),
        incident('b', { evidence: ['dna:X1'] }),
        'evidence',
      ).label,
    ).toBe('shared near-certain')
    expect(
      levelOf(incident('a', { evidence: ['dna:X1'] }), incident('b', { evidence: ['dna:X2'] }), 'evidence')
        .label,
    ).toBe('same kind, different value')
    expect(
      levelOf(incident('a', { evidence: ['dna:X1'] }), incident('b', { evidence: ['plate:P'] }), 'evidence')
        .label,
    ).toBe('no kind in common')
  })

  it('category: same, same parent, different', () => {
    const c = (category: string) => incident(category, { category })
    expect(levelOf(c('theft.ebike'), c('theft.ebike'), 'category').label).toBe('same')
    expect(levelOf(c('theft.ebike'), c('theft.parcel'), 'category').label).toBe('same parent')
    expect(levelOf(c('theft.ebike'), c('theft'), 'category').label).toBe('same parent')
    expect(levelOf(c('theft.ebike'), c('fraud'), 'category').label).toBe('different')
  })

  it('narrative: Dice over character bigrams, Chinese without segmentation', () => {
    const a = incident('a', { narrative: '撬门入室盗窃现金' })
    const b = incident('b', { narrative: '撬门入室盗窃手机' })
    const n = levelOf(a, b, 'narrative')
    // bigrams: 7 each, 5 shared → Dice 10/14
    expect(n.value).toBeCloseTo(10 / 14, 12)
    expect(n.label).toBe('>= 0.6')
    expect(levelOf(a, incident('c'), 'narrative').label).toBe('missing')
  })
})

describe('scorePairs', () => {
  const incidents = randomIncidents(200, createRandom(5))
  const table = buildCaseTable(incidents)
  const model = defaultModel()
  const random = createRandom(6)
  const count = 5000
  const a = new Uint32Array(count)
  const b = new Uint32Array(count)
  for (let k = 0; k < count; k++) {
    a[k] = Math.floor(random() * 200)
    b[k] = Math.floor(random() * 200)
  }

  it('scores every pair like the kernel and filters by probability', () => {
    const all = scorePairs(table, { count, a, b }, model)
    expect(all.count).toBe(count)
    const scorer = createPairScorer(table, model)
    for (let k = 0; k < count; k += 97) expect(all.matchWeight[k]).toBe(scorer.matchWeight(a[k], b[k]))
    const kept = scorePairs(table, { count, a, b }, model, { minProbability: 0.01 })
    let expected = 0
    for (let k = 0; k < count; k++) if (all.probability[k] >= 0.01) expected++
    expect(kept.count).toBe(expected)
    for (let k = 0; k < kept.count; k++) expect(kept.probability[k]).toBeGreaterThanOrEqual(0.01)
  })

  it('scoreRange over chunks equals one pass', () => {
    const scorer = createPairScorer(table, model)
    const outA = new Uint32Array(count)
    const outB = new Uint32Array(count)
    const outW = new Float64Array(count)
    const floor = weightFloor({ minMatchWeight: -12 })
    let at = 0
    for (let start = 0; start < count; start += 700) {
      at += scoreRange(scorer, a, b, start, Math.min(count, start + 700), floor, outA, outB, outW, at)
    }
    const once = scorePairs(table, { count, a, b }, model, { minMatchWeight: -12, scorer })
    expect(at).toBe(once.count)
    expect(Array.from(outW.subarray(0, at))).toEqual(Array.from(once.matchWeight))
  })

  it('rejects pairs outside the table', () => {
    expect(() =>
      scorePairs(table, { count: 1, a: Uint32Array.of(0), b: Uint32Array.of(200) }, model),
    ).toThrow(/^caselink:/)
  })
})
