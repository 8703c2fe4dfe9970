import type { CaseTable } from '../table/CaseTable'
import { clumpedMoFrequency } from '../table/clumpedFrequency'
import { type ResolvedBehaviourOptions, RULE_BEHAVIOUR } from './blockingOptions'
import { type Horizon, pairRule } from './horizon'
import type { PairSink } from './pairBuffer'

/**
 * Each row's behavioural features as ranks in one global order (weight ascending, then feature id), CSR,
 * ascending; `weight[rank]` in bits. Features are MO values (weighed by their clumped count) and a
 * content-chosen quarter of the narrative's character bigrams (weighed by document frequency, times
 * `narrativeScale`); features weighing nothing are left out.
 */
export interface BehaviourFeatures {
  start: Uint32Array
  ranks: Uint32Array
  weight: Float64Array
  /** Σ weights per row. */
  total: Float64Array
}

/** A narrative bigram is a feature when its hash falls in this quarter (the same bigrams in every row). */
function sampled(hash: number): boolean {
  return Math.imul(hash, 0x9e3779b1) >>> 30 === 0
}

/**
 * Builds {@link BehaviourFeatures}. O(list entries + distinct features · log).
 *
 * @example
 * const features = behaviourFeatures(table, resolveBehaviourOptions({}))
 * features.total[0] // bits row 0 could share at most
 */
export function behaviourFeatures(table: CaseTable, options: ResolvedBehaviourOptions): BehaviourFeatures {
  const n = table.size
  const V = table.moValues.length
  // the reference count: a feature carried by all rows of a small table says nothing either
  const D = Math.min(options.maxDocumentFrequency, n)
  const { narrativeStart, narrativeBigrams } = table
  // distinct sampled bigrams → feature ids V.., with their document frequency
  const bigramIds = new HashIds()
  const bigramDf: number[] = []
  let entries = table.moStart[n]
  for (let k = 0; k < narrativeStart[n]; k++) {
    const h = narrativeBigrams[k]
    if (!sampled(h)) continue
    const id = bigramIds.idOf(h)
    if (id === bigramDf.length) bigramDf.push(0)
    bigramDf[id]++
    entries++
  }
  const featureCount = V + bigramDf.length
  const featureWeight = new Float64Array(featureCount)
  const clumped = clumpedMoFrequency(table)
  for (let v = 0; v < V; v++) {
    const c = clumped[v]
    featureWeight[v] = table.moFrequency[v] >= 2 && c < D ? Math.log2(D / c) : 0
  }
  for (let b = 0; b < bigramDf.length; b++) {
    const c = bigramDf[b]
    featureWeight[V + b] = c >= 2 && c < D ? options.narrativeScale * Math.log2(D / c) : 0
  }
  const order = new Uint32Array(featureCount)
  for (let f = 0; f < featureCount; f++) order[f] = f
  order.sort((a, b) => featureWeight[a] - featureWeight[b] || a - b)
  const rankOf = new Uint32Array(featureCount)
  const weight = new Float64Array(featureCount)
  for (let r = 0; r < featureCount; r++) {
    rankOf[order[r]] = r
    weight[r] = featureWeight[order[r]]
  }
  const start = new Uint32Array(n + 1)
  const ranks = new Uint32Array(entries)
  const total = new Float64Array(n)
  let at = 0
  for (let i = 0; i < n; i++) {
    const from = at
    for (let k = table.moStart[i]; k < table.moStart[i + 1]; k++) {
      const v = table.moIds[k]
      if (featureWeight[v] > 0) ranks[at++] = rankOf[v]
    }
    for (let k = narrativeStart[i]; k < narrativeStart[i + 1]; k++) {
      const h = narrativeBigrams[k]
      if (!sampled(h)) continue
      const f = V + bigramIds.idOf(h)
      if (featureWeight[f] > 0) ranks[at++] = rankOf[f]
    }
    ranks.subarray(from, at).sort()
    let sum = 0
    for (let k = from; k < at; k++) sum += weight[ranks[k]]
    total[i] = sum
    start[i + 1] = at
  }
  return { start, ranks: ranks.slice(0, at), weight, total }
}

/**
 * Bits two rows share: Σ weights of their common features (a merge of two sorted lists).
 *
 * @example
 * sharedBits(behaviourFeatures(table, resolveBehaviourOptions({})), 0, 1) // 0 when nothing rare is shared
 */
export function sharedBits(features: BehaviourFeatures, i: number, j: number): number {
  const { start, ranks, weight } = features
  let p = start[i]
  const pe = start[i + 1]
  let q = start[j]
  const qe = start[j + 1]
  let sum = 0
  while (p < pe && q < qe) {
    const a = ranks[p]
    const b = ranks[q]
    if (a === b) {
      sum += weight[a]
      p++
      q++
    } else if (a < b) p++
    else q++
  }
  return sum
}

/**
 * Each row's best `neighbours` partners by score, best first; ties go to the smaller case number so that
 * the choice does not depend on row order.
 */
class NeighbourLists {
  readonly score: Float64Array
  readonly partner: Int32Array
  readonly size: Uint8Array
  constructor(
    n: number,
    readonly k: number,
    private readonly ids: readonly string[],
  ) {
    this.score = new Float64Array(n * k)
    this.partner = new Int32Array(n * k)
    this.size = new Uint8Array(n)
  }

  offer(i: number, j: number, s: number): void {
    const { k, score, partner } = this
    const base = i * k
    let m = this.size[i]
    if (m === k && !this.better(s, j, score[base + k - 1], partner[base + k - 1])) return
    if (m < k) m = ++this.size[i]
    let p = base + m - 1
    while (p > base && this.better(s, j, score[p - 1], partner[p - 1])) {
      score[p] = score[p - 1]
      partner[p] = partner[p - 1]
      p--
    }
    score[p] = s
    partner[p] = j
  }

  has(i: number, j: number): boolean {
    const base = i * this.k
    for (let p = base; p < base + this.size[i]; p++) if (this.partner[p] === j) return true
    return false
  }

  private better(s: number, j: number, t: number, l: number): boolean {
    return s > t || (s === t && this.ids[j] < this.ids[l])
  }
}

/** Work counts of the behaviour rule (analyzeBlocking). */
export interface BehaviourStats {
  /** Distinct candidate pairs whose overlap was computed. */
  checks: number
  /** Features with a postings list. */
  blocks: number
  /** Longest postings list. */
  largestBlock: number
}

/**
 * The ranking score of a behavioural pair: its shared bits plus one bit for the same category (an
 * incident's neighbours of its own kind first).
 */
function rankingScore(table: CaseTable, bits: number, i: number, j: number): number {
  const c = table.category[i]
  return c >= 0 && c === table.category[j] ? bits + 1 : bits
}

/**
 * Behaviour rule: for each row, its nearest behavioural neighbours at any distance and time — rows sharing
 * at least `minBits` of rarity-weighted features (MO values counted in clumps, sampled narrative bigrams),
 * ranked by those bits (+1 for the same category), the best `neighbours` kept per row — among the pairs no
 * earlier rule produces. Exact: all pairs above `minBits` are found by prefix filtering over an inverted
 * index (each row indexes only the features beyond its lightest ones summing below `minBits`, so two rows
 * sharing `minBits` share an indexed feature), then each row keeps its best; {@link joinBehaviourBruteForce}
 * gives the same pairs. At most `neighbours` · rows pairs.
 *
 * @example
 * // what generateCandidates(table, { behaviour: true }) does after the other rules
 * joinBehaviour(compileHorizon(table, resolved), table, resolved.behaviour, buffer, null)
 */
export function joinBehaviour(
  h: Horizon,
  table: CaseTable,
  options: ResolvedBehaviourOptions,
  sink: PairSink,
  stats: BehaviourStats | null,
): void {
  const n = table.size
  const features = behaviourFeatures(table, options)
  const { start, ranks, weight, total } = features
  const T = options.minBits
  // the indexed suffix of each row: from the first feature where the lighter ones reach T
  const suffix = new Uint32Array(n)
  const featureCount = weight.length
  const postingStart = new Uint32Array(featureCount + 1)
  for (let i = 0; i < n; i++) {
    suffix[i] = start[i + 1]
    if (total[i] < T) continue
    let sum = 0
    let k = start[i]
    while (k < start[i + 1] && sum + weight[ranks[k]] < T) sum += weight[ranks[k++]]
    suffix[i] = k
    for (; k < start[i + 1]; k++) postingStart[ranks[k] + 1]++
  }
  for (let f = 0; f < featureCount; f++) postingStart[f + 1] += postingStart[f]
  const postings = new Uint32Array(postingStart[featureCount])
  const fill = postingStart.slice(0, featureCount)
  for (let i = 0; i < n; i++) {
    for (let k = suffix[i]; k < start[i + 1]; k++) postings[fill[ranks[k]]++] = i
  }
  if (stats !== null) {
    for (let f = 0; f < featureCount; f++) {
      const size = postingStart[f + 1] - postingStart[f]
      if (size > 0) stats.blocks++
      if (size > stats.largestBlock) stats.largestBlock = size
    }
  }
  const lists = new NeighbourLists(n, options.neighbours, table.ids)
  const seen = new Int32Array(n).fill(-1)
  const touched = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    let m = 0
    for (let k = suffix[i]; k < start[i + 1]; k++) {
      const f = ranks[k]
      for (let p = postingStart[f]; p < postingStart[f + 1]; p++) {
        const j = postings[p]
        if (j <= i || seen[j] === i) continue
        seen[j] = i
        touched[m++] = j
      }
    }
    if (stats !== null) stats.checks += m
    for (let t = 0; t < m; t++) {
      const j = touched[t]
      const bits = sharedBits(features, i, j)
      if (bits < T || pairRule(h, i, j) >= 0) continue
      const s = rankingScore(table, bits, i, j)
      lists.offer(i, j, s)
      lists.offer(j, i, s)
    }
  }
  emit(lists, n, sink)
}

/**
 * Reference implementation of {@link joinBehaviour} over all n(n−1)/2 pairs (tests and benchmarks only).
 *
 * @example
 * joinBehaviourBruteForce(horizon, table, resolveBehaviourOptions({}), buffer)
 */
export function joinBehaviourBruteForce(
  h: Horizon,
  table: CaseTable,
  options: ResolvedBehaviourOptions,
  sink: PairSink,
): void {
  const n = table.size
  const features = behaviourFeatures(table, options)
  const lists = new NeighbourLists(n, options.neighbours, table.ids)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const bits = sharedBits(features, i, j)
      if (bits < options.minBits || pairRule(h, i, j) >= 0) continue
      const s = rankingScore(table, bits, i, j)
      lists.offer(i, j, s)
      lists.offer(j, i, s)
    }
  }
  emit(lists, n, sink)
}

/** Emits each chosen pair once: from its smaller row, or from the larger when only it chose the pair. */
function emit(lists: NeighbourLists, n: number, sink: PairSink): void {
  const { k, partner, size } = lists
  for (let i = 0; i < n; i++) {
    for (let p = i * k; p < i * k + size[i]; p++) {
      const j = partner[p]
      if (j > i || !lists.has(j, i)) sink.push(i, j, RULE_BEHAVIOUR)
    }
  }
}

/** Dense ids of 32-bit keys in order of first sight (open addressing, grows at half load). */
class HashIds {
  private keys = new Uint32Array(1024)
  private values = new Int32Array(1024).fill(-1)
  private count = 0

  idOf(key: number): number {
    let mask = this.keys.length - 1
    let slot = Math.imul(key, 0x85ebca6b) >>> 0
    for (;;) {
      slot &= mask
      const v = this.values[slot]
      if (v < 0) break
      if (this.keys[slot] === key) return v
      slot++
    }
    if ((this.count + 1) * 2 > this.keys.length) {
      this.grow()
      mask = this.keys.length - 1
      slot = Math.imul(key, 0x85ebca6b) >>> 0
      for (;;) {
        slot &= mask
        if (this.values[slot] < 0) break
        slot++
      }
    }
    this.keys[slot] = key
    this.values[slot] = this.count
    return this.count++
  }

  private grow(): void {
    const oldKeys = this.keys
    const oldValues = this.values
    this.keys = new Uint32Array(oldKeys.length * 2)
    this.values = new Int32Array(oldKeys.length * 2).fill(-1)
    const mask = this.keys.length - 1
    for (let s = 0; s < oldKeys.length; s++) {
      if (oldValues[s] < 0) continue
      let slot = Math.imul(oldKeys[s], 0x85ebca6b) >>> 0
      for (;;) {
        slot &= mask
        if (this.values[slot] < 0) break
        slot++
      }
      this.keys[slot] = oldKeys[s]
      this.values[slot] = oldValues[s]
    }
  }
}
