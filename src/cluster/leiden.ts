/**
 * Leiden community detection with the Constant Potts Model (CPM) on a CSR similarity graph.
 *
 * Traag, Waltman & van Eck, "From Louvain to Leiden: guaranteeing well-connected communities",
 * Scientific Reports 9, 5233 (2019). The phases follow igraph's C implementation
 * (`igraph_community_leiden`) with unit node weights: fast local moving with a queue, refinement by
 * randomized merging of well-connected singletons inside each community (probability ∝ exp(Δ/β)),
 * aggregation of the refined partition with the unrefined one as the starting partition, repeated until
 * every community is one aggregate node; the whole is iterated until an iteration moves no node.
 *
 * Differences from igraph, all deliberate:
 * - Nodes are first renumbered: sorted by a seeded hash of a stable key (the caller's `nodeKeys`, else a
 *   Weisfeiler–Lehman hash of the weighted neighbourhood), then put in breadth-first order from there, and
 *   all work happens in that numbering. The result therefore does not depend on the input's row order: a
 *   relabelled graph gives the same partition up to relabelling (exactly so when keys are distinct).
 * - Local moving visits the queue in that breadth-first order instead of a uniformly shuffled one: the
 *   neighbours of consecutive nodes are then mostly in cache, which is what makes 10⁶-node graphs fast
 *   (a random order makes every neighbour access a cache miss). The seed still decides the numbering and
 *   every refinement choice. Zero-weight edges are ignored (they cannot change a CPM gain).
 * - In refinement, a node that stays alone does not add its edges to its own cluster's external weight a
 *   second time (igraph does, which makes a lone node look better connected than it is).
 * - When the last level is reached, the original nodes take the last level's membership (igraph keeps the
 *   membership of the level before).
 * - Above the base level, an iteration ends once a level merges fewer than 10⁻⁴ of its nodes (at 10⁶ nodes
 *   igraph spends a quarter of its time on levels that merge a few dozen nodes).
 * - `maxIterations` < 0 iterates until stable; igraph 0.10 stops after the first iteration that changes
 *   something (igraph issue #2798).
 *
 * Everything runs on typed arrays allocated once per call (plus the offsets and node weights of each
 * aggregated level; aggregated edges go to two reused buffers); nothing is allocated per node or edge.
 * One iteration runs in O(m) per level.
 */
import type { SimilarityGraph } from '../graph/similarityGraph'
import { createRandom, fmix32, type Random } from '../util/random'

/** Options of {@link leidenCpm}. */
export interface LeidenOptions {
  /** CPM resolution γ: a community is worth keeping when its pairs' mean weight exceeds γ. */
  resolution: number
  /** Seed of every random choice. */
  seed: number
  /** Iterations of the whole algorithm; a negative number iterates until an iteration moves no node. */
  maxIterations: number
  /** Randomness of the refinement merge (igraph's beta); smaller is greedier. */
  beta: number
  /** Stable per-node keys (e.g. hashed incident ids) that fix the visiting order; optional. */
  nodeKeys?: ArrayLike<number>
}

/** Result of {@link leidenCpm}: community ids are arbitrary (not yet canonical). */
export interface LeidenResult {
  membership: Int32Array
  iterations: number
}

/**
 * e^-40 < 2^-54: a refinement term exp(z) with z more than this below the largest term already summed is
 * below half an ulp of the sum and cannot change it.
 */
const ABSORBED_EXPONENT = 40

/** Safety cap for "until stable" (every iteration that moves a node strictly improves the quality). */
const UNTIL_STABLE_LIMIT = 1000

/**
 * An aggregated level that merges fewer than this fraction of its nodes ends the iteration (igraph goes on
 * while any merge happens). Below 10⁴ nodes this never triggers, so small graphs follow igraph exactly.
 */
const LEVEL_STOP_FRACTION = 1e-4

/** Rows up to this length are accumulated in a small local list instead of n-sized scatter arrays. */
const SMALL_DEGREE = 32

interface Level {
  n: number
  offsets: Uint32Array
  targets: Int32Array
  weights: Float64Array
  nodeWeights: Float64Array
}

/**
 * One round of Weisfeiler–Lehman hashing over (degree, multiset of edge weights): a key that does not
 * depend on node numbering. Sums are taken modulo 2³² so the order of a row cannot change them.
 */
function structuralKeys(graph: SimilarityGraph): Uint32Array {
  const { nodeCount: n, offsets, targets, weights } = graph
  const scratch = new Float64Array(1)
  const bits = new Uint32Array(scratch.buffer)
  let key = new Uint32Array(n)
  for (let v = 0; v < n; v++) {
    let sum = 0
    const end = offsets[v + 1]
    for (let k = offsets[v]; k < end; k++) {
      scratch[0] = weights[k]
      sum = (sum + fmix32(bits[0] ^ fmix32(bits[1] + 0x632be5ab))) | 0
    }
    key[v] = fmix32(sum ^ Math.imul(end - offsets[v], 0x9e3779b1))
  }
  for (let round = 0; round < 1; round++) {
    const next = new Uint32Array(n)
    for (let v = 0; v < n; v++) {
      let sum = 0
      const end = offsets[v + 1]
      for (let k = offsets[v]; k < end; k++) {
        scratch[0] = weights[k]
        sum = (sum + fmix32(key[targets[k]] ^ fmix32(bits[0] ^ bits[1]))) | 0
      }
      next[v] = fmix32(key[v] + Math.imul(sum, 0x27d4eb2f))
    }
    key = next
  }
  return key
}

/** Indices 0..n-1 sorted by key (stable: equal keys keep index order), two 16-bit counting passes. */
function orderByKey(keys: Uint32Array): Int32Array {
  const n = keys.length
  if (n < 4096) return orderByKeySmall(keys)
  const counts = new Uint32Array(65537)
  const tmp = new Int32Array(n)
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) counts[(keys[i] & 0xffff) + 1]++
  for (let d = 0; d < 65536; d++) counts[d + 1] += counts[d]
  for (let i = 0; i < n; i++) tmp[counts[keys[i] & 0xffff]++] = i
  counts.fill(0)
  for (let i = 0; i < n; i++) counts[(keys[i] >>> 16) + 1]++
  for (let d = 0; d < 65536; d++) counts[d + 1] += counts[d]
  for (let j = 0; j < n; j++) {
    const i = tmp[j]
    out[counts[keys[i] >>> 16]++] = i
  }
  return out
}

/**
 * {@link orderByKey} for small graphs: a comparison sort (the same stable order), without the radix
 * passes' 256 KB of counts (the online index re-clusters hundreds of small regions per batch).
 */
function orderByKeySmall(keys: Uint32Array): Int32Array {
  const out = new Int32Array(keys.length)
  for (let i = 0; i < out.length; i++) out[i] = i
  out.sort((a, b) => keys[a] - keys[b] || a - b)
  return out
}

interface Csr {
  offsets: Uint32Array
  targets: Uint32Array | Int32Array
  weights: Float32Array | Float64Array
}

/**
 * Sorts `targets[start..end)` ascending, moving `weights` along. Insertion sort for short rows (the usual
 * case); longer rows are sorted through `scratch` keys (target · 2²² + position), which needs rows shorter
 * than 2²² entries.
 */
function sortRow(
  targets: Int32Array,
  weights: Float64Array,
  start: number,
  end: number,
  scratch: { keys: Float64Array; targets: Int32Array; weights: Float64Array },
): void {
  const length = end - start
  if (length <= 48) {
    for (let i = start + 1; i < end; i++) {
      const t = targets[i]
      if (targets[i - 1] <= t) continue
      const w = weights[i]
      let j = i - 1
      while (j >= start && targets[j] > t) {
        targets[j + 1] = targets[j]
        weights[j + 1] = weights[j]
        j--
      }
      targets[j + 1] = t
      weights[j + 1] = w
    }
    return
  }
  const keys = scratch.keys.subarray(0, length)
  for (let i = 0; i < length; i++) {
    keys[i] = targets[start + i] * 4194304 + i
    scratch.targets[i] = targets[start + i]
    scratch.weights[i] = weights[start + i]
  }
  keys.sort()
  for (let i = 0; i < length; i++) {
    const from = keys[i] % 4194304
    targets[start + i] = scratch.targets[from]
    weights[start + i] = scratch.weights[from]
  }
}

/**
 * The graph relabelled so that new node r is old node order[r], rows sorted by new index, zero-weight edges
 * dropped (they cannot change a CPM gain). Rows are copied in new order (sequential writes, one random read
 * per entry for the new target index) and then sorted in place.
 */
function relabel(graph: Csr, n: number, order: Int32Array): Level {
  const { offsets, targets, weights } = graph
  const rank = new Int32Array(n)
  for (let r = 0; r < n; r++) rank[order[r]] = r
  const positive = new Int32Array(n)
  let maxDegree = 0
  for (let v = 0; v < n; v++) {
    let degree = 0
    const end = offsets[v + 1]
    for (let k = offsets[v]; k < end; k++) if (weights[k] > 0) degree++
    positive[v] = degree
    if (degree > maxDegree) maxDegree = degree
  }
  if (maxDegree >= 4194304)
    throw new RangeError('caselink: a node has 2^22 or more edges; Leiden needs fewer')
  const newOffsets = new Uint32Array(n + 1)
  for (let r = 0; r < n; r++) newOffsets[r + 1] = newOffsets[r] + positive[order[r]]
  const size = newOffsets[n]
  const newTargets = new Int32Array(size)
  const newWeights = new Float64Array(size)
  const scratchSize = maxDegree > 48 ? maxDegree : 0
  const scratch = {
    keys: new Float64Array(scratchSize),
    targets: new Int32Array(scratchSize),
    weights: new Float64Array(scratchSize),
  }
  for (let r = 0; r < n; r++) {
    const v = order[r]
    let p = newOffsets[r]
    const end = offsets[v + 1]
    for (let k = offsets[v]; k < end; k++) {
      const w = weights[k]
      if (!(w > 0)) continue
      newTargets[p] = rank[targets[k]]
      newWeights[p] = w
      p++
    }
    sortRow(newTargets, newWeights, newOffsets[r], p, scratch)
  }
  return {
    n,
    offsets: newOffsets,
    targets: newTargets,
    weights: newWeights,
    nodeWeights: new Float64Array(n).fill(1),
  }
}

/**
 * Breadth-first order over the original graph as if it were numbered by `keyOrder`: components one after
 * another, each started from its first node in key order, the newly found neighbours of each node taken in
 * key order. Depends only on keys and structure, not on the input numbering; gives neighbouring nodes
 * nearby indices, so the passes over the graph stay in cache. Returns original node ids in visiting order.
 */
function breadthFirstOrder(graph: SimilarityGraph, keyOrder: Int32Array): Int32Array {
  const { nodeCount: n, offsets, targets, weights } = graph
  const rank = new Int32Array(n)
  for (let r = 0; r < n; r++) rank[keyOrder[r]] = r
  let maxDegree = 0
  for (let v = 0; v < n; v++)
    if (offsets[v + 1] - offsets[v] > maxDegree) maxDegree = offsets[v + 1] - offsets[v]
  const found = new Int32Array(maxDegree)
  const out = new Int32Array(n)
  const seen = new Uint8Array(n)
  let tail = 0
  for (let s = 0; s < n; s++) {
    const start = keyOrder[s]
    if (seen[start] === 1) continue
    seen[start] = 1
    let head = tail
    out[tail++] = start
    while (head < tail) {
      const v = out[head++]
      let count = 0
      const end = offsets[v + 1]
      for (let k = offsets[v]; k < end; k++) {
        const u = targets[k]
        if (seen[u] === 0 && weights[k] > 0) {
          seen[u] = 1
          found[count++] = rank[u]
        }
      }
      if (count > 1) {
        if (count <= 48) {
          for (let i = 1; i < count; i++) {
            const x = found[i]
            let j = i - 1
            while (j >= 0 && found[j] > x) {
              found[j + 1] = found[j]
              j--
            }
            found[j + 1] = x
          }
        } else {
          found.subarray(0, count).sort()
        }
      }
      for (let i = 0; i < count; i++) out[tail++] = keyOrder[found[i]]
    }
  }
  return out
}

/** Buffers shared by every phase and level, sized for the original graph. */
class Workspace {
  readonly clusterWeight: Float64Array
  readonly clusterSize: Int32Array
  readonly neighWeight: Float64Array
  readonly neighList: Int32Array
  readonly neighAdded: Uint8Array
  readonly emptyStack: Int32Array
  readonly queue: Int32Array
  readonly stable: Uint8Array
  readonly refined: Int32Array
  readonly refinedWeight: Float64Array
  readonly external: Float64Array
  readonly nonSingleton: Uint8Array
  readonly cum: Float64Array
  readonly groupStart: Int32Array
  readonly groupNodes: Int32Array
  readonly remap: Int32Array
  readonly localCluster = new Int32Array(SMALL_DEGREE + 1)
  readonly localWeight = new Float64Array(SMALL_DEGREE + 1)
  /** Ping-pong buffers for the aggregated levels' edges, allocated on first use. */
  levelTargets: [Int32Array, Int32Array] | null = null
  levelWeights: [Float64Array, Float64Array] | null = null
  nextBuffer = 0
  moved = false

  /** Edge entries of the base level: an upper bound for every aggregated level. */
  readonly capacity: number

  /**
   * The aggregation buffer the next level will be written to (not the one holding the current level);
   * allocated on first use.
   */
  freeLevelBuffer(): { targets: Int32Array; weights: Float64Array } {
    if (this.levelTargets === null || this.levelWeights === null) {
      this.levelTargets = [new Int32Array(this.capacity), new Int32Array(this.capacity)]
      this.levelWeights = [new Float64Array(this.capacity), new Float64Array(this.capacity)]
    }
    return { targets: this.levelTargets[this.nextBuffer], weights: this.levelWeights[this.nextBuffer] }
  }

  constructor(n: number, capacity: number) {
    this.capacity = capacity
    this.clusterWeight = new Float64Array(n)
    this.clusterSize = new Int32Array(n)
    this.neighWeight = new Float64Array(n)
    this.neighList = new Int32Array(n + 1)
    this.neighAdded = new Uint8Array(n)
    this.emptyStack = new Int32Array(n)
    this.queue = new Int32Array(n)
    this.stable = new Uint8Array(n)
    this.refined = new Int32Array(n)
    this.refinedWeight = new Float64Array(n)
    this.external = new Float64Array(n)
    this.nonSingleton = new Uint8Array(n)
    this.cum = new Float64Array(n + 1)
    this.groupStart = new Int32Array(n + 1)
    this.groupNodes = new Int32Array(n)
    this.remap = new Int32Array(n)
  }
}

function shuffle(array: Int32Array, start: number, end: number, random: Random): void {
  for (let i = end - 1; i > start; i--) {
    const j = start + Math.floor(random() * (i - start + 1))
    const t = array[i]
    array[i] = array[j]
    array[j] = t
  }
}

/** Renumbers ids in `membership[0..n)` (each < n) by first appearance; returns the count. */
function reindex(membership: Int32Array, n: number, remap: Int32Array): number {
  remap.fill(-1, 0, n)
  let count = 0
  for (let i = 0; i < n; i++) {
    const c = membership[i]
    let id = remap[c]
    if (id < 0) id = remap[c] = count++
    membership[i] = id
  }
  return count
}

/**
 * Fast local moving (igraph_i_community_leiden_fastmovenodes): nodes are visited from a queue (initially
 * every node, in node order), each moved to
 * the neighbouring (or an empty) cluster with the largest strict gain; the neighbours of a moved node that
 * are not in its new cluster are queued again. Returns the number of clusters after renumbering.
 */
function fastMove(level: Level, membership: Int32Array, ws: Workspace, gamma: number): number {
  const { n, offsets, targets, weights, nodeWeights } = level
  const { clusterWeight, clusterSize, neighWeight, neighList, neighAdded, emptyStack, queue, stable } = ws
  const { localCluster, localWeight } = ws
  clusterWeight.fill(0, 0, n)
  clusterSize.fill(0, 0, n)
  for (let i = 0; i < n; i++) {
    const c = membership[i]
    clusterWeight[c] += nodeWeights[i]
    clusterSize[c]++
  }
  let emptyTop = 0
  for (let c = n - 1; c >= 0; c--) if (clusterSize[c] === 0) emptyStack[emptyTop++] = c
  for (let i = 0; i < n; i++) queue[i] = i
  stable.fill(0, 0, n)
  let head = 0
  let queued = n
  let moved = false
  while (queued > 0) {
    const v = queue[head]
    head = head + 1 === n ? 0 : head + 1
    queued--
    const current = membership[v]
    const nw = nodeWeights[v]
    clusterWeight[current] -= nw
    if (--clusterSize[current] === 0) emptyStack[emptyTop++] = current
    const empty = emptyStack[emptyTop - 1]
    const start = offsets[v]
    const end = offsets[v + 1]
    let best = current
    let bestGain = 0
    if (end - start <= SMALL_DEGREE) {
      // Few neighbours: accumulate in a small local list (stays in L1) rather than scattering into n-sized
      // arrays (two cache misses per neighbour on large graphs). Same candidates, order and sums as below.
      let count = 0
      for (let k = start; k < end; k++) {
        const c = membership[targets[k]]
        let j = 0
        while (j < count && localCluster[j] !== c) j++
        if (j === count) {
          localCluster[count] = c
          localWeight[count] = weights[k]
          count++
        } else {
          localWeight[j] += weights[k]
        }
      }
      let toCurrent = 0
      for (let j = 0; j < count; j++) if (localCluster[j] === current) toCurrent = localWeight[j]
      bestGain = toCurrent - nw * clusterWeight[current] * gamma
      const emptyGain = -nw * clusterWeight[empty] * gamma
      if (emptyGain > bestGain) {
        best = empty
        bestGain = emptyGain
      }
      for (let j = 0; j < count; j++) {
        const c = localCluster[j]
        const gain = localWeight[j] - nw * clusterWeight[c] * gamma
        if (gain > bestGain) {
          best = c
          bestGain = gain
        }
      }
    } else {
      neighList[0] = empty
      neighAdded[empty] = 1
      let count = 1
      for (let k = start; k < end; k++) {
        const c = membership[targets[k]]
        if (neighAdded[c] === 0) {
          neighAdded[c] = 1
          neighList[count++] = c
        }
        neighWeight[c] += weights[k]
      }
      bestGain = neighWeight[current] - nw * clusterWeight[current] * gamma
      for (let i = 0; i < count; i++) {
        const c = neighList[i]
        const gain = neighWeight[c] - nw * clusterWeight[c] * gamma
        if (gain > bestGain) {
          best = c
          bestGain = gain
        }
        neighWeight[c] = 0
        neighAdded[c] = 0
      }
    }
    clusterWeight[best] += nw
    clusterSize[best]++
    if (best === emptyStack[emptyTop - 1]) emptyTop--
    stable[v] = 1
    if (best !== current) {
      membership[v] = best
      moved = true
      for (let k = start; k < end; k++) {
        const u = targets[k]
        if (stable[u] === 1 && membership[u] !== best) {
          stable[u] = 0
          let tail = head + queued
          if (tail >= n) tail -= n
          queue[tail] = u
          queued++
        }
      }
    }
  }
  if (moved) ws.moved = true
  return reindex(membership, n, ws.remap)
}

/**
 * Refinement (igraph_i_community_leiden_mergenodes for every cluster): inside each cluster, starting from
 * singletons, each well-connected singleton (in random order) joins a well-connected sub-cluster of its
 * cluster chosen with probability ∝ exp(gain/β) among non-negative gains (staying alone has gain 0).
 * Writes `ws.refined` (ids 0..R-1) and returns R.
 */
function refine(
  level: Level,
  membership: Int32Array,
  clusterCount: number,
  ws: Workspace,
  random: Random,
  gamma: number,
  beta: number,
): number {
  const { n, offsets, targets, weights, nodeWeights } = level
  const { refined, refinedWeight, external, nonSingleton, neighWeight, neighList, neighAdded, cum } = ws
  const { groupStart, groupNodes, remap } = ws
  // The cache lives in the aggregation buffer the next level will be written to (free until then), its
  // per-node bounds in the queue and empty-cluster stack (used only by local moving).
  const { targets: cacheTargets, weights: cacheWeights } = ws.freeLevelBuffer()
  const cacheStart = ws.queue
  const cacheEnd = ws.emptyStack
  // Group nodes by cluster (counting sort; nodes ascending within a cluster).
  groupStart.fill(0, 0, clusterCount + 1)
  for (let i = 0; i < n; i++) groupStart[membership[i] + 1]++
  for (let c = 0; c < clusterCount; c++) groupStart[c + 1] += groupStart[c]
  for (let c = 0; c < clusterCount; c++) remap[c] = groupStart[c]
  for (let i = 0; i < n; i++) groupNodes[remap[membership[i]]++] = i
  // Singleton partition.
  for (let v = 0; v < n; v++) {
    refined[v] = v
    refinedWeight[v] = nodeWeights[v]
    nonSingleton[v] = 0
  }
  for (let c = 0; c < clusterCount; c++) {
    const start = groupStart[c]
    const stop = groupStart[c + 1]
    if (stop - start < 2) continue
    // Each member's weight towards the rest of its cluster, and the cluster's total node weight. The
    // within-cluster entries are copied to a cache, so the moves below never rescan whole rows.
    let total = 0
    let cached = 0
    for (let i = start; i < stop; i++) {
      const v = groupNodes[i]
      total += nodeWeights[v]
      let ext = 0
      cacheStart[v] = cached
      const end = offsets[v + 1]
      for (let k = offsets[v]; k < end; k++) {
        const u = targets[k]
        if (membership[u] !== c) continue
        const w = weights[k]
        ext += w
        cacheTargets[cached] = u
        cacheWeights[cached] = w
        cached++
      }
      cacheEnd[v] = cached
      external[v] = ext
    }
    shuffle(groupNodes, start, stop, random)
    for (let i = start; i < stop; i++) {
      const v = groupNodes[i]
      const current = refined[v]
      if (nonSingleton[current] === 1) continue
      if (!(external[current] >= refinedWeight[current] * (total - refinedWeight[current]) * gamma)) continue
      const nw = nodeWeights[v]
      refinedWeight[current] = 0
      neighList[0] = current
      neighAdded[current] = 1
      let count = 1
      const rowStart = cacheStart[v]
      const rowEnd = cacheEnd[v]
      for (let k = rowStart; k < rowEnd; k++) {
        const rc = refined[cacheTargets[k]]
        if (neighAdded[rc] === 0) {
          neighAdded[rc] = 1
          neighList[count++] = rc
        }
        neighWeight[rc] += cacheWeights[k]
      }
      let best = current
      let bestGain = 0
      let cumTotal = 0
      let largestTerm = Number.NEGATIVE_INFINITY
      for (let j = 0; j < count; j++) {
        const rc = neighList[j]
        const rw = refinedWeight[rc]
        if (external[rc] >= rw * (total - rw) * gamma) {
          const gain = neighWeight[rc] - nw * rw * gamma
          if (gain > bestGain) {
            best = rc
            bestGain = gain
          }
          if (gain >= 0) {
            const z = gain / beta
            // A term below 2^-54 of the running sum leaves it unchanged (round to nearest), so its exp is
            // skipped; the sums, and so every choice, are bit-identical to adding it.
            if (!(largestTerm - z > ABSORBED_EXPONENT)) {
              cumTotal += Math.exp(z)
              if (z > largestTerm) largestTerm = z
            }
          }
        }
        cum[j] = cumTotal
        neighWeight[rc] = 0
        neighAdded[rc] = 0
      }
      let chosen = best
      if (cumTotal < Number.POSITIVE_INFINITY) {
        const r = random() * cumTotal
        let j = 0
        while (j < count - 1 && !(r < cum[j])) j++
        chosen = neighList[j]
      }
      refinedWeight[chosen] += nw
      if (chosen !== current) {
        let ext = external[chosen]
        for (let k = rowStart; k < rowEnd; k++) {
          if (refined[cacheTargets[k]] === chosen) ext -= cacheWeights[k]
          else ext += cacheWeights[k]
        }
        external[chosen] = ext
        refined[v] = chosen
        nonSingleton[chosen] = 1
      }
    }
  }
  return reindex(refined, n, remap)
}

/**
 * Collapses each refined cluster into one node (weights summed, no self-loops). The new node's starting
 * cluster is the unrefined cluster of its members, written to `nextMembership`.
 */
function aggregate(
  level: Level,
  refined: Int32Array,
  refinedCount: number,
  membership: Int32Array,
  nextMembership: Int32Array,
  ws: Workspace,
): Level {
  const { n, offsets, targets, weights, nodeWeights } = level
  const { groupStart, groupNodes, remap, neighWeight, neighList, neighAdded } = ws
  groupStart.fill(0, 0, refinedCount + 1)
  for (let i = 0; i < n; i++) groupStart[refined[i] + 1]++
  for (let r = 0; r < refinedCount; r++) groupStart[r + 1] += groupStart[r]
  for (let r = 0; r < refinedCount; r++) remap[r] = groupStart[r]
  for (let i = 0; i < n; i++) groupNodes[remap[refined[i]]++] = i
  // Edges go to one of two buffers sized for the base level (no level has more entries), alternating, so
  // that the level being read is never overwritten.
  const { targets: newTargets, weights: newWeights } = ws.freeLevelBuffer()
  ws.nextBuffer = 1 - ws.nextBuffer
  const { localCluster, localWeight } = ws
  const newOffsets = new Uint32Array(refinedCount + 1)
  const newNodeWeights = new Float64Array(refinedCount)
  let p = 0
  for (let r = 0; r < refinedCount; r++) {
    let weight = 0
    let degree = 0
    const first = groupStart[r]
    const stop = groupStart[r + 1]
    for (let i = first; i < stop; i++) {
      const v = groupNodes[i]
      weight += nodeWeights[v]
      degree += offsets[v + 1] - offsets[v]
    }
    if (degree <= SMALL_DEGREE) {
      let count = 0
      for (let i = first; i < stop; i++) {
        const v = groupNodes[i]
        const end = offsets[v + 1]
        for (let k = offsets[v]; k < end; k++) {
          const r2 = refined[targets[k]]
          if (r2 === r) continue
          let j = 0
          while (j < count && localCluster[j] !== r2) j++
          if (j === count) {
            localCluster[count] = r2
            localWeight[count] = weights[k]
            count++
          } else {
            localWeight[j] += weights[k]
          }
        }
      }
      for (let j = 0; j < count; j++) {
        newTargets[p] = localCluster[j]
        newWeights[p] = localWeight[j]
        p++
      }
    } else {
      let count = 0
      for (let i = first; i < stop; i++) {
        const v = groupNodes[i]
        const end = offsets[v + 1]
        for (let k = offsets[v]; k < end; k++) {
          const r2 = refined[targets[k]]
          if (r2 === r) continue
          if (neighAdded[r2] === 0) {
            neighAdded[r2] = 1
            neighList[count++] = r2
          }
          neighWeight[r2] += weights[k]
        }
      }
      for (let j = 0; j < count; j++) {
        const r2 = neighList[j]
        newTargets[p] = r2
        newWeights[p] = neighWeight[r2]
        p++
        neighWeight[r2] = 0
        neighAdded[r2] = 0
      }
    }
    newOffsets[r + 1] = p
    newNodeWeights[r] = weight
    nextMembership[r] = membership[groupNodes[first]]
  }
  return {
    n: refinedCount,
    offsets: newOffsets,
    targets: newTargets.subarray(0, p),
    weights: newWeights.subarray(0, p),
    nodeWeights: newNodeWeights,
  }
}

/** One Leiden iteration from `membership` (updated in place). Returns whether any node moved. */
function leidenIteration(
  base: Level,
  membership: Int32Array,
  ws: Workspace,
  random: Random,
  gamma: number,
  beta: number,
): boolean {
  const n = base.n
  ws.moved = false
  ws.nextBuffer = 0
  reindex(membership, n, ws.remap)
  let level = base
  let levelMembership = membership
  let depth = 0
  const aggregateNode = new Int32Array(n)
  for (let i = 0; i < n; i++) aggregateNode[i] = i
  for (;;) {
    const clusterCount = fastMove(level, levelMembership, ws, gamma)
    if (clusterCount >= level.n) break
    // Above the base level, stop once a level merges almost nothing: each further level costs a pass over
    // the whole aggregated graph for a handful of merges, which the next iteration picks up anyway.
    if (depth > 0 && level.n - clusterCount < level.n * LEVEL_STOP_FRACTION) break
    let refinedCount = refine(level, levelMembership, clusterCount, ws, random, gamma, beta)
    const refined = ws.refined
    if (refinedCount >= level.n) {
      // Refinement merged nothing: aggregate by the unrefined clusters instead.
      refined.set(levelMembership.subarray(0, level.n))
      refinedCount = clusterCount
    }
    for (let i = 0; i < n; i++) aggregateNode[i] = refined[aggregateNode[i]]
    const nextMembership = new Int32Array(refinedCount)
    level = aggregate(level, refined, refinedCount, levelMembership, nextMembership, ws)
    levelMembership = nextMembership
    depth++
  }
  if (depth > 0) for (let i = 0; i < n; i++) membership[i] = levelMembership[aggregateNode[i]]
  return ws.moved
}

/**
 * Runs Leiden with the CPM objective and unit node weights. Returns community ids in the graph's own node
 * numbering (arbitrary ids; canonicalize them for output) and the number of iterations run.
 *
 * @example
 * const { membership } = leidenCpm(graph, { resolution: 0.1, seed: 1, maxIterations: -1, beta: 0.01 })
 */
export function leidenCpm(graph: SimilarityGraph, options: LeidenOptions): LeidenResult {
  const n = graph.nodeCount
  const { resolution, seed, maxIterations, beta, nodeKeys } = options
  const seedMix = fmix32((Math.trunc(seed) ^ 0x5bd1e995) >>> 0)
  let keys: Uint32Array
  if (nodeKeys !== undefined) {
    if (nodeKeys.length !== n) {
      throw new RangeError(`caselink: nodeKeys has ${nodeKeys.length} entries, graph has ${n} nodes`)
    }
    keys = new Uint32Array(n)
    for (let i = 0; i < n; i++) keys[i] = nodeKeys[i] >>> 0
  } else {
    keys = structuralKeys(graph)
  }
  for (let i = 0; i < n; i++) keys[i] = fmix32(keys[i] ^ seedMix)
  // Internal numbering: seeded key order (independent of the input's numbering), then breadth-first from it
  // (locality). Both steps depend only on keys and structure, so a relabelled input gives the same run.
  const order = breadthFirstOrder(graph, orderByKey(keys))
  const base = relabel(graph, n, order)
  const ws = new Workspace(n, base.targets.length)
  const random = createRandom(seed)
  const internal = new Int32Array(n)
  for (let i = 0; i < n; i++) internal[i] = i
  const limit = maxIterations < 0 ? UNTIL_STABLE_LIMIT : maxIterations
  let iterations = 0
  while (iterations < limit) {
    iterations++
    const changed = leidenIteration(base, internal, ws, random, resolution, beta)
    if (!changed) break
  }
  const membership = new Int32Array(n)
  for (let r = 0; r < n; r++) membership[order[r]] = internal[r]
  return { membership, iterations }
}
