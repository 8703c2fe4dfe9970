import { expectedAbsoluteDifference, expectedCircularDistance } from '../compare/expectedDistance'
import {
  type ComparisonKind,
  DEFAULT_EVIDENCE_CLASSES,
  EVIDENCE_CLASSES,
  type LinkageModel,
  levelMatchWeights,
  PAIR_CLASSES,
  priorMatchWeight,
} from '../model/linkageModel'
import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { clumpedMoFrequency } from '../table/clumpedFrequency'
import { type BackgroundRates, backgroundRates } from './backgroundRates'
import { type CompiledKernel, compileKernel } from './compileKernel'
import { type TermFrequencies, termFrequencies, termFrequenciesFor } from './termFrequencies'

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
const WEEK_MS = 7 * DAY_MS
const DEG = Math.PI / 180
/** Bytes of a row's packed block in the scorer (three cache lines). */
const BLOCK_BYTES = 192
/** MO vocabularies up to this size are bitmaps inside each block (8 words). */
const MO_BITMAP_VALUES = 256

const KIND_CODE: Record<ComparisonKind, number> = {
  distance: 0,
  timeGap: 1,
  timeOfDay: 2,
  dayOfWeek: 3,
  mo: 4,
  moGroup: 5,
  evidence: 6,
  category: 7,
  narrative: 8,
}

/** Options of {@link createPairScorer}. */
export interface PairScorerOptions {
  /**
   * Table whose value frequencies define MO rarity and evidence term frequencies (by value string),
   * instead of the scored table's own. Use it to score a few incidents against a large case base.
   */
  reference?: CaseTable
  /**
   * Ignore frequencies: every MO value weighs the same (plain Jaccard) and evidence has no
   * term-frequency adjustment. Default false; {@link scorePair} sets it when given no reference.
   */
  uniformRarity?: boolean
  /**
   * Generate a specialised kernel for the model (straight-line code, see `compileKernel`) for
   * `matchWeight` and `levels`; `explain` always interprets. Default true; false (or an environment
   * forbidding `new Function`) interprets everywhere, with identical results.
   */
  compile?: boolean
  /**
   * Term frequencies and background rates already measured on the frequency table (`reference`, else the
   * scored table), so several scorers of one table measure them once (see {@link scoringStatistics}).
   */
  statistics?: ScoringStatistics
  /**
   * The adjustments of another scorer of the same table and model (e.g. the calling thread's, in a
   * scoring worker): used as they are instead of being measured.
   */
  adjustments?: ScorerAdjustments
}

/** Default background of a model's `background` comparison when it gives no `maxWeight`: ±8 bits. */
export const BACKGROUND_MAX_WEIGHT = 8

/**
 * Scores row pairs of one {@link CaseTable} with one {@link LinkageModel}: the hot path of linkage.
 * Every method is allocation-free per call.
 */
export interface PairScorer {
  readonly table: CaseTable
  readonly model: LinkageModel
  /** Number of comparisons (length of the `out` arrays). */
  readonly comparisonCount: number
  /** Match weight of the prior, log2(λ / (1 − λ)). */
  readonly priorMatchWeight: number
  /** Total match weight of rows i and j: prior plus one level weight per comparison, in model order. */
  matchWeight(i: number, j: number): number
  /**
   * Scores pairs `start .. end` of `a`, `b` and appends those with weight >= `minWeight` to the
   * outputs from `outOffset`; returns how many were written (see `scoreRange` in scorePairs).
   */
  scoreRange(
    a: Uint32Array,
    b: Uint32Array,
    start: number,
    end: number,
    minWeight: number,
    outA: Uint32Array,
    outB: Uint32Array,
    outWeight: Float64Array,
    outOffset: number,
  ): number
  /** Writes the level of each comparison into `out`. */
  levels(i: number, j: number, out: Int8Array): void
  /**
   * The value-specific and place-specific parts of the scores (empty arrays when the model has none): see
   * {@link ScorerAdjustments}.
   */
  readonly adjustments: ScorerAdjustments
  /**
   * The background term of rows i and j in bits (included in `matchWeight`): log2(reference / E) within the
   * model's background neighbourhood, clamped; 0 outside it or when the model has no background.
   */
  background(i: number, j: number): number
  /**
   * The kind of pair rows i and j are (index into `PAIR_CLASSES`: 0 near, 1 sharing evidence, 2 far), whose
   * prior offset `classOffsets` holds.
   */
  pairClass(i: number, j: number): number
  /** Bits added to the prior per kind of pair (the model's `pairPriors`; zeros without). */
  readonly classOffsets: Float64Array
  /**
   * Writes levels, their weights and the raw compared values (metres, hours, days, similarity;
   * NaN when missing or not numeric), and returns the total match weight (the same number as
   * {@link PairScorer.matchWeight}, summed in the same order).
   */
  explain(
    i: number,
    j: number,
    levelsOut: Int8Array,
    weightsOut: Float64Array,
    valuesOut?: Float64Array,
  ): number
}

/**
 * Compiles a model against a table into a pair scorer over typed arrays. Precomputation is O(rows +
 * vocabulary); each pair then costs O(comparisons + list lengths) with no allocation: distance by
 * haversine (lat/lon rows) or Euclid (planar rows), time gap and circular time of day / day of week
 * by the exact expected distances of `compare/expectedDistance`, MO by rarity-weighted Jaccard
 * (value weight log2((rows + 1) / frequency)), evidence by the strongest shared identifier with a
 * term-frequency adjustment (weight log2 m − log2 max(u, frequency / rows), so a value shared by many
 * incidents weighs little), category by id and parent, narrative by Dice over the row's character
 * bigrams hashed into 512 bits (2|A∧B| / (|A| + |B|) in bits: equal to the bigram Dice up to hash
 * collisions, which add about |A||B|/512 common bits; O(1) per pair, 16 words).
 *
 * @example
 * const scorer = createPairScorer(buildCaseTable(incidents), defaultModel())
 * const w = scorer.matchWeight(0, 1)
 * const levels = new Int8Array(scorer.comparisonCount)
 * scorer.levels(0, 1, levels)
 */
export function createPairScorer(
  table: CaseTable,
  model: LinkageModel,
  options: PairScorerOptions = {},
): PairScorer {
  const uniformRarity = options.uniformRarity ?? false
  const reference = options.reference
  const n = table.size
  const m = compileModel(model, table.moGroupValues)
  const rowBuffer = new ArrayBuffer(n * BLOCK_BYTES)
  const rowF = new Float64Array(rowBuffer)
  const rowI = new Int32Array(rowBuffer)
  const clumped = model.rarity === 'clumped'
  const frequencyOf = reference === undefined ? null : referenceFrequencies(reference, clumped)
  const frequencySize = reference === undefined ? n : reference.size
  const moValueWeight = new Float64Array(table.moValues.length)
  const moValueBit = new Int32Array(table.moValues.length)
  // carriers counted in clumps: a prolific offender's repetitions do not make his habits common
  const ownFrequency = clumped ? clumpedMoFrequency(table) : table.moFrequency
  for (let id = 0; id < moValueWeight.length; id++) {
    const frequency =
      frequencyOf === null
        ? ownFrequency[id]
        : Math.max(frequencyOf.mo.get(table.moValues[id]) ?? 0, ownFrequency[id])
    moValueWeight[id] = uniformRarity ? 1 : moRarityWeight(frequencySize, frequency)
    const g = table.moGroup[id]
    if (g >= 0) moValueBit[id] = groupBitOf(m.moGroupIndex, table.moGroupValues[g])
  }
  const { moStart, evidenceStart, evidenceIds, evidenceKind, narrativeStart, narrativeBigrams } = table
  const moIds = new Int32Array(table.moIds)
  // a vocabulary of at most 256 MO values is kept as a bitmap in each block (intersection = 8 ANDs)
  const moBitmap = table.moValues.length <= MO_BITMAP_VALUES
  for (let i = 0; i < n; i++) {
    packRow(
      rowF,
      rowI,
      i,
      table,
      i,
      moIds,
      moStart[i],
      moStart[i + 1],
      moStart[i],
      evidenceIds,
      evidenceStart[i],
      evidenceStart[i + 1],
      evidenceStart[i],
      evidenceKind,
      moValueBit,
      moBitmap,
      m.needNarrative ? narrativeBigrams : null,
      narrativeStart[i],
      narrativeStart[i + 1],
    )
    let moSum = 0
    for (let k = moStart[i]; k < moStart[i + 1]; k++) moSum += moValueWeight[moIds[k]]
    rowF[i * 24 + 5] = moSum
  }

  // evidence: class level and (term-frequency adjusted) weight per value
  const evidenceValueLevel = new Int8Array(table.evidenceValues.length)
  const evidenceValueWeight = new Float64Array(table.evidenceValues.length)
  if (m.evidence !== null) {
    const adjust = m.evidence.adjust && !uniformRarity
    for (let id = 0; id < evidenceValueLevel.length; id++) {
      const kindId = evidenceKind[id]
      const level = evidenceLevelOf(m.evidence, kindId < 0 ? '' : table.evidenceKindValues[kindId])
      evidenceValueLevel[id] = level
      const frequency = !adjust
        ? 0
        : frequencyOf === null
          ? table.evidenceFrequency[id]
          : Math.max(frequencyOf.evidence.get(table.evidenceValues[id]) ?? 0, table.evidenceFrequency[id])
      evidenceValueWeight[id] = evidenceWeightOf(m.evidence, level, adjust, frequency, frequencySize)
    }
  }

  const adjustments =
    options.adjustments ??
    scorerAdjustments(table, m, { reference, uniformRarity, clumped, statistics: options.statistics })
  const arrays: ScorerArrays = {
    rowF,
    rowI,
    moIds,
    moValueWeight,
    moValueBit,
    evidenceIds,
    evidenceKind,
    evidenceValueWeight,
    evidenceValueLevel,
    moTf: adjustments.moTermFrequency,
    categoryTf: adjustments.categoryTermFrequency,
    tfLayout: adjustments.tfLayout,
    background: adjustments.backgroundBits,
  }
  const moBitmapWords = Math.ceil(table.moValues.length / 32)
  const scorer = scorerOver(
    table,
    model,
    m,
    arrays,
    adjustments,
    moBitmap,
    moBitmapWords,
    options.compile ?? true,
  )
  packedScorers.set(scorer, {
    arrays,
    adjustments,
    moBitmap,
    moBitmapWords,
    compile: options.compile ?? true,
  })
  return scorer
}

/** What a scorer packed, kept so that {@link withPriors} can reuse it. */
const packedScorers = new WeakMap<
  PairScorer,
  {
    arrays: ScorerArrays
    adjustments: ScorerAdjustments
    moBitmap: boolean
    moBitmapWords: number
    compile: boolean
  }
>()

/**
 * A scorer of the same table for a model that differs from the scorer's only in its priors
 * (`priorProbability`, `pairPriors`: what `estimatePriors` changes): the packed rows, frequencies and
 * adjustments are reused and only the kernels are generated again. Throws when the comparisons or the
 * background are other objects than the scorer model's (build a new scorer for another model).
 *
 * @example
 * const calibrated = withPriors(scorer, estimatePriors(table, candidates, scorer).model)
 */
export function withPriors(scorer: PairScorer, model: LinkageModel): PairScorer {
  const packed = packedScorers.get(scorer)
  const same = model.comparisons === scorer.model.comparisons && model.background === scorer.model.background
  if (packed === undefined || !same) {
    throw new Error('caselink: withPriors needs a model that differs from the scorer’s only in its priors')
  }
  const m = compileModel(model, scorer.table.moGroupValues)
  const next = scorerOver(
    scorer.table,
    model,
    m,
    packed.arrays,
    packed.adjustments,
    packed.moBitmap,
    packed.moBitmapWords,
    packed.compile,
  )
  packedScorers.set(next, packed)
  return next
}

function scorerOver(
  table: CaseTable,
  model: LinkageModel,
  m: CompiledModel,
  arrays: ScorerArrays,
  adjustments: ScorerAdjustments,
  moBitmap: boolean,
  moBitmapWords: number,
  compile: boolean,
): PairScorer {
  const evaluate = createEvaluate(m, arrays, moBitmap, moBitmapWords)
  const compiled = compile ? compileFor(m, arrays, moBitmap, moBitmapWords) : null
  if (compiled !== null) {
    const { matchWeight, levels, scoreRange } = compiled
    return {
      table,
      model,
      comparisonCount: m.C,
      priorMatchWeight: m.prior,
      adjustments,
      background: (i, j) => backgroundTerm(m, arrays, i, j),
      pairClass: (i, j) => pairClassOf(m, arrays, i, j),
      classOffsets: m.classOffsets,
      matchWeight,
      scoreRange,
      levels: (i, j, out) => {
        levels(i, j, out)
      },
      explain: (i, j, levelsOut, weightsOut, valuesOut) =>
        evaluate(i, j, levelsOut, weightsOut, valuesOut ?? null),
    }
  }
  return {
    table,
    model,
    comparisonCount: m.C,
    priorMatchWeight: m.prior,
    adjustments,
    background: (i, j) => backgroundTerm(m, arrays, i, j),
    pairClass: (i, j) => pairClassOf(m, arrays, i, j),
    classOffsets: m.classOffsets,
    matchWeight: (i, j) => evaluate(i, j, null, null, null),
    scoreRange: (a, b, start, end, minWeight, outA, outB, outWeight, outOffset) => {
      let at = outOffset
      for (let k = start; k < end; k++) {
        const w = evaluate(a[k], b[k], null, null, null)
        if (w >= minWeight) {
          outA[at] = a[k]
          outB[at] = b[k]
          outWeight[at] = w
          at++
        }
      }
      return at - outOffset
    },
    levels: (i, j, out) => {
      evaluate(i, j, out, null, null)
    },
    explain: (i, j, levelsOut, weightsOut, valuesOut) =>
      evaluate(i, j, levelsOut, weightsOut, valuesOut ?? null),
  }
}

/** The evidence comparison of a model, as the scorers weigh its values. Internal. */
export interface EvidenceSpec {
  levels: readonly { m: number; u: number; weight?: number }[]
  classes: Record<string, string>
  /** Term-frequency adjustment on (before `uniformRarity`). */
  adjust: boolean
  floor: number
}

/** A model compiled to flat tables (thresholds in the units the kernels compare). Internal. */
export interface CompiledModel {
  C: number
  kinds: Int8Array
  thresholdStart: Int32Array
  weightStart: Int32Array
  groupBit: Uint32Array
  thresholds: Float64Array
  thresholdsLatLon: Float64Array
  weights: Float64Array
  prior: number
  /** Bit of each MO group the model compares. */
  moGroupIndex: Map<string, number>
  evidence: EvidenceSpec | null
  needNarrative: boolean
  /** The mo comparison adds term-frequency bits of the shared values. */
  moTf: boolean
  /** The category comparison adds term-frequency bits on agreement (outside the background neighbourhood). */
  categoryTf: boolean
  background: CompiledBackground | null
  /** Bits added per kind of pair (near, evidence, far; see PAIR_CLASSES); zeros without `pairPriors`. */
  classOffsets: Float64Array
}

/** A model's background neighbourhood in the units the kernels compare. Internal. */
export interface CompiledBackground {
  maxDistanceMeters: number
  maxGapDays: number
  /** sin²(R / 2 Earth radii): the chord test of lat/lon rows. */
  latLonLimit: number
  /** R²: the test of planar rows. */
  planarLimit: number
  gapMs: number
  referenceExpected: number
  maxWeight: number
}

/**
 * Compiles a model's comparisons. `moGroupValues`: the MO groups of the scored table (a moGroup comparison
 * of a group the table lacks gets bit 0); null gives every moGroup comparison its bit (same scores: no row
 * carries a group that does not exist).
 */
export function compileModel(model: LinkageModel, moGroupValues: readonly string[] | null): CompiledModel {
  const comparisons = model.comparisons
  const C = comparisons.length
  const kinds = new Int8Array(C)
  const thresholdStart = new Int32Array(C + 1)
  const weightStart = new Int32Array(C + 1)
  const groupBit = new Uint32Array(C)
  const allThresholds: number[] = []
  const allThresholdsLatLon: number[] = []
  const allWeights: number[] = []
  const moGroupIndex = new Map<string, number>()
  let evidence: EvidenceSpec | null = null
  for (let c = 0; c < C; c++) {
    const comparison = comparisons[c]
    kinds[c] = KIND_CODE[comparison.kind]
    thresholdStart[c] = allThresholds.length
    weightStart[c] = allWeights.length
    for (const t of comparison.thresholds ?? []) {
      switch (comparison.kind) {
        case 'distance': {
          allThresholds.push(t * t)
          const s = Math.sin(Math.min(t / (2 * EARTH_RADIUS_METERS), Math.PI / 2))
          allThresholdsLatLon.push(s * s)
          break
        }
        case 'timeGap':
        case 'timeOfDay':
          allThresholds.push(t * HOUR_MS)
          allThresholdsLatLon.push(0)
          break
        case 'dayOfWeek':
          allThresholds.push(t * DAY_MS)
          allThresholdsLatLon.push(0)
          break
        default:
          allThresholds.push(t)
          allThresholdsLatLon.push(0)
      }
    }
    for (const w of levelMatchWeights(comparison)) allWeights.push(w)
    if (comparison.kind === 'moGroup') {
      const g = moGroupValues === null ? 0 : moGroupValues.indexOf(comparison.group ?? '')
      const bit = moGroupIndex.size
      moGroupIndex.set(comparison.group ?? '', bit)
      groupBit[c] = g < 0 ? 0 : 1 << bit
    }
    if (comparison.kind === 'evidence') {
      if (evidence !== null) throw new Error('caselink: a model can hold at most one evidence comparison')
      evidence = {
        levels: comparison.levels,
        classes: comparison.evidenceClasses ?? DEFAULT_EVIDENCE_CLASSES,
        adjust: comparison.termFrequencyAdjustment ?? true,
        floor: comparison.minMatchWeight ?? Number.NEGATIVE_INFINITY,
      }
    }
  }
  thresholdStart[C] = allThresholds.length
  weightStart[C] = allWeights.length
  return {
    C,
    kinds,
    thresholdStart,
    weightStart,
    groupBit,
    thresholds: Float64Array.from(allThresholds),
    thresholdsLatLon: Float64Array.from(allThresholdsLatLon),
    weights: Float64Array.from(allWeights),
    prior: priorMatchWeight(model),
    moGroupIndex,
    evidence,
    needNarrative: comparisons.some((c) => c.kind === 'narrative'),
    moTf: comparisons.some((c) => c.kind === 'mo' && c.termFrequencyAdjustment === true),
    categoryTf: comparisons.some((c) => c.kind === 'category' && c.termFrequencyAdjustment === true),
    background: compileBackground(model),
    classOffsets: Float64Array.from(PAIR_CLASSES, (kind) => model.pairPriors?.[kind].offsetBits ?? 0),
  }
}

function compileBackground(model: LinkageModel): CompiledBackground | null {
  const spec = model.background
  if (spec === undefined) return null
  const s = Math.sin(Math.min(spec.maxDistanceMeters / (2 * EARTH_RADIUS_METERS), Math.PI / 2))
  return {
    maxDistanceMeters: spec.maxDistanceMeters,
    maxGapDays: spec.maxGapDays,
    latLonLimit: s * s,
    planarLimit: spec.maxDistanceMeters * spec.maxDistanceMeters,
    gapMs: Math.round(spec.maxGapDays * DAY_MS),
    referenceExpected: spec.referenceExpected,
    maxWeight: spec.maxWeight ?? BACKGROUND_MAX_WEIGHT,
  }
}

/** Term frequencies and background rates of a case table, as scorers use them. */
export interface ScoringStatistics {
  /** The table they were measured on. */
  table: CaseTable
  /** Whether MO values' carriers were counted in clumps (the model's `rarity`); absent: rows. */
  clumped?: boolean
  termFrequencies: TermFrequencies | null
  background: BackgroundRates | null
}

/** Term frequencies per table: counted in rows, and in clumps. */
const termFrequencyCache = [
  new WeakMap<CaseTable, TermFrequencies>(),
  new WeakMap<CaseTable, TermFrequencies>(),
]

function cachedTermFrequencies(table: CaseTable, clumped: boolean): TermFrequencies {
  const cache = termFrequencyCache[clumped ? 1 : 0]
  let tf = cache.get(table)
  if (tf === undefined) {
    tf = termFrequencies(table, { clumped })
    cache.set(table, tf)
  }
  return tf
}
const backgroundCache = new WeakMap<CaseTable, Map<string, BackgroundRates>>()

/**
 * The statistics a model's adjustments need, measured on `table` (cached per table): term frequencies
 * when a comparison asks for them, background rates over the model's neighbourhood when it has one.
 *
 * @example
 * const statistics = scoringStatistics(table, model)
 * const scorer = createPairScorer(table, model, { statistics })
 */
export function scoringStatistics(table: CaseTable, model: LinkageModel): ScoringStatistics {
  const needTf = model.comparisons.some(
    (c) => (c.kind === 'mo' || c.kind === 'category') && c.termFrequencyAdjustment === true,
  )
  const clumped = model.rarity === 'clumped'
  const tf = needTf ? cachedTermFrequencies(table, clumped) : null
  let background: BackgroundRates | null = null
  if (model.background !== undefined) {
    const { maxDistanceMeters, maxGapDays } = model.background
    const key = `${maxDistanceMeters}|${maxGapDays}`
    let byKey = backgroundCache.get(table)
    if (byKey === undefined) backgroundCache.set(table, (byKey = new Map()))
    background = byKey.get(key) ?? null
    if (background === null) {
      background = backgroundRates(table, { maxDistanceMeters, maxGapDays })
      byKey.set(key, background)
    }
  }
  return { table, clumped, termFrequencies: tf, background }
}

/**
 * The value- and place-specific parts of a scorer's weights, laid out for its table: MO and category
 * term-frequency bits and each row's half of the background term.
 */
export interface ScorerAdjustments {
  /** Bits per (category slot, MO value), `slot * tfLayout[0] + value` (see `termFrequencies`); empty when off. */
  moTermFrequency: Float64Array
  /** Bits per category id on agreement; empty when off. */
  categoryTermFrequency: Float64Array
  /** [MO vocabulary size, the slot of pairs whose categories differ or are missing]. */
  tfLayout: Int32Array
  /** Per row: ½ log2(referenceExpected / expected), 0 without location; empty when the model has no background. */
  backgroundBits: Float64Array
  /** Per row: the expected count of same-category incidents in its neighbourhood (NaN without location); null when off. */
  backgroundExpected: Float64Array | null
}

const EMPTY_F64: Float64Array = new Float64Array(0)

function scorerAdjustments(
  table: CaseTable,
  m: CompiledModel,
  options: {
    reference?: CaseTable
    uniformRarity: boolean
    clumped: boolean
    statistics?: ScoringStatistics
  },
): ScorerAdjustments {
  const tfLayout = Int32Array.of(table.moValues.length, table.categoryValues.length)
  const none: ScorerAdjustments = {
    moTermFrequency: EMPTY_F64,
    categoryTermFrequency: EMPTY_F64,
    tfLayout,
    backgroundBits: EMPTY_F64,
    backgroundExpected: null,
  }
  if (options.uniformRarity || (!m.moTf && !m.categoryTf && m.background === null)) return none
  const source = options.reference ?? table
  const given = options.statistics
  if (given !== undefined && given.table !== source) {
    throw new Error('caselink: scorer statistics were measured on another table than the frequency table')
  }
  let moTermFrequency: Float64Array = EMPTY_F64
  let categoryTermFrequency: Float64Array = EMPTY_F64
  if (m.moTf || m.categoryTf) {
    const fromGiven =
      given !== undefined && (given.clumped ?? false) === options.clumped ? given.termFrequencies : null
    const own =
      source === table
        ? (fromGiven ?? cachedTermFrequencies(table, options.clumped))
        : termFrequenciesFor(table, source, { clumped: options.clumped })
    if (m.moTf) moTermFrequency = own.mo
    if (m.categoryTf) categoryTermFrequency = own.category
  }
  let backgroundBits = EMPTY_F64
  let backgroundExpected: Float64Array | null = null
  const b = m.background
  if (b !== null) {
    const rates =
      given?.background ??
      backgroundRates(source, { maxDistanceMeters: b.maxDistanceMeters, maxGapDays: b.maxGapDays })
    const expected = rates.expectedFor(table)
    backgroundExpected = expected
    backgroundBits = new Float64Array(table.size)
    const half = 0.5 * Math.log2(b.referenceExpected)
    for (let i = 0; i < table.size; i++) {
      const e = expected[i]
      backgroundBits[i] = Number.isNaN(e) ? 0 : half - 0.5 * Math.log2(e)
    }
  }
  return { moTermFrequency, categoryTermFrequency, tfLayout, backgroundBits, backgroundExpected }
}

/**
 * Whether rows i and j are background neighbours: both located in the same system, of the same category
 * (or both without one), within the neighbourhood's distance and window gap.
 */
export function inBackground(
  b: CompiledBackground,
  rowF: Float64Array,
  rowI: Int32Array,
  i: number,
  j: number,
): boolean {
  const fi = i * 24
  const fj = j * 24
  const ri = i * 48
  const rj = j * 48
  const flags = rowI[ri + 14]
  if (flags === 0 || flags !== rowI[rj + 14] || rowI[ri + 15] !== rowI[rj + 15]) return false
  const dx = rowF[fj + 2] - rowF[fi + 2]
  const dy = rowF[fj + 3] - rowF[fi + 3]
  if (flags === 3) {
    const dz = rowF[fj + 4] - rowF[fi + 4]
    if ((dx * dx + dy * dy + dz * dz) * 0.25 > b.latLonLimit) return false
  } else if (dx * dx + dy * dy > b.planarLimit) return false
  const start = rowF[fi] > rowF[fj] ? rowF[fi] : rowF[fj]
  const end = rowF[fi + 1] < rowF[fj + 1] ? rowF[fi + 1] : rowF[fj + 1]
  return start - end <= b.gapMs
}

/** Kind of pair (0 near, 1 sharing an evidence value, 2 far), as the kernels class it. */
function pairClassOf(m: CompiledModel, arrays: ScorerArrays, i: number, j: number): number {
  if (m.background !== null && inBackground(m.background, arrays.rowF, arrays.rowI, i, j)) return 0
  if (m.evidence === null) return 2
  const { rowI, evidenceIds } = arrays
  let p = rowI[i * 48 + 19]
  const ei = rowI[i * 48 + 20]
  let q = rowI[j * 48 + 19]
  const ej = rowI[j * 48 + 20]
  while (p < ei && q < ej) {
    const a = evidenceIds[p]
    const b = evidenceIds[q]
    if (a === b) return 1
    if (a < b) p++
    else q++
  }
  return 2
}

/** The background term of a pair (0 outside the neighbourhood), clamped to ±maxWeight. */
function backgroundTerm(m: CompiledModel, arrays: ScorerArrays, i: number, j: number): number {
  const b = m.background
  if (b === null || arrays.background.length === 0 || !inBackground(b, arrays.rowF, arrays.rowI, i, j))
    return 0
  const w = arrays.background[i] + arrays.background[j]
  return w > b.maxWeight ? b.maxWeight : w < -b.maxWeight ? -b.maxWeight : w
}

/** Rarity weight of an MO value carried by `frequency` of `rows` rows: log2((rows + 1) / frequency). */
export function moRarityWeight(rows: number, frequency: number): number {
  return Math.log2((rows + 1) / frequency)
}

/** Evidence level (1 + class index) of a value of kind `kind` (any case). */
export function evidenceLevelOf(spec: EvidenceSpec, kind: string): number {
  return 1 + EVIDENCE_CLASSES.indexOf((spec.classes[kind.toLowerCase()] ?? 'other') as never)
}

/**
 * Weight of a shared evidence value at `level`: the level's weight (fitted, else log2(m / u)), with the
 * term-frequency adjustment lowered by log2(max(u, frequency / rows) / u), so that without a fitted
 * weight it is log2 m − log2 max(u, frequency / rows); never below the comparison's floor.
 */
export function evidenceWeightOf(
  spec: EvidenceSpec,
  level: number,
  adjust: boolean,
  frequency: number,
  rows: number,
): number {
  const { m, u, weight } = spec.levels[level]
  const tf = frequency / rows
  let w: number
  if (weight === undefined) w = adjust ? Math.log2(m) - Math.log2(tf > u ? tf : u) : Math.log2(m / u)
  else w = adjust && tf > u ? weight - (Math.log2(tf) - Math.log2(u)) : weight
  return w < spec.floor ? spec.floor : w
}

/** Typed arrays a scorer reads per pair. Internal. */
export interface ScorerArrays {
  rowF: Float64Array
  rowI: Int32Array
  moIds: Int32Array
  moValueWeight: Float64Array
  moValueBit: Int32Array
  evidenceIds: Uint32Array
  evidenceKind: Int32Array
  evidenceValueWeight: Float64Array
  evidenceValueLevel: Int8Array
  /** MO term-frequency bits per (category slot, value); empty when the model has none. */
  moTf: Float64Array
  /** Category term-frequency bits per category; empty when the model has none. */
  categoryTf: Float64Array
  /** [MO vocabulary size, the slot of pairs of differing categories]. */
  tfLayout: Int32Array
  /** Per row: half of the background term; empty when the model has none. */
  background: Float64Array
}

/** The columns {@link packRow} reads (those of a CaseTable; a CaseStore has the same names). */
export type PackColumns = Pick<
  CaseTable,
  | 'timeFrom'
  | 'timeTo'
  | 'utcOffsetMinutes'
  | 'hasLocation'
  | 'hasLatLon'
  | 'lat'
  | 'lon'
  | 'x'
  | 'y'
  | 'category'
  | 'categoryParent'
>

/**
 * Writes row `i` of `columns` into block `slot` (zeroed first): all but the MO rarity sum (double 5),
 * which depends on frequencies. MO ids are read from `moIds[moFrom .. moTo)` and the block records
 * `[moAt, moAt + count)` as the row's MO bounds in the scorer's MO id array; evidence likewise.
 *
 * Block layout (192 bytes, three adjacent cache lines, so scoring a pair of random rows touches few
 * lines):
 *   doubles 0-5: timeFrom, timeTo, location (unit vector ux, uy, uz for lat/lon; x, y, 0 planar),
 *     MO rarity weight sum
 *   words 12-22: local start within the day, within the week (ms from Monday 00:00), flags
 *     (1 location, 3 lat/lon), category, parent, MO and evidence CSR bounds, model MO-group mask,
 *     evidence kind mask
 *   words 23-30: bitmap of the row's MO ids when the vocabulary has at most 256 values (else the
 *     MO lists are merged from the CSR)
 *   word 31 and words 32-47: bits set in, and the 512-bit signature of, the narrative's bigram
 *     hashes (hash bits 28-31 pick the word, bits 0-4 the bit)
 */
export function packRow(
  rowF: Float64Array,
  rowI: Int32Array,
  slot: number,
  columns: PackColumns,
  i: number,
  moIds: ArrayLike<number>,
  moFrom: number,
  moTo: number,
  moAt: number,
  evidenceIds: ArrayLike<number>,
  evidenceFrom: number,
  evidenceTo: number,
  evidenceAt: number,
  evidenceKind: Int32Array,
  moValueBit: Int32Array,
  moBitmap: boolean,
  narrativeBigrams: Uint32Array | null,
  narrativeFrom: number,
  narrativeTo: number,
): void {
  const f = slot * 24
  const r = slot * 48
  rowI.fill(0, r, r + 48)
  const local = columns.timeFrom[i] + columns.utcOffsetMinutes[i] * 60_000
  rowF[f] = columns.timeFrom[i]
  rowF[f + 1] = columns.timeTo[i]
  rowI[r + 12] = Math.round(mod(local, DAY_MS)) % DAY_MS
  // epoch day 0 was a Thursday: shift so the week starts on Monday 00:00 local time
  rowI[r + 13] = Math.round(mod(local + 3 * DAY_MS, WEEK_MS)) % WEEK_MS
  let flags = 0
  if (columns.hasLocation[i] === 1) {
    flags = 1
    if (columns.hasLatLon[i] === 1) {
      flags = 3
      const phi = columns.lat[i] * DEG
      const lambda = columns.lon[i] * DEG
      rowF[f + 2] = Math.cos(phi) * Math.cos(lambda)
      rowF[f + 3] = Math.cos(phi) * Math.sin(lambda)
      rowF[f + 4] = Math.sin(phi)
    } else {
      rowF[f + 2] = columns.x[i]
      rowF[f + 3] = columns.y[i]
    }
  }
  let groupMask = 0
  for (let k = moFrom; k < moTo; k++) {
    const id = moIds[k]
    groupMask |= moValueBit[id]
    if (moBitmap) rowI[r + 23 + (id >>> 5)] |= 1 << (id & 31)
  }
  let kindMask = 0
  for (let k = evidenceFrom; k < evidenceTo; k++) {
    const kindId = evidenceKind[evidenceIds[k]]
    kindMask |= 1 << ((kindId < 0 ? 31 : kindId) & 31)
  }
  rowI[r + 14] = flags
  rowI[r + 15] = columns.category[i]
  rowI[r + 16] = columns.categoryParent[i]
  rowI[r + 17] = moAt
  rowI[r + 18] = moAt + moTo - moFrom
  rowI[r + 19] = evidenceAt
  rowI[r + 20] = evidenceAt + evidenceTo - evidenceFrom
  rowI[r + 21] = groupMask
  rowI[r + 22] = kindMask
  if (narrativeBigrams !== null) {
    let bits = 0
    for (let k = narrativeFrom; k < narrativeTo; k++) {
      const h = narrativeBigrams[k]
      const word = r + 32 + (h >>> 28)
      const bit = 1 << (h & 31)
      if ((rowI[word] & bit) === 0) bits++
      rowI[word] |= bit
    }
    rowI[r + 31] = bits
  }
}

/** Interpreted scoring of a pair (and its levels, weights and values when asked). */
export type Evaluate = (
  i: number,
  j: number,
  levelsOut: Int8Array | null,
  weightsOut: Float64Array | null,
  valuesOut: Float64Array | null,
) => number

/** The compiled kernels of a model over a scorer's arrays (null when code generation is unavailable). */
export function compileFor(
  m: CompiledModel,
  arrays: ScorerArrays,
  moBitmap: boolean,
  moBitmapWords: number,
  moSumInline = false,
  reachFilter = false,
  beforeKernel?: (i: number, j: number) => void,
  holder = false,
): CompiledKernel | null {
  const tables = { thresholds: m.thresholds, thresholdsLatLon: m.thresholdsLatLon, weights: m.weights }
  return compileKernel({
    kinds: m.kinds,
    thresholdStart: m.thresholdStart,
    weightStart: m.weightStart,
    groupBit: m.groupBit,
    prior: m.prior,
    // a live holder gets the model tables added in place (its owner keeps replacing its arrays)
    arrays: holder ? Object.assign(arrays, tables) : { ...arrays, ...tables },
    holder,
    inlineThresholds: holder,
    moBitmap,
    moBitmapWords,
    moSumInline,
    reachFilter,
    beforeKernel,
    // a live holder's arrays are filled later: its flags come from the model alone
    moTf: m.moTf && (holder || arrays.moTf.length > 0),
    categoryTf: m.categoryTf && (holder || arrays.categoryTf.length > 0),
    background: m.background,
    backgroundTerm: m.background !== null && (holder || arrays.background.length > 0),
    classOffsets: m.classOffsets,
    dayMs: DAY_MS,
    weekMs: WEEK_MS,
  })
}

/** The interpreted scorer of a model over a scorer's arrays (see {@link createPairScorer}). */
export function createEvaluate(
  m: CompiledModel,
  arrays: ScorerArrays,
  moBitmap: boolean,
  moBitmapWords: number,
  moSumInline = false,
): Evaluate {
  const { C, kinds, thresholdStart, weightStart, groupBit, thresholds, thresholdsLatLon, weights, prior } = m
  const {
    rowF,
    rowI,
    moIds,
    moValueWeight,
    moValueBit,
    evidenceIds,
    evidenceKind,
    evidenceValueWeight,
    evidenceValueLevel,
  } = arrays
  const moTfOn = m.moTf && arrays.moTf.length > 0
  const categoryTfOn = m.categoryTf && arrays.categoryTf.length > 0
  // the neighbourhood test decides the kind of pair; the background term needs the rows' rates too
  const background = m.background
  const backgroundTermOn = background !== null && arrays.background.length > 0
  const classOffsets = m.classOffsets
  const classed = classOffsets[0] !== 0 || classOffsets[1] !== 0 || classOffsets[2] !== 0

  /** Level index of `value` against ascending thresholds [start, end): first t with value <= t. */
  const ascendingLevel = (value: number, start: number, end: number, base: number): number => {
    for (let k = start; k < end; k++) if (value <= thresholds[k]) return base + k - start
    return base + end - start
  }
  const descendingLevel = (value: number, start: number, end: number): number => {
    for (let k = start; k < end; k++) if (value >= thresholds[k]) return 1 + k - start
    return 1 + end - start
  }
  /**
   * Level of a value known only to lie in [low, high] when no threshold falls inside (then the level
   * is exact), else -1.
   */
  const boundedLevel = (low: number, high: number, start: number, end: number, base: number): number => {
    for (let k = start; k < end; k++) {
      const t = thresholds[k]
      if (high <= t) return base + k - start
      if (t >= low) return -1
    }
    return base + end - start
  }

  const evaluate = (
    i: number,
    j: number,
    levelsOut: Int8Array | null,
    weightsOut: Float64Array | null,
    valuesOut: Float64Array | null,
  ): number => {
    const fi = i * 24
    const fj = j * 24
    const ri = i * 48
    const rj = j * 48
    const exact = valuesOut !== null
    let total = prior
    // MO intersection is shared by the mo and moGroup comparisons: computed at most once
    let moDone = false
    let moShared = 0
    let moSharedMask = 0
    let moTf = 0
    // the MO term-frequency slot: the pair's category, or "any" when they differ or are missing
    const ci0 = rowI[ri + 15]
    const tfBase = (ci0 === rowI[rj + 15] && ci0 >= 0 ? ci0 : arrays.tfLayout[1]) * arrays.tfLayout[0]
    const near = background !== null && inBackground(background, rowF, rowI, i, j)
    let evidenceShared = false
    for (let c = 0; c < C; c++) {
      const t0 = thresholdStart[c]
      const t1 = thresholdStart[c + 1]
      let level = 0
      let weight = Number.NaN
      let value = Number.NaN
      switch (kinds[c]) {
        case 0: {
          // distance: chord between unit vectors (haversine h = chord² / 4), or planar Euclid
          const flags = rowI[ri + 14]
          if (flags === 0 || flags !== rowI[rj + 14]) break
          const dx = rowF[fj + 2] - rowF[fi + 2]
          const dy = rowF[fj + 3] - rowF[fi + 3]
          if (flags === 3) {
            const dz = rowF[fj + 4] - rowF[fi + 4]
            const h = (dx * dx + dy * dy + dz * dz) * 0.25
            level = t1 - t0 + 1
            for (let k = t0; k < t1; k++) {
              if (h <= thresholdsLatLon[k]) {
                level = 1 + k - t0
                break
              }
            }
            if (exact) value = 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(h < 1 ? h : 1))
          } else {
            const d2 = dx * dx + dy * dy
            level = ascendingLevel(d2, t0, t1, 1)
            if (exact) value = Math.sqrt(d2)
          }
          break
        }
        case 1: {
          const fromI = rowF[fi]
          const toI = rowF[fi + 1]
          const fromJ = rowF[fj]
          const toJ = rowF[fj + 1]
          // E|X − Y| lies in [|mid gap|, |mid gap| + (Li + Lj) / 4] (Jensen; 1-Lipschitz)
          if (!exact) {
            const gap = Math.abs(fromI + toI - fromJ - toJ) * 0.5
            level = boundedLevel(gap, gap + (toI - fromI + toJ - fromJ) * 0.25, t0, t1, 1)
            if (level >= 0) break
          }
          const gap = expectedAbsoluteDifference(fromI, toI, fromJ, toJ)
          level = ascendingLevel(gap, t0, t1, 1)
          value = gap / HOUR_MS
          break
        }
        case 2:
        case 3: {
          const day = kinds[c] === 2
          const period = day ? DAY_MS : WEEK_MS
          const lengthI = rowF[fi + 1] - rowF[fi]
          const lengthJ = rowF[fj + 1] - rowF[fj]
          if (lengthI >= period || lengthJ >= period) {
            level = 1
            value = period / 4 / (day ? HOUR_MS : DAY_MS)
            break
          }
          const startI = day ? rowI[ri + 12] : rowI[ri + 13]
          const startJ = day ? rowI[rj + 12] : rowI[rj + 13]
          if (!exact) {
            // the expectation is within (Li + Lj) / 4 of the distance between the windows' middles
            let u = startI - startJ + (lengthI - lengthJ) * 0.5
            u = u < 0 ? -u : u
            if (u >= period) u -= period
            const mid = u < period - u ? u : period - u
            const half = (lengthI + lengthJ) * 0.5
            if (mid >= half && mid + half <= period * 0.5) {
              // D's support on one linear piece: the expectation is mid, exactly
              level = ascendingLevel(mid, t0, t1, 2)
              break
            }
            const spread = (lengthI + lengthJ) * 0.25
            level = boundedLevel(mid - spread, mid + spread, t0, t1, 2)
            if (level >= 0) break
          }
          const d = expectedCircularDistance(startI, startI + lengthI, startJ, startJ + lengthJ, period)
          level = ascendingLevel(d, t0, t1, 2)
          value = d / (day ? HOUR_MS : DAY_MS)
          break
        }
        case 4:
        case 5: {
          const si = rowI[ri + 17]
          const ei = rowI[ri + 18]
          const sj = rowI[rj + 17]
          const ej = rowI[rj + 18]
          if (si === ei || sj === ej) break
          if (!moDone) {
            moDone = true
            if (moBitmap) {
              // shared values = set bits of the AND of the two bitmaps, visited in ascending id order
              for (let k = 0; k < moBitmapWords; k++) {
                let v = rowI[ri + 23 + k] & rowI[rj + 23 + k]
                while (v !== 0) {
                  const low = v & -v
                  const a = (k << 5) + 31 - Math.clz32(low)
                  moShared += moValueWeight[a]
                  moSharedMask |= moValueBit[a]
                  if (moTfOn) moTf += arrays.moTf[tfBase + a]
                  v ^= low
                }
              }
            } else {
              let p = si
              let q = sj
              while (p < ei && q < ej) {
                const a = moIds[p]
                const b = moIds[q]
                if (a === b) {
                  moShared += moValueWeight[a]
                  moSharedMask |= moValueBit[a]
                  if (moTfOn) moTf += arrays.moTf[tfBase + a]
                }
                p += a <= b ? 1 : 0
                q += b <= a ? 1 : 0
              }
            }
          }
          if (kinds[c] === 4) {
            let sumI = rowF[fi + 5]
            let sumJ = rowF[fj + 5]
            if (moSumInline) {
              // ascending value order, as the packed sums were added
              sumI = 0
              sumJ = 0
              if (moBitmap) {
                for (let k = 0; k < moBitmapWords; k++) {
                  let x = rowI[ri + 23 + k]
                  while (x !== 0) {
                    const low = x & -x
                    sumI += moValueWeight[(k << 5) + 31 - Math.clz32(low)]
                    x ^= low
                  }
                  x = rowI[rj + 23 + k]
                  while (x !== 0) {
                    const low = x & -x
                    sumJ += moValueWeight[(k << 5) + 31 - Math.clz32(low)]
                    x ^= low
                  }
                }
              } else {
                for (let p = si; p < ei; p++) sumI += moValueWeight[moIds[p]]
                for (let q = sj; q < ej; q++) sumJ += moValueWeight[moIds[q]]
              }
            }
            const union = sumI + sumJ - moShared
            value = union > 0 ? moShared / union : 1
            level = descendingLevel(value, t0, t1)
            if (moTfOn) weight = weights[weightStart[c] + level] + moTf
          } else {
            const bit = groupBit[c]
            if ((rowI[ri + 21] & rowI[rj + 21] & bit) === 0) break
            level = (moSharedMask & bit) !== 0 ? 1 : 2
          }
          break
        }
        case 6: {
          const si = rowI[ri + 19]
          const ei = rowI[ri + 20]
          const sj = rowI[rj + 19]
          const ej = rowI[rj + 20]
          if (si === ei || sj === ej) break
          let best = Number.NEGATIVE_INFINITY
          let p = si
          let q = sj
          while (p < ei && q < ej) {
            const a = evidenceIds[p]
            const b = evidenceIds[q]
            if (a === b) {
              if (evidenceValueWeight[a] > best) {
                best = evidenceValueWeight[a]
                level = evidenceValueLevel[a]
              }
              p++
              q++
            } else if (a < b) p++
            else q++
          }
          if (level > 0) {
            weight = best
            evidenceShared = true
            break
          }
          level = 6
          if ((rowI[ri + 22] & rowI[rj + 22]) !== 0) {
            for (let p2 = si; p2 < ei && level === 6; p2++) {
              const kind = evidenceKind[evidenceIds[p2]]
              for (let q2 = sj; q2 < ej; q2++) {
                if (evidenceKind[evidenceIds[q2]] === kind) {
                  level = 5
                  break
                }
              }
            }
          }
          break
        }
        case 7: {
          const ci = rowI[ri + 15]
          const cj = rowI[rj + 15]
          if (ci < 0 || cj < 0) break
          level = ci === cj ? 1 : rowI[ri + 16] === rowI[rj + 16] ? 2 : 3
          // inside the background neighbourhood the background term weighs the category's commonness
          if (level === 1 && categoryTfOn && !near)
            weight = weights[weightStart[c] + 1] + arrays.categoryTf[ci]
          break
        }
        case 8: {
          // Dice over the 512-bit hashed-bigram signatures: 2 |A ∧ B| / (|A| + |B|) in bits
          const bitsI = rowI[ri + 31]
          const bitsJ = rowI[rj + 31]
          if (bitsI === 0 || bitsJ === 0) break
          let common = 0
          for (let k = 32; k < 48; k++) {
            let v = rowI[ri + k] & rowI[rj + k]
            v = v - ((v >>> 1) & 0x55555555)
            v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
            common += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0
          }
          value = (2 * common) / (bitsI + bitsJ)
          level = descendingLevel(value, t0, t1)
          break
        }
      }
      if (Number.isNaN(weight)) weight = weights[weightStart[c] + level]
      total += weight
      if (levelsOut !== null) levelsOut[c] = level
      if (weightsOut !== null) weightsOut[c] = weight
      if (valuesOut !== null) valuesOut[c] = level === 0 ? Number.NaN : value
    }
    if (near && backgroundTermOn) {
      const b = background as CompiledBackground
      const w = arrays.background[i] + arrays.background[j]
      total += w > b.maxWeight ? b.maxWeight : w < -b.maxWeight ? -b.maxWeight : w
    }
    if (classed) total += classOffsets[near ? 0 : evidenceShared ? 1 : 2]
    return total
  }
  return evaluate
}

function mod(value: number, period: number): number {
  return value - period * Math.floor(value / period)
}

function groupBitOf(index: Map<string, number>, group: string): number {
  const bit = index.get(group)
  return bit === undefined ? 0 : 1 << bit
}

interface ReferenceFrequencies {
  mo: Map<string, number>
  evidence: Map<string, number>
}

const referenceCache = [
  new WeakMap<CaseTable, ReferenceFrequencies>(),
  new WeakMap<CaseTable, ReferenceFrequencies>(),
]

function referenceFrequencies(table: CaseTable, clumped: boolean): ReferenceFrequencies {
  let cached = referenceCache[clumped ? 1 : 0].get(table)
  if (cached === undefined) {
    const mo = new Map<string, number>()
    const frequency = clumped ? clumpedMoFrequency(table) : table.moFrequency
    for (let id = 0; id < table.moValues.length; id++) mo.set(table.moValues[id], frequency[id])
    const evidence = new Map<string, number>()
    for (let id = 0; id < table.evidenceValues.length; id++) {
      evidence.set(table.evidenceValues[id], table.evidenceFrequency[id])
    }
    cached = { mo, evidence }
    referenceCache[clumped ? 1 : 0].set(table, cached)
  }
  return cached
}
