import type { UndirectedGraph } from 'graphology'
import { write as writeGexf } from 'graphology-gexf'
import { similarityGraphFromEdges } from '../graph/similarityGraph'
import { GRAPHOLOGY_MAX_ENTRIES, toGraphology } from '../graph/toGraphology'
import type { LinkResult } from '../link/linkIncidents'
import { createLinkReasons } from './linkReasons'

/** Options of {@link linkResultToGraphology}. */
export interface LinkGraphOptions {
  /** Keep incidents without any kept link as isolated nodes. Default false (only linked incidents). */
  includeIsolated?: boolean
  /** Refuse (with a `caselink:` error) graphs with more edges than this. Default 100,000. */
  maxEdges?: number
  /** Reasons stored on each edge. Default 3. */
  maxReasons?: number
}

const DEFAULTS = { includeIsolated: false, maxEdges: 100_000, maxReasons: 3 }

/** Node attributes of the analyst graph: the incident's fields plus its series. */
export interface LinkGraphNodeAttributes {
  label: string
  timeFrom?: number
  timeTo?: number
  lat?: number
  lon?: number
  xMeters?: number
  yMeters?: number
  category?: string
  mo?: string
  evidence?: string
  /** Series id (`S12`), or '' when the incident is in no series. */
  seriesId: string
  /** Series rank (1 = highest priority), 0 when in no series. */
  seriesRank: number
}

/** Edge attributes of the analyst graph. */
export interface LinkGraphEdgeAttributes {
  weight: number
  probability: number
  matchWeight: number
  reasons: string
}

/**
 * The similarity graph of a {@link LinkResult} as a graphology graph for analyst tools: node keys are
 * incident ids, nodes carry the incident's fields and series (`seriesId`, `seriesRank`), edges carry the
 * link probability (also as `weight`), the match weight and the top reasons. By default only incidents
 * with at least one kept link are nodes. Refuses graphs above `maxEdges` (graphology costs about 300
 * bytes an edge and cannot hold 2²⁴ of them). Runs in O(n + m · comparisons).
 *
 * @example
 * const g = linkResultToGraphology(linkIncidents(rows))
 * g.getNodeAttribute(g.nodes()[0], 'seriesId') // 'S3'
 */
export function linkResultToGraphology(
  result: LinkResult,
  options: LinkGraphOptions = {},
): UndirectedGraph<LinkGraphNodeAttributes, LinkGraphEdgeAttributes> {
  const includeIsolated = options.includeIsolated ?? DEFAULTS.includeIsolated
  const maxEdges = Math.min(options.maxEdges ?? DEFAULTS.maxEdges, GRAPHOLOGY_MAX_ENTRIES - 1)
  const maxReasons = options.maxReasons ?? DEFAULTS.maxReasons
  const { graph, pairs, incidents, seriesOfRow, series, scorer } = result
  if (graph.edgeCount > maxEdges) {
    throw new RangeError(
      `caselink: the similarity graph has ${graph.edgeCount} links, more than the ${maxEdges} allowed for graph export`,
    )
  }
  // Rows kept as nodes, renumbered.
  const n = graph.nodeCount
  const newIndex = new Int32Array(n).fill(-1)
  const rows: number[] = []
  for (let i = 0; i < n; i++) {
    if (includeIsolated || graph.offsets[i + 1] > graph.offsets[i]) {
      newIndex[i] = rows.length
      rows.push(i)
    }
  }
  const count = pairs.count
  const a = new Uint32Array(count)
  const b = new Uint32Array(count)
  const weight = new Float64Array(count)
  const reasons: (string[] | undefined)[] = new Array(count)
  for (let k = 0; k < count; k++) {
    const u = newIndex[pairs.a[k]]
    const v = newIndex[pairs.b[k]]
    // Every kept pair is an edge, so both ends are nodes; a pair that is not (a self-pair) becomes a
    // self-loop, which the graph builder drops.
    a[k] = Math.max(u, 0)
    b[k] = v < 0 ? a[k] : v
    weight[k] = pairs.probability[k]
  }
  const sub = similarityGraphFromEdges(rows.length, a, b, weight)
  const reasonsOf = createLinkReasons(scorer, maxReasons)
  for (let e = 0; e < sub.targets.length; e++) {
    const k = sub.pairIndex[e]
    if (reasons[k] === undefined) reasons[k] = [reasonsOf(pairs.a[k], pairs.b[k])]
  }

  const base = toGraphology(
    sub,
    rows.map((i) => incidents[i]),
    { matchWeight: pairs.matchWeight, reasons },
  )
  const out = base as unknown as UndirectedGraph<LinkGraphNodeAttributes, LinkGraphEdgeAttributes>
  out.updateEachNodeAttributes((_key, attributes) => {
    const raw = attributes as unknown as Record<string, unknown>
    const s = seriesOfRow[rows[raw.index as number]]
    const next: LinkGraphNodeAttributes = { label: raw.label as string, seriesId: '', seriesRank: 0 }
    for (const field of ['timeFrom', 'timeTo', 'lat', 'lon', 'category', 'mo', 'evidence'] as const) {
      if (raw[field] !== undefined) (next as unknown as Record<string, unknown>)[field] = raw[field]
    }
    if (raw.x !== undefined) next.xMeters = raw.x as number
    if (raw.y !== undefined) next.yMeters = raw.y as number
    if (s >= 0) {
      next.seriesId = series[s].id
      next.seriesRank = series[s].rank
    }
    return next
  })
  // Edges already carry weight, probability, matchWeight and reasons (every pair was given both).
  return out
}

/**
 * Writes a graph as GEXF 1.3 (Gephi's format) with graphology-gexf: node label = incident id, every
 * other attribute typed, edge weight = link probability.
 *
 * @example
 * writeFileSync('graph.gexf', toGexf(linkResultToGraphology(result)))
 */
export function toGexf(graph: UndirectedGraph<LinkGraphNodeAttributes, LinkGraphEdgeAttributes>): string {
  return writeGexf(graph, {
    version: '1.3',
    formatNode: (_key, attributes) => {
      const { label, ...rest } = attributes
      return { label, attributes: rest }
    },
    formatEdge: (_key, attributes) => {
      const { weight, ...rest } = attributes
      return { weight, attributes: rest }
    },
  })
}

type GraphmlType = 'int' | 'double' | 'string' | 'boolean'

/** The GraphML type of one value. */
function graphmlTypeOf(value: unknown): GraphmlType {
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 'int' : 'double'
  return typeof value === 'boolean' ? 'boolean' : 'string'
}

/** The narrowest GraphML type holding values of types p and q. */
function widen(p: GraphmlType | undefined, q: GraphmlType): GraphmlType {
  if (p === undefined || p === q) return q
  if ((p === 'int' && q === 'double') || (p === 'double' && q === 'int')) return 'double'
  return 'string'
}

/** Whether XML 1.0 can carry a UTF-16 code unit at all (not C0 controls but tab, LF, CR; not U+FFFE/U+FFFF). */
function xmlAllowed(c: number): boolean {
  return c >= 32 ? c < 0xfffe : c === 9 || c === 10 || c === 13
}

function escapeXml(text: string): string {
  let clean = true
  for (let i = 0; i < text.length && clean; i++) {
    const c = text.charCodeAt(i)
    clean = c !== 38 && c !== 60 && c !== 62 && c !== 34 && c !== 39 && xmlAllowed(c)
  }
  if (clean) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 38) out += '&amp;'
    else if (c === 60) out += '&lt;'
    else if (c === 62) out += '&gt;'
    else if (c === 34) out += '&quot;'
    else if (c === 39) out += '&apos;'
    else if (xmlAllowed(c)) out += text[i]
  }
  return out
}

/**
 * Writes a graphology graph as GraphML (yEd, Cytoscape, networkx, i2 via GraphML import), piece by piece
 * to `write` (so a large graph never becomes one string): one `<key>` per node or edge attribute with its
 * type (int, double, string, boolean), undirected edges, every attribute as a `<data>` element.
 * graphology-graphml only parses GraphML; this is its writer. Runs in O(n + m).
 *
 * @example
 * const out = createTextFileWriter('graph.graphml')
 * writeGraphml(linkResultToGraphology(result), (text) => out.write(text))
 * out.close()
 */
export function writeGraphml(graph: UndirectedGraph, write: (text: string) => void): void {
  const nodeTypes = new Map<string, GraphmlType>()
  graph.forEachNode((_node, attributes) => {
    for (const [name, value] of Object.entries(attributes)) {
      if (value !== undefined && value !== null)
        nodeTypes.set(name, widen(nodeTypes.get(name), graphmlTypeOf(value)))
    }
  })
  const edgeTypes = new Map<string, GraphmlType>()
  graph.forEachEdge((_edge, attributes) => {
    for (const [name, value] of Object.entries(attributes)) {
      if (value !== undefined && value !== null)
        edgeTypes.set(name, widen(edgeTypes.get(name), graphmlTypeOf(value)))
    }
  })
  write(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
      'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n',
  )
  const nodeIds = new Map<string, string>()
  const edgeIds = new Map<string, string>()
  let k = 0
  for (const [name, type] of nodeTypes) {
    const id = `n${k++}`
    nodeIds.set(name, id)
    write(`  <key id="${id}" for="node" attr.name="${escapeXml(name)}" attr.type="${type}"/>\n`)
  }
  for (const [name, type] of edgeTypes) {
    const id = `e${k++}`
    edgeIds.set(name, id)
    write(`  <key id="${id}" for="edge" attr.name="${escapeXml(name)}" attr.type="${type}"/>\n`)
  }
  write('  <graph edgedefault="undirected">\n')
  const data = (ids: Map<string, string>, attributes: Record<string, unknown>): string => {
    let text = ''
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || !ids.has(name)) continue
      text += `<data key="${ids.get(name)}">${escapeXml(String(value))}</data>`
    }
    return text
  }
  graph.forEachNode((node, attributes) => {
    write(`    <node id="${escapeXml(node)}">${data(nodeIds, attributes)}</node>\n`)
  })
  graph.forEachEdge((edge, attributes, source, target) => {
    write(
      `    <edge id="${escapeXml(edge)}" source="${escapeXml(source)}" target="${escapeXml(target)}">${data(edgeIds, attributes)}</edge>\n`,
    )
  })
  write('  </graph>\n</graphml>\n')
}

/**
 * {@link writeGraphml} into one string.
 *
 * @example
 * writeFileSync('graph.graphml', toGraphml(linkResultToGraphology(result)))
 */
export function toGraphml(graph: UndirectedGraph): string {
  const parts: string[] = []
  writeGraphml(graph, (text) => parts.push(text))
  return parts.join('')
}
