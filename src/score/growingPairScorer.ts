import type { LinkageModel } from '../model/linkageModel'
import type { CompiledKernel } from './compileKernel'
import {
  type CompiledModel,
  compileFor,
  compileModel,
  createEvaluate,
  type Evaluate,
  evidenceLevelOf,
  evidenceWeightOf,
  moRarityWeight,
  type PackColumns,
  packRow,
  type ScorerArrays,
} from './pairScorer'

/** Bytes of a row's packed block (as in `createPairScorer`). */
const BLOCK_BYTES = 192
/** MO vocabularies up to this size are bitmaps inside each block. */
const MO_BITMAP_VALUES = 256

/** A CSR list column: row i's ids are `ids[start[i] .. start[i + 1])`, ascending. */
export interface GrowingListColumn {
  readonly start: Uint32Array
  readonly ids: Uint32Array
}

/** A growing vocabulary: the group of each value and how many rows carry it. */
export interface GrowingVocabulary {
  readonly size: number
  readonly group: Int32Array
  readonly groupValues: readonly string[]
  readonly frequency: Uint32Array
}

/**
 * Rows a {@link GrowingPairScorer} scores: the columns of a CaseTable plus list columns over global,
 * growing vocabularies (an online index's `CaseStore`). `size` rows define MO rarity and evidence term
 * frequencies, as a `reference` table does for `createPairScorer`.
 */
export interface GrowingRowSource extends PackColumns {
  readonly size: number
  readonly moList: GrowingListColumn
  readonly evidenceList: GrowingListColumn
  readonly narrativeList: GrowingListColumn
  readonly mo: GrowingVocabulary
  readonly evidence: GrowingVocabulary
}

/**
 * A pair scorer over rows that keep arriving: each row is packed once, when it arrives, into the same
 * 192-byte block as `createPairScorer` packs it, and scored with the same (compiled) kernel. MO rarity
 * and evidence term-frequency weights depend on the frequencies of all rows at scoring time, so they are
 * recomputed lazily: each {@link GrowingPairScorer.sync} starts a new epoch, and a row's MO weight sum and
 * its values' weights are refreshed the first time the row is scored in an epoch. A pair's weight is
 * therefore bit-identical to `createPairScorer` over a table of the rows with the source as reference.
 * Costs: O(row size) per new row, O(1) amortized per pair plus O(row size) per row and epoch.
 *
 * @example
 * const scorer = new GrowingPairScorer(defaultModel(), store)
 * store.append(table)
 * scorer.sync()
 * const w = scorer.matchWeight(0, store.size - 1)
 */
export class GrowingPairScorer {
  /** Rows packed. */
  size = 0
  readonly comparisonCount: number
  readonly priorMatchWeight: number
  private readonly m: CompiledModel
  private capacity = 0
  private rowF = new Float64Array(0)
  private rowI = new Int32Array(0)
  private rowEpoch = new Int32Array(0)
  private moIds = new Int32Array(64)
  private evidenceIds = new Uint32Array(64)
  private moVocabulary = 0
  private moValueWeight = new Float64Array(64)
  private moValueBit = new Int32Array(64)
  private moEpoch = new Int32Array(64)
  private evidenceVocabulary = 0
  private evidenceKind = new Int32Array(64)
  private evidenceValueWeight = new Float64Array(64)
  private evidenceValueLevel = new Int8Array(64)
  private evidenceEpoch = new Int32Array(64)
  private moBitmap = true
  private epoch = 1
  /** Rows of the source at the last sync: the frequency reference. */
  private referenceRows = 0
  private kernel: CompiledKernel | null = null
  private evaluate: Evaluate
  private arraysChanged = true

  constructor(
    readonly model: LinkageModel,
    private readonly source: GrowingRowSource,
  ) {
    this.m = compileModel(model, null)
    this.comparisonCount = this.m.C
    this.priorMatchWeight = this.m.prior
    this.evaluate = this.rebuild()
  }

  /**
   * Packs the source rows added since the last call and starts a new weight epoch (the frequencies
   * changed). Call after every change of the source.
   */
  sync(): void {
    const s = this.source
    this.growVocabularies()
    const n = s.size
    if (n > this.capacity) this.growRows(n)
    const mo = s.moList
    const ev = s.evidenceList
    const narrative = this.m.needNarrative ? s.narrativeList : null
    for (let i = this.size; i < n; i++) {
      const r = i * 48
      const moAt = i === 0 ? 0 : this.rowI[r - 48 + 18]
      const evAt = i === 0 ? 0 : this.rowI[r - 48 + 20]
      const moCount = mo.start[i + 1] - mo.start[i]
      const evCount = ev.start[i + 1] - ev.start[i]
      if (moAt + moCount > this.moIds.length) {
        this.moIds = grow(this.moIds, moAt + moCount)
        this.arraysChanged = true
      }
      if (evAt + evCount > this.evidenceIds.length) {
        this.evidenceIds = grow(this.evidenceIds, evAt + evCount)
        this.arraysChanged = true
      }
      for (let k = 0; k < moCount; k++) this.moIds[moAt + k] = mo.ids[mo.start[i] + k]
      for (let k = 0; k < evCount; k++) this.evidenceIds[evAt + k] = ev.ids[ev.start[i] + k]
      packRow(
        this.rowF,
        this.rowI,
        i,
        s,
        i,
        mo.ids,
        mo.start[i],
        mo.start[i + 1],
        moAt,
        ev.ids,
        ev.start[i],
        ev.start[i + 1],
        evAt,
        this.evidenceKind,
        this.moValueBit,
        this.moBitmap,
        narrative === null ? null : narrative.ids,
        narrative === null ? 0 : narrative.start[i],
        narrative === null ? 0 : narrative.start[i + 1],
      )
      this.rowEpoch[i] = 0
    }
    this.size = n
    this.referenceRows = n
    this.nextEpoch()
    if (this.arraysChanged) this.evaluate = this.rebuild()
  }

  /**
   * Forgets the rows from `size` on and the vocabulary values from the given sizes on (the source was
   * truncated to them).
   */
  truncate(size: number, moVocabulary: number, evidenceVocabulary: number): void {
    if (size < this.size) this.size = size
    if (moVocabulary < this.moVocabulary) this.moVocabulary = moVocabulary
    if (evidenceVocabulary < this.evidenceVocabulary) this.evidenceVocabulary = evidenceVocabulary
    this.referenceRows = this.source.size
    this.nextEpoch()
  }

  /** Total match weight of packed rows i and j (see `PairScorer.matchWeight`). */
  matchWeight(i: number, j: number): number {
    const epoch = this.epoch
    if (this.rowEpoch[i] !== epoch) this.refresh(i)
    if (this.rowEpoch[j] !== epoch) this.refresh(j)
    return (this.kernel as CompiledKernel).matchWeight(i, j)
  }

  /** Levels, weights and raw values of rows i and j; returns the total (see `PairScorer.explain`). */
  explain(
    i: number,
    j: number,
    levelsOut: Int8Array,
    weightsOut: Float64Array,
    valuesOut?: Float64Array,
  ): number {
    const epoch = this.epoch
    if (this.rowEpoch[i] !== epoch) this.refresh(i)
    if (this.rowEpoch[j] !== epoch) this.refresh(j)
    return this.evaluate(i, j, levelsOut, weightsOut, valuesOut ?? null)
  }

  private nextEpoch(): void {
    this.epoch++
    if (this.epoch === 0x7fffffff) {
      this.epoch = 1
      this.rowEpoch.fill(0)
      this.moEpoch.fill(0)
      this.evidenceEpoch.fill(0)
    }
  }

  /** Recomputes row i's MO weight sum and its values' weights with the current frequencies. */
  private refresh(i: number): void {
    const epoch = this.epoch
    const rows = this.referenceRows
    const r = i * 48
    const moFrequency = this.source.mo.frequency
    const weight = this.moValueWeight
    const moEpoch = this.moEpoch
    let moSum = 0
    for (let k = this.rowI[r + 17]; k < this.rowI[r + 18]; k++) {
      const v = this.moIds[k]
      if (moEpoch[v] !== epoch) {
        moEpoch[v] = epoch
        weight[v] = moRarityWeight(rows, moFrequency[v])
      }
      moSum += weight[v]
    }
    this.rowF[i * 24 + 5] = moSum
    const spec = this.m.evidence
    if (spec?.adjust) {
      const frequency = this.source.evidence.frequency
      for (let k = this.rowI[r + 19]; k < this.rowI[r + 20]; k++) {
        const v = this.evidenceIds[k]
        if (this.evidenceEpoch[v] === epoch) continue
        this.evidenceEpoch[v] = epoch
        this.evidenceValueWeight[v] = evidenceWeightOf(
          spec,
          this.evidenceValueLevel[v],
          true,
          frequency[v],
          rows,
        )
      }
    }
    this.rowEpoch[i] = epoch
  }

  /** Per-value constants of values new in the source's vocabularies. */
  private growVocabularies(): void {
    const s = this.source
    const V = s.mo.size
    if (V > this.moValueWeight.length) {
      this.moValueWeight = grow(this.moValueWeight, V)
      this.moValueBit = grow(this.moValueBit, V)
      this.moEpoch = grow(this.moEpoch, V)
      this.arraysChanged = true
    }
    for (let v = this.moVocabulary; v < V; v++) {
      const g = s.mo.group[v]
      const bit = g < 0 ? undefined : this.m.moGroupIndex.get(s.mo.groupValues[g])
      this.moValueBit[v] = bit === undefined ? 0 : 1 << bit
      this.moEpoch[v] = 0
    }
    this.moVocabulary = V
    if (this.moBitmap && V > MO_BITMAP_VALUES) {
      // larger vocabularies merge the rows' sorted MO lists (same sums, same order)
      this.moBitmap = false
      this.arraysChanged = true
    }
    const E = s.evidence.size
    if (E > this.evidenceKind.length) {
      this.evidenceKind = grow(this.evidenceKind, E)
      this.evidenceValueWeight = grow(this.evidenceValueWeight, E)
      this.evidenceValueLevel = grow(this.evidenceValueLevel, E)
      this.evidenceEpoch = grow(this.evidenceEpoch, E)
      this.arraysChanged = true
    }
    const spec = this.m.evidence
    for (let v = this.evidenceVocabulary; v < E; v++) {
      const g = s.evidence.group[v]
      this.evidenceKind[v] = g
      this.evidenceEpoch[v] = 0
      if (spec === null) continue
      const level = evidenceLevelOf(spec, g < 0 ? '' : s.evidence.groupValues[g])
      this.evidenceValueLevel[v] = level
      // without the term-frequency adjustment a value's weight is a constant
      if (!spec.adjust) this.evidenceValueWeight[v] = evidenceWeightOf(spec, level, false, 0, 0)
    }
    this.evidenceVocabulary = E
  }

  private growRows(needed: number): void {
    let capacity = Math.max(1024, this.capacity * 2)
    while (capacity < needed) capacity *= 2
    const buffer = new ArrayBuffer(capacity * BLOCK_BYTES)
    const rowI = new Int32Array(buffer)
    rowI.set(this.rowI.subarray(0, this.size * 48))
    this.rowI = rowI
    this.rowF = new Float64Array(buffer)
    this.rowEpoch = grow(this.rowEpoch, capacity)
    this.capacity = capacity
    this.arraysChanged = true
  }

  /** Re-binds the kernels to the current arrays (after an array grew). */
  private rebuild(): Evaluate {
    this.arraysChanged = false
    const arrays: ScorerArrays = {
      rowF: this.rowF,
      rowI: this.rowI,
      moIds: this.moIds,
      moValueWeight: this.moValueWeight,
      moValueBit: this.moValueBit,
      evidenceIds: this.evidenceIds,
      evidenceKind: this.evidenceKind,
      evidenceValueWeight: this.evidenceValueWeight,
      evidenceValueLevel: this.evidenceValueLevel,
    }
    const words = MO_BITMAP_VALUES / 32
    this.kernel = compileFor(this.m, arrays, this.moBitmap, words)
    const evaluate = createEvaluate(this.m, arrays, this.moBitmap, words)
    if (this.kernel === null) {
      const interpreted = (i: number, j: number): number => evaluate(i, j, null, null, null)
      this.kernel = { matchWeight: interpreted } as CompiledKernel
    }
    return evaluate
  }
}

type Growable = Float64Array | Int32Array | Uint32Array | Int8Array

function grow<T extends Growable>(array: T, needed: number): T {
  let capacity = Math.max(64, array.length * 2)
  while (capacity < needed) capacity *= 2
  const Ctor = array.constructor as new (length: number) => T
  const grown = new Ctor(capacity)
  grown.set(array)
  return grown
}
