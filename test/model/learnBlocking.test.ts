import { describe, expect, it } from 'vitest'
import { generateCandidates } from '../../src/blocking/generateCandidates'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { blockingFor, linkIncidents } from '../../src/link/linkIncidents'
import { learnBlocking } from '../../src/model/learnBlocking'
import { parseLinkageModel } from '../../src/model/linkageModel'
import { serializeModel } from '../../src/model/modelFile'
import { trainModel } from '../../src/model/trainModel'
import { createLinkageIndex } from '../../src/online/linkageIndex'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import type { BackgroundRates } from '../../src/score/backgroundRates'
import { buildCaseTable } from '../../src/table/buildCaseTable'
import { createRandom } from '../../src/util/random'

const TZ = 'Asia/Shanghai'
const DAY = 86_400_000

/**
 * Teams that range: 150 series of 6 incidents within 6 km of their centre, 2–10 days apart (planar
 * metres, day-long windows, no MO or evidence), among 3,000 unrelated incidents over 100 × 100 km and a year.
 */
function rangingTeams(): Incident[] {
  const random = createRandom(11)
  const base = Date.UTC(2022, 0, 1)
  const categories = ['burglary.residential', 'burglary.shop', 'theft.vehicle']
  const rows: Incident[] = []
  const at = (id: string, x: number, y: number, day: number, category: string, series: string[]) => {
    const from = base + Math.floor(day) * DAY
    rows.push({
      id,
      timeFrom: from,
      timeTo: from + DAY - 60_000,
      x,
      y,
      category,
      mo: [],
      evidence: [],
      series,
      attributes: {},
    })
  }
  for (let s = 0; s < 150; s++) {
    const cx = 10_000 + random() * 80_000
    const cy = 10_000 + random() * 80_000
    const category = categories[s % 3]
    let day = random() * 300
    for (let k = 0; k < 6; k++) {
      const angle = random() * 2 * Math.PI
      const r = 6000 * Math.sqrt(random())
      at(`t${s}-${k}`, cx + r * Math.cos(angle), cy + r * Math.sin(angle), day, category, [`T${s}`])
      day += 2 + random() * 8
    }
  }
  for (let k = 0; k < 3000; k++) {
    at(`u${k}`, random() * 100_000, random() * 100_000, random() * 365, categories[k % 3], [])
  }
  return rows
}

/**
 * Travelling offenders: 100 series of 6 incidents anywhere in 150 × 150 km, 2–10 days apart, each series
 * sharing one rare MO value of its own, among 3,000 unrelated incidents; every incident carries two of
 * five common MO values (no rare combination). Planar metres, day-long windows.
 */
function travellers(): Incident[] {
  const random = createRandom(23)
  const base = Date.UTC(2022, 0, 1)
  const common = ['entry:a', 'entry:b', 'entry:c', 'entry:d', 'entry:e']
  const rows: Incident[] = []
  const at = (id: string, day: number, mo: string[], series: string[]) => {
    const from = base + Math.floor(day) * DAY
    const first = Math.floor(random() * 5)
    rows.push({
      id,
      timeFrom: from,
      timeTo: from + DAY - 60_000,
      x: random() * 150_000,
      y: random() * 150_000,
      category: 'fraud.impersonation',
      mo: [common[first], common[(first + 1 + Math.floor(random() * 4)) % 5], ...mo],
      evidence: [],
      series,
      attributes: {},
    })
  }
  for (let s = 0; s < 100; s++) {
    let day = random() * 300
    for (let k = 0; k < 6; k++) {
      at(`s${s}-${k}`, day, [`pretext:official-${s}`], [`S${s}`])
      day += 2 + random() * 8
    }
  }
  for (let k = 0; k < 3000; k++) at(`u${k}`, random() * 365, [], [])
  return rows
}

describe('learnBlocking', () => {
  it('widens the horizon until teams that range are reached: ≥ 95% of their pairs, as blocking then finds', () => {
    const incidents = rangingTeams()
    const table = buildCaseTable(incidents)
    const learned = learnBlocking(table, incidents)
    expect(learned.defaultCoverage).toBeLessThan(0.3)
    expect(learned.coverage).toBeGreaterThanOrEqual(0.95)
    expect(learned.maxDistanceMeters).toBeGreaterThan(1500)
    expect(learned.maxGapDays).toBeGreaterThan(21)
    expect(learned.pairsPerIncident).toBeLessThanOrEqual(40)
    // what it reports is what blocking does: every series pair (they are ≤ 20) as candidates
    const candidates = generateCandidates(table, {
      maxDistanceMeters: learned.maxDistanceMeters,
      maxGapDays: learned.maxGapDays,
    })
    let linkedFound = 0
    for (let k = 0; k < candidates.count; k++) {
      const a = incidents[candidates.a[k]].series[0]
      if (a !== undefined && a === incidents[candidates.b[k]].series[0]) linkedFound++
    }
    expect(linkedFound / (150 * 15)).toBeCloseTo(learned.coverage, 10)
    // its estimate of the cost is the count (the sample is the whole set here)
    expect(learned.pairsPerIncident).toBeCloseTo(
      generateCandidates(table, {
        maxDistanceMeters: learned.maxDistanceMeters,
        maxGapDays: learned.maxGapDays,
        evidence: false,
        rareMo: false,
      }).count / table.size,
      10,
    )
    // within a smaller budget it settles for less
    const tight = learnBlocking(table, incidents, { budget: learned.pairsPerIncident / 4 })
    expect(tight.pairsPerIncident).toBeLessThanOrEqual(learned.pairsPerIncident / 4)
    expect(tight.coverage).toBeLessThan(learned.coverage)
  })

  it("learns the rare-MO rule's limits: travellers sharing a rare pretext are reached at any distance", () => {
    const incidents = travellers()
    const table = buildCaseTable(incidents)
    const learned = learnBlocking(table, incidents)
    const rare = learned.rareMo
    expect(rare?.maxDistanceMeters).toBeGreaterThanOrEqual(100_000)
    expect(learned.defaultCoverage).toBeLessThan(0.2)
    expect(learned.coverage).toBeGreaterThanOrEqual(0.9)
    // what it reports is what blocking does (every rare key sampled here): the pairs and the coverage
    const candidates = generateCandidates(table, {
      maxDistanceMeters: learned.maxDistanceMeters,
      maxGapDays: learned.maxGapDays,
      rareMo: { maxDistanceMeters: rare?.maxDistanceMeters, maxGapDays: rare?.maxGapDays },
    })
    let rarePairs = 0
    let linkedFound = 0
    for (let k = 0; k < candidates.count; k++) {
      if (candidates.rule[k] === 3) rarePairs++
      const a = incidents[candidates.a[k]].series[0]
      if (a !== undefined && a === incidents[candidates.b[k]].series[0]) linkedFound++
    }
    expect(rare?.pairsPerIncident).toBeCloseTo(rarePairs / table.size, 10)
    expect(linkedFound / (100 * 15)).toBeCloseTo(learned.coverage, 10)
    // a model keeps them and links with them, unless the options set the rule's limits
    const model = trainModel(incidents, { seed: 1 })
    expect(model.blocking?.rareMo).toEqual(rare)
    const statistics = { table, termFrequencies: null, background: null }
    expect(blockingFor(model, statistics, undefined)?.rareMo).toEqual({
      maxDistanceMeters: rare?.maxDistanceMeters,
      maxGapDays: rare?.maxGapDays,
    })
    expect(blockingFor(model, statistics, { rareMo: { maxGapDays: 30 } })?.rareMo).toEqual({ maxGapDays: 30 })
    expect(blockingFor(model, statistics, { rareMo: false })?.rareMo).toBe(false)
    // without the rule, nothing to learn
    expect(learnBlocking(table, incidents, { blocking: { rareMo: false } }).rareMo).toBeUndefined()
  })

  it('keeps the defaults where they reach the linked pairs about as well (generated province data)', () => {
    const incidents = parseIncidents(generateIncidents({ n: 8000, seed: 6, preset: 'province' }).incidents, {
      timeZone: TZ,
    }).incidents
    const learned = learnBlocking(buildCaseTable(incidents, { timeZone: TZ }), incidents, { timeZone: TZ })
    expect(learned.maxDistanceMeters).toBe(1500)
    expect(learned.maxGapDays).toBe(21)
    expect(learned.rareMo).toMatchObject({ maxDistanceMeters: 30_000, maxGapDays: 180 })
    expect(learned.coverage).toBe(learned.defaultCoverage)
  })
})

describe('a model with a learned horizon', () => {
  const incidents = rangingTeams()
  const model = trainModel(incidents, { seed: 1 })

  it('stores it, round-trips it through JSON, and links with it', () => {
    expect(model.blocking?.coverage).toBeGreaterThanOrEqual(0.95)
    expect(parseLinkageModel(JSON.parse(serializeModel(model)))).toEqual(model)
    const result = linkIncidents(incidents, { model })
    const stage = result.stats.stages.candidates
    // the training data itself: its own density, so the horizon as learned
    expect(stage.maxDistanceMeters).toBeCloseTo(model.blocking?.maxDistanceMeters ?? 0, 6)
    expect(stage.maxGapDays).toBeCloseTo(model.blocking?.maxGapDays ?? 0, 6)
    // options that set a horizon win
    const pinned = linkIncidents(incidents, { model, blocking: { maxDistanceMeters: 1500 } })
    expect(pinned.stats.stages.candidates.maxDistanceMeters).toBe(1500)
  })

  it("is the online index's horizon too, unless its options set one", () => {
    const index = createLinkageIndex({ model })
    expect(index.options.maxDistanceMeters).toBe(model.blocking?.maxDistanceMeters)
    expect(index.options.maxGapDays).toBe(model.blocking?.maxGapDays)
    expect(createLinkageIndex({ model, maxDistanceMeters: 1500 }).options.maxGapDays).toBeUndefined()
  })

  it('is rescaled to the density of the data linked: 8× denser halves it, and never beyond [0.5, 2]', () => {
    const reference = model.background?.referenceExpected ?? Number.NaN
    const statistics = (geometricMean: number) => ({
      table: buildCaseTable([]),
      termFrequencies: null,
      background: { geometricMean } as BackgroundRates,
    })
    const denser = blockingFor(model, statistics(8 * reference), undefined)
    expect(denser?.maxDistanceMeters).toBeCloseTo((model.blocking?.maxDistanceMeters ?? 0) / 2, 6)
    expect(denser?.maxGapDays).toBeCloseTo((model.blocking?.maxGapDays ?? 0) / 2, 6)
    const emptier = blockingFor(model, statistics(reference / 1000), undefined)
    expect(emptier?.maxDistanceMeters).toBeCloseTo((model.blocking?.maxDistanceMeters ?? 0) * 2, 6)
  })
})
