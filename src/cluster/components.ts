import type { SimilarityGraph } from '../graph/similarityGraph'

/**
 * Connected components of the edges whose weight is at least `threshold` (union–find with path halving and
 * union by size). Returns arbitrary component ids (a root node per component); canonicalize for output.
 * Runs in O(n + m·α(n)).
 *
 * @example
 * const roots = connectedComponents(graph, 0.5) // roots[i] === roots[j] iff i and j are linked by edges >= 0.5
 */
export function connectedComponents(graph: SimilarityGraph, threshold: number): Int32Array {
  const { nodeCount: n, offsets, targets, weights } = graph
  const parent = new Int32Array(n)
  const size = new Int32Array(n).fill(1)
  for (let i = 0; i < n; i++) parent[i] = i
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]]
      x = parent[x]
    }
    return x
  }
  for (let u = 0; u < n; u++) {
    const end = offsets[u + 1]
    for (let k = offsets[u]; k < end; k++) {
      const v = targets[k]
      if (v <= u || !(weights[k] >= threshold)) continue
      let ru = find(u)
      let rv = find(v)
      if (ru === rv) continue
      if (size[ru] < size[rv]) {
        const t = ru
        ru = rv
        rv = t
      }
      parent[rv] = ru
      size[ru] += size[rv]
    }
  }
  for (let i = 0; i < n; i++) parent[i] = find(i)
  return parent
}
