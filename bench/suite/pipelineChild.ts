import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { generateCandidates, generateCandidatesBruteForce } from '../../src/blocking/generateCandidates'
import { detectSeries } from '../../src/cluster/detectSeries'
import { evaluatePartition } from '../../src/evaluation/evaluatePartition'
import { evaluateScores } from '../../src/evaluation/evaluateScores'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { type SimilarityGraph, similarityGraphFromEdges } from '../../src/graph/similarityGraph'
import { LINK_DEFAULTS, type LinkResult, linkIncidents } from '../../src/link/linkIncidents'
import { defaultModel } from '../../src/model/defaultModel'
import { type LinkageModel, matchProbability } from '../../src/model/linkageModel'
import { trainModel } from '../../src/model/trainModel'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { createPairScorer } from '../../src/score/pairScorer'
import { scorePairs, weightFloor } from '../../src/score/scorePairs'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const TIME_ZONE = 'Asia/Shanghai'
/**
 * How the trained model links: as an analyst with solved cases would, with the linker's defaults (series
 * linked by the model's fitted series-to-series part; before series links, `profileMerge: true`).
 */
export const TRAINED_LINK_OPTIONS = {} as const

/** Accuracy against the generator's labels. */
export interface Accuracy {
  bcubedF1: number
  bcubedPrecision: number
  bcubedRecall: number
  pairwiseF1: number
  pairwisePrecision: number
  pairwiseRecall: number
  adjustedRand: number
  seriesRebuilt: number
  seriesRebuiltExact: number
}

/** One clustering method on the pipeline's graph. */
export interface CoreResult {
  method: string
  ms: number
  communities: number
  cpmQuality: number | null
  modularity: number
  accuracy: Accuracy
  note?: string
}

/** Everything measured at one size. */
export interface SizeResult {
  n: number
  preset: string
  generateMs: number
  pipeline: { totalMs: number; stages: Record<string, Record<string, number>> }
  counts: { candidates: number; edges: number; series: number; incidentsInSeries: number }
  accuracy: Accuracy
  /**
   * Accuracy with a model trained (trainModel) on another generated set of the same size
   * (seed + 1: last year's solved cases of the same province), linked with {@link TRAINED_LINK_OPTIONS}.
   */
  trained: {
    trainingIncidents: number
    trainingPairs: number
    trainMs: number
    linkMs: number
    options: typeof TRAINED_LINK_OPTIONS
    accuracy: Accuracy
  }
  /** Expected calibration error of each model's probabilities over the candidate pairs at p ≥ 0.5 (NaN above 100k). */
  calibration: { defaultModel: number; trained: number }
  /** Peak RSS of parsing and linking (maxRSS read when the default-model run ends). */
  peakRssBytes: number
  /** Peak RSS of the whole child: training, the trained run and the clustering core included. */
  processPeakRssBytes: number
  core: CoreResult[]
  runs?: number
  totalMsAllRuns?: number[]
}

function accuracyOf(
  assignments: Parameters<typeof evaluatePartition>[0],
  incidents: readonly Incident[],
): Accuracy {
  const m = evaluatePartition(assignments, incidents)
  return {
    bcubedF1: m.bcubed.f1,
    bcubedPrecision: m.bcubed.precision,
    bcubedRecall: m.bcubed.recall,
    pairwiseF1: m.pairwise.f1,
    pairwisePrecision: m.pairwise.precision,
    pairwiseRecall: m.pairwise.recall,
    adjustedRand: m.adjustedRand,
    seriesRebuilt: m.seriesRebuilt.matchedShare,
    seriesRebuiltExact: m.seriesRebuilt.exactShare,
  }
}

/** Newman's weighted modularity (resolution 1) of a partition of a CSR graph, O(n + m). */
export function modularity(graph: SimilarityGraph, membership: ArrayLike<number>): number {
  const { nodeCount, offsets, targets, weights } = graph
  let communities = 0
  for (let i = 0; i < nodeCount; i++) if (membership[i] + 1 > communities) communities = membership[i] + 1
  const strength = new Float64Array(communities)
  let twoW = 0
  let internal = 0
  for (let u = 0; u < nodeCount; u++) {
    for (let k = offsets[u]; k < offsets[u + 1]; k++) {
      const w = weights[k]
      twoW += w
      strength[membership[u]] += w
      if (membership[targets[k]] === membership[u]) internal += w
    }
  }
  if (twoW === 0) return 0
  let expected = 0
  for (let c = 0; c < communities; c++) expected += (strength[c] / twoW) ** 2
  return internal / twoW - expected
}

function hasIgraph(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import igraph'], { stdio: 'ignore' }).status === 0
}

function runIgraph(
  graph: SimilarityGraph,
  resolution: number,
  incidents: readonly Incident[],
): CoreResult | null {
  if (!hasIgraph()) return null
  mkdirSync('.tmp/bench', { recursive: true })
  const { nodeCount, offsets, targets, weights } = graph
  const m = graph.edgeCount
  const a = new Uint32Array(m)
  const b = new Uint32Array(m)
  const w = new Float64Array(m)
  let e = 0
  for (let u = 0; u < nodeCount; u++) {
    for (let k = offsets[u]; k < offsets[u + 1]; k++) {
      if (targets[k] > u) {
        a[e] = u
        b[e] = targets[k]
        w[e] = weights[k]
        e++
      }
    }
  }
  const edges = '.tmp/bench/edges.bin'
  const membershipPath = '.tmp/bench/igraph-membership.bin'
  writeFileSync(
    edges,
    Buffer.concat([
      Buffer.from(new Uint32Array([nodeCount, m]).buffer),
      Buffer.from(a.buffer),
      Buffer.from(b.buffer),
      Buffer.from(w.buffer),
    ]),
  )
  const run = spawnSync(
    '/usr/bin/python3',
    [
      'bench/igraph_leiden.py',
      edges,
      '--resolution',
      String(resolution),
      '--seed',
      '1',
      '--iterations',
      '-1',
      '--membership',
      membershipPath,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  )
  if (run.status !== 0) return null
  const out = JSON.parse(run.stdout)
  const file = readFileSync(membershipPath)
  const membership = new Int32Array(file.buffer, file.byteOffset, file.byteLength / 4)
  return {
    method: 'igraph leiden-cpm',
    ms: out.seconds * 1000,
    communities: out.clusters,
    cpmQuality: out.quality,
    modularity: modularity(graph, membership),
    accuracy: accuracyOf(membership, incidents),
    note: `python-igraph ${out.igraphVersion}, peak RSS ${(out.maxRssKb / 1024).toFixed(0)} MB`,
  }
}

/** Generates n incidents, parses and links them, evaluates, and runs the clustering core alone. */
export async function runPipelineChild(
  n: number,
  seed: number,
  preset: 'province' | 'city' | 'travelling',
  noCore: boolean,
): Promise<SizeResult> {
  let started = performance.now()
  let records: unknown[] | null = generateIncidents({ n, seed, preset }).incidents
  const generateMs = performance.now() - started

  started = performance.now()
  const parsed = parseIncidents(records, { timeZone: TIME_ZONE })
  const parseMs = performance.now() - started
  records = null
  const { incidents } = parsed
  let result: LinkResult | null = linkIncidents(incidents, { timeZone: TIME_ZONE })
  const stages: Record<string, Record<string, number>> = {
    parse: { ms: parseMs, rows: parsed.counts.rows, valid: parsed.counts.valid },
  }
  for (const [stage, stats] of Object.entries(result.stats.stages)) {
    if (stage !== 'parse') stages[stage] = { ...stats }
  }
  const totalMs = parseMs + result.stats.totalMs
  const peakRssBytes = process.resourceUsage().maxRSS * 1024
  const accuracy = accuracyOf(result.assignments, incidents)

  const core: CoreResult[] = []
  if (!noCore) {
    const { graph } = result
    const resolution = LINK_DEFAULTS.clustering.resolution
    const time = <T>(fn: () => T): [T, number] => {
      const t = performance.now()
      const value = fn()
      return [value, performance.now() - t]
    }
    const [leiden, leidenMs] = time(() => detectSeries(graph, { method: 'leiden-cpm', resolution, seed: 0 }))
    core.push({
      method: `leiden-cpm γ=${resolution}`,
      ms: leidenMs,
      communities: leiden.count,
      cpmQuality: leiden.quality,
      modularity: modularity(graph, leiden.membership),
      accuracy: accuracyOf(leiden.membership, incidents),
    })
    for (const threshold of [LINK_DEFAULTS.minProbability, 0.999]) {
      const [components, ms] = time(() =>
        detectSeries(graph, { method: 'components', threshold, resolution }),
      )
      core.push({
        method: `components p≥${threshold}`,
        ms,
        communities: components.count,
        cpmQuality: components.quality,
        modularity: modularity(graph, components.membership),
        accuracy: accuracyOf(components.membership, incidents),
      })
    }
    if (graph.edgeCount <= 3_000_000) {
      const [louvain, ms] = time(() => detectSeries(graph, { method: 'louvain', resolution: 1, seed: 0 }))
      core.push({
        method: 'louvain (graphology) γ=1',
        ms,
        communities: louvain.count,
        cpmQuality: null,
        modularity: louvain.quality,
        accuracy: accuracyOf(louvain.membership, incidents),
      })
    } else {
      core.push({
        method: 'louvain (graphology) γ=1',
        ms: Number.NaN,
        communities: 0,
        cpmQuality: null,
        modularity: Number.NaN,
        accuracy: accuracyOf({}, incidents),
        note: `skipped: ${graph.edgeCount} edges (graphology needs ~300 bytes an edge; limit here 3M)`,
      })
    }
    const igraph = runIgraph(graph, resolution, incidents)
    if (igraph !== null) core.push(igraph)
  }

  const counts = {
    candidates: result.stats.stages.candidates.pairs,
    edges: result.graph.edgeCount,
    series: result.series.length,
    incidentsInSeries: result.stats.stages.summaries.incidentsInSeries,
  }
  // Are the probabilities probabilities? Expected calibration error over the candidate pairs at p ≥ 0.5
  // (≤ 100k; below 0.5 almost every pair is unlinked and the error is small whatever the model).
  const calibrationSet =
    n > 100_000 ? null : { table: result.table, candidates: generateCandidates(result.table) }
  const ece = (model: LinkageModel) => {
    if (calibrationSet === null) return Number.NaN
    const scored = scorePairs(calibrationSet.table, calibrationSet.candidates, model, { minProbability: 0.5 })
    const metrics = evaluateScores(
      { a: scored.a, b: scored.b, score: scored.probability, count: scored.count },
      incidents,
    )
    return metrics.calibration?.expectedCalibrationError ?? Number.NaN
  }
  const defaultCalibration = ece(result.model)
  // the default run is done with: the trained run below starts from a heap without it, as a fresh
  // `caselink link --model` would
  result = null

  // A police force trains on last year's solved cases: here, another generated set of the same preset and
  // size, so of the same density in space and time (a model fitted at 100k and applied at 1M, 4× denser,
  // over-trusts closeness: precision 0.963 instead of 0.989, bench/README.md).
  const trainingN = n
  let t = performance.now()
  const trainedModel = trainModel(
    parseIncidents(generateIncidents({ n: trainingN, seed: seed + 1, preset }).incidents, {
      timeZone: TIME_ZONE,
    }).incidents,
    { timeZone: TIME_ZONE },
  )
  const trainMs = performance.now() - t
  t = performance.now()
  const trainedResult = linkIncidents(incidents, {
    timeZone: TIME_ZONE,
    model: trainedModel,
    ...TRAINED_LINK_OPTIONS,
  })
  const trained = {
    trainingIncidents: trainingN,
    trainingPairs: trainedModel.training?.pairs ?? Number.NaN,
    trainMs,
    options: TRAINED_LINK_OPTIONS,
    linkMs: performance.now() - t,
    accuracy: accuracyOf(trainedResult.assignments, incidents),
  }
  // the trained model as the run scored with it (its priors re-estimated on the data)
  const calibration = { defaultModel: defaultCalibration, trained: ece(trainedResult.model) }

  return {
    n,
    preset,
    generateMs,
    pipeline: { totalMs, stages },
    counts,
    accuracy,
    trained,
    calibration,
    peakRssBytes,
    processPeakRssBytes: process.resourceUsage().maxRSS * 1024,
    core,
  }
}

/**
 * Brute force against blocking at one size: exactness of the candidates (blocking equals the all-pairs
 * rule check), and linkage over all n(n−1)/2 scored pairs against linkage over the blocked candidates.
 */
export function pairwiseBaselines(n: number, seed: number, preset: 'province' | 'city' | 'travelling') {
  const { incidents } = parseIncidents(generateIncidents({ n, seed, preset }).incidents, {
    timeZone: TIME_ZONE,
  })
  const table = buildCaseTable(incidents, { timeZone: TIME_ZONE })
  const model = defaultModel()
  const scorer = createPairScorer(table, model)
  const minWeight = weightFloor({ minProbability: LINK_DEFAULTS.minProbability })
  const resolution = LINK_DEFAULTS.clustering.resolution

  let t = performance.now()
  const blocked = generateCandidates(table)
  const blockingMs = performance.now() - t
  t = performance.now()
  const brute = generateCandidatesBruteForce(table)
  const bruteCandidatesMs = performance.now() - t
  let identical = blocked.count === brute.count
  for (let k = 0; identical && k < blocked.count; k++)
    identical = blocked.a[k] === brute.a[k] && blocked.b[k] === brute.b[k]

  t = performance.now()
  const scored = scorePairs(table, blocked, model, { scorer, minProbability: LINK_DEFAULTS.minProbability })
  const blockedGraph = similarityGraphFromEdges(n, scored.a, scored.b, scored.probability)
  const blockedPartition = detectSeries(blockedGraph, { resolution, seed: 0 })
  const blockedLinkMs = blockingMs + performance.now() - t

  // All pairs: score every pair, keep those above the same floor, cluster the same way.
  t = performance.now()
  const keptA: number[] = []
  const keptB: number[] = []
  const keptP: number[] = []
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const w = scorer.matchWeight(i, j)
      if (w >= minWeight) {
        keptA.push(i)
        keptB.push(j)
        keptP.push(matchProbability(w))
      }
    }
  }
  const allGraph = similarityGraphFromEdges(
    n,
    Uint32Array.from(keptA),
    Uint32Array.from(keptB),
    Float64Array.from(keptP),
  )
  const allPartition = detectSeries(allGraph, { resolution, seed: 0 })
  const allPairsLinkMs = performance.now() - t

  return {
    n,
    pairs: (n * (n - 1)) / 2,
    candidates: blocked.count,
    candidatesIdenticalToBruteForce: identical,
    blockingMs,
    bruteForceCandidatesMs: bruteCandidatesMs,
    blockedLinkMs,
    allPairsLinkMs,
    speedUp: allPairsLinkMs / blockedLinkMs,
    keptLinks: { blocked: blockedGraph.edgeCount, allPairs: allGraph.edgeCount },
    accuracy: {
      blocked: accuracyOf(blockedPartition.membership, incidents),
      allPairs: accuracyOf(allPartition.membership, incidents),
    },
  }
}
