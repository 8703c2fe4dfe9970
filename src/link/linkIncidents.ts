import { type GenerateCandidatesOptions, generateCandidates } from '../blocking/generateCandidates'
import { type DetectSeriesOptions, detectSeries, type SeriesPartition } from '../cluster/detectSeries'
import { type SimilarityGraph, similarityGraphFromEdges } from '../graph/similarityGraph'
import { defaultModel } from '../model/defaultModel'
import { type EstimatePriorsOptions, estimatePriors, type PairClassEstimate } from '../model/estimatePriors'
import { withRareMoLimits } from '../model/learnBlocking'
import { type LinkageModel, parseLinkageModel, type SeriesLinkModel } from '../model/linkageModel'
import type { Incident, RecordIssue } from '../schema/incident'
import { type ParseIncidentsOptions, parseIncidents } from '../schema/parseIncidents'
import {
  createPairScorer,
  type PairScorer,
  type ScoringStatistics,
  scoringStatistics,
  withPriors,
} from '../score/pairScorer'
import { type CandidatePairs, type ScoredPairs, scorePairs } from '../score/scorePairs'
import { attachLoneIncidents } from '../series/attachLoneIncidents'
import { linkSeriesByModel } from '../series/linkSeriesByModel'
import { mergeSeriesByProfile, type ProfileMergeOptions } from '../series/mergeSeriesByProfile'
import { type Series, type SummarizeSeriesOptions, summarizeSeries } from '../series/summarizeSeries'
import { buildCaseTable } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { hashString } from '../util/random'
import { acceptParsed, incidentToRecord, isIncident } from './isIncident'

/** A kept link between two incidents of the same series. */
export interface ScoredLink {
  a: string
  b: string
  probability: number
  matchWeight: number
  /** The series both incidents belong to. */
  seriesId: string
}

/** Time and counts of one pipeline stage. */
export interface StageStats {
  ms: number
  [count: string]: number
}

/** Per-stage time and counts of a {@link linkIncidents} run. */
export interface LinkStats {
  stages: {
    parse: StageStats
    table: StageStats
    candidates: StageStats
    priors: StageStats
    scoring: StageStats
    graph: StageStats
    clustering: StageStats
    summaries: StageStats
  }
  totalMs: number
}

/** Options of {@link linkIncidents}. */
export interface LinkIncidentsOptions extends ParseIncidentsOptions {
  /** The linkage model (JSON or object). Default {@link defaultModel}(). */
  model?: LinkageModel
  /**
   * Candidate generation (blocking) options. When they set neither `maxDistanceMeters` nor `maxGapDays`
   * and the model carries a learned horizon (`model.blocking`, from `trainModel`), that horizon is used,
   * rescaled to the density of the data being linked (see {@link blockingFor}).
   */
  blocking?: GenerateCandidatesOptions
  /**
   * `'estimate'` (default): re-estimate the prior of each kind of pair on the data being linked
   * (`estimatePriors`: the share of linked pairs the data shows beyond chance, from how close in time its
   * candidate pairs are against a permutation of times), so that probabilities, the edge floor and CPM γ
   * mean the same at any size and density. `'model'`: use the model's priors as they are. Models without
   * `pairPriors` always use their own.
   */
  prior?: 'estimate' | 'model'
  /** Options of the prior's estimation. */
  priorEstimation?: EstimatePriorsOptions
  /** Links below this probability are not kept as edges of the graph. Default 0.9. */
  minProbability?: number
  /** Clustering: method, resolution (CPM γ), seed. Default Leiden-CPM, γ 0.005, seed 0. */
  clustering?: DetectSeriesOptions
  /**
   * After clustering, merge detected series whose offender profiles agree (see `mergeSeriesByProfile`):
   * `true` or options. Default off: it raises B³ F1 with a fitted model (1M generated incidents 0.900 →
   * 0.903, about 3 s) but lowers it on the untrained model's coarser partition (0.725 → 0.719; README).
   */
  profileMerge?: ProfileMergeOptions | boolean
  /**
   * After clustering, link detected series by the model's series-to-series part (`model.seriesLinks`, see
   * `linkSeriesByModel`): `true` (default) when the model has one, `false` not to, or a series-to-series
   * model to use instead of the model's. Not applied when `profileMerge` is set.
   */
  seriesLinks?: boolean | SeriesLinkModel
  /**
   * After clustering, join each lone incident (in no series) to the series its links below the edge floor
   * point to, when they sum to as much evidence as one link at the floor (`attachLoneIncidents`; links at
   * p ≥ {@link LINK_DEFAULTS}.attachFloor are considered). Default true; listed in `attachments`.
   */
  attachLone?: boolean
  /** Series summaries. */
  summaries?: SummarizeSeriesOptions
  /** Called when a stage starts and ends, for progress display. */
  onStage?: (stage: keyof LinkStats['stages'], phase: 'start' | 'end') => void
}

/** Two detected series merged into one because their profiles agree (see `mergeSeriesByProfile`). */
export interface ProfileLink {
  /** The nearest members of the two merged series. */
  a: string
  b: string
  /** Rarity-weighted Jaccard of the two series' profile MO values. */
  similarity: number
  distanceMeters: number
  gapDays: number
  /** MO values both profiles hold, rarest first. */
  sharedMo: string[]
  /** The series both now belong to. */
  seriesId: string
  /** Learned series links (`seriesLinks`): the model's probability that the two series are one offender's. */
  probability?: number
  /** Learned series links: what weighed most, bits for (+) or against (−), e.g. `shared habits (+3.2)`. */
  reasons?: string[]
}

/** A lone incident joined to a series by its links below the edge floor (see `attachLone`). */
export interface LoneLink {
  /** The incident joined. */
  id: string
  /** The series it joined. */
  seriesId: string
  /** Its links to members of that series, strongest first. */
  links: { id: string; probability: number }[]
  /** Their log-odds summed, bits (at least the edge floor's). */
  evidenceBits: number
}

/** What {@link linkIncidents} returns. */
export interface LinkResult {
  /** Candidate series, highest priority first. */
  series: Series[]
  /** Series id of every valid incident, null when it is in no series (null-prototype object). */
  assignments: Record<string, string | null>
  /** Links inside series, strongest first within each series. */
  links: ScoredLink[]
  /** Detected series merged by their profiles, with the reason (empty unless `profileMerge`). */
  profileLinks: ProfileLink[]
  /** The similarity graph (kept links as weighted edges). */
  graph: SimilarityGraph
  /** Validation issues of the input rows. */
  issues: RecordIssue[]
  stats: LinkStats
  /** The valid incidents, row order of `table`. */
  incidents: Incident[]
  table: CaseTable
  model: LinkageModel
  /** All scored candidate pairs above `minProbability` (columnar). */
  pairs: ScoredPairs
  /** Lone incidents joined to a series by their links below the edge floor (`attachLone`). */
  attachments: LoneLink[]
  /** The clustering's communities, lone incidents joined (`attachLone`), before series links. */
  partition: SeriesPartition
  /** Series index of each row, -1 when in no series. */
  seriesOfRow: Int32Array
  /** The scorer compiled for `table` and `model`, for explanations. */
  scorer: PairScorer
  /** The priors estimated on the data, one per kind of pair (empty when `prior: 'model'` or the model has none). */
  priors: PairClassEstimate[]
}

/** Defaults of {@link linkIncidents}: the edge floor and the clustering. */
export const LINK_DEFAULTS = {
  // Measured on generated province data (bench/run.ts, .tmp sweeps in the issue 7 note): with calibrated
  // probabilities (a model fitted on candidates) an edge floor of 0.9 and a CPM resolution near 0 (chains
  // of likely links stay whole; γ only stops giant chains) gave the best B³ F1 at 100k and 1M.
  minProbability: 0.9,
  // Links from 0.5 up to the edge floor can join a lone incident to a series (attachLone): measured at 100k
  // generated incidents, B³ F1 province 0.9212 → 0.9240, city 0.8977 → 0.9036, travelling 0.9156 → 0.9191.
  attachFloor: 0.5,
  clustering: { method: 'leiden-cpm', resolution: 0.005, seed: 0 } satisfies DetectSeriesOptions,
}

/**
 * The whole pipeline: validate rows (raw records or already parsed incidents) → CaseTable →
 * candidate pairs (blocking, never all n² pairs) → match weights (Fellegi–Sunter model) → similarity
 * graph → Leiden-CPM communities → ranked, explained series. Deterministic for a seed. Stats give
 * each stage's time and counts.
 *
 * @example
 * const { series, assignments, stats } = linkIncidents(rows, { timeZone: 'Asia/Shanghai' })
 * console.log(series[0].members, series[0].strongestLinks[0].reasons, stats.totalMs)
 */
export function linkIncidents(rows: readonly unknown[], options: LinkIncidentsOptions = {}): LinkResult {
  const started = performance.now()
  const minProbability = options.minProbability ?? LINK_DEFAULTS.minProbability
  const inputModel = options.model === undefined ? defaultModel() : parseLinkageModel(options.model)
  const clusteringOptions = { ...LINK_DEFAULTS.clustering, ...options.clustering }
  const onStage = options.onStage ?? (() => {})
  let mark = performance.now()
  const lap = (): number => {
    const now = performance.now()
    const ms = now - mark
    mark = now
    return ms
  }

  onStage('parse', 'start')
  // Parsed incidents are trusted (validated once, at the edge); anything else is validated here.
  const parsed = rows.every(isIncident)
    ? acceptParsed(rows as readonly Incident[])
    : parseIncidents(
        rows.map((row) => (isIncident(row) ? incidentToRecord(row) : row)),
        options,
      )
  const { incidents, issues } = parsed
  onStage('parse', 'end')
  const parseStats = {
    ms: lap(),
    rows: rows.length,
    valid: incidents.length,
    rejected: rows.length - incidents.length,
  }

  onStage('table', 'start')
  const table = buildCaseTable(incidents, { timeZone: options.timeZone })
  onStage('table', 'end')
  const tableStats = {
    ms: lap(),
    rows: table.size,
    moValues: table.moValues.length,
    evidenceValues: table.evidenceValues.length,
  }

  onStage('candidates', 'start')
  const statistics = scoringStatistics(table, inputModel)
  const blocking = blockingFor(inputModel, statistics, options.blocking)
  const candidates = generateCandidates(table, blocking)
  onStage('candidates', 'end')
  const candidateStats: StageStats = { ms: lap(), pairs: candidates.count }
  if (blocking?.maxDistanceMeters !== undefined) candidateStats.maxDistanceMeters = blocking.maxDistanceMeters
  if (blocking?.maxGapDays !== undefined) candidateStats.maxGapDays = blocking.maxGapDays

  onStage('priors', 'start')
  const { model, scorer, priors } = scorerWithPriors(table, candidates, inputModel, {
    statistics,
    ...(options.prior === undefined ? {} : { prior: options.prior }),
    ...(options.priorEstimation === undefined ? {} : { priorEstimation: options.priorEstimation }),
  })
  onStage('priors', 'end')
  const priorStats: StageStats = { ms: lap() }
  for (const estimate of priors) {
    priorStats[`${estimate.kind}Pairs`] = estimate.pairs
    priorStats[`${estimate.kind}LinkedShare`] = estimate.linkedShareUsed
    priorStats[`${estimate.kind}OffsetBits`] = estimate.estimatedOffsetBits
  }

  onStage('scoring', 'start')
  const attachFloor = options.attachLone === false ? minProbability : LINK_DEFAULTS.attachFloor
  const scored = scorePairs(table, candidates, model, {
    scorer,
    minProbability: Math.min(minProbability, attachFloor),
  })
  const { above: pairs, below } = splitAt(scored, minProbability)
  onStage('scoring', 'end')
  const scoringMs = lap()
  const scoringStats = {
    ms: scoringMs,
    pairs: candidates.count,
    kept: pairs.count,
    pairsPerSecond: scoringMs > 0 ? Math.round((candidates.count / scoringMs) * 1000) : 0,
  }

  onStage('graph', 'start')
  const graph = similarityGraphFromEdges(
    table.size,
    pairs.a.subarray(0, pairs.count),
    pairs.b.subarray(0, pairs.count),
    pairs.probability,
  )
  onStage('graph', 'end')
  const graphStats = { ms: lap(), nodes: graph.nodeCount, edges: graph.edgeCount }

  onStage('clustering', 'start')
  // Keys from the ids make the visiting order, and so the series, independent of row order even
  // where probabilities tie (they come in discrete levels).
  const nodeKeys = clusteringOptions.nodeKeys ?? Uint32Array.from(table.ids, hashString)
  const clustered = detectSeries(graph, { ...clusteringOptions, nodeKeys })
  const attached =
    options.attachLone !== false && below.count > 0
      ? attachLoneIncidents(
          clustered.membership,
          below.a,
          below.b,
          below.probability,
          below.count,
          Math.log2(minProbability / (1 - minProbability)),
        )
      : null
  const partition =
    attached === null ? clustered : { ...clustered, membership: attached.membership, count: attached.count }
  const profileMerge = options.profileMerge ?? false
  const seriesLinks =
    options.seriesLinks === false
      ? undefined
      : options.seriesLinks === undefined || options.seriesLinks === true
        ? model.seriesLinks
        : options.seriesLinks
  const merged =
    profileMerge !== false
      ? mergeSeriesByProfile(table, partition.membership, profileMerge === true ? {} : profileMerge)
      : seriesLinks !== undefined
        ? linkSeriesByModel(table, partition.membership, seriesLinks)
        : null
  const membership = merged === null ? partition.membership : merged.membership
  onStage('clustering', 'end')
  const clusteringStats = {
    ms: lap(),
    communities: partition.count,
    quality: partition.quality,
    iterations: partition.iterations,
    profileMerges: merged === null ? 0 : merged.merges.length,
    attached: attached === null ? 0 : attached.attachments.length,
  }

  onStage('summaries', 'start')
  const { series, seriesOfRow } = summarizeSeries(table, graph, membership, scorer, options.summaries)
  const profileLinks: ProfileLink[] = (merged?.merges ?? []).map((merge) => ({
    a: table.ids[merge.rowA],
    b: table.ids[merge.rowB],
    similarity: merge.similarity,
    distanceMeters: merge.distanceMeters,
    gapDays: merge.gapDays,
    sharedMo: merge.sharedMo.map((v) => table.moValues[v]),
    seriesId: seriesOfRow[merge.rowA] >= 0 ? series[seriesOfRow[merge.rowA]].id : '',
    ...(merge.probability === undefined ? {} : { probability: merge.probability }),
    ...(merge.reasons === undefined ? {} : { reasons: merge.reasons }),
  }))
  const attachments: LoneLink[] = (attached?.attachments ?? []).map((attachment) => {
    const order = attachment.rows
      .map((_, k) => k)
      .sort(
        (x, y) =>
          attachment.probabilities[y] - attachment.probabilities[x] ||
          (table.ids[attachment.rows[x]] < table.ids[attachment.rows[y]] ? -1 : 1),
      )
    return {
      id: table.ids[attachment.row],
      seriesId: seriesOfRow[attachment.row] >= 0 ? series[seriesOfRow[attachment.row]].id : '',
      links: order.map((k) => ({
        id: table.ids[attachment.rows[k]],
        probability: attachment.probabilities[k],
      })),
      evidenceBits: attachment.evidenceBits,
    }
  })
  const assignments: Record<string, string | null> = Object.create(null)
  let inSeries = 0
  for (let i = 0; i < table.size; i++) {
    const s = seriesOfRow[i]
    assignments[table.ids[i]] = s >= 0 ? series[s].id : null
    if (s >= 0) inSeries++
  }
  // Internal links as typed columns, ordered by series rank, then strongest first, then row.
  let linkCount = 0
  for (let i = 0; i < table.size; i++) {
    const s = seriesOfRow[i]
    if (s < 0) continue
    for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) {
      const j = graph.targets[e]
      if (j > i && seriesOfRow[j] === s) linkCount++
    }
  }
  const linkSeries = new Int32Array(linkCount)
  const linkRowA = new Uint32Array(linkCount)
  const linkRowB = new Uint32Array(linkCount)
  const linkPair = new Uint32Array(linkCount)
  let at = 0
  for (let i = 0; i < table.size; i++) {
    const s = seriesOfRow[i]
    if (s < 0) continue
    for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) {
      const j = graph.targets[e]
      if (j <= i || seriesOfRow[j] !== s) continue
      linkSeries[at] = s
      linkRowA[at] = i
      linkRowB[at] = j
      linkPair[at] = graph.pairIndex[e]
      at++
    }
  }
  const order = new Uint32Array(linkCount)
  for (let k = 0; k < linkCount; k++) order[k] = k
  order.sort(
    (p, q) =>
      linkSeries[p] - linkSeries[q] ||
      pairs.matchWeight[linkPair[q]] - pairs.matchWeight[linkPair[p]] ||
      linkRowA[p] - linkRowA[q] ||
      linkRowB[p] - linkRowB[q],
  )
  const links: ScoredLink[] = new Array(linkCount)
  for (let r = 0; r < linkCount; r++) {
    const k = order[r]
    links[r] = {
      a: table.ids[linkRowA[k]],
      b: table.ids[linkRowB[k]],
      probability: pairs.probability[linkPair[k]],
      matchWeight: pairs.matchWeight[linkPair[k]],
      seriesId: series[linkSeries[k]].id,
    }
  }
  onStage('summaries', 'end')
  const summaryStats = { ms: lap(), series: series.length, incidentsInSeries: inSeries, links: links.length }

  return {
    series,
    assignments,
    links,
    profileLinks,
    attachments,
    graph,
    issues,
    stats: {
      stages: {
        parse: parseStats,
        table: tableStats,
        candidates: candidateStats,
        priors: priorStats,
        scoring: scoringStats,
        graph: graphStats,
        clustering: clusteringStats,
        summaries: summaryStats,
      },
      totalMs: performance.now() - started,
    },
    incidents,
    table,
    model,
    pairs,
    partition,
    seriesOfRow,
    scorer,
    priors,
  }
}

/**
 * The scorer `linkIncidents` scores candidate pairs with: the model on the table's statistics, its prior
 * for each kind of pair re-estimated on `candidates` (`estimatePriors`) unless `prior: 'model'` or the
 * model has no `pairPriors`. Returns the model scored with (the estimated one), the scorer and the
 * estimates (empty when not estimated).
 *
 * @example
 * const statistics = scoringStatistics(table, model)
 * const candidates = generateCandidates(table, blockingFor(model, statistics, undefined))
 * const { scorer } = scorerWithPriors(table, candidates, model, { statistics })
 * scorer.matchWeight(0, 1)
 */
export function scorerWithPriors(
  table: CaseTable,
  candidates: CandidatePairs,
  model: LinkageModel,
  options: {
    prior?: 'estimate' | 'model'
    priorEstimation?: EstimatePriorsOptions
    statistics?: ScoringStatistics
  } = {},
): { model: LinkageModel; scorer: PairScorer; priors: PairClassEstimate[] } {
  const statistics = options.statistics ?? scoringStatistics(table, model)
  const scorer = createPairScorer(table, model, { statistics })
  if ((options.prior ?? 'estimate') === 'model' || model.pairPriors === undefined) {
    return { model, scorer, priors: [] }
  }
  const estimated = estimatePriors(table, candidates, scorer, options.priorEstimation)
  return {
    model: estimated.model,
    scorer: withPriors(scorer, estimated.model),
    priors: estimated.estimates,
  }
}

/** Bounds of the rescaling of a model's learned horizon: at most halved, at most doubled. */
const HORIZON_SCALE_BOUNDS = [0.5, 2] as const

/**
 * The blocking options `linkIncidents` uses: `blocking` as given when it sets a horizon or the model has
 * none learned; else the model's learned horizon (`model.blocking`), rescaled to the data's density, and
 * the model's learned rare-MO limits unless `blocking.rareMo` sets them (or is false). Space-
 * time pairs grow with the density times distance² times gap, so distance and gap are both scaled by
 * (reference / expected)^(1/3), where expected is the data's geometric-mean background (same-category
 * incidents expected by chance around an incident, `backgroundRates`) and reference the training data's
 * (`model.background.referenceExpected`); the scale is kept within [0.5, 2].
 *
 * @example
 * const table = buildCaseTable(incidents)
 * const blocking = blockingFor(model, scoringStatistics(table, model), undefined)
 * generateCandidates(table, blocking)
 */
export function blockingFor(
  model: LinkageModel,
  statistics: ScoringStatistics,
  blocking: GenerateCandidatesOptions | undefined,
): GenerateCandidatesOptions | undefined {
  const learned = model.blocking
  if (learned === undefined) return blocking
  let out = blocking
  if (blocking?.maxDistanceMeters === undefined && blocking?.maxGapDays === undefined) {
    const reference = model.background?.referenceExpected
    const expected = statistics.background?.geometricMean
    const raw =
      reference !== undefined && expected !== undefined && expected > 0
        ? (reference / expected) ** (1 / 3)
        : 1
    const scale = Math.min(HORIZON_SCALE_BOUNDS[1], Math.max(HORIZON_SCALE_BOUNDS[0], raw))
    out = {
      ...out,
      maxDistanceMeters: learned.maxDistanceMeters * scale,
      maxGapDays: learned.maxGapDays * scale,
    }
  }
  const rare = blocking?.rareMo
  // not rescaled: the rule's pairs are bounded by how rare the values are, not by the density
  if (rare === false || rare?.maxDistanceMeters !== undefined || rare?.maxGapDays !== undefined) return out
  return withRareMoLimits(out, learned.rareMo)
}

/** The scored pairs at or above `minProbability`, and the others. */
function splitAt(scored: ScoredPairs, minProbability: number): { above: ScoredPairs; below: ScoredPairs } {
  let aboveCount = 0
  for (let k = 0; k < scored.count; k++) if (scored.probability[k] >= minProbability) aboveCount++
  const take = (count: number) => ({
    count,
    a: new Uint32Array(count),
    b: new Uint32Array(count),
    matchWeight: new Float64Array(count),
    probability: new Float64Array(count),
  })
  const above = take(aboveCount)
  const below = take(scored.count - aboveCount)
  let x = 0
  let y = 0
  for (let k = 0; k < scored.count; k++) {
    const into = scored.probability[k] >= minProbability ? above : below
    const at = into === above ? x++ : y++
    into.a[at] = scored.a[k]
    into.b[at] = scored.b[k]
    into.matchWeight[at] = scored.matchWeight[k]
    into.probability[at] = scored.probability[k]
  }
  return { above, below }
}
