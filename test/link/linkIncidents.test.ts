import { beforeAll, describe, expect, it } from 'vitest'
import { loadIncidents } from '../../src/io/readIncidents'
import { type LinkResult, linkIncidents } from '../../src/link/linkIncidents'
import { rankIncidents, rankSeries } from '../../src/link/rankSeries'
import type { Incident } from '../../src/schema/incident'
import { createRandom } from '../../src/util/random'

let incidents: Incident[]
let result: LinkResult

const membersOf = (r: LinkResult) => r.series.map((s) => [...s.members].sort().join(',')).sort()

// The 300-incident sample is too small for the priors' estimate to say much (48 neighbour pairs): these
// tests of the pipeline's mechanics keep the model's priors; test/model/estimatePriors.test.ts tests the estimate
const OPTIONS = { timeZone: 'Asia/Shanghai', prior: 'model' } as const

beforeAll(async () => {
  incidents = (await loadIncidents('fixtures/sample.ndjson')).incidents
  result = linkIncidents(incidents, OPTIONS)
})

describe('linkIncidents on the bundled sample', () => {
  it('assigns every valid incident, and only series members get a series id', () => {
    expect(Object.keys(result.assignments)).toHaveLength(incidents.length)
    const inSeries = new Set(result.series.flatMap((s) => s.members))
    for (const [id, seriesId] of Object.entries(result.assignments)) {
      expect(seriesId !== null).toBe(inSeries.has(id))
    }
    expect(Object.getPrototypeOf(result.assignments)).toBe(null)
  })

  it('recovers most planted series: each large planted series is mostly inside one detected series', () => {
    const planted = new Map<string, string[]>()
    for (const incident of incidents)
      for (const label of incident.series) planted.set(label, [...(planted.get(label) ?? []), incident.id])
    let recovered = 0
    for (const members of planted.values()) {
      const counts = new Map<string, number>()
      for (const id of members) {
        const s = result.assignments[id]
        if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1)
      }
      const best = Math.max(0, ...counts.values())
      if (best >= members.length / 2) recovered++
    }
    expect(recovered).toBeGreaterThanOrEqual(6)
  })

  it('summarizes and ranks series with reasons', () => {
    expect(result.series.length).toBeGreaterThan(0)
    result.series.forEach((s, r) => {
      expect(s.id).toBe(`S${r + 1}`)
      expect(s.size).toBe(s.members.length)
      expect(s.size).toBeGreaterThanOrEqual(2)
      expect(s.cohesion).toBeGreaterThan(0)
      expect(s.cohesion).toBeLessThanOrEqual(1)
      expect(s.firstTime).toBeLessThanOrEqual(s.lastTime)
      if (r > 0) expect(s.priority).toBeLessThanOrEqual(result.series[r - 1].priority)
      expect(s.strongestLinks.length).toBeGreaterThan(0)
      for (const link of s.strongestLinks) {
        expect(s.members).toContain(link.a)
        expect(s.members).toContain(link.b)
        expect(link.reasons.length).toBeGreaterThan(0)
      }
    })
  })

  it('reports each stage with its time and counts', () => {
    const { stages } = result.stats
    for (const stage of Object.values(stages)) expect(stage.ms).toBeGreaterThanOrEqual(0)
    expect(stages.parse.valid).toBe(incidents.length)
    expect(stages.candidates.pairs).toBeGreaterThan(0)
    expect(stages.candidates.pairs).toBeLessThan((incidents.length * (incidents.length - 1)) / 2)
    expect(stages.scoring.kept).toBe(result.pairs.count)
    expect(stages.graph.edges).toBe(result.graph.edgeCount)
  })

  it('gives the same series whatever the input order', () => {
    const random = createRandom(3)
    const shuffled = [...incidents]
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
    }
    const again = linkIncidents(shuffled, OPTIONS)
    expect(membersOf(again)).toEqual(membersOf(result))
    // the priors' estimate too is independent of the input order
    const estimated = linkIncidents(incidents, { timeZone: 'Asia/Shanghai' })
    const estimatedAgain = linkIncidents(shuffled, { timeZone: 'Asia/Shanghai' })
    expect(estimatedAgain.priors).toEqual(estimated.priors)
    expect(membersOf(estimatedAgain)).toEqual(membersOf(estimated))
  })

  it('validates raw rows and reports bad ones without losing them', () => {
    const rows = [{ id: 'X-1', time: '2024-03-05 22:10:00', lat: 32, lon: 119.4 }, { id: 'X-2' }, 'nonsense']
    const raw = linkIncidents(rows, { timeZone: 'Asia/Shanghai' })
    expect(raw.incidents.map((i) => i.id)).toEqual(['X-1'])
    expect(new Set(raw.issues.filter((i) => i.severity === 'error').map((i) => i.index))).toEqual(
      new Set([1, 2]),
    )
  })

  it('does not mutate its input', () => {
    const frozen = incidents.slice(0, 50).map((i) => Object.freeze({ ...i, mo: Object.freeze([...i.mo]) }))
    expect(() => linkIncidents(frozen as Incident[], { timeZone: 'Asia/Shanghai' })).not.toThrow()
  })
})

describe('rankSeries and rankIncidents', () => {
  it('ranks the series of a held-out member first, with reasons', () => {
    const top = result.series[0]
    const probeId = top.members[0]
    const held = incidents.filter((i) => i.id !== probeId)
    const probe = incidents.find((i) => i.id === probeId)!
    const rest = linkIncidents(held, OPTIONS)
    const ranked = rankSeries({ ...probe, id: 'NEW-1' }, rest, { k: 3 })
    expect(ranked.length).toBeGreaterThan(0)
    const best = rest.series.find((s) => s.id === ranked[0].seriesId)!
    expect(best.members.some((id) => top.members.includes(id))).toBe(true)
    expect(ranked[0].bestLink.reasons.length).toBeGreaterThan(0)
    const mean = rankSeries({ ...probe, id: 'NEW-1' }, rest, { k: 3, linkage: 'mean' })
    for (const r of mean)
      expect(r.score).toBeLessThanOrEqual(ranked.find((x) => x.seriesId === r.seriesId)?.score ?? 1)
  })

  it('ranks single incidents by probability, most similar first', () => {
    const probe = { ...incidents[0], id: 'NEW-2' }
    const ranked = rankIncidents(probe, result, { k: 5 })
    expect(ranked[0].id).toBe(incidents[0].id)
    for (let r = 1; r < ranked.length; r++)
      expect(ranked[r].matchWeight).toBeLessThanOrEqual(ranked[r - 1].matchWeight)
  })
})
