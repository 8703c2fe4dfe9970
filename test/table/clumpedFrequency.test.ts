import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generateCandidates, generateCandidatesBruteForce } from '../../src/blocking/generateCandidates'
import type { Incident } from '../../src/schema/incident'
import { buildCaseTable } from '../../src/table/buildCaseTable'
import { clumpedMoFrequency, createClumpCounter } from '../../src/table/clumpedFrequency'
import { createRandom } from '../../src/util/random'

const DAY = 86_400_000
const T0 = Date.UTC(2024, 0, 1)

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

/**
 * A background of burglaries spread over 150 × 150 km and a year, `carriers` of them carrying
 * `pretext`, plus one travelling offender's 121 crimes: 40 stays of three crimes (within 1 km and a few
 * days), each stay 12–20 km and 6 days from the last, all carrying the pretext.
 */
function travellingCase(seed: number, background = 3000, carriers = 20): Incident[] {
  const random = createRandom(seed)
  const rows: Incident[] = []
  for (let i = 0; i < background; i++) {
    rows.push(
      incident(`B${i}`, {
        x: random() * 150_000,
        y: random() * 150_000,
        timeFrom: T0 + Math.floor(random() * 365 * DAY),
        category: 'burglary',
        mo:
          i < carriers
            ? ['sign:pose-as-inspector', `entry:e${i % 7}`]
            : [`entry:e${i % 7}`, `sign:o${i % 5}`],
        series: [`b${i}`],
      }),
    )
  }
  let x = 20_000
  let y = 20_000
  let t = T0 + 30 * DAY
  for (let k = 0; k < 121; k++) {
    if (k % 3 === 0 && k > 0) {
      const angle = random() * 2 * Math.PI
      const step = 12_000 + random() * 8_000
      x = Math.min(140_000, Math.max(10_000, x + Math.cos(angle) * step))
      y = Math.min(140_000, Math.max(10_000, y + Math.sin(angle) * step))
      t += 6 * DAY
    }
    rows.push(
      incident(`T${k}`, {
        x: x + (random() - 0.5) * 1000,
        y: y + (random() - 0.5) * 1000,
        timeFrom: t + Math.floor(random() * 3 * DAY),
        category: 'burglary',
        mo: ['sign:pose-as-inspector', `entry:e${k % 7}`],
        series: ['traveller'],
      }),
    )
  }
  return rows
}

function valueId(table: ReturnType<typeof buildCaseTable>, value: string): number {
  return table.moValues.indexOf(value)
}

describe('clumped counts', () => {
  it('counts a travelling offender by his stays, not his crimes: 121 crimes and 20 others are rare', () => {
    const table = buildCaseTable(travellingCase(1))
    const v = valueId(table, 'sign:pose-as-inspector')
    expect(table.moFrequency[v]).toBe(141)
    const clumped = clumpedMoFrequency(table)[v]

    // about 40 stays (some split by a cell's edge) plus the 20 scattered others: within the rare-MO
    // rule's 75 clumps (68.6 with seed 1)
    expect(clumped).toBeGreaterThan(55)
    expect(clumped).toBeLessThanOrEqual(75)
    // his own crimes alone
    const own = Uint32Array.from({ length: 121 }, (_, k) => 3000 + k)
    const mine = createClumpCounter(table).count(own, 0, own.length)
    expect(mine).toBeGreaterThan(35)
    expect(mine).toBeLessThan(60)
  })

  it('keeps the raw count of a value spread like its category', () => {
    const table = buildCaseTable(travellingCase(2))
    const f = clumpedMoFrequency(table)
    for (let e = 0; e < 7; e++) {
      const v = valueId(table, `entry:e${e}`)
      // ≈ 446 rows each, 17 of them the traveller's
      expect(f[v]).toBeGreaterThan(0.9 * table.moFrequency[v])
      expect(f[v]).toBeLessThanOrEqual(table.moFrequency[v])
    }
  })

  it('counts a tight clump once, unlocated rows once each, and never more than the rows (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            located: fc.boolean(),
            x: fc.integer({ min: 0, max: 20_000 }),
            y: fc.integer({ min: 0, max: 20_000 }),
            day: fc.integer({ min: 0, max: 120 }),
            carries: fc.boolean(),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        (specs, shuffleSeed) => {
          const rows = specs.map((s, i) =>
            incident(`R${i}`, {
              ...(s.located ? { x: s.x, y: s.y } : {}),
              timeFrom: T0 + s.day * DAY,
              category: 'theft',
              mo: s.carries ? ['v'] : ['w'],
            }),
          )
          const table = buildCaseTable(rows)
          const f = clumpedMoFrequency(table)
          for (let v = 0; v < table.moValues.length; v++) {
            expect(f[v]).toBeLessThanOrEqual(table.moFrequency[v])
            expect(f[v]).toBeGreaterThanOrEqual(Math.min(1, table.moFrequency[v]))
          }
          // the same rows in another order give the same counts
          const random = createRandom(shuffleSeed)
          const shuffled = rows.map((r, i) => ({ r, k: random() + i * 0 })).sort((a, b) => a.k - b.k)
          const other = buildCaseTable(shuffled.map((s) => s.r))
          const g = clumpedMoFrequency(other)
          for (let v = 0; v < table.moValues.length; v++) {
            expect(g[other.moValues.indexOf(table.moValues[v])]).toBe(f[v])
          }
        },
      ),
      { numRuns: 60 },
    )
    // ten crimes at one spot on one day, in a sparse background: about one clump
    const spot = Array.from({ length: 10 }, (_, i) =>
      incident(`S${i}`, { x: 100, y: 100, timeFrom: T0 + i * 3_600_000, category: 'theft', mo: ['v'] }),
    )
    const scattered = Array.from({ length: 200 }, (_, i) =>
      incident(`Q${i}`, {
        x: (i % 20) * 50_000,
        y: Math.floor(i / 20) * 50_000,
        timeFrom: T0 + i * DAY,
        category: 'theft',
        mo: ['w'],
      }),
    )
    const table = buildCaseTable([...spot, ...scattered])
    // one cell holds all ten (and Q0): 1 + what chance would put there, 10 rows × the cell's 11 of 210 thefts
    expect(clumpedMoFrequency(table)[valueId(table, 'v')]).toBeCloseTo(1 + (10 * 11) / 210, 5)
    const unlocated = buildCaseTable(spot.map((r) => ({ ...r, x: undefined, y: undefined })))
    expect(clumpedMoFrequency(unlocated)[valueId(unlocated, 'v')]).toBe(10)
  })

  it('refuses bad options', () => {
    const table = buildCaseTable(travellingCase(3, 10, 2))
    expect(() => createClumpCounter(table, { radiusMeters: 0 })).toThrow(/radiusMeters/)
    expect(() => createClumpCounter(table, { days: -1 })).toThrow(/days/)
    expect(() => clumpedMoFrequency(table, { maxRows: 1.5 })).toThrow(/maxRows/)
  })
})

describe('the rare-MO rule with clumped counts', () => {
  it('links a travelling offender across stays by a habit 141 rows carry, and not by rows', () => {
    const table = buildCaseTable(travellingCase(4))
    const traveller = (i: number): boolean => table.ids[i].startsWith('T')
    const options = { maxDistanceMeters: 1500, rareMo: { combinations: false, triples: false } }
    const withClumps = generateCandidates(table, options)
    const without = generateCandidates(table, {
      ...options,
      rareMo: { ...options.rareMo, maxClumps: 0, maxDocumentFrequency: 100 },
    })
    const crossStay = (c: typeof withClumps): number => {
      let count = 0
      for (let k = 0; k < c.count; k++) {
        if (c.rule[k] === 3 && traveller(c.a[k]) && traveller(c.b[k])) count++
      }
      return count
    }
    expect(crossStay(without)).toBe(0)
    // consecutive stays are 12–20 km and 6 days apart: within the rule's 30 km and 180 days
    expect(crossStay(withClumps)).toBeGreaterThan(500)
    // exact against brute force with the clumped rule
    const brute = generateCandidatesBruteForce(table, options)
    expect(Array.from(withClumps.a)).toEqual(Array.from(brute.a))
    expect(Array.from(withClumps.b)).toEqual(Array.from(brute.b))
    expect(Array.from(withClumps.rule)).toEqual(Array.from(brute.rule))
  })

  it('caps a clumped key above rareMo.maxRows and refuses bad limits', () => {
    const table = buildCaseTable(travellingCase(5))
    const capped = generateCandidates(table, {
      rareMo: { maxRows: 100, combinations: false, triples: false },
    })
    expect(capped.capped.map((c) => c.value)).toContain('sign:pose-as-inspector')
    expect(() => generateCandidates(table, { rareMo: { maxRows: 1 } })).toThrow(/maxRows/)
    expect(() => generateCandidates(table, { rareMo: { maxDocumentFrequency: 1 } })).toThrow(
      /maxDocumentFrequency/,
    )
  })
})

describe("a model's rarity: 'clumped'", () => {
  it("weighs a prolific offender's habit by his stays, a value spread like its category as by rows", async () => {
    const { createPairScorer } = await import('../../src/score/pairScorer')
    const { defaultModel } = await import('../../src/model/defaultModel')
    const { parseLinkageModel } = await import('../../src/model/linkageModel')
    const table = buildCaseTable(travellingCase(6))
    const rows = defaultModel()
    const clumped = parseLinkageModel(JSON.stringify({ ...rows, rarity: 'clumped' }))
    expect(clumped.rarity).toBe('clumped')
    expect(rows.rarity).toBeUndefined()
    const byRows = createPairScorer(table, rows)
    const byClumps = createPairScorer(table, clumped)
    // two of the traveller's crimes, two stays apart, sharing his habit and an entry value: the habit's
    // share of the sign group is counted in clumps (68.6 of 141 rows), about a bit more
    const traveller = [3000, 3007]
    expect(byClumps.matchWeight(traveller[0], traveller[1])).toBeGreaterThan(
      byRows.matchWeight(traveller[0], traveller[1]) + 0.5,
    )
    // two background rows sharing values spread like the category: within a tenth of a bit
    const a = table.ids.indexOf('B35')
    const b = table.ids.indexOf('B70')
    expect(Math.abs(byClumps.matchWeight(a, b) - byRows.matchWeight(a, b))).toBeLessThan(0.1)
  })
})
