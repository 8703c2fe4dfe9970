import { describe, expect, it } from 'vitest'
import { ISSUE_CODES } from '../../src/schema/issueCodes'
import { IncidentValidationError, parseIncidents } from '../../src/schema/parseIncidents'

const base = { id: 'A-1', time: '2021-05-13T08:00:00+08:00' }

describe('parseIncidents', () => {
  it('normalizes a full record: times to epoch ms, lists trimmed and de-duplicated, extra fields kept', () => {
    const { incidents, issues, counts } = parseIncidents(
      [
        {
          id: ' A-1 ',
          timeFrom: '2021-05-13 08:00:00',
          timeTo: '2021-05-13 18:00:00',
          lat: '31.2',
          lon: 121.5,
          category: ' burglary.residential ',
          mo: ' entry:pry-door ; target:elderly;entry:pry-door;; ',
          evidence: ['fingerprint:FP-1', 'fingerprint:FP-1', ' plate:苏K12345 '],
          narrative: '事主家中被盗',
          series: 'S1',
          county: '某县',
        },
      ],
      { timeZone: 'Asia/Shanghai' },
    )
    expect(counts).toEqual({ rows: 1, valid: 1, rejected: 0, warnings: 1 })
    expect(issues.map((i) => i.code)).toEqual(['unknown_field'])
    const [incident] = incidents
    expect(incident).toMatchObject({
      id: 'A-1',
      timeFrom: Date.UTC(2021, 4, 13, 0),
      timeTo: Date.UTC(2021, 4, 13, 10),
      lat: 31.2,
      lon: 121.5,
      category: 'burglary.residential',
      mo: ['entry:pry-door', 'target:elderly'],
      evidence: ['fingerprint:FP-1', 'plate:苏K12345'],
      narrative: '事主家中被盗',
      series: ['S1'],
    })
    expect(incident.attributes.county).toBe('某县')
  })

  it('treats 0 as a valid coordinate, not as missing', () => {
    const { incidents } = parseIncidents([
      { ...base, lat: 0, lon: 0 },
      { ...base, id: 'B', x: 0, y: 0 },
    ])
    expect(incidents[0]).toMatchObject({ lat: 0, lon: 0 })
    expect(incidents[1]).toMatchObject({ x: 0, y: 0 })
  })

  it('reads time alone as a point and timeFrom alone as a point', () => {
    const { incidents } = parseIncidents([base, { id: 'B', timeFrom: 1620864000000 }])
    expect(incidents[0].timeFrom).toBe(incidents[0].timeTo)
    expect(incidents[1]).toMatchObject({ timeFrom: 1620864000000, timeTo: 1620864000000 })
  })

  it('accepts series as a list, numbers included, and numeric ids', () => {
    const { incidents } = parseIncidents([{ id: 7, time: 0, series: ['S1', 2, 'S1'] }])
    expect(incidents[0]).toMatchObject({ id: '7', series: ['S1', '2'] })
  })

  it('rejects impossible dates instead of rolling them over', () => {
    const { incidents, issues } = parseIncidents([
      { id: 'A', time: '2021-02-30 10:00:00' },
      { id: 'B', time: '2021-02-29' },
      { id: 'C', time: '2024-02-29' },
      { id: 'D', time: '2021-04-31T00:00:00Z' },
    ])
    expect(incidents.map((i) => i.id)).toEqual(['C'])
    expect(issues.map((i) => [i.id, i.code])).toEqual([
      ['A', 'impossible_date'],
      ['B', 'impossible_date'],
      ['D', 'impossible_date'],
    ])
  })

  it('keeps the first of duplicate ids and names its row', () => {
    const { incidents, issues } = parseIncidents([base, { ...base, time: 1620864000005 }, base])
    expect(incidents).toHaveLength(1)
    expect(issues.filter((i) => i.code === 'duplicate_id').map((i) => i.index)).toEqual([1, 2])
    expect(issues.find((i) => i.code === 'duplicate_id')?.message).toContain('row 0')
  })

  it('reports the issue with row, id, field path and a readable message', () => {
    const { issues } = parseIncidents([
      base,
      { id: 'INC-77', timeFrom: '2021-05-13 08:00', timeTo: '2021-05-12 08:00' },
    ])
    expect(issues).toEqual([
      {
        index: 1,
        id: 'INC-77',
        code: 'time_range_reversed',
        severity: 'error',
        path: [1, 'timeTo'],
        message: 'timeTo (2021-05-12 08:00) is before timeFrom (2021-05-13 08:00)',
      },
    ])
  })

  it('warns about long windows, keeping the row', () => {
    const { incidents, issues } = parseIncidents(
      [{ id: 'A', timeFrom: '2021-01-01', timeTo: '2021-03-01' }],
      {
        maxWindowDays: 30,
      },
    )
    expect(incidents).toHaveLength(1)
    expect(issues.map((i) => [i.code, i.severity])).toEqual([['long_window', 'warning']])
  })

  it('applies a user field map before the built-in aliases', () => {
    const { incidents } = parseIncidents(
      [{ caseNo: 'A', when: '2021-05-13 08:00:00', 经度: 121.5, 纬度: 31.2 }],
      {
        fieldMap: { caseNo: 'id', when: 'time' },
      },
    )
    expect(incidents[0]).toMatchObject({ id: 'A', lat: 31.2, lon: 121.5 })
  })

  it('throws one aggregated, readable error with onInvalid: throw', () => {
    expect(() => parseIncidents([base, { id: 'B' }], { onInvalid: 'throw' })).toThrow(IncidentValidationError)
    try {
      parseIncidents([base, { id: 'B' }], { onInvalid: 'throw' })
    } catch (error) {
      expect((error as Error).message).toBe(
        'caselink: 1 of 2 rows rejected\n  ✖ time or timeFrom is required\n    → at [1].time',
      )
    }
  })

  it('rejects an unknown time zone as an options error, naming it', () => {
    expect(() => parseIncidents([], { timeZone: 'Mars/Olympus' })).toThrow(
      /unknown time zone "Mars\/Olympus"/,
    )
  })

  it('never lets __proto__, constructor or prototype reach an object prototype', () => {
    const row = JSON.parse(
      '{"id":"A","time":0,"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":1}',
    )
    const { incidents } = parseIncidents([row])
    const { attributes } = incidents[0]
    expect(Object.getPrototypeOf(attributes)).toBe(null)
    expect(Object.keys(attributes).sort()).toEqual(['__proto__', 'constructor', 'prototype'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((incidents[0] as unknown as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(incidents[0])).toBe(Object.prototype)
  })

  it('uses only codes listed in ISSUE_CODES, with their severity', () => {
    const { issues } = parseIncidents([
      null,
      'x',
      { id: 'A' },
      { id: 'B', time: 'soon' },
      { id: 'C', time: 0, county: 1 },
    ])
    for (const issue of issues) {
      expect(ISSUE_CODES[issue.code as keyof typeof ISSUE_CODES].severity).toBe(issue.severity)
    }
  })

  it('throws a TypeError naming the problem when rows is not an array', () => {
    expect(() => parseIncidents('rows' as unknown as unknown[])).toThrow(/expects an array of rows/)
  })
})
