import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Incident } from '../../src/schema/incident'
import {
  buildCaseTable,
  narrativeBigrams,
  narrativeBigramsReference,
  normalizeNarrative,
} from '../../src/table/buildCaseTable'

function incident(id: string, fields: Partial<Incident> = {}): Incident {
  return {
    id,
    timeFrom: Date.UTC(2021, 4, 13, 8),
    timeTo: Date.UTC(2021, 4, 13, 18),
    mo: [],
    evidence: [],
    series: [],
    attributes: {},
    ...fields,
  }
}

describe('buildCaseTable', () => {
  it('keeps row order, windows, and lat/lon projected to metres about the mean', () => {
    const incidents = [
      incident('A', { lat: 31, lon: 121 }),
      incident('B', { lat: 31.01, lon: 121 }),
      incident('C', { x: 100, y: 200 }),
      incident('D'),
    ]
    const table = buildCaseTable(incidents)
    expect(table.size).toBe(4)
    expect(table.ids).toEqual(['A', 'B', 'C', 'D'])
    expect(table.originLat).toBeCloseTo(31.005, 10)
    expect(table.originLon).toBe(121)
    expect(Array.from(table.hasLocation)).toEqual([1, 1, 1, 0])
    expect(Array.from(table.hasLatLon)).toEqual([1, 1, 0, 0])
    // 0.01 degree of latitude is ~1112 m
    expect(table.y[1] - table.y[0]).toBeCloseTo(1111.95, 1)
    expect(table.x[2]).toBe(100)
    expect(Number.isNaN(table.x[3])).toBe(true)
    expect(table.timeTo[0] - table.timeFrom[0]).toBe(10 * 3_600_000)
    expect(table.timeZone).toBe('UTC')
  })

  it('records the local UTC offset at timeFrom, with DST', () => {
    const incidents = [
      incident('winter', { timeFrom: Date.UTC(2021, 0, 10), timeTo: Date.UTC(2021, 0, 10) }),
      incident('summer', { timeFrom: Date.UTC(2021, 6, 10), timeTo: Date.UTC(2021, 6, 10) }),
    ]
    expect(Array.from(buildCaseTable(incidents, { timeZone: 'Asia/Shanghai' }).utcOffsetMinutes)).toEqual([
      480, 480,
    ])
    expect(Array.from(buildCaseTable(incidents, { timeZone: 'Europe/Berlin' }).utcOffsetMinutes)).toEqual([
      60, 120,
    ])
    expect(() => buildCaseTable(incidents, { timeZone: 'Mars/Olympus' })).toThrow(/^caselink:/)
  })

  it('interns categories with their parent', () => {
    const table = buildCaseTable([
      incident('1', { category: 'theft.ebike' }),
      incident('2', { category: 'theft' }),
      incident('3'),
      incident('4', { category: 'burglary.residential' }),
    ])
    const name = (id: number) => (id < 0 ? null : table.categoryValues[id])
    expect(Array.from(table.category, name)).toEqual(['theft.ebike', 'theft', null, 'burglary.residential'])
    expect(Array.from(table.categoryParent, name)).toEqual(['theft', 'theft', null, 'burglary'])
  })

  it('builds sorted, de-duplicated CSR lists with groups and frequencies', () => {
    const table = buildCaseTable([
      incident('1', { mo: ['target:elderly', 'entry:pry-door'], evidence: ['plate:苏K12345'] }),
      incident('2', { mo: ['entry:pry-door', 'entry:pry-door', 'nogroup'] }),
      incident('3', { evidence: ['plate:苏K12345', 'fingerprint:FP-1'], series: ['S1', 'S0'] }),
    ])
    const row = (start: Uint32Array, ids: Uint32Array, values: string[], i: number) =>
      Array.from(ids.subarray(start[i], start[i + 1]), (id) => values[id])
    expect(row(table.moStart, table.moIds, table.moValues, 0).sort()).toEqual([
      'entry:pry-door',
      'target:elderly',
    ])
    expect(row(table.moStart, table.moIds, table.moValues, 1).sort()).toEqual(['entry:pry-door', 'nogroup'])
    expect(row(table.moStart, table.moIds, table.moValues, 2)).toEqual([])
    for (let i = 0; i < 3; i++) {
      for (let k = table.moStart[i] + 1; k < table.moStart[i + 1]; k++) {
        expect(table.moIds[k]).toBeGreaterThan(table.moIds[k - 1])
      }
    }
    const pry = table.moValues.indexOf('entry:pry-door')
    expect(table.moFrequency[pry]).toBe(2)
    expect(table.moGroupValues[table.moGroup[pry]]).toBe('entry')
    expect(table.moGroup[table.moValues.indexOf('nogroup')]).toBe(-1)
    const plate = table.evidenceValues.indexOf('plate:苏K12345')
    expect(table.evidenceFrequency[plate]).toBe(2)
    expect(table.evidenceKindValues[table.evidenceKind[plate]]).toBe('plate')
    expect(row(table.seriesStart, table.seriesIds, table.seriesValues, 2).sort()).toEqual(['S0', 'S1'])
  })

  it('hashes narrative bigrams sorted and unique, for Chinese without segmentation', () => {
    expect(normalizeNarrative('  Pried the DOOR,  took cash ')).toBe('pried the door took cash')
    const bigrams = narrativeBigrams('撬门入室撬门')
    expect(bigrams.length).toBe(4) // 撬门 门入 入室 室撬
    for (let k = 1; k < bigrams.length; k++) expect(bigrams[k]).toBeGreaterThan(bigrams[k - 1])
    const table = buildCaseTable([
      incident('1', { narrative: '撬门入室' }),
      incident('2'),
      incident('3', { narrative: 'ab' }),
    ])
    expect(Array.from(table.narrativeStart)).toEqual([0, 3, 3, 4])
  })

  it('computes narrative bigrams in one pass exactly as the reference (NFKC, case, punctuation)', () => {
    const tricky = [
      'a',
      'Z',
      ' ',
      '，',
      '。',
      '撬',
      'É',
      'e\u0301',
      'Σ',
      'ΑΣ',
      '㈱',
      'ｶ',
      'ﾞ',
      '가',
      '\u1100\u1161',
    ]
    tricky.push('😀', 'İ', 'ß', 'ﬁ', '①', '\u3000', '٣', 'ǅ', '\u0345', 'Ⅻ', '.', '\t', '각\u3133', 'ㄱ')
    const same = (text: string) =>
      expect(Array.from(narrativeBigrams(text))).toEqual(Array.from(narrativeBigramsReference(text)))
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tricky), { maxLength: 12 }), (parts) => {
        same(parts.join(''))
      }),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (text) => {
        same(text)
      }),
      { numRuns: 2000 },
    )
    same(
      '1月1日凌晨，西双县浦西镇安竹村居民报警称其家中被盗。经勘查，嫌疑人钻锁入室，盗走现金，损失约380元。',
    )
  })

  it('does not mutate its (frozen) input', () => {
    const incidents = Object.freeze([
      Object.freeze(incident('1', { mo: Object.freeze(['b:2', 'a:1']) as string[], lat: 30, lon: 120 })),
    ])
    const table = buildCaseTable(incidents)
    expect(table.size).toBe(1)
    expect(incidents[0].mo).toEqual(['b:2', 'a:1'])
  })

  it('rejects a reversed window', () => {
    expect(() => buildCaseTable([incident('bad', { timeFrom: 10, timeTo: 5 })])).toThrow(/^caselink:/)
  })
})
