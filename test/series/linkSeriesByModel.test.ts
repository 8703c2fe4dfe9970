import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { communityMembers } from '../../src/cluster/partition'
import { evaluatePartition } from '../../src/evaluation/evaluatePartition'
import { defaultTimeSpanDays, generateIncidents } from '../../src/generate/generateIncidents'
import { linkIncidents } from '../../src/link/linkIncidents'
import { defaultModel } from '../../src/model/defaultModel'
import {
  parseLinkageModel,
  SERIES_LINK_FEATURES,
  type SeriesLinkFeature,
  type SeriesLinkModel,
  SeriesLinkModelSchema,
} from '../../src/model/linkageModel'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { fitSeriesLinks } from '../../src/series/fitSeriesLinks'
import { linkSeriesByModel, seriesPairProbabilities } from '../../src/series/linkSeriesByModel'
import { seriesPairFeatures } from '../../src/series/seriesPairFeatures'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const DAY = 86_400_000
const T0 = Date.UTC(2024, 0, 1)
const TZ = 'Asia/Shanghai'

function incident(
  id: string,
  x: number,
  y: number,
  day: number,
  mo: string[],
  series: string[] = [],
): Incident {
  return {
    id,
    timeFrom: T0 + day * DAY + 10 * 3_600_000,
    timeTo: T0 + day * DAY + 11 * 3_600_000,
    x,
    y,
    category: 'burglary.residential',
    mo,
    evidence: [],
    series,
    attributes: {},
  }
}

/** A model that merges on profile similarity alone: p = σ(weight · (similarity − 0.7) / 0.1). */
function similarityModel(overrides: Partial<SeriesLinkModel> = {}): SeriesLinkModel {
  const features: SeriesLinkFeature[] = ['similarity']
  return SeriesLinkModelSchema.parse({
    features,
    weights: [4],
    intercept: 0,
    center: [0.7],
    scale: [0.1],
    minProbability: 0.5,
    vetoProbability: 0.05,
    reach: { maxDistanceMeters: 80_000, maxGapDays: 240, minSimilarity: 0.5, maxAlternations: 10 },
    ...overrides,
  })
}

const PROFILE = ['sign:pose-as-inspector', 'sign:wear-uniform', 'entry:unlocked-door', 'target:cash']

/** Background rows with common values, so the profile's values are rare. */
function background(count: number): Incident[] {
  const rows: Incident[] = []
  for (let k = 0; k < count; k++) {
    rows.push(
      incident(`N${k}`, (k % 20) * 7000, Math.floor(k / 20) * 7000, k % 200, [
        'target:phone',
        `entry:n${k % 5}`,
      ]),
    )
  }
  return rows
}

/** Fragments: `count` rows each at (x, y) from `day`, one every `every` days. */
function fragment(name: string, x: number, day: number, count: number, every = 3, mo = PROFILE): Incident[] {
  const rows: Incident[] = []
  for (let k = 0; k < count; k++) rows.push(incident(`${name}${k}`, x + 300 * k, 0, day + every * k, mo))
  return rows
}

function membershipBy(incidents: readonly Incident[]): Int32Array {
  // rows named <letter><digit…> form one community per letter group; N rows are alone
  const ids = new Map<string, number>()
  const membership = new Int32Array(incidents.length)
  incidents.forEach((row, i) => {
    const key = row.id.startsWith('N') ? row.id : row.id.replace(/\d+$/, '')
    if (!ids.has(key)) ids.set(key, ids.size)
    membership[i] = ids.get(key) as number
  })
  return membership
}

function groupsOf(incidents: readonly Incident[], membership: Int32Array): string[][] {
  const groups = new Map<number, string[]>()
  incidents.forEach((row, i) => {
    if (row.id.startsWith('N')) return
    groups.set(membership[i], [...(groups.get(membership[i]) ?? []), row.id])
  })
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => (a[0] < b[0] ? -1 : 1))
}

describe('linkSeriesByModel', () => {
  it('merges a travelling offender’s fragments a county apart, explains the merge, and leaves the input alone', () => {
    const incidents = [
      ...background(200),
      ...fragment('A', 0, 0, 4),
      ...fragment('B', 45_000, 40, 4),
      ...fragment('C', 90_000, 80, 4),
    ]
    const table = buildCaseTable(incidents, { timeZone: TZ })
    const membership = membershipBy(incidents)
    const before = Int32Array.from(membership)
    const { membership: merged, merges } = linkSeriesByModel(table, membership, similarityModel())
    expect(membership).toEqual(before)
    expect(groupsOf(incidents, merged).map((g) => g.length)).toEqual([12])
    expect(merges.length).toBe(2)
    for (const merge of merges) {
      expect(merge.probability).toBeGreaterThanOrEqual(0.5)
      expect(merge.reasons?.[0]).toMatch(/^profile similarity \(\+\d+\.\d\)$/)
      expect(merge.sharedMo.map((v) => table.moValues[v]).sort()).toEqual([...PROFILE].sort())
      expect(merge.distanceMeters).toBeGreaterThan(40_000)
    }
  })

  it('keeps look-alike rings apart when they work at once in towns 35 km apart, and does not chain across them', () => {
    // rings A and B alternate day by day 35 km apart; C (later, near B) is like both
    const incidents = [
      ...background(200),
      ...fragment('A', 0, 0, 14, 2),
      ...fragment('B', 35_000, 1, 14, 2),
      ...fragment('C', 40_000, 60, 3),
    ]
    const table = buildCaseTable(incidents, { timeZone: TZ })
    const { membership: merged } = linkSeriesByModel(table, membershipBy(incidents), similarityModel())
    const sizes = groupsOf(incidents, merged).map((g) => g.length)
    // C joins one ring at most; the two rings never share a series
    expect(sizes.length).toBe(2)
    expect(sizes.sort((a, b) => a - b)).toEqual([14, 17])
    const unlimited = similarityModel({
      reach: { maxDistanceMeters: 80_000, maxGapDays: 240, minSimilarity: 0.5 },
    })
    const { membership: chained } = linkSeriesByModel(table, membershipBy(incidents), unlimited)
    expect(groupsOf(incidents, chained).map((g) => g.length)).toEqual([31])
  })

  it('never merges below the model’s probability, nor across a vetoed pair', () => {
    const incidents = [...background(200), ...fragment('A', 0, 0, 4), ...fragment('B', 30_000, 30, 4)]
    const table = buildCaseTable(incidents, { timeZone: TZ })
    const strict = similarityModel({ center: [1.2] })
    expect(linkSeriesByModel(table, membershipBy(incidents), strict).merges).toEqual([])
    // three fragments: A–B and B–C strong, A–C scored below the veto (different habits beyond the profile)
    const mixed = [
      ...background(200),
      ...fragment('A', 0, 0, 4, 3, [...PROFILE, 'tool:crowbar']),
      ...fragment('B', 20_000, 20, 4, 3, PROFILE),
      ...fragment('C', 40_000, 40, 4, 3, [...PROFILE, 'time:dusk']),
    ]
    const mixedTable = buildCaseTable(mixed, { timeZone: TZ })
    const model = similarityModel({ center: [0.72], vetoProbability: 0.3 })
    const pairs = seriesPairFeatures(mixedTable, membershipBy(mixed), model.reach)
    expect(pairs.count).toBe(3)
    const { membership: merged } = linkSeriesByModel(mixedTable, membershipBy(mixed), model)
    const sizes = groupsOf(mixed, merged).map((g) => g.length)
    expect(sizes.sort()).toEqual([4, 8])
    const noVeto = similarityModel({ center: [0.72], vetoProbability: 0.001 })
    const all = linkSeriesByModel(mixedTable, membershipBy(mixed), noVeto).membership
    expect(groupsOf(mixed, all).map((g) => g.length)).toEqual([12])
  })

  it('gives the same partition whatever the row order', () => {
    const incidents = [
      ...background(120),
      ...fragment('A', 0, 0, 4),
      ...fragment('B', 45_000, 40, 3),
      ...fragment('C', 30_000, 90, 5),
      ...fragment('D', 0, 150, 2, 3, ['sign:pose-as-inspector', 'sign:wear-uniform', 'tool:x']),
    ]
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: incidents.length, maxLength: incidents.length }),
        (keys) => {
          const order = incidents.map((_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b)
          const shuffled = order.map((i) => incidents[i])
          const table = buildCaseTable(shuffled, { timeZone: TZ })
          const { membership } = linkSeriesByModel(table, membershipBy(shuffled), similarityModel())
          const reference = buildCaseTable(incidents, { timeZone: TZ })
          const expected = linkSeriesByModel(reference, membershipBy(incidents), similarityModel()).membership
          expect(groupsOf(shuffled, membership)).toEqual(groupsOf(incidents, expected))
        },
      ),
      { numRuns: 15 },
    )
  })
})

describe('seriesPairFeatures', () => {
  it('finds exactly the pairs of series a brute-force comparison finds, and in a later round those with an active series', () => {
    const values = ['a:1', 'a:2', 'b:1', 'b:2', 'c:1', 'c:2', 'd:1']
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            x: fc.integer({ min: 0, max: 150_000 }),
            day: fc.integer({ min: 0, max: 400 }),
            mo: fc.subarray(values, { minLength: 1 }),
            group: fc.integer({ min: 0, max: 11 }),
          }),
          { minLength: 4, maxLength: 40 },
        ),
        (rows) => {
          const incidents = rows.map((r, i) => ({ ...incident(`R${i}`, r.x, 0, r.day, r.mo), id: `R${i}` }))
          const membership = Int32Array.from(rows, (r) => r.group)
          const table = buildCaseTable(incidents, { timeZone: TZ })
          const reach = { maxDistanceMeters: 40_000, maxGapDays: 120, minSimilarity: 0.5, minSharedBits: 2.5 }
          const pairs = seriesPairFeatures(table, membership, reach)
          const found = new Set<string>()
          for (let k = 0; k < pairs.count; k++) found.add(`${pairs.a[k]}-${pairs.b[k]}`)
          // brute force: profiles, category, nearest members, weighted Jaccard
          const { count, start, rows: members } = communityMembers(membership)
          const expected = new Set<string>()
          const profile = (c: number) => {
            const counts = new Map<number, number>()
            for (let k = start[c]; k < start[c + 1]; k++) {
              const i = members[k]
              for (let q = table.moStart[i]; q < table.moStart[i + 1]; q++)
                counts.set(table.moIds[q], (counts.get(table.moIds[q]) ?? 0) + 1)
            }
            return new Set([...counts].filter(([, n]) => 2 * n >= start[c + 1] - start[c]).map(([v]) => v))
          }
          for (let c = 0; c < count; c++) {
            for (let t = c + 1; t < count; t++) {
              if (start[c + 1] - start[c] < 2 || start[t + 1] - start[t] < 2) continue
              const pc = profile(c)
              const pt = profile(t)
              const shared = [...pc].filter((v) => pt.has(v))
              const union = new Set([...pc, ...pt])
              const w = (v: number) => pairs.moWeight[v]
              const sharedWeight = shared.reduce((s, v) => s + w(v), 0)
              const unionWeight = [...union].reduce((s, v) => s + w(v), 0)
              // the thresholds up to a rounding error, as the implementation reads them
              if (
                shared.length < 2 ||
                sharedWeight < (0.5 - 1e-9) * unionWeight ||
                sharedWeight < 2.5 * (1 - 1e-9)
              )
                continue
              let near = false
              let soon = false
              for (let p = start[c]; p < start[c + 1]; p++) {
                for (let q = start[t]; q < start[t + 1]; q++) {
                  const i = members[p]
                  const j = members[q]
                  if (Math.abs(table.x[i] - table.x[j]) <= 40_000) near = true
                  if (Math.abs(table.timeFrom[i] - table.timeFrom[j]) <= 120 * DAY) soon = true
                }
              }
              if (near && soon) expected.add(`${c}-${t}`)
            }
          }
          expect([...found].sort()).toEqual([...expected].sort())
          // a later round: only pairs with an active series, with the same features (look-alikes complete)
          const active = Uint8Array.from({ length: count }, (_, c) => (c % 3 === 0 ? 1 : 0))
          const later = seriesPairFeatures(table, membership, reach, active)
          const F = SERIES_LINK_FEATURES.length
          const full = new Map<string, number[]>()
          for (let k = 0; k < pairs.count; k++) {
            full.set(`${pairs.a[k]}-${pairs.b[k]}`, Array.from(pairs.features.subarray(k * F, k * F + F)))
          }
          const expectedLater = [...full.keys()].filter((key) =>
            key.split('-').some((c) => active[Number(c)] === 1),
          )
          const foundLater: string[] = []
          for (let k = 0; k < later.count; k++) {
            const key = `${later.a[k]}-${later.b[k]}`
            foundLater.push(key)
            const features = Array.from(later.features.subarray(k * F, k * F + F))
            for (let d = 0; d < F; d++) {
              expect([SERIES_LINK_FEATURES[d], features[d]]).toEqual([
                SERIES_LINK_FEATURES[d],
                expect.closeTo((full.get(key) as number[])[d], 9),
              ])
            }
          }
          expect(foundLater.sort()).toEqual(expectedLater.sort())
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe('fitSeriesLinks', () => {
  it('fits a valid, deterministic model on solved cases, whose merges raise B³ on another set', () => {
    const solved = (seed: number) =>
      parseIncidents(generateIncidents({ n: 6000, seed, preset: 'travelling' }).incidents, { timeZone: TZ })
        .incidents
    const training = solved(41)
    const first = linkIncidents(training, { timeZone: TZ, seriesLinks: false })
    const fitted = fitSeriesLinks(first.table, first.partition.membership)
    expect(fitted).toBeDefined()
    const model = fitted as SeriesLinkModel
    expect(model.features).toEqual([...SERIES_LINK_FEATURES])
    expect(model.training?.linked).toBeGreaterThan(0)
    expect(fitSeriesLinks(first.table, first.partition.membership)).toEqual(model)
    // the shared habits weigh for, the distance against
    expect(model.weights[SERIES_LINK_FEATURES.indexOf('sharedBits')]).toBeGreaterThan(0)
    expect(model.weights[SERIES_LINK_FEATURES.indexOf('distanceKm')]).toBeLessThan(0)
    expect(parseLinkageModel({ ...defaultModel(), seriesLinks: model }).seriesLinks).toEqual(model)
    const other = solved(42)
    const bcubed = (seriesLinks: SeriesLinkModel | false) =>
      evaluatePartition(linkIncidents(other, { timeZone: TZ, seriesLinks }).assignments, other).bcubed
    const withLinks = bcubed(model)
    const without = bcubed(false)
    expect(withLinks.recall).toBeGreaterThan(without.recall)
    expect(withLinks.f1).toBeGreaterThan(without.f1)
  })

  it('shrinks toward a prior: with a heavy penalty it gives the prior’s probabilities, and keeps its thresholds on few pairs', () => {
    const training = parseIncidents(
      generateIncidents({ n: 6000, seed: 43, preset: 'travelling' }).incidents,
      {
        timeZone: TZ,
      },
    ).incidents
    const linked = linkIncidents(training, { timeZone: TZ, seriesLinks: false })
    const prior = defaultModel().seriesLinks as SeriesLinkModel
    const shrunk = fitSeriesLinks(linked.table, linked.partition.membership, {
      prior,
      l2: 1e9,
    }) as SeriesLinkModel
    expect(shrunk.training?.pairs).toBeLessThan(500)
    expect([shrunk.minProbability, shrunk.vetoProbability]).toEqual([
      prior.minProbability,
      prior.vetoProbability,
    ])
    const pairs = seriesPairFeatures(linked.table, linked.partition.membership, prior.reach)
    const expected = seriesPairProbabilities(pairs, prior)
    const got = seriesPairProbabilities(pairs, shrunk)
    // the intercept is free (fitted to these pairs' base rate): compare log-odds differences between pairs
    const logit = (p: number) => Math.log(p / (1 - p))
    for (let k = 1; k < pairs.count; k++) {
      expect(logit(got[k]) - logit(got[0])).toBeCloseTo(logit(expected[k]) - logit(expected[0]), 3)
    }
    const free = fitSeriesLinks(linked.table, linked.partition.membership, { l2: 1e9 }) as SeriesLinkModel
    for (const weight of free.weights) expect(Math.abs(weight)).toBeLessThan(1e-6)
  })

  it('returns undefined when no pair of labelled series is within reach', () => {
    const incidents = [...background(50), ...fragment('A', 0, 0, 3)]
    const table = buildCaseTable(incidents, { timeZone: TZ })
    expect(fitSeriesLinks(table, membershipBy(incidents))).toBeUndefined()
  })
})

describe('series links in linkIncidents (built-in model)', () => {
  it('recovers half of a planted travelling impersonator in a 20k background (a third without), rings apart', () => {
    const n = 20_000
    const { incidents: records } = generateIncidents({
      n,
      seed: 1,
      preset: 'province',
      timeSpanDays: Math.max(defaultTimeSpanDays(n), 270),
      scenarios: 'all',
    })
    const { incidents } = parseIncidents(records, { timeZone: TZ })
    const result = linkIncidents(incidents, { timeZone: TZ })
    const off = linkIncidents(incidents, { timeZone: TZ, seriesLinks: false })
    const best = (assignments: Record<string, string | null>, label: string) => {
      const members = incidents.filter((r) => r.series.includes(label)).map((r) => r.id)
      const counts = new Map<string, number>()
      for (const id of members) {
        const s = assignments[id]
        if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1)
      }
      const [series, overlap] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [null, 0]
      const size = series === null ? 0 : Object.values(assignments).filter((s) => s === series).length
      return { series, f1: (2 * overlap) / (members.length + size) }
    }
    const learned = best(result.assignments, 'scenario:impersonator')
    expect(learned.f1).toBeGreaterThan(0.6)
    expect(learned.f1).toBeGreaterThan(best(off.assignments, 'scenario:impersonator').f1 + 0.2)
    expect(result.profileLinks.length).toBeGreaterThan(0)
    expect(result.profileLinks[0].probability).toBeGreaterThan(0)
    const rings = ['scenario:ebike-ring-1', 'scenario:ebike-ring-2', 'scenario:ebike-ring-3'].map(
      (label) => best(result.assignments, label).series,
    )
    expect(new Set(rings).size).toBe(3)
  }, 60_000)
})
