import type { SimilarityGraph } from '../graph/similarityGraph'

/**
 * Quality of a partition under the Constant Potts Model with unit node weights, normalized exactly as
 * igraph's `community_leiden(objective_function="CPM")` reports it:
 *
 *   Q = (1 / 2W) · Σ_ij (A_ij − γ) δ(c_i, c_j) = (1 / 2W) · Σ_c (2·w_in(c) − γ·n_c²)
 *
 * where W is the total edge weight, w_in(c) the weight of the edges inside community c and n_c its size
 * (the sum runs over ordered pairs, i = j included). Up to the constant γ·n / 2W this is Traag's
 * Σ_c (w_in(c) − γ·n_c(n_c − 1)/2) divided by W, so both rank partitions identically. A graph without edges
 * has quality 0 by convention (igraph's normalization is undefined there). Runs in O(n + m).
 *
 * @example
 * const q = cpmQuality(graph, detectSeries(graph, { resolution: 0.2 }).membership, 0.2)
 */
export function cpmQuality(
  graph: SimilarityGraph,
  membership: ArrayLike<number>,
  resolution: number,
): number {
  const { nodeCount, offsets, targets, weights } = graph
  if (membership.length !== nodeCount) {
    throw new RangeError(
      `caselink: membership has ${membership.length} entries, graph has ${nodeCount} nodes`,
    )
  }
  let total = 0
  let internal = 0
  for (let u = 0; u < nodeCount; u++) {
    const cu = membership[u]
    const end = offsets[u + 1]
    for (let k = offsets[u]; k < end; k++) {
      const w = weights[k]
      total += w
      if (membership[targets[k]] === cu) internal += w
    }
  }
  // Both sums count every undirected edge twice: total = 2W, internal = Σ_c 2·w_in(c).
  if (total === 0) return 0
  const sizes = new Float64Array(nodeCount)
  for (let u = 0; u < nodeCount; u++) {
    const c = membership[u]
    if (!(c >= 0 && c < nodeCount) || !Number.isInteger(c)) {
      throw new RangeError(`caselink: membership[${u}] = ${c} is not an integer in [0, ${nodeCount})`)
    }
    sizes[c]++
  }
  let penalty = 0
  for (let c = 0; c < nodeCount; c++) penalty += sizes[c] * sizes[c]
  return (internal - resolution * penalty) / total
}
