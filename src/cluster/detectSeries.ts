import type { SimilarityGraph } from '../graph/similarityGraph'
import { connectedComponents } from './components'
import { leidenCpm } from './leiden'
import { louvainModularity } from './louvain'
import { canonicalizeMembership } from './partition'
import { cpmQuality } from './quality'

/** Community detection methods of {@link detectSeries}. */
export type SeriesMethod = 'leiden-cpm' | 'louvain' | 'components'

/** Options of {@link detectSeries}. */
export interface DetectSeriesOptions {
  /** Method. Default `leiden-cpm`. */
  method?: SeriesMethod
  /**
   * Resolution of the method's objective. For `leiden-cpm` (and the quality reported for `components`) the
   * CPM γ: a group is kept together when its pairs' mean link probability exceeds γ; default 0.1. For
   * `louvain` the modularity resolution; default 1.
   */
  resolution?: number
  /** Seed of every random choice. Default 0. */
  seed?: number
  /**
   * `leiden-cpm`: iterations of the whole algorithm; a negative number iterates until an iteration moves no
   * node. Default 2, as igraph: later iterations rarely change the CPM quality by more than 10⁻⁵ but each
   * costs as much as the second (at 10⁶ nodes, until-stable took 17 iterations).
   */
  maxIterations?: number
  /** `leiden-cpm`: randomness of the refinement merge (igraph's beta). Default 0.01. */
  beta?: number
  /**
   * `leiden-cpm`: stable per-node keys (e.g. `hashString(incident.id)`) fixing the visiting order, so that the
   * result does not depend on row order even for structurally identical nodes. Default: a hash of each node's
   * weighted neighbourhood.
   */
  nodeKeys?: ArrayLike<number>
  /** `components`: only edges with weight >= threshold connect. Default 0 (every edge). */
  threshold?: number
}

/** A partition of the graph's nodes into candidate series. */
export interface SeriesPartition {
  /** Community of each node, 0..count-1, numbered in order of each community's smallest node index. */
  membership: Int32Array
  /** Number of communities (a lone node is its own community). */
  count: number
  /**
   * Value of the objective: for `leiden-cpm` and `components`, {@link cpmQuality} at `resolution` (igraph's
   * normalization, comparable with igraph's Leiden); for `louvain`, modularity at `resolution`.
   */
  quality: number
  /** Which objective `quality` measures. */
  objective: 'cpm' | 'modularity'
  /** Method used. */
  method: SeriesMethod
  /** Resolution used. */
  resolution: number
  /** Optimization rounds: Leiden iterations, Louvain levels, 0 for components. */
  iterations: number
}

const DEFAULTS = {
  method: 'leiden-cpm' as SeriesMethod,
  cpmResolution: 0.1,
  modularityResolution: 1,
  seed: 0,
  maxIterations: 2,
  beta: 0.01,
  threshold: 0,
}

/**
 * Detects candidate series as communities of the similarity graph. The default, `leiden-cpm`, is the Leiden
 * algorithm with the Constant Potts Model (free of modularity's resolution limit, which merges small series
 * in large graphs); `louvain` runs graphology-communities-louvain (modularity; small graphs only);
 * `components` takes connected components above a threshold (the common baseline). Deterministic for a
 * seed; `leiden-cpm` does not depend on the order of the rows. Leiden runs in O(m) per level and iteration.
 * Traag, Waltman & van Eck, "From Louvain to Leiden", Sci. Rep. 2019.
 *
 * @example
 * const { membership, count, quality } = detectSeries(graph, { resolution: 0.2, seed: 7 })
 */
export function detectSeries(graph: SimilarityGraph, options: DetectSeriesOptions = {}): SeriesPartition {
  const method = options.method ?? DEFAULTS.method
  const seed = options.seed ?? DEFAULTS.seed
  if (!Number.isFinite(seed)) throw new RangeError(`caselink: seed must be a finite number, got ${seed}`)
  if (method === 'leiden-cpm') {
    const resolution = options.resolution ?? DEFAULTS.cpmResolution
    const maxIterations = options.maxIterations ?? DEFAULTS.maxIterations
    const beta = options.beta ?? DEFAULTS.beta
    checkResolution(resolution)
    if (!Number.isInteger(maxIterations)) {
      throw new RangeError(`caselink: maxIterations must be an integer, got ${maxIterations}`)
    }
    if (!(beta > 0) || !Number.isFinite(beta)) {
      throw new RangeError(`caselink: beta must be a finite number > 0, got ${beta}`)
    }
    const { membership, iterations } = leidenCpm(graph, {
      resolution,
      seed,
      maxIterations,
      beta,
      nodeKeys: options.nodeKeys,
    })
    const count = canonicalizeMembership(membership)
    const quality = cpmQuality(graph, membership, resolution)
    return { membership, count, quality, objective: 'cpm', method, resolution, iterations }
  }
  if (method === 'louvain') {
    const resolution = options.resolution ?? DEFAULTS.modularityResolution
    checkResolution(resolution)
    const { membership, modularity, levels } = louvainModularity(graph, resolution, seed)
    const count = canonicalizeMembership(membership)
    return {
      membership,
      count,
      quality: modularity,
      objective: 'modularity',
      method,
      resolution,
      iterations: levels,
    }
  }
  if (method === 'components') {
    const resolution = options.resolution ?? DEFAULTS.cpmResolution
    const threshold = options.threshold ?? DEFAULTS.threshold
    checkResolution(resolution)
    if (Number.isNaN(threshold)) throw new RangeError('caselink: threshold must be a number, got NaN')
    const membership = connectedComponents(graph, threshold)
    const count = canonicalizeMembership(membership)
    const quality = cpmQuality(graph, membership, resolution)
    return { membership, count, quality, objective: 'cpm', method, resolution, iterations: 0 }
  }
  throw new RangeError(
    `caselink: method must be 'leiden-cpm', 'louvain' or 'components', got ${String(method)}`,
  )
}

function checkResolution(resolution: number): void {
  if (!(resolution >= 0) || !Number.isFinite(resolution)) {
    throw new RangeError(`caselink: resolution must be a finite number >= 0, got ${resolution}`)
  }
}
