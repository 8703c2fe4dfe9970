/**
 * Incremental community maintenance with the Constant Potts Model (CPM, unit node weights), the
 * objective of the batch Leiden-CPM clustering: Σ_c (w_in(c) − γ·n_c(n_c − 1)/2). After new nodes and
 * edges arrive, only the touched neighbourhood is re-optimized:
 *
 * 1. local moving (the first phase of Louvain/Leiden, Traag, Waltman & van Eck 2019) from a queue seeded
 *    with the new nodes and the endpoints of new edges: a node moves to the neighbouring community (or a
 *    new singleton) with the largest CPM gain, and its neighbours outside its new community are queued;
 * 2. a connectivity check of every community that lost a node: a community that fell apart is split into
 *    its connected components (Leiden's guarantee of connected communities), whose nodes are queued again;
 * 3. a community-level move (one aggregation level of Leiden): a touched community merges into the
 *    neighbouring community with the largest positive gain w(A, B) − γ·|A|·|B|.
 * The three steps repeat until nothing changes. Each step costs O(edges of the nodes and communities it
 * visits); nothing is global. The graph is kept as pooled adjacency lists in typed arrays (12 bytes per
 * stored edge entry, each undirected edge stored twice).
 *
 * Community labels are never reused: a community keeps its label while it exists (a merged community
 * keeps the label of the one it merged into; after a split, the largest part keeps the label).
 */
import { leidenCpm } from '../cluster/leiden'
import { canonicalizeMembership } from '../cluster/partition'
import type { SimilarityGraph } from '../graph/similarityGraph'
import { ensureCapacity } from './caseStore'

/** Tolerance below which a gain is not an improvement (float noise must not move nodes back and forth). */
const EPSILON = 1e-9
/** Safety cap on repeat rounds of move / split / merge per update. */
const MAX_ROUNDS = 8
/** A touched region larger than this is not widened to the neighbouring communities. */
const MAX_REGION_NODES = 1000
/**
 * Leiden iterations for a region (batch `detectSeries` runs 2). A region is re-clustered again whenever a
 * later incident touches it, which does what a second iteration would. Measured (bench/online.ts, quiet
 * machine): 1M bulk add 19,121 → 20,208 incidents/s, 89,373 → 88,951 series; online vs batch adjusted
 * Rand at 3,000 incidents unchanged (0.9972).
 */
const REGION_ITERATIONS = 1
/** Iterations of a whole-graph re-clustering: as batch `detectSeries`. */
const BATCH_ITERATIONS = 2

/** The maintained graph and partition. */
export class IncrementalClusters {
  nodeCount = 0
  edgeEntries = 0
  /** Live undirected edges (removed edges leave their pooled entries unused). */
  private liveEdges = 0
  head = new Int32Array(16)
  edgeTarget = new Uint32Array(32)
  edgeWeight = new Float32Array(32)
  edgeNext = new Int32Array(32)
  /** Community label of each node. */
  membership = new Int32Array(16)
  /** Size of each community label (0 once it is gone). */
  communitySize = new Int32Array(16)
  labelCount = 0
  // scratch
  private weightTo = new Float64Array(16)
  private queue = new Int32Array(16)
  private inQueue = new Uint8Array(16)
  private visit = new Int32Array(16)
  private visitMark = 0
  private localId = new Int32Array(16)
  private qualitySize = new Int32Array(16)

  /**
   * @param resolution CPM γ.
   * @param maxComponentNodes Components up to this size are re-clustered whole by Leiden.
   */
  constructor(
    readonly resolution: number,
    readonly maxComponentNodes = 0,
  ) {}

  /** Adds `count` nodes, each a singleton community. */
  addNodes(count: number): void {
    const n = this.nodeCount + count
    this.head = ensureCapacity(this.head, n)
    this.membership = ensureCapacity(this.membership, n)
    this.inQueue = ensureCapacity(this.inQueue, n)
    this.visit = ensureCapacity(this.visit, n)
    for (let v = this.nodeCount; v < n; v++) {
      this.head[v] = -1
      this.membership[v] = this.newLabel()
      this.communitySize[this.membership[v]] = 1
    }
    this.nodeCount = n
  }

  /** Fills an empty instance from saved nodes, communities and edges. */
  restore(
    n: number,
    labelCount: number,
    membership: Int32Array,
    edgeA: Uint32Array,
    edgeB: Uint32Array,
    weight: Float32Array,
  ): void {
    this.nodeCount = n
    this.head = new Int32Array(Math.max(16, n)).fill(-1)
    this.membership = ensureCapacity(new Int32Array(membership), 16)
    this.inQueue = new Uint8Array(Math.max(16, n))
    this.visit = new Int32Array(Math.max(16, n))
    this.labelCount = labelCount
    this.communitySize = new Int32Array(Math.max(16, labelCount))
    this.weightTo = new Float64Array(Math.max(16, labelCount))
    for (let v = 0; v < n; v++) this.communitySize[membership[v]]++
    for (let k = 0; k < edgeA.length; k++) this.addEdge(edgeA[k], edgeB[k], weight[k])
  }

  /** Adds the undirected edge {u, v} (u ≠ v, not already present) with weight w. */
  addEdge(u: number, v: number, w: number): void {
    const need = this.edgeEntries + 2
    this.edgeTarget = ensureCapacity(this.edgeTarget, need)
    this.edgeWeight = ensureCapacity(this.edgeWeight, need)
    this.edgeNext = ensureCapacity(this.edgeNext, need)
    let e = this.edgeEntries++
    this.edgeTarget[e] = v
    this.edgeWeight[e] = w
    this.edgeNext[e] = this.head[u]
    this.head[u] = e
    e = this.edgeEntries++
    this.edgeTarget[e] = u
    this.edgeWeight[e] = w
    this.edgeNext[e] = this.head[v]
    this.head[v] = e
    this.liveEdges++
  }

  /** True when {u, v} is an edge. O(degree of u). */
  hasEdge(u: number, v: number): boolean {
    for (let e = this.head[u]; e >= 0; e = this.edgeNext[e]) if (this.edgeTarget[e] === v) return true
    return false
  }

  /** Removes the edge {u, v}; returns false when there was none. O(degrees). */
  removeEdge(u: number, v: number): boolean {
    if (!this.unlink(u, v)) return false
    this.unlink(v, u)
    this.liveEdges--
    return true
  }

  /**
   * Live edges in insertion order (each once, as stored first): replaying them with `addEdge` rebuilds
   * identical adjacency lists.
   */
  edges(): { a: Uint32Array; b: Uint32Array; weight: Float32Array } {
    const a = new Uint32Array(this.liveEdges)
    const b = new Uint32Array(this.liveEdges)
    const weight = new Float32Array(this.liveEdges)
    let k = 0
    for (let e = 0; e < this.edgeEntries; e += 2) {
      if (this.edgeWeight[e] < 0) continue
      a[k] = this.edgeTarget[e + 1]
      b[k] = this.edgeTarget[e]
      weight[k++] = this.edgeWeight[e]
    }
    return { a, b, weight }
  }

  private unlink(u: number, v: number): boolean {
    let previous = -1
    for (let e = this.head[u]; e >= 0; e = this.edgeNext[e]) {
      if (this.edgeTarget[e] === v) {
        if (previous < 0) this.head[u] = this.edgeNext[e]
        else this.edgeNext[previous] = this.edgeNext[e]
        // mark the pooled entry dead (live weights are probabilities >= 0)
        this.edgeWeight[e] = -1
        return true
      }
      previous = e
    }
    return false
  }

  /** Number of undirected edges. */
  get edgeCount(): number {
    return this.liveEdges
  }

  private newLabel(): number {
    const label = this.labelCount++
    this.communitySize = ensureCapacity(this.communitySize, this.labelCount)
    this.weightTo = ensureCapacity(this.weightTo, this.labelCount)
    this.communitySize[label] = 0
    return label
  }

  /**
   * Re-optimizes the neighbourhood of `seeds` (new nodes and endpoints of new edges) after `broken` edges
   * (flattened pairs) were removed. A connected component of at most `maxComponentNodes` nodes that holds a
   * seed is re-clustered whole by Leiden-CPM (the batch algorithm: on a component alone it reproduces the
   * batch partition of that component up to random tie-breaking); seeds in larger components get local
   * moves, split and merge checks and a Leiden pass over their communities. Returns what changed.
   */
  update(
    seeds: ArrayLike<number>,
    broken: ArrayLike<number> = [],
  ): { moves: number; splits: number; merges: number; regionNodes: number; regionImproved: boolean } {
    let moves = 0
    let splits = 0
    let merges = 0
    const all = new Int32Array(seeds.length + broken.length)
    for (let k = 0; k < seeds.length; k++) all[k] = seeds[k]
    for (let k = 0; k < broken.length; k++) all[seeds.length + k] = broken[k]
    all.sort()
    const small: number[] = []
    const large: number[] = []
    const mark = ++this.visitMark
    for (let k = 0; k < all.length; k++) {
      const seed = all[k]
      if (k > 0 && all[k - 1] === seed) continue
      if (this.visit[seed] === mark) continue
      if (this.visit[seed] === -mark) {
        large.push(seed)
        continue
      }
      const component = this.wholeComponent(seed, mark)
      if (component === null) large.push(seed)
      else for (const v of component) small.push(v)
    }
    let regionNodes = 0
    let regionImproved = false
    if (small.length > 1) {
      small.sort((p, q) => p - q)
      regionNodes += small.length
      regionImproved = this.recluster(small, true)
    }
    if (large.length === 0) return { moves, splits, merges, regionNodes, regionImproved }
    let pending: number[] = large
    const region = new Map<number, number>()
    const largeSet = new Set(large)
    // a community that lost internal edges may have fallen apart: every part holds an endpoint of a removed
    // edge (it was connected before), so searching from the endpoints finds all parts; each part smaller than
    // what is left of its community takes a new label
    const sideMark = ++this.visitMark
    for (let k = 0; k < broken.length; k++) {
      const x = broken[k]
      if (!largeSet.has(x) || this.visit[x] === sideMark) continue
      const label = this.membership[x]
      const part = this.component(x, label, sideMark)
      if (part.length === this.communitySize[label]) continue
      const fresh = this.newLabel()
      for (const w of part) this.membership[w] = fresh
      this.communitySize[fresh] = part.length
      this.communitySize[label] -= part.length
      splits++
    }
    for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
      const lost = new Set<number>()
      const departed: number[] = []
      const touched = new Map<number, number>()
      moves += this.localMoves(pending, lost, departed, touched)
      for (const [label, near] of touched) region.set(label, near)
      pending = []
      // split communities that lost connectivity
      for (const label of lost) {
        if (this.communitySize[label] === 0) continue
        const parts = this.splitIfDisconnected(label, departed)
        if (parts.length > 0) {
          splits += parts.length
          for (const part of parts) for (const v of part) pending.push(v)
        }
      }
      // community-level moves of the touched communities
      for (const [label, near] of touched) {
        if (this.communitySize[label] === 0) continue
        const s = this.memberNear(label, near)
        if (s < 0) continue
        const members = this.component(s, label, ++this.visitMark)
        const target = this.bestMerge(label, members)
        if (target >= 0) {
          merges++
          for (const v of members) {
            this.membership[v] = target
            pending.push(v)
          }
          this.communitySize[target] += members.length
          this.communitySize[label] -= members.length
        }
      }
    }
    const refined = this.refineRegion(region)
    return {
      moves,
      splits,
      merges,
      regionNodes: regionNodes + refined.nodes,
      regionImproved: regionImproved || refined.improved,
    }
  }

  /**
   * Re-clusters the whole graph with Leiden-CPM (as batch `detectSeries` does) and takes the result; labels
   * are kept where a community keeps most of its members. O(n + m) per Leiden iteration.
   */
  reclusterAll(): void {
    const nodes = Array.from({ length: this.nodeCount }, (_, v) => v)
    if (nodes.length > 1) this.recluster(nodes, true, BATCH_ITERATIONS)
  }

  /**
   * The connected component of `seed` over all edges, marked with `mark`, or null when it has more than
   * `maxComponentNodes` nodes (its visited nodes are then marked with `-mark`).
   */
  private wholeComponent(seed: number, mark: number): number[] | null {
    const nodes = [seed]
    this.visit[seed] = mark
    for (let k = 0; k < nodes.length; k++) {
      const v = nodes[k]
      for (let e = this.head[v]; e >= 0; e = this.edgeNext[e]) {
        const u = this.edgeTarget[e]
        if (this.visit[u] === mark) continue
        this.visit[u] = mark
        nodes.push(u)
      }
      if (nodes.length > this.maxComponentNodes) {
        for (const u of nodes) this.visit[u] = -mark
        return null
      }
    }
    return nodes
  }

  /**
   * Leiden-CPM (the batch `detectSeries`) over the touched communities and their neighbouring communities:
   * whole communities, so the region's CPM quality does not depend on the rest of the graph. The region
   * takes Leiden's partition when it is better than the current one. O(region nodes + edges).
   */
  private refineRegion(touched: Map<number, number>): { nodes: number; improved: boolean } {
    const mark = ++this.visitMark
    const nodes: number[] = []
    const labels = new Set<number>()
    const addCommunity = (label: number, near: number): void => {
      if (labels.has(label) || this.communitySize[label] === 0) return
      const s = this.memberNear(label, near)
      if (s < 0 || this.visit[s] === mark) return
      labels.add(label)
      this.visit[s] = mark
      const start = nodes.length
      nodes.push(s)
      for (let k = start; k < nodes.length; k++) {
        const v = nodes[k]
        for (let e = this.head[v]; e >= 0; e = this.edgeNext[e]) {
          const u = this.edgeTarget[e]
          if (this.visit[u] !== mark && this.membership[u] === label) {
            this.visit[u] = mark
            nodes.push(u)
          }
        }
      }
    }
    for (const [label, near] of touched) addCommunity(label, near)
    const core = nodes.length
    if (core <= MAX_REGION_NODES) {
      for (let k = 0; k < core && nodes.length <= MAX_REGION_NODES; k++) {
        const v = nodes[k]
        for (let e = this.head[v]; e >= 0; e = this.edgeNext[e]) {
          const u = this.edgeTarget[e]
          if (this.visit[u] !== mark) addCommunity(this.membership[u], u)
        }
      }
    }
    const m = nodes.length
    if (m < 3) return { nodes: m, improved: false }
    // node ids ascending (a typed array sorts numbers without a comparator call per comparison)
    return { nodes: m, improved: this.recluster(Int32Array.from(nodes).sort(), false) }
  }

  /**
   * Runs Leiden-CPM on the subgraph of `nodes` (ascending; whole communities) and takes its partition, always
   * (`adopt`) or only when its CPM quality is higher. Returns whether the partition changed.
   */
  private recluster(nodes: ArrayLike<number>, adopt: boolean, iterations = REGION_ITERATIONS): boolean {
    const m = nodes.length
    // CSR of the region (local ids by position in `nodes`) straight from the adjacency lists, which hold
    // each edge once at each end: Leiden sorts rows itself and its result does not depend on row order
    this.localId = ensureCapacity(this.localId, this.nodeCount)
    const localId = this.localId
    for (let k = 0; k < m; k++) localId[nodes[k]] = k + 1
    const offsets = new Uint32Array(m + 1)
    for (let k = 0; k < m; k++) {
      let degree = 0
      for (let e = this.head[nodes[k]]; e >= 0; e = this.edgeNext[e])
        if (localId[this.edgeTarget[e]] > 0) degree++
      offsets[k + 1] = offsets[k] + degree
    }
    const stored = offsets[m]
    const targets = new Uint32Array(stored)
    const weights = new Float64Array(stored)
    const pairIndex = new Uint32Array(stored)
    for (let k = 0, at = 0; k < m; k++) {
      for (let e = this.head[nodes[k]]; e >= 0; e = this.edgeNext[e]) {
        const j = localId[this.edgeTarget[e]] - 1
        if (j < 0) continue
        targets[at] = j
        weights[at] = this.edgeWeight[e]
        pairIndex[at] = at
        at++
      }
    }
    for (let k = 0; k < m; k++) localId[nodes[k]] = 0
    const graph: SimilarityGraph = {
      nodeCount: m,
      edgeCount: stored / 2,
      offsets,
      targets,
      weights,
      pairIndex,
    }
    const gamma = this.resolution
    const current = new Int32Array(m)
    for (let k = 0; k < m; k++) current[k] = this.membership[nodes[k]]
    const before = this.regionQuality(graph, current, gamma)
    // leidenCpm as detectSeries runs it (seed 0, beta 0.01), without the quality detectSeries would report
    const next = leidenCpm(graph, {
      resolution: gamma,
      seed: 0,
      maxIterations: iterations,
      beta: 0.01,
    }).membership
    const partition = { membership: next, count: canonicalizeMembership(next) }
    const after = this.regionQuality(graph, next, gamma)
    if (!adopt && !(after > before + EPSILON)) return false
    // relabel: each new community keeps the old label most of its members had, while that label is free
    const order = orderByCommunity(next, partition.count, current, this.labelCount)
    const claimed = new Set<number>()
    const labelOf = new Int32Array(partition.count).fill(-1)
    for (let start = 0; start < m; ) {
      const c = next[order[start]]
      let end = start
      let best = -1
      let bestCount = 0
      while (end < m && next[order[end]] === c) {
        let run = end
        while (run < m && next[order[run]] === c && current[order[run]] === current[order[end]]) run++
        if (run - end > bestCount && !claimed.has(current[order[end]])) {
          best = current[order[end]]
          bestCount = run - end
        }
        end = run
      }
      if (best >= 0) claimed.add(best)
      labelOf[c] = best
      start = end
    }
    // sizes stay exact even if a label also has members outside the region: those keep their label, and
    // a label still used outside is never given to a community of the region
    for (let k = 0; k < m; k++) this.communitySize[current[k]]--
    for (let c = 0; c < partition.count; c++) {
      if (labelOf[c] >= 0 && this.communitySize[labelOf[c]] !== 0) labelOf[c] = -1
      if (labelOf[c] < 0) labelOf[c] = this.newLabel()
    }
    for (let k = 0; k < m; k++) {
      const label = labelOf[next[k]]
      this.membership[nodes[k]] = label
      this.communitySize[label]++
    }
    return after !== before
  }

  /** CPM quality Σ_c (w_in(c) − γ·n_c(n_c − 1)/2) of a partition of a region graph. O(n + m). */
  private regionQuality(graph: SimilarityGraph, membership: ArrayLike<number>, gamma: number): number {
    let internal = 0
    const n = graph.nodeCount
    // community sizes counted in a scratch indexed by label (labels are < labelCount or region-local ids)
    let largest = 0
    for (let u = 0; u < n; u++) if (membership[u] > largest) largest = membership[u]
    this.qualitySize = ensureCapacity(this.qualitySize, largest + 1)
    const sizes = this.qualitySize
    const labels: number[] = []
    for (let u = 0; u < n; u++) {
      const c = membership[u]
      if (sizes[c]++ === 0) labels.push(c)
      for (let k = graph.offsets[u]; k < graph.offsets[u + 1]; k++) {
        if (membership[graph.targets[k]] === c) internal += graph.weights[k]
      }
    }
    let pairs = 0
    for (const c of labels) {
      const size = sizes[c]
      pairs += (size * (size - 1)) / 2
      sizes[c] = 0
    }
    return internal / 2 - gamma * pairs
  }

  private localMoves(
    seeds: number[],
    lost: Set<number>,
    departed: number[],
    touched: Map<number, number>,
  ): number {
    const n = this.nodeCount
    const q = (this.queue = ensureCapacity(this.queue, n + 1))
    const cap = q.length
    let headAt = 0
    let tailAt = 0
    let queued = 0
    const push = (v: number): void => {
      if (this.inQueue[v] === 1) return
      this.inQueue[v] = 1
      q[tailAt] = v
      tailAt = tailAt + 1 === cap ? 0 : tailAt + 1
      queued++
    }
    const sorted = Int32Array.from(seeds).sort()
    for (let k = 0; k < sorted.length; k++) push(sorted[k])
    const gamma = this.resolution
    const neighbours: number[] = []
    let moves = 0
    while (queued > 0) {
      const v = q[headAt]
      headAt = headAt + 1 === cap ? 0 : headAt + 1
      queued--
      this.inQueue[v] = 0
      const from = this.membership[v]
      // a node without edges can only stay alone: nothing to refine around it
      if (this.head[v] < 0) continue
      touched.set(from, v)
      neighbours.length = 0
      for (let e = this.head[v]; e >= 0; e = this.edgeNext[e]) {
        const c = this.membership[this.edgeTarget[e]]
        if (this.weightTo[c] === 0) neighbours.push(c)
        this.weightTo[c] += this.edgeWeight[e]
      }
      const stay = this.weightTo[from] - gamma * (this.communitySize[from] - 1)
      let best = from
      let bestGain = 0
      for (const c of neighbours) {
        if (c === from) continue
        const gain = this.weightTo[c] - gamma * this.communitySize[c] - stay
        if (
          gain > bestGain + EPSILON ||
          (Math.abs(gain - bestGain) <= EPSILON && best !== from && c < best)
        ) {
          best = c
          bestGain = gain
        }
      }
      for (const c of neighbours) this.weightTo[c] = 0
      // a node alone is better off than in a community it is too weakly attached to
      const alone = this.communitySize[from] > 1 && -stay > bestGain + EPSILON
      if (best === from && !alone) continue
      if (alone) best = this.newLabel()
      this.communitySize[from]--
      this.communitySize[best]++
      this.membership[v] = best
      moves++
      lost.add(from)
      departed.push(v)
      touched.set(best, v)
      for (let e = this.head[v]; e >= 0; e = this.edgeNext[e]) {
        const u = this.edgeTarget[e]
        if (this.membership[u] !== best) push(u)
      }
    }
    return moves
  }

  /**
   * Splits community `label` into connected components when it is disconnected. Every component holds a
   * neighbour of a departed node (the community was connected before they left), so the search starts
   * there. Returns the node lists of the parts given new labels (the largest part keeps `label`).
   */
  private splitIfDisconnected(label: number, departed: number[]): number[][] {
    const components: number[][] = []
    const mark = ++this.visitMark
    let covered = 0
    for (const d of departed) {
      for (let e = this.head[d]; e >= 0; e = this.edgeNext[e]) {
        const s = this.edgeTarget[e]
        if (this.membership[s] !== label || this.visit[s] === mark) continue
        const component = this.component(s, label, mark)
        components.push(component)
        covered += component.length
        if (components.length === 1 && covered === this.communitySize[label]) return []
      }
    }
    if (components.length <= 1) return []
    let largest = 0
    for (let k = 1; k < components.length; k++) {
      if (components[k].length > components[largest].length) largest = k
    }
    const parts: number[][] = []
    for (let k = 0; k < components.length; k++) {
      if (k === largest) continue
      const fresh = this.newLabel()
      for (const v of components[k]) this.membership[v] = fresh
      this.communitySize[fresh] = components[k].length
      this.communitySize[label] -= components[k].length
      parts.push(components[k])
    }
    return parts
  }

  /** Nodes of `label` reachable from s inside the community (breadth first), marked with `mark`. */
  private component(s: number, label: number, mark: number): number[] {
    const nodes = [s]
    this.visit[s] = mark
    for (let k = 0; k < nodes.length; k++) {
      const v = nodes[k]
      for (let e = this.head[v]; e >= 0; e = this.edgeNext[e]) {
        const u = this.edgeTarget[e]
        if (this.visit[u] !== mark && this.membership[u] === label) {
          this.visit[u] = mark
          nodes.push(u)
        }
      }
    }
    return nodes
  }

  /** A member of `label`: `v` itself or one of its neighbours, else -1. */
  private memberNear(label: number, v: number): number {
    if (this.membership[v] === label) return v
    for (let e = this.head[v]; e >= 0; e = this.edgeNext[e]) {
      if (this.membership[this.edgeTarget[e]] === label) return this.edgeTarget[e]
    }
    return -1
  }

  /** The neighbouring community that `label` (with these members) gains most by merging into, or -1. */
  private bestMerge(label: number, members: number[]): number {
    const gamma = this.resolution
    const size = this.communitySize[label]
    const neighbours: number[] = []
    for (const v of members) {
      for (let e = this.head[v]; e >= 0; e = this.edgeNext[e]) {
        const c = this.membership[this.edgeTarget[e]]
        if (c === label) continue
        if (this.weightTo[c] === 0) neighbours.push(c)
        this.weightTo[c] += this.edgeWeight[e]
      }
    }
    let best = -1
    let bestGain = EPSILON
    for (const c of neighbours) {
      const gain = this.weightTo[c] - gamma * size * this.communitySize[c]
      if (gain > bestGain || (best >= 0 && Math.abs(gain - bestGain) <= EPSILON && c < best)) {
        best = c
        bestGain = gain
      }
    }
    for (const c of neighbours) this.weightTo[c] = 0
    return best
  }
}

/**
 * Positions 0 .. m-1 ordered by (next community, current label), ties in position order: what the stable
 * comparator sort `(p, q) => next[p] - next[q] || current[p] - current[q]` gives. A typed-array sort of
 * composite keys when they fit in a double's 53 bits, else that comparator sort.
 */
export function orderByCommunity(
  next: ArrayLike<number>,
  nextCount: number,
  current: ArrayLike<number>,
  labelCount: number,
): ArrayLike<number> {
  const m = next.length
  if (nextCount * Math.max(1, labelCount) * Math.max(1, m) < 2 ** 53) {
    const keys = new Float64Array(m)
    for (let k = 0; k < m; k++) keys[k] = (next[k] * labelCount + current[k]) * m + k
    keys.sort()
    const order = new Int32Array(m)
    for (let k = 0; k < m; k++) order[k] = keys[k] % m
    return order
  }
  const order = Array.from({ length: m }, (_, k) => k)
  order.sort((p, q) => next[p] - next[q] || current[p] - current[q])
  return order
}
