import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { analyzeBlocking } from '../../src/blocking/analyzeBlocking'
import { resolveBlockingOptions } from '../../src/blocking/blockingOptions'
import {
  type CandidateSet,
  type GenerateCandidatesOptions,
  generateCandidates,
  generateCandidatesBruteForce,
} from '../../src/blocking/generateCandidates'
import {
  compileHorizon,
  firstSharedRareKey,
  firstSharedRareKeyByValues,
  rareCombinations,
  rareTriples,
  withinDistance,
} from '../../src/blocking/horizon'
import { defaultModel, makeComparison } from '../../src/model/defaultModel'
import { parseLinkageModel } from '../../src/model/linkageModel'
import type { Incident } from '../../src/schema/incident'
import { createPairScorer } from '../../src/score/pairScorer'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const DAY = 86_400_000
const T0 = Date.UTC(2024, 0, 1)

function incident(id: string, fields: Partial<Incident> = {}): Incident {
  const timeFrom = fields.timeFrom ?? T0
  return {
    id,
    mo: [],
    evidence: [],
    series: [],
    attributes: {},
    ...fields,
    timeFrom,
    timeTo: fields.timeTo ?? timeFrom,
  }
}

/** Independent great-circle distance (atan2 form), metres. */
function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const R = 6_371_008.8
  const r = Math.PI / 180
  const a =
    Math.sin(((lat2 - lat1) * r) / 2) ** 2 +
    Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2
  return 2 * R * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a))
}

function expectSame(actual: CandidateSet, expected: CandidateSet): void {
  expect(actual.count).toBe(expected.count)
  expect(actual.byRule).toEqual(expected.byRule)
  expect(Array.from(actual.a)).toEqual(Array.from(expected.a))
  expect(Array.from(actual.b)).toEqual(Array.from(expected.b))
  expect(Array.from(actual.rule)).toEqual(Array.from(expected.rule))
  expect(actual.capped).toEqual(expected.capped)
}

/** Incidents around a few centres (so many pairs sit near the distance bound), windows of all sizes. */
const incidentsArbitrary = (centreLat: number) =>
  fc
    .record({
      centres: fc.array(
        fc.record({
          dLat: fc.integer({ min: -3000, max: 3000 }),
          dLon: fc.integer({ min: -3000, max: 3000 }),
        }),
        { minLength: 1, maxLength: 4, size: 'max' },
      ),
      rows: fc.array(
        fc.record({
          centre: fc.nat(3),
          spread: fc.constantFrom(0, 0.001, 0.01, 0.02, 0.05),
          u: fc.integer({ min: -10_000, max: 10_000 }),
          v: fc.integer({ min: -10_000, max: 10_000 }),
          location: fc.constantFrom('latlon', 'latlon', 'latlon', 'planar', 'none'),
          startHour: fc.integer({ min: 0, max: 200 * 24 }),
          fractionMs: fc.constantFrom(0, 0, 0, 0, 0.25),
          lengthDays: fc.constantFrom(0, 0, 0.3, 2, 15, 45, 120),
          category: fc.constantFrom(undefined, 'burglary.home', 'burglary.shop', 'theft.bike', 'fraud'),
          mo: fc.uniqueArray(fc.constantFrom('e:1', 'e:2', 'e:3', 't:1', 't:2', 's:1', 's:2', 's:3', 's:4'), {
            maxLength: 4,
          }),
          evidence: fc.uniqueArray(fc.constantFrom('fp:1', 'fp:2', 'fp:3', 'shoe:A', 'phone:9'), {
            maxLength: 2,
          }),
        }),
        { minLength: 0, maxLength: 100, size: 'max' },
      ),
    })
    .map(({ centres, rows }) =>
      rows.map((row, k): Incident => {
        // centres within ±0.3°, rows within ±spread° of their centre
        const centre = centres[row.centre % centres.length]
        const c = { dLat: centre.dLat / 10_000, dLon: centre.dLon / 10_000 }
        const u = row.u / 10_000
        const v = row.v / 10_000
        const from = T0 + row.startHour * 3_600_000 + row.fractionMs
        const base = incident(`I${k}`, {
          timeFrom: from,
          timeTo: from + Math.round(row.lengthDays * DAY),
          category: row.category,
          mo: row.mo,
          evidence: row.evidence,
        })
        if (row.location === 'latlon') {
          base.lat = centreLat + c.dLat + u * row.spread
          base.lon = 119 + c.dLon + v * row.spread
        } else if (row.location === 'planar') {
          base.x = (c.dLat + u * row.spread) * 100_000
          base.y = (c.dLon + v * row.spread) * 100_000
        }
        return base
      }),
    )

const optionsArbitrary: fc.Arbitrary<GenerateCandidatesOptions> = fc.record(
  {
    maxDistanceMeters: fc.constantFrom(0, 150, 1000, 2500, 8000, 40_000),
    maxGapDays: fc.constantFrom(0, 0.5, 3, 21, 60),
    categoryGroups: fc.constantFrom(undefined, 'none' as const, 'parent' as const, 'category' as const, [
      ['burglary'],
      ['theft.bike', 'fraud'],
    ]),
    allowMissingLocation: fc.boolean(),
    evidence: fc.boolean(),
    rareMo: fc.constantFrom(
      undefined,
      false as const,
      { maxDocumentFrequency: 3, maxGapDays: 30 },
      { maxDocumentFrequency: 6, combinations: false },
      { maxDocumentFrequency: 10, maxGapDays: 500 },
      { maxDocumentFrequency: 4, triples: true },
      { maxDocumentFrequency: 8, combinations: false, triples: true },
      { maxDocumentFrequency: 6, maxDistanceMeters: 3000 },
      { maxDocumentFrequency: 10, maxDistanceMeters: 0, triples: true },
      { maxDocumentFrequency: 5, maxDistanceMeters: Number.POSITIVE_INFINITY },
    ),
    maxBlockSize: fc.constantFrom(2, 4, 100),
  },
  { requiredKeys: [] },
)

describe('generateCandidates', () => {
  it('equals brute force on clustered lat/lon, planar and unlocated rows with long windows (property)', () => {
    fc.assert(
      fc.property(incidentsArbitrary(32), optionsArbitrary, (incidents, options) => {
        const table = buildCaseTable(incidents)
        expectSame(generateCandidates(table, options), generateCandidatesBruteForce(table, options))
      }),
      { numRuns: 150, seed: 20260521 },
    )
  })

  it('equals brute force at high latitude, where a degree of longitude is short (property)', () => {
    fc.assert(
      fc.property(incidentsArbitrary(69.5), optionsArbitrary, (incidents, options) => {
        const table = buildCaseTable(incidents)
        expectSame(generateCandidates(table, options), generateCandidatesBruteForce(table, options))
      }),
      { numRuns: 100, seed: 7 },
    )
  })

  it('equals brute force on chains of points just inside the distance bound, in every direction (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 32, 60, 75),
        fc.constantFrom(100, 2000, 15_000),
        fc.array(
          fc.record({
            bearingDegrees: fc.oneof(fc.integer({ min: 0, max: 359 }), fc.constantFrom(0, 90, 180, 270)),
            permille: fc.oneof(fc.integer({ min: 960, max: 1005 }), fc.integer({ min: 995, max: 1000 })),
          }),
          { minLength: 2, maxLength: 60, size: 'max' },
        ),
        (latitude, d, steps) => {
          const R = 6_371_008.8
          const r = Math.PI / 180
          let lat = latitude
          let lon = 119
          const incidents = steps.map((step, k) => {
            const delta = (d * step.permille) / 1000 / R
            const theta = step.bearingDegrees * r
            const phi1 = lat * r
            const phi2 = Math.asin(
              Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta),
            )
            const dLambda = Math.atan2(
              Math.sin(theta) * Math.sin(delta) * Math.cos(phi1),
              Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2),
            )
            lat = phi2 / r
            lon += dLambda / r
            return incident(`C${k}`, { lat, lon })
          })
          const table = buildCaseTable(incidents)
          const options = { maxDistanceMeters: d, evidence: false, rareMo: false as const }
          expectSame(generateCandidates(table, options), generateCandidatesBruteForce(table, options))
        },
      ),
      { numRuns: 200, seed: 99 },
    )
  })

  it('produces exactly the pairs within haversine distance and time gap (independent check)', () => {
    fc.assert(
      fc.property(
        incidentsArbitrary(45),
        fc.constantFrom(300, 2000, 12_000),
        fc.constantFrom(0, 2, 30),
        (incidents, d, g) => {
          const table = buildCaseTable(incidents)
          const result = generateCandidates(table, {
            maxDistanceMeters: d,
            maxGapDays: g,
            categoryGroups: 'none',
            evidence: false,
            rareMo: false,
            behaviour: false,
          })
          const found = new Set<number>()
          for (let k = 0; k < result.count; k++) found.add(result.a[k] * 1000 + result.b[k])
          for (let i = 0; i < incidents.length; i++) {
            for (let j = i + 1; j < incidents.length; j++) {
              const p = incidents[i]
              const q = incidents[j]
              const gap = Math.max(0, Math.max(p.timeFrom, q.timeFrom) - Math.min(p.timeTo, q.timeTo))
              let distance = Number.NaN
              if (p.lat !== undefined && q.lat !== undefined)
                distance = haversine(p.lat, p.lon!, q.lat, q.lon!)
              else if (p.x !== undefined && q.x !== undefined) distance = Math.hypot(p.x - q.x, p.y! - q.y!)
              if (Number.isNaN(distance) || Math.abs(distance - d) < 1e-6 * (d + 1)) continue
              expect(found.has(i * 1000 + j)).toBe(distance <= d && gap <= g * DAY)
            }
          }
        },
      ),
      { numRuns: 80, seed: 11 },
    )
  })

  it('returns each unordered pair once, a < b, sorted by a then b, and counts per rule', () => {
    const incidents: Incident[] = []
    for (let k = 0; k < 60; k++) {
      incidents.push(
        incident(`R${k}`, {
          lat: 31 + (k % 7) * 0.002,
          lon: 119 + (k % 5) * 0.002,
          timeFrom: T0 + (k % 9) * DAY,
          timeTo: T0 + (k % 9) * DAY + (k % 3) * 40 * DAY,
          evidence: k % 4 === 0 ? ['fp:X'] : [],
        }),
      )
    }
    const result = generateCandidates(buildCaseTable(incidents), { maxGapDays: 2 })
    const seen = new Set<number>()
    for (let k = 0; k < result.count; k++) {
      expect(result.a[k]).toBeLessThan(result.b[k])
      if (k > 0) {
        const ordered =
          result.a[k - 1] < result.a[k] || (result.a[k - 1] === result.a[k] && result.b[k - 1] < result.b[k])
        expect(ordered).toBe(true)
      }
      seen.add(result.a[k] * 100 + result.b[k])
    }
    expect(seen.size).toBe(result.count)
    const total = Object.values(result.byRule).reduce((s, c) => s + c, 0)
    expect(total).toBe(result.count)
    expect(result.byRule.spaceTime).toBeGreaterThan(0)
    expect(result.byRule.evidence).toBeGreaterThan(0)
  })

  it('finds a window spanning many time buckets paired with points far from its start', () => {
    const incidents = [
      incident('long', { lat: 31, lon: 119, timeFrom: T0, timeTo: T0 + 400 * DAY }),
      incident('late', { lat: 31.001, lon: 119, timeFrom: T0 + 399 * DAY, timeTo: T0 + 399 * DAY }),
      incident('after', { lat: 31.001, lon: 119, timeFrom: T0 + 406 * DAY, timeTo: T0 + 406 * DAY }),
      incident('far', { lat: 31.5, lon: 119, timeFrom: T0 + 200 * DAY, timeTo: T0 + 200 * DAY }),
    ]
    const result = generateCandidates(buildCaseTable(incidents), { maxGapDays: 7, rareMo: false })
    expect(Array.from(result.a)).toEqual([0, 0, 1])
    expect(Array.from(result.b)).toEqual([1, 2, 2])
  })

  it('links rows without location only through long-range rules unless allowMissingLocation', () => {
    const incidents = [
      incident('A', { lat: 31, lon: 119, evidence: ['fp:1'] }),
      incident('B', { evidence: ['fp:1'] }),
      incident('C', {}),
      incident('D', { x: 0, y: 0 }),
    ]
    const table = buildCaseTable(incidents)
    const without = generateCandidates(table)
    expect(without.count).toBe(1)
    expect(without.byRule.evidence).toBe(1)
    const withMissing = generateCandidates(table, { allowMissingLocation: true })
    // every pair of unknown distance (all but none here: A–D is lat/lon with planar) within the gap
    expect(withMissing.byRule.missingLocation).toBe(6)
    expect(withMissing.byRule.evidence).toBe(0)
  })

  it('restricts the space-time rule by category groups; a missing category pairs with all', () => {
    const at = (id: string, category?: string) => incident(id, { lat: 31, lon: 119, category })
    const table = buildCaseTable([
      at('A', 'burglary.home'),
      at('B', 'burglary.shop'),
      at('C', 'theft.bike'),
      at('D'),
    ])
    const pairs = (options: GenerateCandidatesOptions) => {
      const r = generateCandidates(table, options)
      return Array.from(r.a, (a, k) => `${a}${r.b[k]}`)
    }
    expect(pairs({ categoryGroups: 'none' })).toEqual(['01', '02', '03', '12', '13', '23'])
    expect(pairs({})).toEqual(pairs({ categoryGroups: 'category' }))
    expect(pairs({ categoryGroups: 'parent' })).toEqual(['01', '03', '13', '23'])
    expect(pairs({ categoryGroups: 'category' })).toEqual(['03', '13', '23'])
    // burglary.shop is in no group: it pairs with every group
    expect(pairs({ categoryGroups: [['burglary.home'], ['theft']] })).toEqual(['01', '03', '12', '13', '23'])
  })

  it('caps evidence values carried by more rows than maxBlockSize and reports them', () => {
    const incidents: Incident[] = []
    for (let k = 0; k < 12; k++) {
      incidents.push(
        incident(`S${k}`, {
          lat: 30 + k,
          lon: 119,
          timeFrom: T0 + k * 100 * DAY,
          evidence: ['shoe:HL-44', k < 3 ? 'fp:7' : 'fp:8'],
        }),
      )
    }
    const result = generateCandidates(buildCaseTable(incidents), { maxBlockSize: 5, rareMo: false })
    expect(result.capped).toEqual([
      { rule: 'evidence', value: 'shoe:HL-44', rows: 12, pairs: 66 },
      { rule: 'evidence', value: 'fp:8', rows: 9, pairs: 36 },
    ])
    expect(result.count).toBe(3)
    expect(result.byRule.evidence).toBe(3)
  })

  it('links rare MO combinations within the rare-MO horizon, not common ones', () => {
    const incidents: Incident[] = []
    for (let k = 0; k < 30; k++) {
      const mo = [`entry:${k % 2}`, `target:${k % 3}`]
      if (k < 3) mo.push('sign:glue')
      incidents.push(incident(`M${k}`, { lat: 30 + k * 0.5, lon: 119, timeFrom: T0 + k * DAY, mo }))
    }
    const rare = generateCandidates(buildCaseTable(incidents), {
      rareMo: {
        maxClumps: 0,
        maxDocumentFrequency: 3,
        maxGapDays: 30,
        maxDistanceMeters: Number.POSITIVE_INFINITY,
      },
      behaviour: false,
    })
    expect(Array.from(rare.a, (a, k) => [a, rare.b[k]])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ])
    expect(rare.byRule.rareMo).toBe(3)
    // combination entry:0 + target:0 is carried by rows 0, 6, 12, 18, 24: rare at limit 5
    const combos = generateCandidates(buildCaseTable(incidents), {
      rareMo: {
        maxClumps: 0,
        maxDocumentFrequency: 5,
        maxGapDays: 12,
        maxDistanceMeters: Number.POSITIVE_INFINITY,
      },
      behaviour: false,
    })
    expect(combos.byRule.rareMo).toBeGreaterThan(3)
    const tight = generateCandidates(buildCaseTable(incidents), {
      rareMo: {
        maxClumps: 0,
        maxDocumentFrequency: 5,
        maxGapDays: 1,
        maxDistanceMeters: Number.POSITIVE_INFINITY,
      },
      behaviour: false,
    })
    expect(tight.byRule.rareMo).toBe(2)
  })

  it('limits the rare-MO rule to its distance, except for rows without a location', () => {
    // three carriers of a rare value 0.5° of latitude (55.6 km) apart, and one without a location
    const incidents = [0, 1, 2].map((k) =>
      incident(`G${k}`, { lat: 30 + k * 0.5, lon: 119, timeFrom: T0 + k * DAY, mo: ['sign:glue'] }),
    )
    incidents.push(incident('G3', { timeFrom: T0, mo: ['sign:glue'] }))
    const pairs = (maxDistanceMeters: number) => {
      const result = generateCandidates(buildCaseTable(incidents), {
        rareMo: { maxDocumentFrequency: 4, maxDistanceMeters },
      })
      expect(result.byRule.rareMo).toBe(result.count)
      return Array.from(result.a, (a, k) => `${a}-${result.b[k]}`)
    }
    expect(pairs(60_000)).toEqual(['0-1', '0-3', '1-2', '1-3', '2-3'])
    expect(pairs(120_000)).toEqual(['0-1', '0-2', '0-3', '1-2', '1-3', '2-3'])
    expect(pairs(50_000)).toEqual(['0-3', '1-3', '2-3'])
  })

  it('finds rare-MO pairs just inside the distance along a meridian, as brute force does', () => {
    // carriers 99% of the bound apart due north (the sweep's worst case: all the distance in latitude),
    // and planar rows 99% apart along y
    const bound = 5000
    const step = (0.99 * bound) / 111_195
    const incidents = [0, 1, 2, 3].map((k) =>
      incident(`N${k}`, { lat: 31 + k * step, lon: 119, timeFrom: T0 + k * DAY, mo: ['sign:glue'] }),
    )
    for (let k = 0; k < 4; k++)
      incidents.push(incident(`P${k}`, { x: 0, y: k * 0.99 * bound, timeFrom: T0, mo: ['sign:chalk'] }))
    const table = buildCaseTable(incidents)
    const options = { rareMo: { maxDocumentFrequency: 4, maxDistanceMeters: bound } }
    const result = generateCandidates(table, options)
    expect(Array.from(result.a, (a, k) => `${a}-${result.b[k]}`)).toEqual([
      '0-1',
      '1-2',
      '2-3',
      '4-5',
      '5-6',
      '6-7',
    ])
    expectSame(result, generateCandidatesBruteForce(table, options))
  })

  it('is deterministic and does not mutate the table', () => {
    const incidents = fc.sample(incidentsArbitrary(31), { numRuns: 1, seed: 3 })[0]
    const table = buildCaseTable(incidents)
    const before = JSON.stringify({ ...table, timeFrom: Array.from(table.timeFrom), x: Array.from(table.x) })
    const first = generateCandidates(table, { allowMissingLocation: true })
    const second = generateCandidates(table, { allowMissingLocation: true })
    expectSame(first, second)
    expect(JSON.stringify({ ...table, timeFrom: Array.from(table.timeFrom), x: Array.from(table.x) })).toBe(
      before,
    )
  })

  it('rejects invalid options with caselink errors', () => {
    const table = buildCaseTable([incident('A')])
    expect(() => generateCandidates(table, { maxDistanceMeters: -1 })).toThrow(/^caselink: maxDistanceMeters/)
    expect(() => generateCandidates(table, { maxGapDays: Number.NaN })).toThrow(/^caselink: maxGapDays/)
    expect(() => generateCandidates(table, { maxBlockSize: 1 })).toThrow(/^caselink: maxBlockSize/)
    expect(() => generateCandidates(table, { rareMo: { maxDocumentFrequency: 1 } })).toThrow(
      /^caselink: rareMo/,
    )
    expect(() => generateCandidates(table, { rareMo: { maxDistanceMeters: Number.NaN } })).toThrow(
      /^caselink: rareMo.maxDistanceMeters/,
    )
    expect(() => generateCandidates({} as never)).toThrow(/^caselink: expected a CaseTable/)
    expect(generateCandidates(buildCaseTable([])).count).toBe(0)
  })
})

describe('analyzeBlocking', () => {
  it('counts exactly the pairs generateCandidates produces, per rule (property)', () => {
    fc.assert(
      fc.property(incidentsArbitrary(32), optionsArbitrary, (incidents, options) => {
        const table = buildCaseTable(incidents)
        const analysis = analyzeBlocking(table, options)
        const result = generateCandidates(table, options)
        expect(analysis.pairs).toBe(result.count)
        for (const [rule, count] of Object.entries(result.byRule)) {
          expect(analysis.byRule[rule as keyof typeof result.byRule].pairs).toBe(count)
        }
        expect(analysis.capped).toEqual(result.capped)
        expect(analysis.byRule.spaceTime.checks).toBeGreaterThanOrEqual(result.byRule.spaceTime)
      }),
      { numRuns: 60, seed: 5 },
    )
  })

  it('reports the hot block of a dense place and week, and the reduction against n²/2', () => {
    const incidents: Incident[] = []
    for (let k = 0; k < 200; k++) {
      const dense = k < 120
      incidents.push(
        incident(`H${k}`, {
          lat: dense ? 32.05 + (k % 10) * 1e-4 : 31 + k * 0.05,
          lon: dense ? 118.8 : 119 + k * 0.05,
          timeFrom: T0 + (dense ? 3 : k * 5) * DAY,
          timeTo: T0 + (dense ? 3 : k * 5) * DAY,
        }),
      )
    }
    const table = buildCaseTable(incidents)
    const analysis = analyzeBlocking(table, { topBlocks: 3 })
    expect(analysis.allPairs).toBe(19_900)
    expect(analysis.pairs).toBe(generateCandidates(table).count)
    expect(analysis.pairs).toBeGreaterThanOrEqual((120 * 119) / 2)
    expect(analysis.reduction).toBeCloseTo(1 - analysis.pairs / 19_900, 12)
    expect(analysis.hotBlocks).toHaveLength(3)
    const hot = analysis.hotBlocks[0]
    expect(hot.rows).toBeGreaterThanOrEqual(120)
    expect(hot.lat).toBeGreaterThan(32.03)
    expect(hot.lat).toBeLessThan(32.07)
    expect(hot.lon).toBeGreaterThan(118.78)
    expect(hot.lon).toBeLessThan(118.82)
    expect(hot.timeFrom).toBeLessThanOrEqual(T0 + 3 * DAY)
    expect(hot.timeTo).toBeGreaterThanOrEqual(T0 + 3 * DAY)
  })
})

describe('blocking internals', () => {
  it('finds the same rare MO combinations (pairs and triples) by direct counting and by radix sort', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }), {
          minLength: 0,
          maxLength: 200,
          size: 'max',
        }),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 2, max: 12 }),
        (lists, maxDocumentFrequency, maxBlockSize) => {
          const table = buildCaseTable(
            lists.map((values, k) => incident(`M${k}`, { mo: values.map((v) => `g${v % 3}:${v}`) })),
          )
          const moRare = new Uint8Array(table.moValues.length)
          for (let v = 0; v < moRare.length; v++) {
            const f = table.moFrequency[v]
            if (f <= 3) moRare[v] = f <= maxBlockSize ? 1 : 2
          }
          const direct = rareCombinations(table, moRare, maxDocumentFrequency, maxBlockSize, 'table')
          const sorted = rareCombinations(table, moRare, maxDocumentFrequency, maxBlockSize, 'sort')
          expect(Array.from(sorted.keys)).toEqual(Array.from(direct.keys))
          expect(Array.from(sorted.start)).toEqual(Array.from(direct.start))
          expect(Array.from(sorted.rows)).toEqual(Array.from(direct.rows))
          expect(sorted.capped).toEqual(direct.capped)
          const triplesDirect = rareTriples(table, moRare, maxDocumentFrequency, maxBlockSize, 'table')
          const triplesSorted = rareTriples(table, moRare, maxDocumentFrequency, maxBlockSize, 'sort')
          expect(Array.from(triplesSorted.keys)).toEqual(Array.from(triplesDirect.keys))
          expect(Array.from(triplesSorted.start)).toEqual(Array.from(triplesDirect.start))
          expect(Array.from(triplesSorted.rows)).toEqual(Array.from(triplesDirect.rows))
          expect(triplesSorted.capped).toEqual(triplesDirect.capped)
        },
      ),
      { numRuns: 100, seed: 17 },
    )
  })

  it('finds the same smallest shared rare-MO key from the per-row key index as from the MO values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 6 }), {
          minLength: 2,
          maxLength: 60,
          size: 'max',
        }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 2, max: 10 }),
        fc.boolean(),
        fc.boolean(),
        (lists, maxDocumentFrequency, maxBlockSize, combinations, triples) => {
          const table = buildCaseTable(
            lists.map((values, k) => incident(`K${k}`, { mo: values.map((v) => `g:${v}`) })),
          )
          const h = compileHorizon(
            table,
            resolveBlockingOptions({ rareMo: { maxDocumentFrequency, combinations, triples }, maxBlockSize }),
          )
          expect(h.rowRareKeys).toBeDefined()
          for (let i = 0; i < table.size; i++) {
            for (let j = i + 1; j < table.size; j++) {
              expect(firstSharedRareKey(h, i, j)).toBe(firstSharedRareKeyByValues(h, i, j))
            }
          }
        },
      ),
      { numRuns: 100, seed: 29 },
    )
  })

  it('uses the distance comparison’s own haversine: the scorer puts a pair at ≤ maxDistanceMeters exactly when blocking does', () => {
    const d = 1234
    const model = defaultModel()
    const distance = model.comparisons.find((c) => c.kind === 'distance')!
    const custom = {
      ...model,
      comparisons: [makeComparison('distance', 'distance', [d], [0.5, 0.4, 0.1], [0.5, 0.1, 0.4])],
    }
    expect(distance.kind).toBe('distance')
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ u: fc.integer({ min: 0, max: 100_000 }), v: fc.integer({ min: 0, max: 100_000 }) }),
          {
            minLength: 2,
            maxLength: 40,
            size: 'max',
          },
        ),
        (points) => {
          // points within ~2.5 km, so many pairs fall on either side of 1234 m
          const incidents = points.map((p, k) =>
            incident(`P${k}`, { lat: 32 + p.u * 2e-7, lon: 119 + p.v * 2.5e-7 }),
          )
          const table = buildCaseTable(incidents)
          const scorer = createPairScorer(table, parseLinkageModel(custom))
          const h = compileHorizon(table, resolveBlockingOptions({ maxDistanceMeters: d }))
          const levels = new Int8Array(1)
          for (let i = 0; i < table.size; i++) {
            for (let j = i + 1; j < table.size; j++) {
              scorer.levels(i, j, levels)
              expect(levels[0] === 1).toBe(withinDistance(h, i, j))
            }
          }
        },
      ),
      { numRuns: 40, seed: 23 },
    )
  })
})
