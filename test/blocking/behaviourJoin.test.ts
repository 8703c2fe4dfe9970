import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { analyzeBlocking } from '../../src/blocking/analyzeBlocking'
import { behaviourFeatures, sharedBits } from '../../src/blocking/behaviourJoin'
import { BEHAVIOUR_DEFAULTS, resolveBehaviourOptions } from '../../src/blocking/blockingOptions'
import {
  type CandidateSet,
  generateCandidates,
  generateCandidatesBruteForce,
} from '../../src/blocking/generateCandidates'
import type { Incident } from '../../src/schema/incident'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const DAY = 86_400_000
const T0 = Date.UTC(2024, 0, 1)
const BEHAVIOUR = 4

function incident(id: string, fields: Partial<Incident>): Incident {
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

const PHRASES = [
  '冒充燃气公司人员',
  '谎称检查水表',
  '以发放补贴为名',
  '趁老人不备',
  '撬开抽屉',
  '翻窗入室',
  '骑摩托车离开',
]

const rowArbitrary: fc.Arbitrary<RowSpec> = fc.record({
  x: fc.integer({ min: 0, max: 400_000 }),
  y: fc.integer({ min: 0, max: 400_000 }),
  day: fc.integer({ min: 0, max: 400 }),
  mo: fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 4 }),
  phrases: fc.uniqueArray(fc.integer({ min: 0, max: PHRASES.length - 1 }), { maxLength: 3 }),
  category: fc.integer({ min: 0, max: 2 }),
})

interface RowSpec {
  x: number
  y: number
  day: number
  mo: number[]
  phrases: number[]
  category: number
}

function rowsOf(specs: RowSpec[]): Incident[] {
  return specs.map((s, i) =>
    incident(`C${String(i).padStart(3, '0')}`, {
      x: s.x,
      y: s.y,
      timeFrom: T0 + s.day * DAY,
      category: `c${s.category}`,
      mo: s.mo.map((v) => `g${v % 3}:v${v}`),
      ...(s.phrases.length > 0 ? { narrative: s.phrases.map((p) => PHRASES[p]).join('，') } : {}),
    }),
  )
}

function pairsById(table: ReturnType<typeof buildCaseTable>, c: CandidateSet): string[] {
  const out: string[] = []
  for (let k = 0; k < c.count; k++) {
    const [x, y] = [table.ids[c.a[k]], table.ids[c.b[k]]].sort()
    out.push(`${x}|${y}|${c.rule[k]}`)
  }
  return out.sort()
}

describe('behaviour rule', () => {
  it('equals brute force: every pair above minBits considered, each row keeps its best (property)', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { minLength: 2, maxLength: 70 }),
        fc.record({
          neighbours: fc.integer({ min: 1, max: 4 }),
          minBits: fc.double({ min: 0.5, max: 10, noNaN: true }),
          maxDocumentFrequency: fc.integer({ min: 3, max: 60 }),
          narrativeScale: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (specs, behaviour) => {
          const table = buildCaseTable(rowsOf(specs))
          const options = { maxDistanceMeters: 1000, maxGapDays: 7, behaviour }
          const fast = generateCandidates(table, options)
          const brute = generateCandidatesBruteForce(table, options)
          expect(Array.from(fast.a)).toEqual(Array.from(brute.a))
          expect(Array.from(fast.b)).toEqual(Array.from(brute.b))
          expect(Array.from(fast.rule)).toEqual(Array.from(brute.rule))
          // at most `neighbours` chosen per row
          expect(fast.byRule.behaviour).toBeLessThanOrEqual(behaviour.neighbours * table.size)
        },
      ),
      { numRuns: 80 },
    )
  })

  it('chooses the same pairs whatever the row order (property)', () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { minLength: 2, maxLength: 60 }), fc.integer(), (specs, seed) => {
        const rows = rowsOf(specs)
        const shuffled = rows
          .map((r, i) => ({ r, key: Math.imul(i + 1, 0x9e3779b1) ^ seed }))
          .sort((p, q) => p.key - q.key)
          .map((p) => p.r)
        const options = {
          maxDistanceMeters: 1000,
          maxGapDays: 7,
          behaviour: { neighbours: 2, minBits: 2, maxDocumentFrequency: 20 },
        }
        const a = buildCaseTable(rows)
        const b = buildCaseTable(shuffled)
        expect(pairsById(b, generateCandidates(b, options))).toEqual(
          pairsById(a, generateCandidates(a, options)),
        )
      }),
      { numRuns: 60 },
    )
  })

  it('reaches an offender 100 km away by rare habits and a look-alike narrative, not a stranger sharing common ones', () => {
    const rows: Incident[] = []
    // 600 strangers sharing common values, scattered over a year
    for (let i = 0; i < 600; i++) {
      rows.push(
        incident(`S${i}`, {
          x: (i % 30) * 13_000,
          y: Math.floor(i / 30) * 13_000,
          timeFrom: T0 + ((i * 7) % 365) * DAY,
          category: 'burglary',
          mo: ['entry:unlocked-door', 'target:cash', `sign:s${i % 40}`],
          narrative: '居民报警称其家中被盗，嫌疑人从未锁的门入室，盗走现金。',
        }),
      )
    }
    const offender = (id: string, x: number, day: number) =>
      incident(id, {
        x,
        y: 50_000,
        timeFrom: T0 + day * DAY,
        category: 'burglary',
        mo: ['entry:unlocked-door', 'target:cash', 'sign:pose-as-inspector', 'sign:wear-uniform'],
        narrative: '一男子身穿制服冒充燃气公司人员上门检查，趁老人不备盗走现金，骑摩托车离开。',
      })
    rows.push(offender('T1', 0, 10), offender('T2', 100_000, 300), offender('T3', 200_000, 200))
    const table = buildCaseTable(rows)
    const c = generateCandidates(table, { behaviour: true })
    const found = pairsById(table, c).filter((p) => p.endsWith(`|${BEHAVIOUR}`))
    expect(found).toEqual(
      expect.arrayContaining([`T1|T2|${BEHAVIOUR}`, `T1|T3|${BEHAVIOUR}`, `T2|T3|${BEHAVIOUR}`]),
    )
    // strangers share only common values: no behavioural pair among them
    expect(found.filter((p) => p.startsWith('S') && p.split('|')[1].startsWith('S'))).toEqual([])
    // analyzeBlocking counts the same pairs without storing them
    const analysis = analyzeBlocking(table, { behaviour: true })
    expect(analysis.byRule.behaviour.pairs).toBe(c.byRule.behaviour)
    expect(analysis.byRule.behaviour.checks).toBeGreaterThanOrEqual(c.byRule.behaviour)
    // the rule is off by default and with behaviour: false
    expect(generateCandidates(table).byRule.behaviour).toBe(0)
    expect(generateCandidates(table, { behaviour: false }).byRule.behaviour).toBe(0)
  })

  it('weighs a feature by rarity: log2(maxDocumentFrequency / clumped count), nothing at or above the limit', () => {
    const rows = [
      incident('A', { x: 0, y: 0, mo: ['a:rare', 'b:common'] }),
      incident('B', { x: 500_000, y: 0, timeFrom: T0 + 200 * DAY, mo: ['a:rare', 'b:common'] }),
      ...Array.from({ length: 30 }, (_, i) =>
        incident(`C${i}`, { x: i * 50_000, y: 300_000, timeFrom: T0 + i * 30 * DAY, mo: ['b:common'] }),
      ),
    ]
    const table = buildCaseTable(rows)
    const features = behaviourFeatures(
      table,
      resolveBehaviourOptions({ maxDocumentFrequency: 16, narrativeScale: 0 }),
    )
    // a:rare: 2 carriers → log2(16 / 2) = 3 bits; b:common: 32 carriers ≥ 16 → 0
    expect(sharedBits(features, 0, 1)).toBeCloseTo(3, 9)
    expect(sharedBits(features, 0, 2)).toBe(0)
  })

  it('refuses bad options with the option named', () => {
    const table = buildCaseTable([incident('A', {}), incident('B', {})])
    expect(() => generateCandidates(table, { behaviour: { neighbours: 0 } })).toThrow(/behaviour.neighbours/)
    expect(() => generateCandidates(table, { behaviour: { minBits: 0 } })).toThrow(/behaviour.minBits/)
    expect(() => generateCandidates(table, { behaviour: { maxDocumentFrequency: 1 } })).toThrow(
      /behaviour.maxDocumentFrequency/,
    )
    expect(() => generateCandidates(table, { behaviour: { narrativeScale: -1 } })).toThrow(
      /behaviour.narrativeScale/,
    )
    expect(BEHAVIOUR_DEFAULTS.neighbours).toBeGreaterThan(0)
  })
})
