/**
 * The working graph of caselink: an undirected weighted graph in compressed sparse row (CSR) form,
 * held in typed arrays so that 10⁶–10⁷ incidents and tens of millions of links fit in memory.
 */

/**
 * An undirected similarity graph in CSR form. Every undirected edge {u, v} is stored twice, once in
 * row u and once in row v, with the same weight. Node `i`'s neighbours are
 * `targets[offsets[i] .. offsets[i + 1])`, sorted by ascending target index; there are no self-loops
 * and no duplicate edges.
 *
 * @example
 * const graph = similarityGraphFromEdges(3, Uint32Array.of(0, 1), Uint32Array.of(1, 2), Float64Array.of(0.9, 0.4))
 * for (let k = graph.offsets[1]; k < graph.offsets[2]; k++) console.log(graph.targets[k], graph.weights[k])
 * // 0 0.9, then 2 0.4
 */
export interface SimilarityGraph {
  /** Number of nodes; node ids are 0..nodeCount-1 (row indices of the incidents). */
  readonly nodeCount: number
  /** Number of undirected edges (each stored twice, so `targets.length === 2 * edgeCount`). */
  readonly edgeCount: number
  /** Row starts, length nodeCount + 1. */
  readonly offsets: Uint32Array
  /** Neighbour of each stored entry, sorted ascending within each row. */
  readonly targets: Uint32Array
  /** Weight of each stored entry (a link probability in the pipeline). Same array type as the input weights. */
  readonly weights: Float32Array | Float64Array
  /**
   * For each stored entry, the position in the input pair arrays of the pair that produced it (for merged
   * duplicates: the pair holding the kept weight; the first one for `sum`). Lets callers attach per-pair data
   * such as match weights and reasons to edges.
   */
  readonly pairIndex: Uint32Array
}

/** How duplicate pairs (the same two nodes given more than once) are merged. */
export type DuplicateEdgeMerge = 'max' | 'sum'

/** Options of {@link similarityGraphFromEdges}. */
export interface SimilarityGraphOptions {
  /** Edges whose (merged) weight is below this are dropped. Default 0 (keep every edge). */
  minWeight?: number
  /**
   * How duplicate pairs are merged: `max` keeps the largest weight (right for link probabilities: the same
   * pair scored twice is still one link), `sum` adds them (right for counts). Default `max`.
   */
  duplicates?: DuplicateEdgeMerge
}

const DEFAULTS = {
  minWeight: 0,
  duplicates: 'max' as DuplicateEdgeMerge,
}

/**
 * Builds a {@link SimilarityGraph} from parallel arrays of node pairs and weights: pair k is the undirected
 * edge {a[k], b[k]} with weight `weight[k]`. Self-loops are dropped, duplicate pairs merged (`max` by
 * default), edges below `minWeight` dropped; rows are sorted by target, so the result does not depend on
 * the order of the pairs. Inputs are not modified.
 *
 * Runs in O(n + m) time with two counting-sort passes (no comparison sort, no per-edge objects); peak
 * memory is about twice the final graph.
 *
 * @example
 * const graph = similarityGraphFromEdges(4, Uint32Array.of(0, 1, 1, 2), Uint32Array.of(1, 0, 2, 2),
 *   Float64Array.of(0.8, 0.9, 0.05, 1), { minWeight: 0.1 })
 * graph.edgeCount // 1: {0,1} with weight 0.9 (duplicates merged by max), {1,2} below minWeight, {2,2} a self-loop
 */
export function similarityGraphFromEdges(
  nodeCount: number,
  a: Uint32Array,
  b: Uint32Array,
  weight: Float32Array | Float64Array,
  options: SimilarityGraphOptions = {},
): SimilarityGraph {
  const minWeight = options.minWeight ?? DEFAULTS.minWeight
  const duplicates = options.duplicates ?? DEFAULTS.duplicates
  if (!Number.isInteger(nodeCount) || nodeCount < 0 || nodeCount > 0x7fffffff) {
    throw new RangeError(`caselink: nodeCount must be an integer in [0, 2^31), got ${nodeCount}`)
  }
  if (a.length !== b.length || a.length !== weight.length) {
    throw new RangeError(
      `caselink: edge arrays must have equal lengths, got a=${a.length}, b=${b.length}, weight=${weight.length}`,
    )
  }
  if (!(minWeight >= 0) || !Number.isFinite(minWeight)) {
    throw new RangeError(`caselink: minWeight must be a finite number >= 0, got ${minWeight}`)
  }
  if (duplicates !== 'max' && duplicates !== 'sum') {
    throw new RangeError(`caselink: duplicates must be 'max' or 'sum', got ${String(duplicates)}`)
  }
  const n = nodeCount
  const m = a.length
  const useMax = duplicates === 'max'
  // With `max`, a pair below minWeight can never be the kept weight, so it is dropped up front.
  const preFilter = useMax ? minWeight : 0

  // Pass 0: validate and count degrees.
  const offsets = new Uint32Array(n + 1)
  let stored = 0
  for (let k = 0; k < m; k++) {
    const u = a[k]
    const v = b[k]
    const w = weight[k]
    if (u >= n || v >= n) {
      throw new RangeError(`caselink: pair ${k} = (${u}, ${v}) refers to a node >= nodeCount ${n}`)
    }
    if (!(w >= 0) || w === Number.POSITIVE_INFINITY) {
      throw new RangeError(`caselink: weight of pair ${k} must be a finite number >= 0, got ${w}`)
    }
    if (u === v || w < preFilter) continue
    offsets[u + 1]++
    offsets[v + 1]++
    stored += 2
  }
  if (stored > 0xffffffff) throw new RangeError('caselink: more than 2^32 stored edge entries')
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i]

  // Pass 1: bucket by source row, in input order.
  const WeightArray = weight instanceof Float32Array ? Float32Array : Float64Array
  let targets1: Uint32Array | null = new Uint32Array(stored)
  let weights1: Float32Array | Float64Array | null = new WeightArray(stored)
  let pairs1: Uint32Array | null = new Uint32Array(stored)
  const cursor = offsets.slice(0, n)
  for (let k = 0; k < m; k++) {
    const u = a[k]
    const v = b[k]
    const w = weight[k]
    if (u === v || w < preFilter) continue
    let p = cursor[u]++
    targets1[p] = v
    weights1[p] = w
    pairs1[p] = k
    p = cursor[v]++
    targets1[p] = u
    weights1[p] = w
    pairs1[p] = k
  }

  // Pass 2: walk rows in ascending order and append each entry to its target's row. Row v then receives its
  // neighbours in ascending order (the graph is symmetric, so row v gets exactly its own entries back).
  const targets = new Uint32Array(stored)
  const weights = new WeightArray(stored)
  const pairIndex = new Uint32Array(stored)
  cursor.set(offsets.subarray(0, n))
  for (let u = 0; u < n; u++) {
    const end = offsets[u + 1]
    for (let p = offsets[u]; p < end; p++) {
      const q = cursor[targets1[p]]++
      targets[q] = u
      weights[q] = weights1[p]
      pairIndex[q] = pairs1[p]
    }
  }
  targets1 = null
  weights1 = null
  pairs1 = null

  // Pass 3: merge adjacent duplicates and drop light edges, compacting in place. Duplicates arrive in input
  // order in both rows, so `sum` adds them in the same order and both directions get the same weight.
  let write = 0
  let rowStart = 0
  for (let u = 0; u < n; u++) {
    const end = offsets[u + 1]
    const outStart = write
    let p = rowStart
    while (p < end) {
      const t = targets[p]
      let w = weights[p]
      let pair = pairIndex[p]
      p++
      while (p < end && targets[p] === t) {
        const w2 = weights[p]
        if (useMax) {
          if (w2 > w) {
            w = w2
            pair = pairIndex[p]
          }
        } else {
          w += w2
        }
        p++
      }
      if (w >= minWeight) {
        targets[write] = t
        weights[write] = w
        pairIndex[write] = pair
        write++
      }
    }
    rowStart = end
    offsets[u] = outStart
  }
  // offsets[u] now holds the compacted row start; shift to the standard layout.
  offsets[n] = write
  const sized = write === stored
  return {
    nodeCount: n,
    edgeCount: write / 2,
    offsets,
    targets: sized ? targets : targets.slice(0, write),
    weights: sized ? weights : weights.slice(0, write),
    pairIndex: sized ? pairIndex : pairIndex.slice(0, write),
  }
}

/**
 * Total weight of the graph's undirected edges (each counted once).
 *
 * @example
 * totalEdgeWeight(similarityGraphFromEdges(2, Uint32Array.of(0), Uint32Array.of(1), Float64Array.of(0.5))) // 0.5
 */
export function totalEdgeWeight(graph: SimilarityGraph): number {
  const { weights } = graph
  let total = 0
  for (let k = 0; k < weights.length; k++) total += weights[k]
  return total / 2
}

/**
 * Weighted degree (strength) of every node.
 *
 * @example
 * nodeStrengths(graph) // Float64Array, entry i = sum of the weights of node i's edges
 */
export function nodeStrengths(graph: SimilarityGraph): Float64Array {
  const { nodeCount, offsets, weights } = graph
  const strength = new Float64Array(nodeCount)
  for (let i = 0; i < nodeCount; i++) {
    let s = 0
    for (let k = offsets[i]; k < offsets[i + 1]; k++) s += weights[k]
    strength[i] = s
  }
  return strength
}
