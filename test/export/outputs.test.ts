import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import Graph from 'graphology'
import { parse as parseGexf } from 'graphology-gexf'
import { parse as parseGraphml } from 'graphology-graphml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linkResultToGraphology, toGexf, toGraphml } from '../../src/export/graphExport'
import { createLinkReasons } from '../../src/export/linkReasons'
import { convexHull, seriesGeoJsonFeatures } from '../../src/export/seriesGeoJson'
import { writeLinkOutputs } from '../../src/export/writeLinkOutputs'
import { loadIncidents } from '../../src/io/readIncidents'
import { type LinkResult, linkIncidents } from '../../src/link/linkIncidents'
import { explainLink } from '../../src/series/summarizeSeries'

let result: LinkResult
let dir: string

beforeAll(async () => {
  const { incidents } = await loadIncidents('fixtures/sample.csv', { timeZone: 'Asia/Shanghai' })
  result = linkIncidents(incidents, { timeZone: 'Asia/Shanghai' })
  dir = mkdtempSync(join(tmpdir(), 'caselink-export-'))
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cross = (o: number[], a: number[], b: number[]) =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

describe('convexHull', () => {
  it('drops inner, duplicate and collinear points of a square', () => {
    expect(
      convexHull([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [0.5, 0.5],
        [0.5, 0],
        [1, 1],
      ]),
    ).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ])
    expect(
      convexHull([
        [2, 2],
        [2, 2],
      ]),
    ).toEqual([[2, 2]])
  })

  it('property: counter-clockwise and every input point inside or on the hull', () => {
    const point = fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 }))
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 40 }), (points) => {
        const hull = convexHull(points)
        if (hull.length < 3) return
        for (let k = 0; k < hull.length; k++) {
          const next = hull[(k + 1) % hull.length]
          expect(cross(hull[k], next, hull[(k + 2) % hull.length])).toBeGreaterThan(0)
          for (const p of points) expect(cross(hull[k], next, p)).toBeGreaterThanOrEqual(0)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('createLinkReasons', () => {
  it('property: words the same reasons as explainLink, for any pair and any number of reasons', () => {
    const n = result.table.size
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: n - 1 }),
        fc.integer({ min: 0, max: n - 1 }),
        fc.integer({ min: 0, max: 6 }),
        (i, j, maxReasons) => {
          const fast = createLinkReasons(result.scorer, maxReasons)(i, j)
          expect(fast).toBe(explainLink(result.scorer, i, j, 0.5, maxReasons).reasons.join('; '))
        },
      ),
      { numRuns: 400 },
    )
    const reasonsOf = createLinkReasons(result.scorer, 3)
    for (const s of result.series) {
      for (const link of s.strongestLinks) {
        const i = result.table.ids.indexOf(link.a)
        const j = result.table.ids.indexOf(link.b)
        expect(reasonsOf(i, j)).toBe(link.reasons.join('; '))
      }
    }
  })
})

describe('series.geojson features', () => {
  it('has one point per located incident and one closed hull or centroid per series', () => {
    const features = [...seriesGeoJsonFeatures(result)]
    const points = features.filter((f) => f.properties.kind === 'incident')
    const series = features.filter((f) => f.properties.kind === 'series')
    expect(points).toHaveLength(result.incidents.filter((i) => i.lat !== undefined).length)
    // a series whose members have no lat/lon (linked by evidence or behaviour alone) has no feature
    const located = new Set(result.incidents.filter((i) => i.lat !== undefined).map((i) => i.id))
    expect(series).toHaveLength(result.series.filter((s) => s.members.some((id) => located.has(id))).length)
    expect(series.length).toBeGreaterThan(0)
    for (const f of series) {
      if (f.geometry.type === 'Polygon') {
        const ring = f.geometry.coordinates[0]
        expect(ring.length).toBeGreaterThanOrEqual(4)
        expect(ring[0]).toEqual(ring[ring.length - 1])
        expect(f.properties.shape).toBe('hull')
      } else {
        expect(f.properties.shape).toBe('centroid')
      }
    }
    const s1 = points.filter((p) => p.properties.seriesId === 'S1')
    expect(s1).toHaveLength(result.series[0].members.filter((id) => located.has(id)).length)
    expect(s1.length).toBeGreaterThan(1)
  })

  it('the file written is exactly the features, also for ids that need escaping and rows without category', () => {
    const base = { time: '2024-03-05T22:10:00Z', lat: 41.8, lon: -87.6, evidence: ['fingerprint:FP-1'] }
    const rows = ['a"b\\c', '案\u2028x', '</script>', 'plain'].map((id, k) => ({
      ...base,
      id,
      lon: -87.6 + k * 0.001,
      ...(k % 2 === 0 ? { category: 'theft."quoted"' } : {}),
    }))
    const small = linkIncidents(rows)
    for (const linked of [result, small]) {
      const out = join(dir, `geo-${linked === result ? 'sample' : 'small'}`)
      writeLinkOutputs(linked, out, { formats: ['geojson'] })
      const written = JSON.parse(readFileSync(join(out, 'series.geojson'), 'utf8'))
      expect(written).toEqual({ type: 'FeatureCollection', features: [...seriesGeoJsonFeatures(linked)] })
    }
    expect(small.incidents.map((i) => i.id)).toContain('a"b\\c')
  })
})

describe('graph exports', () => {
  it('GEXF and GraphML read back with graphology-gexf and graphology-graphml: same nodes, links and attributes', () => {
    const graph = linkResultToGraphology(result)
    expect(graph.size).toBe(result.graph.edgeCount)
    const gexf = parseGexf(Graph, toGexf(graph))
    const graphml = parseGraphml(Graph, toGraphml(graph))
    for (const back of [gexf, graphml]) {
      expect(back.order).toBe(graph.order)
      expect(back.size).toBe(graph.size)
      const [a, b] = [result.links[0].a, result.links[0].b]
      expect(back.hasEdge(a, b) || back.hasEdge(b, a)).toBe(true)
      const edge = back.edge(a, b) ?? back.edge(b, a)
      expect(back.getEdgeAttribute(edge, 'probability')).toBeCloseTo(result.links[0].probability, 12)
      expect(String(back.getEdgeAttribute(edge, 'reasons'))).toMatch(/\(\+\d/)
      expect(back.getNodeAttribute(a, 'seriesId')).toBe(result.links[0].seriesId)
    }
  })

  it('refuses a graph above maxEdges; writeLinkOutputs skips it with a message and removes a stale file', () => {
    expect(() => linkResultToGraphology(result, { maxEdges: 3 })).toThrow(
      /^caselink: .* more than the 3 allowed/,
    )
    writeFileSync(join(dir, 'graph.gexf'), 'stale, from an earlier run')
    const files = writeLinkOutputs(result, dir, { formats: ['gexf', 'graphml'], maxGraphEdges: 3 })
    expect(files.map((f) => f.name)).toEqual(['graph.gexf', 'graph.graphml'])
    for (const f of files) {
      expect(f.skipped).toMatch(/more than 3: skipped/)
      expect(existsSync(f.path)).toBe(false)
    }
  })

  it('escapes XML in ids and attributes and drops characters XML cannot carry', () => {
    const g = new Graph({ type: 'undirected' })
    g.addNode('a<&>"\'', { note: 'x\u0001y & z' })
    g.addNode('b', { note: 'plain' })
    g.addEdge('a<&>"\'', 'b', { weight: 0.5 })
    const back = parseGraphml(Graph, toGraphml(g))
    expect(back.getNodeAttribute('a<&>"\'', 'note')).toBe('xy & z')
    expect(back.size).toBe(1)
  })
})

describe('writeLinkOutputs', () => {
  it('writes only the formats asked for, and rejected.ndjson when rejected records are given', () => {
    const out = join(dir, 'some')
    const files = writeLinkOutputs(result, out, {
      formats: ['json', 'csv'],
      rejected: [{ index: 4, line: 6, row: { id: 'X' }, issues: [] }],
    })
    expect(files.map((f) => f.name)).toEqual([
      'series.json',
      'assignments.csv',
      'links.csv',
      'rejected.ndjson',
    ])
    expect(JSON.parse(readFileSync(join(out, 'rejected.ndjson'), 'utf8'))).toEqual({
      index: 4,
      line: 6,
      row: { id: 'X' },
      issues: [],
    })
    const doc = JSON.parse(readFileSync(join(out, 'series.json'), 'utf8'))
    expect(doc.series).toHaveLength(result.series.length)
    expect(doc.seriesCount).toBe(result.series.length)
    expect(() => writeLinkOutputs(result, out, { formats: ['xlsx' as never] })).toThrow(
      /^caselink: unknown output format/,
    )
  })
})
