import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIncidents } from '../../src/schema/parseIncidents'

const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    ' ',
    '2021-05-13 08:00:00',
    '2021-02-30',
    '2021-05-13T08:00:00+08:00',
    'entry:pry;target:x',
  ),
  fc.integer(),
  fc.double(),
)
const recordLike = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: 0, max: 20 }), fieldValue),
    time: fieldValue,
    timeFrom: fieldValue,
    timeTo: fieldValue,
    lat: fc.oneof(fc.double({ min: -100, max: 100 }), fieldValue),
    lon: fc.oneof(fc.double({ min: -200, max: 200 }), fieldValue),
    x: fieldValue,
    y: fieldValue,
    category: fieldValue,
    mo: fc.oneof(fc.array(fc.string()), fieldValue),
    evidence: fc.oneof(fc.array(fc.string()), fieldValue),
    narrative: fieldValue,
    series: fieldValue,
    __proto__: fieldValue,
    extra: fieldValue,
  },
  { requiredKeys: [] },
)
const anyRow = fc.oneof(fc.jsonValue(), recordLike)

describe('parseIncidents properties', () => {
  it('never throws, accounts for every row, and does not mutate its input', () => {
    fc.assert(
      fc.property(fc.array(anyRow, { maxLength: 30 }), (rows) => {
        const frozen = structuredClone(rows)
        const deepFreeze = (value: unknown): void => {
          if (typeof value === 'object' && value !== null) {
            Object.freeze(value)
            for (const v of Object.values(value)) deepFreeze(v)
          }
        }
        deepFreeze(rows)
        const { incidents, issues, counts } = parseIncidents(rows)
        const rejectedRows = new Set(issues.filter((i) => i.severity === 'error').map((i) => i.index))
        expect(incidents.length + rejectedRows.size).toBe(rows.length)
        expect(counts.rows).toBe(rows.length)
        expect(counts.valid + counts.rejected).toBe(rows.length)
        expect(rows).toEqual(frozen)
        for (const incident of incidents) {
          expect(Number.isFinite(incident.timeFrom)).toBe(true)
          expect(incident.timeTo).toBeGreaterThanOrEqual(incident.timeFrom)
          expect(incident.id).not.toBe('')
        }
        expect(new Set(incidents.map((i) => i.id)).size).toBe(incidents.length)
      }),
      { numRuns: 300 },
    )
  })

  it('keeps every valid row in input order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e12 }), { maxLength: 40 }), (times) => {
        const rows = times.map((time, i) => ({ id: `R${i}`, time }))
        const { incidents } = parseIncidents(rows)
        expect(incidents.map((i) => i.timeFrom)).toEqual(times)
      }),
    )
  })
})
