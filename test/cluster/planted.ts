import { type SimilarityGraph, similarityGraphFromEdges } from '../../src/graph/similarityGraph'
import { createRandom } from '../../src/util/random'

/** A planted-partition graph: dense heavy groups plus sparse light noise edges. */
export interface PlantedGraph {
  graph: SimilarityGraph
  truth: Int32Array
  a: Uint32Array
  b: Uint32Array
  weight: Float64Array
}

/**
 * Groups of the given sizes (consecutive node ranges); each within-group pair is an edge with probability
 * `pIn` and weight in [wInMin, 1); `noisePerNode` random noise edges per node with weight in [0, wNoiseMax).
 */
export function plantedGraph(
  sizes: number[],
  options: { seed: number; pIn?: number; wInMin?: number; noisePerNode?: number; wNoiseMax?: number },
): PlantedGraph {
  const random = createRandom(options.seed)
  const pIn = options.pIn ?? 0.8
  const wInMin = options.wInMin ?? 0.6
  const noisePerNode = options.noisePerNode ?? 0
  const wNoiseMax = options.wNoiseMax ?? 0.05
  const n = sizes.reduce((s, x) => s + x, 0)
  const truth = new Int32Array(n)
  const a: number[] = []
  const b: number[] = []
  const w: number[] = []
  let start = 0
  sizes.forEach((size, g) => {
    for (let i = start; i < start + size; i++) {
      truth[i] = g
      for (let j = i + 1; j < start + size; j++) {
        if (random() < pIn) {
          a.push(i)
          b.push(j)
          w.push(wInMin + (1 - wInMin) * random())
        }
      }
    }
    // keep every group connected: a path through it
    for (let i = start; i + 1 < start + size; i++) {
      a.push(i)
      b.push(i + 1)
      w.push(wInMin + (1 - wInMin) * random())
    }
    start += size
  })
  const noise = Math.round(noisePerNode * n)
  for (let e = 0; e < noise; e++) {
    a.push(Math.floor(random() * n))
    b.push(Math.floor(random() * n))
    w.push(wNoiseMax * random())
  }
  const A = Uint32Array.from(a)
  const B = Uint32Array.from(b)
  const W = Float64Array.from(w)
  return { graph: similarityGraphFromEdges(n, A, B, W), truth, a: A, b: B, weight: W }
}

/** Adjusted Rand index of two labelings (contingency counts, O(n) with a Map). */
export function adjustedRand(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length
  const pairs = new Map<string, number>()
  const ax = new Map<number, number>()
  const by = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const key = `${x[i]},${y[i]}`
    pairs.set(key, (pairs.get(key) ?? 0) + 1)
    ax.set(x[i], (ax.get(x[i]) ?? 0) + 1)
    by.set(y[i], (by.get(y[i]) ?? 0) + 1)
  }
  const c2 = (k: number) => (k * (k - 1)) / 2
  let index = 0
  for (const v of pairs.values()) index += c2(v)
  let sa = 0
  for (const v of ax.values()) sa += c2(v)
  let sb = 0
  for (const v of by.values()) sb += c2(v)
  const expected = (sa * sb) / c2(n)
  const max = (sa + sb) / 2
  if (max === expected) return 1
  return (index - expected) / (max - expected)
}
