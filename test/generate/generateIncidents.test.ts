import { describe, expect, it } from 'vitest'
import { buildTruth } from '../../src/evaluation/truth'
import {
  defaultTimeSpanDays,
  generateIncidentChunks,
  generateIncidents,
} from '../../src/generate/generateIncidents'
import { CATEGORIES } from '../../src/generate/vocabulary'
import { parseIncidents } from '../../src/schema/parseIncidents'

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+08:00$/

describe('generateIncidents determinism', () => {
  it('gives byte-identical JSON for the same options and seed, for every preset', () => {
    for (const preset of ['city', 'province', 'travelling'] as const) {
      const a = JSON.stringify(generateIncidents({ n: 2000, seed: 11, preset }).incidents)
      const b = JSON.stringify(generateIncidents({ n: 2000, seed: 11, preset }).incidents)
      expect(a).toBe(b)
    }
  })

  it('gives different data for different seeds', () => {
    const a = JSON.stringify(generateIncidents({ n: 500, seed: 1 }).incidents)
    const b = JSON.stringify(generateIncidents({ n: 500, seed: 2 }).incidents)
    expect(a).not.toBe(b)
  })

  it('yields in chunks exactly the records generateIncidents returns', () => {
    const whole = generateIncidents({ n: 2345, seed: 5, preset: 'travelling' }).incidents
    const chunks = [...generateIncidentChunks({ n: 2345, seed: 5, preset: 'travelling' }, 1000)]
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 345])
    expect(JSON.stringify(chunks.flat())).toBe(JSON.stringify(whole))
  })

  it('does not mutate a frozen options object', () => {
    const options = Object.freeze({ n: 100, seed: 3, preset: 'city' as const })
    expect(generateIncidents(options).incidents).toHaveLength(100)
  })
})

describe('generateIncidents validity', () => {
  const { incidents } = generateIncidents({ n: 20_000, seed: 7 })

  it('returns exactly n records with unique ids, ordered by start time', () => {
    expect(incidents).toHaveLength(20_000)
    expect(new Set(incidents.map((r) => r.id)).size).toBe(20_000)
    const starts = incidents.map((r) => Date.parse((r.time ?? r.timeFrom) as string))
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1])
  })

  it('uses the canonical fields and formats', () => {
    const kinds = new Set(['fingerprint', 'dna', 'shoeprint', 'plate', 'phone'])
    const bad: string[] = []
    const check = (ok: boolean, id: string, what: string) => {
      if (!ok) bad.push(`${id}: ${what}`)
    }
    for (const r of incidents) {
      if (r.time !== undefined) {
        check(
          ISO_WITH_OFFSET.test(r.time) && r.timeFrom === undefined && r.timeTo === undefined,
          r.id,
          'time',
        )
      } else {
        check(
          ISO_WITH_OFFSET.test(r.timeFrom ?? '') && ISO_WITH_OFFSET.test(r.timeTo ?? ''),
          r.id,
          'window format',
        )
        check(Date.parse(r.timeTo as string) > Date.parse(r.timeFrom as string), r.id, 'window order')
      }
      if (r.lat !== undefined) {
        check(r.lat > 31 && r.lat < 33 && (r.lon as number) > 118 && (r.lon as number) < 120, r.id, 'lat/lon')
      } else check(r.lon === undefined, r.id, 'lon without lat')
      check((CATEGORIES as readonly string[]).includes(r.category), r.id, 'category')
      check(
        r.mo.every((m) => /^[a-z]+:[a-z0-9-]+$/.test(m)),
        r.id,
        'mo format',
      )
      check(new Set(r.mo).size === r.mo.length, r.id, 'mo duplicates')
      check(
        r.evidence.every((e) => kinds.has(e.slice(0, e.indexOf(':')))),
        r.id,
        'evidence kind',
      )
      check(r.series.length >= 1 && r.series.length <= 3, r.id, 'series count')
      check(typeof r.county === 'string' && typeof r.town === 'string', r.id, 'county/town')
    }
    expect(bad).toEqual([])
  })

  it('passes parseIncidents with no rejected row', () => {
    const result = parseIncidents(incidents, { timeZone: 'Asia/Shanghai' })
    expect(result.counts.rejected).toBe(0)
    expect(result.incidents).toHaveLength(incidents.length)
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([])
    expect(result.issues.every((i) => i.code === 'unknown_field')).toBe(true)
    const first = result.incidents[0]
    expect(first.series).toEqual(incidents[0].series)
    expect(first.attributes.county).toBe(incidents[0].county)
  })

  it('has about 60% singleton incidents, heavy-tailed series and co-offending', () => {
    const truth = buildTruth(incidents)
    const size = new Int32Array(truth.componentCount)
    for (let i = 0; i < truth.count; i++) size[truth.component[i]]++
    let singles = 0
    let largest = 0
    for (const s of size) {
      if (s === 1) singles++
      largest = Math.max(largest, s)
    }
    expect(singles / incidents.length).toBeGreaterThan(0.5)
    expect(singles / incidents.length).toBeLessThan(0.7)
    expect(largest).toBeGreaterThanOrEqual(20)
    const coOffended = incidents.filter((r) => r.series.length > 1).length
    expect(coOffended / incidents.length).toBeGreaterThan(0.005)
    expect(coOffended / incidents.length).toBeLessThan(0.1)
  })

  it('makes linked incidents closer in space and time than unlinked ones, and shares evidence within series', () => {
    const byLabel = new Map<string, number[]>()
    incidents.forEach((r, i) => {
      for (const l of r.series) byLabel.set(l, [...(byLabel.get(l) ?? []), i])
    })
    const km = (i: number, j: number) =>
      Math.hypot(
        ((incidents[i].lat as number) - (incidents[j].lat as number)) * 110.6,
        ((incidents[i].lon as number) - (incidents[j].lon as number)) * 94.4,
      )
    const linked: number[] = []
    for (const members of byLabel.values()) {
      for (let x = 1; x < members.length; x++) {
        const [i, j] = [members[x - 1], members[x]]
        if (incidents[i].lat !== undefined && incidents[j].lat !== undefined) linked.push(km(i, j))
      }
    }
    const unlinked: number[] = []
    for (let i = 0; i + 7919 < incidents.length; i += 3) {
      const j = i + 7919
      if (incidents[i].lat !== undefined && incidents[j].lat !== undefined) unlinked.push(km(i, j))
    }
    const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1]
    expect(median(linked)).toBeLessThan(5)
    expect(median(unlinked)).toBeGreaterThan(30)
    // Some fingerprint is recovered at two crimes of the same offender.
    const owners = new Map<string, Set<string>>()
    for (const r of incidents) {
      for (const e of r.evidence) {
        if (!e.startsWith('fingerprint:')) continue
        const set = owners.get(e) ?? new Set<string>()
        set.add(r.series[0])
        owners.set(e, set)
      }
    }
    const shared = [...owners.entries()].filter(
      ([e]) => incidents.filter((r) => r.evidence.includes(e)).length > 1,
    )
    expect(shared.length).toBeGreaterThan(5)
    // …and no fingerprint is shared by two unrelated offenders' crimes.
    for (const [, set] of shared) expect(set.size).toBe(1)
  })

  it('scales the default time span as n^(1/3): 253 days at 100k, 365 at 300k, 545 at 1M (province)', () => {
    expect(defaultTimeSpanDays(100_000)).toBe(253)
    expect(defaultTimeSpanDays(300_000)).toBe(365)
    expect(defaultTimeSpanDays(1_000_000)).toBe(545)
    expect(defaultTimeSpanDays(10, 'city')).toBe(30)
    const starts = incidents.map((r) => Date.parse((r.time ?? r.timeFrom) as string))
    const spanDays = (Math.max(...starts) - Math.min(...starts)) / 86_400_000
    expect(spanDays).toBeGreaterThan(defaultTimeSpanDays(20_000) - 3)
    expect(spanDays).toBeLessThan(defaultTimeSpanDays(20_000) + 2)
  })

  it('honours timeSpanDays and startDate', () => {
    const small = generateIncidents({ n: 300, seed: 1, timeSpanDays: 10, startDate: '2023-06-01' }).incidents
    for (const r of small) {
      const t = Date.parse((r.time ?? r.timeTo) as string)
      expect(t).toBeGreaterThanOrEqual(Date.parse('2023-05-31T00:00:00+08:00'))
      expect(t).toBeLessThan(Date.parse('2023-06-12T00:00:00+08:00'))
    }
  })

  it('handles n = 0 and rejects bad options with caselink errors', () => {
    expect(generateIncidents({ n: 0 }).incidents).toEqual([])
    expect(() => generateIncidents({ n: -1 })).toThrow(/^caselink:/)
    expect(() => generateIncidents({ n: 1.5 })).toThrow(/^caselink:/)
    expect(() => generateIncidents({ n: 10, preset: 'moon' as 'city' })).toThrow(/^caselink: unknown preset/)
    expect(() => generateIncidents({ n: 10, startDate: '2024/01/01' })).toThrow(/^caselink:/)
    expect(() => generateIncidents({ n: 10, crewShare: 2 })).toThrow(/^caselink:/)
  })
})

describe("generateIncidents, the 'county' preset", () => {
  it("spans a year at 2,000 incidents and about half a year at 300, within one county's 50 × 45 km", () => {
    for (const [n, minDays, maxDays] of [
      [2000, 350, 366],
      [300, 170, 210],
    ] as const) {
      const rows = generateIncidents({ n, seed: 6, preset: 'county', variant: 'plain' }).incidents
      const first = Date.parse(rows[0].timeFrom ?? '')
      const last = Date.parse(rows[rows.length - 1].timeFrom ?? '')
      const spanDays = (last - first) / 86_400_000
      expect(spanDays).toBeGreaterThan(minDays)
      expect(spanDays).toBeLessThan(maxDays)
      expect(new Set(rows.map((row) => row.county)).size).toBe(1)
      for (const row of rows) {
        if (row.x === undefined) continue
        expect(Math.abs(row.x)).toBeLessThanOrEqual(30_000)
        expect(Math.abs(row.y ?? 0)).toBeLessThanOrEqual(28_000)
      }
    }
  })
})

describe("generateIncidents, the 'plain' variant", () => {
  const standard = generateIncidents({ n: 6000, seed: 4, preset: 'province' }).incidents
  const plain = generateIncidents({ n: 6000, seed: 4, preset: 'province', variant: 'plain' }).incidents

  /** Median distance (km) between consecutive incidents of each offender with ≥ 2 located incidents. */
  function medianOffenderStepKm(rows: typeof standard, planar: boolean): number {
    const byOffender = new Map<string, [number, number][]>()
    for (const row of rows) {
      const at: [number, number] | undefined = planar
        ? row.x === undefined
          ? undefined
          : [row.x / 1000, (row.y ?? 0) / 1000]
        : row.lat === undefined
          ? undefined
          : [(row.lon ?? 0) * 111.32 * Math.cos((row.lat * Math.PI) / 180), row.lat * 110.574]
      if (at === undefined) continue
      const list = byOffender.get(row.series[0]) ?? []
      list.push(at)
      byOffender.set(row.series[0], list)
    }
    const steps: number[] = []
    for (const list of byOffender.values()) {
      for (let k = 1; k < list.length; k++)
        steps.push(Math.hypot(list[k][0] - list[k - 1][0], list[k][1] - list[k - 1][1]))
    }
    steps.sort((a, b) => a - b)
    return steps[Math.floor(steps.length / 2)]
  }

  it('has date-only windows, planar metres, 30% without MO, ranges of tens of km, and parses cleanly', () => {
    for (const row of plain) {
      expect(row.time).toBeUndefined()
      expect(row.timeFrom?.slice(10)).toBe('T00:00:00+08:00')
      expect(row.timeTo?.slice(0, 10)).toBe(row.timeFrom?.slice(0, 10))
      expect(row.timeTo?.slice(10)).toBe('T23:59:00+08:00')
      expect(row.lat).toBeUndefined()
    }
    expect(plain.filter((row) => row.x !== undefined).length).toBeGreaterThan(0.97 * plain.length)
    const withoutMo = plain.filter((row) => row.mo.length === 0).length / plain.length
    expect(withoutMo).toBeGreaterThan(0.27)
    expect(withoutMo).toBeLessThan(0.36)
    expect(standard.filter((row) => row.mo.length === 0).length / standard.length).toBeLessThan(0.05)
    // the same offenders, six times the range: their steps are several times longer
    expect(medianOffenderStepKm(plain, true)).toBeGreaterThan(2.5 * medianOffenderStepKm(standard, false))
    expect(medianOffenderStepKm(plain, true)).toBeGreaterThan(10)
    const { incidents, issues } = parseIncidents(plain, { timeZone: 'Asia/Shanghai' })
    expect(incidents.length).toBe(plain.length)
    expect(issues.filter((issue) => issue.severity === 'error')).toEqual([])
    // the same offenders with the same numbers of crimes as the standard set of the same seed
    const crimesOf = (rows: typeof standard) => {
      const counts = new Map<string, number>()
      for (const row of rows) counts.set(row.series[0], (counts.get(row.series[0]) ?? 0) + 1)
      return counts
    }
    expect(crimesOf(plain)).toEqual(crimesOf(standard))
  })

  it('has teams: about 10% of incidents carry 2–4 offender labels, and partners also offend alone', () => {
    const labelCounts = plain.map((row) => row.series.length)
    const teamed = labelCounts.filter((count) => count >= 2).length / plain.length
    expect(teamed).toBeGreaterThan(0.08)
    expect(teamed).toBeLessThan(0.12)
    expect(Math.max(...labelCounts)).toBeLessThanOrEqual(4)
    expect(labelCounts.filter((count) => count >= 3).length).toBeGreaterThan(0.01 * plain.length)
    // a partner's label leads some incidents of his own: teams join offenders' series, not only add names
    const leading = new Set(plain.map((row) => row.series[0]))
    const partners = new Set(
      plain.flatMap((row) => row.series.slice(1)).filter((label) => leading.has(label)),
    )
    expect(partners.size).toBeGreaterThan(50)
    // the share is an option, in any variant; the standard variant keeps its rarer crews
    const few = generateIncidents({ n: 6000, seed: 4, coOffendingShare: 0.05 }).incidents
    const fewShare = few.filter((row) => row.series.length >= 2).length / few.length
    expect(fewShare).toBeGreaterThan(0.04)
    expect(fewShare).toBeLessThan(0.06)
    expect(standard.filter((row) => row.series.length >= 2).length / standard.length).toBeLessThan(0.04)
    expect(() => generateIncidents({ n: 10, coOffendingShare: 0.2 })).toThrow(
      /coOffendingShare must be in \[0, 0.12\]/,
    )
  })

  it('takes each part as an option of its own, and refuses a bad variant', () => {
    const dated = generateIncidents({ n: 300, seed: 2, dateOnly: true }).incidents
    expect(
      dated.every(
        (row) =>
          (row.timeFrom?.endsWith('T00:00:00+08:00') && row.lat !== undefined) || row.lat === undefined,
      ),
    ).toBe(true)
    expect(() => generateIncidents({ n: 10, variant: 'fancy' as 'plain' })).toThrow(/variant must be/)
    expect(() => generateIncidents({ n: 10, rangeScale: 0 })).toThrow(/rangeScale/)
  })
})
