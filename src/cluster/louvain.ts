import louvain from 'graphology-communities-louvain'
import type { SimilarityGraph } from '../graph/similarityGraph'
import { toGraphology } from '../graph/toGraphology'
import { createRandom } from '../util/random'

/** Result of {@link louvainModularity}: arbitrary community ids, modularity, number of levels. */
export interface LouvainResult {
  membership: Int32Array
  modularity: number
  levels: number
}

/**
 * Louvain modularity communities through graphology-communities-louvain on {@link toGraphology}'s graph
 * (edge weights = `weight`), with a seeded generator. Limited to graphology's 2²⁴ edges; meant for
 * comparison and small graphs. Blondel et al., "Fast unfolding of communities in large networks", 2008.
 *
 * @example
 * const { membership, modularity } = louvainModularity(graph, 1, 7)
 */
export function louvainModularity(graph: SimilarityGraph, resolution: number, seed: number): LouvainResult {
  const n = graph.nodeCount
  const membership = new Int32Array(n)
  if (graph.edgeCount === 0) {
    for (let i = 0; i < n; i++) membership[i] = i
    return { membership, modularity: 0, levels: 0 }
  }
  const g = toGraphology(graph)
  const detailed = louvain.detailed(g, { getEdgeWeight: 'weight', resolution, rng: createRandom(seed) })
  const { communities } = detailed
  for (let i = 0; i < n; i++) membership[i] = communities[String(i)]
  return { membership, modularity: detailed.modularity, levels: detailed.dendrogram.length }
}
