import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import {
  type GeneratedIncident,
  generateIncidentChunks,
  generateIncidents,
} from '../../src/generate/generateIncidents'
import { buildRegion, GENERATOR_PRESETS, KIND_VILLAGE } from '../../src/generate/region'
import { resolveScenarios, SCENARIO_NAMES } from '../../src/generate/scenarios'
import { writeIncidentsNdjson } from '../../src/generate/writeIncidents'
import { parseIncidents } from '../../src/schema/parseIncidents'

const SEED = 1
const planted = (r: GeneratedIncident) => r.series.some((l) => l.startsWith('scenario:'))
const withLabel = (rows: GeneratedIncident[], label: string) => rows.filter((r) => r.series.includes(label))
const start = (r: GeneratedIncident) => Date.parse((r.time ?? r.timeFrom) as string)
/** Minutes since local midnight (+08:00) of an ISO time. */
const minuteOfDay = (iso: string) => Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16))
const spanDays = (rows: GeneratedIncident[]) => {
  const times = rows.map(start)
  return (Math.max(...times) - Math.min(...times)) / 86_400_000
}
const km = (a: GeneratedIncident, b: GeneratedIncident) => {
  const dy = ((a.lat as number) - (b.lat as number)) * 110.574
  const dx = ((a.lon as number) - (b.lon as number)) * 111.32 * Math.cos((32 * Math.PI) / 180)
  return Math.hypot(dx, dy)
}

describe('planted scenarios: the background is untouched', () => {
  it('keeps every background record identical, in the same order, with and without scenarios', () => {
    for (const variant of ['standard', 'plain'] as const) {
      const plain = generateIncidents({ n: 3000, seed: 3, variant }).incidents
      const mixed = generateIncidents({ n: 3000, seed: 3, variant, scenarios: 'all' }).incidents
      expect(mixed.length).toBe(3000 + 332)
      expect(JSON.stringify(mixed.filter((r) => !planted(r)))).toBe(JSON.stringify(plain))
    }
  })

  it('is deterministic for a seed, and each scenario does not depend on the others planted', () => {
    const a = JSON.stringify(generateIncidents({ n: 1000, seed: SEED, scenarios: 'all' }).incidents)
    const b = JSON.stringify(
      generateIncidents({ n: 1000, seed: SEED, scenarios: [...SCENARIO_NAMES] }).incidents,
    )
    expect(a).toBe(b)
    const all = generateIncidents({ n: 1000, seed: SEED, scenarios: 'all' }).incidents
    const one = generateIncidents({ n: 1000, seed: SEED, scenarios: ['bathhouse'] }).incidents
    expect(JSON.stringify(one.filter(planted))).toBe(JSON.stringify(withLabel(all, 'scenario:bathhouse')))
    const other = generateIncidents({ n: 1000, seed: 2, scenarios: ['bathhouse'] }).incidents
    expect(JSON.stringify(other.filter(planted))).not.toBe(JSON.stringify(one.filter(planted)))
  })

  it('yields in chunks exactly the records generateIncidents returns', () => {
    const options = Object.freeze({ n: 2345, seed: 5, scenarios: Object.freeze([...SCENARIO_NAMES]) })
    const whole = generateIncidents(options).incidents
    const chunks = [...generateIncidentChunks(options, 1000)]
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 677])
    expect(JSON.stringify(chunks.flat())).toBe(JSON.stringify(whole))
  })

  it('writes through the NDJSON writer exactly the records generateIncidents returns', async () => {
    const options = { n: 1500, seed: 4, scenarios: ['spree', 'copycats'] as const, chunkSize: 400 }
    let text = ''
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        text += chunk.toString()
        callback()
      },
    })
    const { records } = await writeIncidentsNdjson(sink, options)
    const lines = generateIncidents(options).incidents.map((r) => JSON.stringify(r))
    expect(records).toBe(1536)
    expect(text).toBe(`${lines.join('\n')}\n`)
  })

  it('merges planted incidents by start time, with ids that never collide', () => {
    const { incidents } = generateIncidents({ n: 20_000, seed: SEED, scenarios: 'all', idPrefix: 'X' })
    for (let i = 1; i < incidents.length; i++)
      expect(start(incidents[i])).toBeGreaterThanOrEqual(start(incidents[i - 1]))
    expect(new Set(incidents.map((r) => r.id)).size).toBe(incidents.length)
    for (const r of incidents.filter(planted)) expect(r.id).toMatch(/^XS-(IMP|SPR|BTH|PCL|EBK|CPY)-\d{4}$/)
    const parsed = parseIncidents(incidents, { timeZone: 'Asia/Shanghai' })
    expect(parsed.incidents.length).toBe(incidents.length)
  })

  it('plants MO values that also occur in the background, in the same category (at 20,000, each ≥ 10 times)', () => {
    const { incidents } = generateIncidents({ n: 20_000, seed: SEED, scenarios: 'all' })
    const background = new Map<string, number>()
    for (const r of incidents) {
      if (planted(r)) continue
      for (const m of r.mo)
        background.set(`${r.category} ${m}`, (background.get(`${r.category} ${m}`) ?? 0) + 1)
    }
    const codes = new Set(incidents.filter(planted).flatMap((r) => r.mo.map((m) => `${r.category} ${m}`)))
    expect(codes.size).toBeGreaterThan(40)
    expect([...codes].filter((code) => (background.get(code) ?? 0) < 10)).toEqual([])
    expect(background.get('burglary.residential sign:pose-as-inspector')).toBe(101)
  })

  it('rejects unknown scenario names with a message listing the valid ones', () => {
    const names = /impersonator, spree, bathhouse, parcel, ebike-rings, copycats/
    expect(() => generateIncidents({ n: 10, scenarios: ['moon' as never] })).toThrow(
      /unknown scenario 'moon'/,
    )
    expect(() => generateIncidents({ n: 10, scenarios: ['moon' as never] })).toThrow(names)
    expect(() => generateIncidents({ n: 10, scenarios: 'everything' as never })).toThrow(names)
    expect(resolveScenarios(['parcel', 'spree', 'parcel'])).toEqual(['spree', 'parcel'])
    expect(resolveScenarios(undefined)).toEqual([])
  })
})

describe('planted scenarios: sizes and spread (province)', () => {
  const { incidents } = generateIncidents({ n: 2000, seed: SEED, scenarios: 'all' })
  const region = buildRegion(GENERATOR_PRESETS.province, SEED)
  const hubByName = new Map<string, number>()
  for (let i = 0; i < region.count; i++) if (region.kind[i] !== KIND_VILLAGE) hubByName.set(region.name[i], i)

  it('impersonator: 121 daytime burglaries, 9 counties, 41 towns, 118 villages, 8 months, no traces', () => {
    const rows = withLabel(incidents, 'scenario:impersonator')
    expect(rows).toHaveLength(121)
    expect(new Set(rows.map((r) => r.county)).size).toBe(9)
    expect(new Set(rows.map((r) => `${r.county}/${r.town}`)).size).toBeGreaterThanOrEqual(40)
    expect(new Set(rows.map((r) => `${r.county}/${r.town}/${r.village}`)).size).toBeGreaterThanOrEqual(110)
    expect(rows.every((r) => r.village !== undefined)).toBe(true)
    expect(spanDays(rows)).toBeGreaterThan(225)
    expect(spanDays(rows)).toBeLessThan(255)
    for (const r of rows) {
      expect(r.category).toBe('burglary.residential')
      expect(r.evidence).toEqual([])
      const minute = minuteOfDay(r.time as string)
      expect(minute).toBeGreaterThanOrEqual(9 * 60)
      expect(minute).toBeLessThanOrEqual(17 * 60)
    }
    const allowed = [
      'entry:unlocked-door',
      'target:cash',
      'approach:motorbike',
      'sign:pose-as-inspector',
      'sign:wear-uniform',
      'sign:water-meter-check',
    ]
    expect(rows.flatMap((r) => r.mo).every((m) => allowed.includes(m))).toBe(true)
    const inspector = rows.filter((r) => r.mo.includes('sign:pose-as-inspector')).length
    expect(inspector / rows.length).toBeGreaterThan(0.85)
    const told = rows.filter((r) => r.narrative !== undefined)
    expect(told.every((r) => /老人/.test(r.narrative as string) && /自称/.test(r.narrative as string))).toBe(
      true,
    )
  })

  it('spree: 26 shop burglaries at night over 4–6 weeks in three counties, a shoe print in some', () => {
    const rows = withLabel(incidents, 'scenario:spree')
    expect(rows).toHaveLength(26)
    expect(rows.every((r) => r.category === 'burglary.shop')).toBe(true)
    expect(new Set(rows.map((r) => r.county)).size).toBeGreaterThanOrEqual(2)
    expect(spanDays(rows)).toBeGreaterThan(25)
    expect(spanDays(rows)).toBeLessThan(45)
    const prints = rows.flatMap((r) => r.evidence)
    expect(prints.length).toBeGreaterThan(0)
    expect(new Set(prints).size).toBe(1)
    expect(prints[0]).toMatch(/^shoeprint:[A-Z0-9-]+-42$/)
  })

  it('bathhouse: 100 evening thefts at 8 fixed points (within 30 m), in 8 towns over 5 months', () => {
    const rows = withLabel(incidents, 'scenario:bathhouse').filter((r) => r.lat !== undefined)
    expect(withLabel(incidents, 'scenario:bathhouse')).toHaveLength(100)
    const points: GeneratedIncident[][] = []
    for (const r of rows) {
      const near = points.find((p) => km(p[0], r) < 0.1)
      if (near) near.push(r)
      else points.push([r])
    }
    expect(points).toHaveLength(8)
    for (const p of points) for (const r of p) expect(km(p[0], r)).toBeLessThanOrEqual(0.061)
    expect(new Set(rows.map((r) => r.town)).size).toBe(8)
    expect(spanDays(rows)).toBeGreaterThan(130)
    expect(spanDays(rows)).toBeLessThan(155)
    expect(rows.every((r) => r.category === 'theft.pickpocket')).toBe(true)
    const told = rows.filter((r) => r.narrative !== undefined)
    expect(told.every((r) => /更衣柜/.test(r.narrative as string))).toBe(true)
  })

  it('parcel: 15 thefts within 300 m of one market in 3 weeks', () => {
    const rows = withLabel(incidents, 'scenario:parcel')
    expect(rows).toHaveLength(15)
    const located = rows.filter((r) => r.lat !== undefined)
    for (const a of located) for (const b of located) expect(km(a, b)).toBeLessThanOrEqual(0.6)
    expect(spanDays(rows)).toBeLessThan(22)
  })

  it('e-bike rings: 3 × 20 thefts in the same 2 months, towns ≥ 30 km apart, identical MO', () => {
    const rings = [1, 2, 3].map((k) => withLabel(incidents, `scenario:ebike-ring-${k}`))
    const towns = rings.map((rows) => {
      expect(rows).toHaveLength(20)
      expect(new Set(rows.map((r) => r.town)).size).toBe(1)
      expect(spanDays(rows)).toBeLessThanOrEqual(62)
      return hubByName.get(rows[0].town) as number
    })
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) {
        const d = Math.hypot(region.x[towns[i]] - region.x[towns[j]], region.y[towns[i]] - region.y[towns[j]])
        expect(d).toBeGreaterThanOrEqual(30)
      }
    }
    const moSets = rings.map((rows) => [...new Set(rows.flatMap((r) => r.mo))].sort())
    expect(moSets[1]).toEqual(moSets[0])
    expect(moSets[2]).toEqual(moSets[0])
    const firsts = rings.map((rows) => Math.min(...rows.map(start)))
    expect((Math.max(...firsts) - Math.min(...firsts)) / 86_400_000).toBeLessThan(14)
  })

  it("copycats: 10 singletons with the impersonator's pretext within his 8 months, each unlike him somehow", () => {
    const imp = withLabel(incidents, 'scenario:impersonator')
    const from = Math.min(...imp.map(start))
    const to = Math.max(...imp.map(start))
    for (let k = 1; k <= 10; k++) {
      const rows = withLabel(incidents, `scenario:copycat-${k}`)
      expect(rows).toHaveLength(1)
      const [r] = rows
      expect(start(r)).toBeGreaterThanOrEqual(from - 86_400_000)
      expect(start(r)).toBeLessThanOrEqual(to + 86_400_000)
      const minute = minuteOfDay(r.time as string)
      const unlike =
        r.category !== 'burglary.residential' ||
        minute < 9 * 60 ||
        minute > 17 * 60 ||
        r.mo.some(
          (m) =>
            !m.startsWith('sign:') &&
            !['entry:unlocked-door', 'target:cash', 'approach:motorbike'].includes(m),
        )
      expect(unlike).toBe(true)
    }
    const narrated = incidents.filter((r) => r.series[0]?.startsWith('scenario:copycat-') && r.narrative)
    expect(narrated.every((r) => /自称/.test(r.narrative as string))).toBe(true)
  })

  it('adapts to smaller regions: every preset plants every scenario in full', () => {
    for (const preset of ['city', 'county', 'travelling'] as const) {
      const rows = generateIncidents({ n: 500, seed: SEED, preset, scenarios: 'all' }).incidents.filter(
        planted,
      )
      expect(rows).toHaveLength(332)
      expect(withLabel(rows, 'scenario:impersonator')).toHaveLength(121)
    }
  })
})
