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
 * Runs in O(n + m) time for bounded degrees: one counting-sort pass into rows, then each (short) row sorted
 * in place; no per-edge objects, peak memory about the final graph.
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
  const targets = new Uint32Array(stored)
  const weights = new WeightArray(stored)
  const pairIndex = new Uint32Array(stored)
  const cursor = offsets.slice(0, n)
  for (let k = 0; k < m; k++) {
    const u = a[k]
    const v = b[k]
    const w = weight[k]
    if (u === v || w < preFilter) continue
    let p = cursor[u]++
    targets[p] = v
    weights[p] = w
    pairIndex[p] = k
    p = cursor[v]++
    targets[p] = u
    weights[p] = w
    pairIndex[p] = k
  }

  // Pass 2: stable sort of each row by target (rows are short; duplicates keep their input order).
  let maxRow = 0
  for (let u = 0; u < n; u++) if (offsets[u + 1] - offsets[u] > maxRow) maxRow = offsets[u + 1] - offsets[u]
  const scratch = maxRow > INSERTION_SORT_MAX ? new RowScratch(maxRow, WeightArray) : null
  for (let u = 0; u < n; u++) {
    const start = offsets[u]
    const end = offsets[u + 1]
    if (end - start <= INSERTION_SORT_MAX) insertionSortRow(targets, weights, pairIndex, start, end)
    else (scratch as RowScratch).sortRow(targets, weights, pairIndex, start, end)
  }

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

const INSERTION_SORT_MAX = 48

function insertionSortRow(
  targets: Uint32Array,
  weights: Float32Array | Float64Array,
  pairs: Uint32Array,
  start: number,
  end: number,
): void {
  for (let i = start + 1; i < end; i++) {
    const t = targets[i]
    if (targets[i - 1] <= t) continue
    const w = weights[i]
    const q = pairs[i]
    let j = i - 1
    while (j >= start && targets[j] > t) {
      targets[j + 1] = targets[j]
      weights[j + 1] = weights[j]
      pairs[j + 1] = pairs[j]
      j--
    }
    targets[j + 1] = t
    weights[j + 1] = w
    pairs[j + 1] = q
  }
}

/** Scratch space for sorting long rows (allocated once, sized for the longest row). */
class RowScratch {
  private readonly keys: Float64Array
  private readonly targets: Uint32Array
  private readonly weights: Float32Array | Float64Array
  private readonly pairs: Uint32Array

  constructor(size: number, WeightArray: Float32ArrayConstructor | Float64ArrayConstructor) {
    this.keys = new Float64Array(size)
    this.targets = new Uint32Array(size)
    this.weights = new WeightArray(size)
    this.pairs = new Uint32Array(size)
  }

  /** Stable sort by target: keys target · 2²² + position when rows are shorter than 2²², else a comparator. */
  sortRow(
    targets: Uint32Array,
    weights: Float32Array | Float64Array,
    pairs: Uint32Array,
    start: number,
    end: number,
  ) {
    const length = end - start
    for (let i = 0; i < length; i++) {
      this.targets[i] = targets[start + i]
      this.weights[i] = weights[start + i]
      this.pairs[i] = pairs[start + i]
    }
    let order: ArrayLike<number>
    if (length < 4194304) {
      const keys = this.keys.subarray(0, length)
      for (let i = 0; i < length; i++) keys[i] = this.targets[i] * 4194304 + i
      keys.sort()
      for (let i = 0; i < length; i++) keys[i] = keys[i] % 4194304
      order = keys
    } else {
      const index = Array.from({ length }, (_, i) => i)
      index.sort((x, y) => this.targets[x] - this.targets[y] || x - y)
      order = index
    }
    for (let i = 0; i < length; i++) {
      const from = order[i]
      targets[start + i] = this.targets[from]
      weights[start + i] = this.weights[from]
      pairs[start + i] = this.pairs[from]
    }
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
