import { describe, expect, it } from 'vitest'
import { similarityGraphFromEdges } from '../../src/graph/similarityGraph'
import { toGraphology } from '../../src/graph/toGraphology'
import type { Incident } from '../../src/schema/incident'

function incident(id: string, extra: Partial<Incident> = {}): Incident {
  return { id, timeFrom: 0, timeTo: 10, mo: [], evidence: [], series: [], attributes: {}, ...extra }
}

describe('toGraphology', () => {
  const a = Uint32Array.of(0, 1, 0)
  const b = Uint32Array.of(1, 2, 1)
  const w = Float64Array.of(0.9, 0.4, 0.7)
  const graph = similarityGraphFromEdges(3, a, b, w)

  it('uses indices as keys without incidents and stores weight and probability', () => {
    const g = toGraphology(graph)
    expect(g.order).toBe(3)
    expect(g.size).toBe(2)
    expect(g.type).toBe('undirected')
    const edge = g.edge('0', '1')
    expect(edge).toBeDefined()
    expect(g.getEdgeAttribute(edge as string, 'weight')).toBe(0.9)
    expect(g.getEdgeAttribute(edge as string, 'probability')).toBe(0.9)
    expect(g.getNodeAttributes('2')).toEqual({ index: 2, label: '2' })
  })

  it('uses incident ids and attributes, and per-pair match weights and reasons', () => {
    const incidents = [
      incident('A-1', {
        lat: 31.2,
        lon: 121.5,
        category: 'theft.ebike',
        mo: ['entry:pry-door', 'time:night'],
      }),
      incident('A-2', { evidence: ['plate:苏K12345'] }),
      incident('A-3', { x: 10, y: 20 }),
    ]
    const g = toGraphology(graph, incidents, {
      matchWeight: [5, 1, 3],
      reasons: [['same MO'], ['near'], undefined],
      membership: Int32Array.of(0, 0, 1),
    })
    expect(g.getNodeAttributes('A-1')).toMatchObject({
      label: 'A-1',
      lat: 31.2,
      lon: 121.5,
      category: 'theft.ebike',
      mo: 'entry:pry-door;time:night',
      community: 0,
    })
    expect(g.getNodeAttribute('A-2', 'evidence')).toBe('plate:苏K12345')
    expect(g.getNodeAttribute('A-3', 'community')).toBe(1)
    // {0,1} kept pair 0 (0.9 > 0.7): its match weight and reasons
    const e01 = g.edge('A-1', 'A-2') as string
    expect(g.getEdgeAttributes(e01)).toEqual({
      weight: 0.9,
      probability: 0.9,
      matchWeight: 5,
      reasons: 'same MO',
    })
    const e12 = g.edge('A-2', 'A-3') as string
    expect(g.getEdgeAttributes(e12)).toEqual({
      weight: 0.4,
      probability: 0.4,
      matchWeight: 1,
      reasons: 'near',
    })
  })

  it('refuses graphs beyond the edge cap and mismatched inputs, with caselink errors', () => {
    expect(() => toGraphology(graph, undefined, { maxEdges: 1 })).toThrow(/caselink:.*2 edges/)
    expect(() => toGraphology(graph, [incident('x')])).toThrow(/caselink:.*incidents/)
    expect(() => toGraphology(graph, [incident('x'), incident('x'), incident('y')])).toThrow(
      /caselink:.*duplicate/,
    )
    expect(() => toGraphology(graph, undefined, { membership: [0] })).toThrow(/caselink:.*membership/)
  })
})
