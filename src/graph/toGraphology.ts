import { UndirectedGraph } from 'graphology'
import type { Incident } from '../schema/incident'
import type { SimilarityGraph } from './similarityGraph'

/**
 * graphology keeps nodes and edges in JavaScript Maps, which cannot hold more than 2²⁴ entries.
 *
 * @example
 * if (graph.edgeCount < GRAPHOLOGY_MAX_ENTRIES) writeFileSync('graph.gexf', write(toGraphology(graph)))
 */
export const GRAPHOLOGY_MAX_ENTRIES = 2 ** 24

/** Options of {@link toGraphology}. */
export interface ToGraphologyOptions {
  /** Refuse graphs with more undirected edges than this. Default and upper bound: 2²⁴ − 1 (graphology's limit). */
  maxEdges?: number
  /** Per input pair (indexed like the pair arrays given to `similarityGraphFromEdges`): match weight in bits. */
  matchWeight?: ArrayLike<number>
  /** Per input pair: the reasons of the link (strongest first); stored on the edge joined with '; '. */
  reasons?: ReadonlyArray<readonly string[] | undefined>
  /** Per node: a community id (e.g. `detectSeries(...).membership`), stored as node attribute `community`. */
  membership?: ArrayLike<number>
}

const DEFAULTS = {
  maxEdges: GRAPHOLOGY_MAX_ENTRIES - 1,
}

/** Node attributes written by {@link toGraphology}. */
export interface GraphologyNodeAttributes {
  /** Row index in the similarity graph. */
  index: number
  /** The incident id, or the index as a string when no incidents were given. */
  label: string
  timeFrom?: number
  timeTo?: number
  lat?: number
  lon?: number
  x?: number
  y?: number
  category?: string
  /** MO codes joined with ';'. */
  mo?: string
  /** Evidence identifiers joined with ';'. */
  evidence?: string
  community?: number
}

/** Edge attributes written by {@link toGraphology}. */
export interface GraphologyEdgeAttributes {
  /** Edge weight (the link probability), read by graphology's algorithms. */
  weight: number
  /** Same value as `weight`, under the pipeline's name. */
  probability: number
  /** Match weight in bits, when given. */
  matchWeight?: number
  /** Reasons joined with '; ', when given. */
  reasons?: string
}

/**
 * Converts a {@link SimilarityGraph} into a graphology `UndirectedGraph` for export (GEXF, GraphML) and
 * drawing (sigma.js). Node keys are the incident ids when `incidents` is given (row i = incident i), else
 * the node indices as strings. Refuses, with a `caselink:` error, graphs beyond graphology's 2²⁴-entry limit
 * or beyond `options.maxEdges`. Runs in O(n + m); memory is roughly 300 bytes per edge.
 *
 * @example
 * const g = toGraphology(graph, incidents, { membership: detectSeries(graph).membership })
 * g.getEdgeAttribute(g.edges()[0], 'probability')
 */
export function toGraphology(
  graph: SimilarityGraph,
  incidents?: readonly Incident[],
  options: ToGraphologyOptions = {},
): UndirectedGraph<GraphologyNodeAttributes, GraphologyEdgeAttributes> {
  const maxEdges = options.maxEdges ?? DEFAULTS.maxEdges
  const { nodeCount, edgeCount, offsets, targets, weights, pairIndex } = graph
  if (!(maxEdges >= 0)) throw new RangeError(`caselink: maxEdges must be >= 0, got ${maxEdges}`)
  if (edgeCount > maxEdges || edgeCount >= GRAPHOLOGY_MAX_ENTRIES) {
    throw new RangeError(
      `caselink: the graph has ${edgeCount} edges, more than toGraphology allows ` +
        `(${Math.min(maxEdges, GRAPHOLOGY_MAX_ENTRIES - 1)}; graphology cannot hold 2^24 edges). ` +
        'Raise minWeight or export a subgraph.',
    )
  }
  if (nodeCount >= GRAPHOLOGY_MAX_ENTRIES) {
    throw new RangeError(`caselink: the graph has ${nodeCount} nodes; graphology cannot hold 2^24 nodes`)
  }
  if (incidents !== undefined && incidents.length !== nodeCount) {
    throw new RangeError(
      `caselink: incidents has ${incidents.length} entries but the graph has ${nodeCount} nodes`,
    )
  }
  const { matchWeight, reasons, membership } = options
  if (membership !== undefined && membership.length !== nodeCount) {
    throw new RangeError(
      `caselink: membership has ${membership.length} entries but the graph has ${nodeCount} nodes`,
    )
  }

  const keys: string[] = new Array(nodeCount)
  if (incidents !== undefined) {
    const seen = new Set<string>()
    for (let i = 0; i < nodeCount; i++) {
      const id = incidents[i].id
      if (seen.has(id)) throw new RangeError(`caselink: duplicate incident id '${id}' at row ${i}`)
      seen.add(id)
      keys[i] = id
    }
  } else {
    for (let i = 0; i < nodeCount; i++) keys[i] = String(i)
  }

  const out = new UndirectedGraph<GraphologyNodeAttributes, GraphologyEdgeAttributes>({
    allowSelfLoops: false,
  })
  for (let i = 0; i < nodeCount; i++) {
    const attributes: GraphologyNodeAttributes = { index: i, label: keys[i] }
    if (incidents !== undefined) {
      const incident = incidents[i]
      attributes.timeFrom = incident.timeFrom
      attributes.timeTo = incident.timeTo
      if (incident.lat !== undefined) attributes.lat = incident.lat
      if (incident.lon !== undefined) attributes.lon = incident.lon
      if (incident.x !== undefined) attributes.x = incident.x
      if (incident.y !== undefined) attributes.y = incident.y
      if (incident.category !== undefined) attributes.category = incident.category
      if (incident.mo.length > 0) attributes.mo = incident.mo.join(';')
      if (incident.evidence.length > 0) attributes.evidence = incident.evidence.join(';')
    }
    if (membership !== undefined) attributes.community = membership[i]
    out.addNode(keys[i], attributes)
  }
  for (let u = 0; u < nodeCount; u++) {
    const end = offsets[u + 1]
    for (let k = offsets[u]; k < end; k++) {
      const v = targets[k]
      if (v <= u) continue
      const w = weights[k]
      const attributes: GraphologyEdgeAttributes = { weight: w, probability: w }
      const pair = pairIndex[k]
      if (matchWeight !== undefined) attributes.matchWeight = matchWeight[pair]
      if (reasons !== undefined) {
        const list = reasons[pair]
        if (list !== undefined) attributes.reasons = list.join('; ')
      }
      out.addUndirectedEdge(keys[u], keys[v], attributes)
    }
  }
  return out
}
