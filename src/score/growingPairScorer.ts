import type { LinkageModel } from '../model/linkageModel'
import type { CaseTable } from '../table/CaseTable'
import { resizeLongLived } from '../util/longLived'
import { GrowingBackground } from './backgroundRates'
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
  type ScorerAdjustments,
  type ScorerArrays,
} from './pairScorer'
import { termFrequenciesFromCounts } from './termFrequencies'

/** Bytes of a row's packed block (as in `createPairScorer`). */
const BLOCK_BYTES = 192
/** Words of a row's narrative signature (block words 32-47). */
const NARRATIVE_WORDS = 16
/** MO vocabularies up to this size are bitmaps inside each block. */
const MO_BITMAP_VALUES = 256
/**
 * Block word holding the epoch of the row's evidence weights (words 10-11 hold the MO weight sum in
 * `createPairScorer`; here the kernels sum MO weights per pair, since they change with every epoch).
 */
const EPOCH_WORD = 10
/** Block word telling whether the row has evidence (for the kernel's reach filter, first cache line). */
const EVIDENCE_WORD = 11

/**
 * A CSR list column: row i's ids are `ids[start[i] .. start[i + 1])`, ascending. The scorer reads `ids`
 * itself (no copy): ids of rows already synced must not be rewritten (appending may replace the array).
 */
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
  /**
   * Narrative signatures, 16 words a row (row i at `16 i`): bit `h & 31` of word `h >>> 28` is set for each
   * bigram hash h of the narrative (the signature `createPairScorer` packs from a table's bigram lists).
   */
  readonly narrativeBits: Int32Array
  readonly mo: GrowingVocabulary
  readonly evidence: GrowingVocabulary
  /** Categories seen so far (ids of the `category` column). */
  readonly categories: { readonly size: number }
}

/**
 * A pair scorer over rows that keep arriving: each row is packed once, when it arrives, into the same
 * 192-byte block as `createPairScorer` packs it, and scored with the same generated kernel. MO rarity and
 * evidence term-frequency weights depend on the frequencies of all rows at scoring time, so each
 * {@link GrowingPairScorer.sync} starts a new epoch: MO value weights are recomputed (O(MO vocabulary)),
 * the kernel sums a row's MO weights per pair from its bitmap (ascending, as the packed sum is added), and
 * a row's evidence values are re-weighted the first time the row is scored in the epoch. A pair's weight
 * is therefore bit-identical to `createPairScorer` over a table of the rows with the source as reference.
 * Costs: O(row size) per new row, O(MO vocabulary) per sync, O(1) amortized per pair.
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
  /** The source's MO and evidence id arrays (MO as an Int32Array view of the same memory). */
  private moIds: Int32Array<ArrayBufferLike> = new Int32Array(0)
  private moIdsSource: Uint32Array | null = null
  private evidenceIds: Uint32Array<ArrayBufferLike> = new Uint32Array(0)
  private moVocabulary = 0
  private moValueWeight = new Float64Array(64)
  private moValueBit = new Int32Array(64)
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
  /** No code generation here: `kernel` wraps the interpreted scorer. */
  private interpreted = false
  /** MO layout the generated kernel was made for (null: none yet). */
  private kernelBitmap: boolean | null = null
  /** The arrays the generated kernel reads (replaced in place as they grow). */
  private readonly holder: ScorerArrays = {
    rowF: new Float64Array(0),
    rowI: new Int32Array(0),
    moIds: new Int32Array(0),
    moValueWeight: new Float64Array(0),
    moValueBit: new Int32Array(0),
    evidenceIds: new Uint32Array(0),
    evidenceKind: new Int32Array(0),
    evidenceValueWeight: new Float64Array(0),
    evidenceValueLevel: new Int8Array(0),
    moTf: new Float64Array(0),
    categoryTf: new Float64Array(0),
    tfLayout: new Int32Array(2),
    background: new Float64Array(0),
  }
  private evaluate: Evaluate
  private arraysChanged = true
  /** MO value counts per (category slot, value) for term frequencies, laid out for `tfValues` values. */
  private tfCounts = new Float64Array(0)
  private tfCategoryCounts = new Float64Array(0)
  private tfValues = 0
  /** Background counts of the packed rows, and each row's half of the background term (refreshed per epoch). */
  private backgroundCounts: GrowingBackground | null
  private backgroundBits = new Float64Array(0)
  private readonly backgroundHalf: number

  constructor(
    readonly model: LinkageModel,
    private readonly source: GrowingRowSource,
  ) {
    this.m = compileModel(model, null)
    this.comparisonCount = this.m.C
    this.priorMatchWeight = this.m.prior
    const b = this.m.background
    this.backgroundCounts = b === null ? null : new GrowingBackground(b)
    this.backgroundHalf = b === null ? 0 : 0.5 * Math.log2(b.referenceExpected)
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
    // the kernels read the source's own list arrays (rows keep their offsets there): no copy
    if (this.moIdsSource !== mo.ids) {
      this.moIdsSource = mo.ids
      this.moIds = new Int32Array(mo.ids.buffer, mo.ids.byteOffset, mo.ids.length)
      this.arraysChanged = true
    }
    if (this.evidenceIds !== ev.ids) {
      this.evidenceIds = ev.ids
      this.arraysChanged = true
    }
    const narrative = this.m.needNarrative ? s.narrativeBits : null
    for (let i = this.size; i < n; i++) {
      const r = i * 48
      const moAt = mo.start[i]
      const evAt = ev.start[i]
      const evCount = ev.start[i + 1] - evAt
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
        null,
        0,
        0,
      )
      if (narrative !== null) {
        // the signature packRow would set from the bigram hashes, and its count of set bits
        let bits = 0
        for (let w = 0; w < NARRATIVE_WORDS; w++) {
          const word = narrative[i * NARRATIVE_WORDS + w]
          this.rowI[r + 32 + w] = word
          bits += popcount32(word)
        }
        this.rowI[r + 31] = bits
      }
      this.rowI[r + EVIDENCE_WORD] = evCount > 0 ? 1 : 0
    }
    this.countRows(this.size, n)
    this.size = n
    this.startEpoch()
    if (this.arraysChanged) this.evaluate = this.rebuild()
  }

  /**
   * Forgets the rows from `size` on and the vocabulary values from the given sizes on (the source was
   * truncated to them).
   */
  truncate(size: number, moVocabulary: number, evidenceVocabulary: number): void {
    if (size < this.size) {
      this.size = size
      // count the kept rows again (truncation undoes a probe's rows: rare, and O(rows))
      if (this.m.moTf || this.m.categoryTf) {
        this.tfCounts.fill(0)
        this.tfCategoryCounts.fill(0)
      }
      if (this.m.background !== null) this.backgroundCounts = new GrowingBackground(this.m.background)
      this.countRows(0, size)
    }
    if (moVocabulary < this.moVocabulary) this.moVocabulary = moVocabulary
    if (evidenceVocabulary < this.evidenceVocabulary) this.evidenceVocabulary = evidenceVocabulary
    this.startEpoch()
  }

  /** Total match weight of packed rows i and j (see `PairScorer.matchWeight`). */
  matchWeight(i: number, j: number): number {
    const epoch = this.epoch
    const rowI = this.rowI
    if (rowI[i * 48 + EPOCH_WORD] !== epoch) this.refresh(i)
    if (rowI[j * 48 + EPOCH_WORD] !== epoch) this.refresh(j)
    return (this.kernel as CompiledKernel).matchWeight(i, j)
  }

  /**
   * Scores pairs `start .. end` of `a`, `b` and writes those with weight >= `minWeight`, in order, to the
   * outputs from 0; returns how many (see `PairScorer.scoreRange`). The rows' blocks are read in batches
   * ahead of the kernel, so their cache misses overlap; only pairs that may reach `minWeight` (see the
   * kernel's reach filter) get the full kernel, their rows' evidence weights refreshed just before.
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
  ): number {
    return (this.kernel as CompiledKernel).scoreRange(a, b, start, end, minWeight, outA, outB, outWeight, 0)
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
    if (this.rowI[i * 48 + EPOCH_WORD] !== epoch) this.refresh(i)
    if (this.rowI[j * 48 + EPOCH_WORD] !== epoch) this.refresh(j)
    return this.evaluate(i, j, levelsOut, weightsOut, valuesOut ?? null)
  }

  /**
   * The adjustments (term frequencies, background) of a table gathered from the source's rows (`rows[k]` is
   * the source row of table row k; a row at or beyond `size` is a probe not yet packed), from this scorer's
   * counts: for a batch scorer of that table with the source as its frequency reference. MO values are
   * matched to the source's by name (`moIndex`); categories share the source's ids.
   */
  adjustmentsFor(
    table: CaseTable,
    rows: ArrayLike<number>,
    moIndex: ReadonlyMap<string, number>,
  ): ScorerAdjustments {
    const C = table.categoryValues.length
    const V = table.moValues.length
    const tfLayout = Int32Array.of(V, C)
    const holder = this.holder
    let moTermFrequency = new Float64Array(0)
    let categoryTermFrequency = new Float64Array(0)
    if (this.m.moTf || this.m.categoryTf) {
      const stride = holder.tfLayout[0]
      const anySlot = holder.tfLayout[1]
      if (this.m.moTf) {
        moTermFrequency = new Float64Array((C + 1) * V)
        for (let s = 0; s <= C; s++) {
          const slot = s === C ? anySlot : s
          for (let v = 0; v < V; v++) {
            const global = moIndex.get(table.moValues[v])
            // a value or a category new with the probe: not counted yet, 0 bits
            const known = global !== undefined && global < stride && (s === C || s < anySlot)
            moTermFrequency[s * V + v] = known ? holder.moTf[slot * stride + (global as number)] : 0
          }
        }
      }
      if (this.m.categoryTf) {
        categoryTermFrequency = new Float64Array(C)
        for (let c = 0; c < C && c < holder.categoryTf.length; c++)
          categoryTermFrequency[c] = holder.categoryTf[c]
      }
    }
    let backgroundBits = new Float64Array(0)
    let backgroundExpected: Float64Array | null = null
    const background = this.backgroundCounts
    if (background !== null) {
      backgroundBits = new Float64Array(table.size)
      backgroundExpected = new Float64Array(table.size)
      for (let k = 0; k < table.size; k++) {
        if (table.hasLocation[k] === 0) {
          backgroundExpected[k] = Number.NaN
          continue
        }
        const e = background.expected(
          table.category[k],
          table.hasLatLon[k],
          table.x[k],
          table.y[k],
          (table.timeFrom[k] + table.timeTo[k]) * 0.5,
          rows[k] < this.size,
        )
        backgroundExpected[k] = e
        backgroundBits[k] = this.backgroundHalf - 0.5 * Math.log2(e)
      }
    }
    return { moTermFrequency, categoryTermFrequency, tfLayout, backgroundBits, backgroundExpected }
  }

  /**
   * The source changed: MO value weights are recomputed now (O(MO vocabulary)); evidence value weights
   * are refreshed lazily, per row, when a row is first scored in the new epoch.
   */
  private startEpoch(): void {
    const rows = this.source.size
    this.referenceRows = rows
    this.epoch++
    if (this.epoch === 0x7fffffff) {
      this.epoch = 1
      for (let i = 0; i < this.size; i++) this.rowI[i * 48 + EPOCH_WORD] = 0
      this.evidenceEpoch.fill(0)
    }
    const frequency = this.source.mo.frequency
    const weight = this.moValueWeight
    for (let v = 0; v < this.moVocabulary; v++) weight[v] = moRarityWeight(rows, frequency[v])
    if (this.m.moTf || this.m.categoryTf) {
      const holder = this.holder
      const tf = termFrequenciesFromCounts(
        this.tfCounts,
        this.tfCategoryCounts,
        this.tfValues,
        this.source.mo.group,
        this.source.mo.groupValues.length,
        {},
        { categorySlots: 0, moValues: 0, mo: holder.moTf, category: holder.categoryTf },
      )
      if (tf.mo !== holder.moTf || tf.category !== holder.categoryTf) this.arraysChanged = true
      holder.moTf = this.m.moTf ? tf.mo : holder.moTf
      holder.categoryTf = this.m.categoryTf ? tf.category : holder.categoryTf
      holder.tfLayout[0] = this.tfValues
      holder.tfLayout[1] = this.tfCategoryCounts.length
    }
  }

  /** Adds rows [from, to) to the term-frequency and background counts. */
  private countRows(from: number, to: number): void {
    const s = this.source
    if (this.m.moTf || this.m.categoryTf) {
      // the layout only grows (after a truncation the extra values and categories count 0)
      const V = Math.max(s.mo.size, this.tfValues)
      const C = Math.max(s.categories.size, this.tfCategoryCounts.length)
      if (V !== this.tfValues || C !== this.tfCategoryCounts.length) {
        // a new value or category: lay the counts out again (categories + 1 slots of V values)
        const counts = new Float64Array((C + 1) * V)
        const oldV = this.tfValues
        const oldC = this.tfCategoryCounts.length
        for (let c = 0; c <= oldC; c++) {
          const to = c === oldC ? C : c
          counts.set(this.tfCounts.subarray(c * oldV, (c + 1) * oldV), to * V)
        }
        const categoryCounts = new Float64Array(C)
        categoryCounts.set(this.tfCategoryCounts)
        this.tfCounts = counts
        this.tfCategoryCounts = categoryCounts
        this.tfValues = V
      }
      const V2 = this.tfValues
      const all = this.tfCategoryCounts.length * V2
      const ids = s.moList.ids
      for (let i = from; i < to; i++) {
        const c = s.category[i]
        if (c >= 0) this.tfCategoryCounts[c]++
        for (let k = s.moList.start[i]; k < s.moList.start[i + 1]; k++) {
          if (c >= 0) this.tfCounts[c * V2 + ids[k]]++
          this.tfCounts[all + ids[k]]++
        }
      }
    }
    const background = this.backgroundCounts
    if (background !== null) {
      if (to > this.backgroundBits.length) {
        this.backgroundBits = grow(this.backgroundBits, to)
        this.arraysChanged = true
      }
      for (let i = from; i < to; i++) {
        if (s.hasLocation[i] === 0) continue
        background.add(s.category[i], s.hasLatLon[i], s.x[i], s.y[i], (s.timeFrom[i] + s.timeTo[i]) * 0.5)
      }
    }
  }

  /** Brings both rows' evidence weights to the current epoch (called by the kernel's scoreRange). */
  private readonly beforeKernel = (i: number, j: number): void => {
    const epoch = this.epoch
    if (this.rowI[i * 48 + EPOCH_WORD] !== epoch) this.refresh(i)
    if (this.rowI[j * 48 + EPOCH_WORD] !== epoch) this.refresh(j)
  }

  /** Recomputes the weights of row i's evidence values with the current frequencies (once per epoch). */
  private refresh(i: number): void {
    const epoch = this.epoch
    const r = i * 48
    const spec = this.m.evidence
    if (spec?.adjust) {
      const rows = this.referenceRows
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
    const background = this.backgroundCounts
    if (background !== null) {
      const s = this.source
      this.backgroundBits[i] =
        s.hasLocation[i] === 0
          ? 0
          : this.backgroundHalf -
            0.5 *
              Math.log2(
                background.expected(
                  s.category[i],
                  s.hasLatLon[i],
                  s.x[i],
                  s.y[i],
                  (s.timeFrom[i] + s.timeTo[i]) * 0.5,
                  true,
                ),
              )
    }
    this.rowI[r + EPOCH_WORD] = epoch
  }

  /** Per-value constants of values new in the source's vocabularies. */
  private growVocabularies(): void {
    const s = this.source
    const V = s.mo.size
    if (V > this.moValueWeight.length) {
      this.moValueWeight = grow(this.moValueWeight, V)
      this.moValueBit = grow(this.moValueBit, V)
      this.arraysChanged = true
    }
    for (let v = this.moVocabulary; v < V; v++) {
      const g = s.mo.group[v]
      const bit = g < 0 ? undefined : this.m.moGroupIndex.get(s.mo.groupValues[g])
      this.moValueBit[v] = bit === undefined ? 0 : 1 << bit
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
    // both views share one buffer
    const rowF = resizeLongLived(this.rowF, capacity * (BLOCK_BYTES / 8))
    this.rowI = new Int32Array(rowF.buffer, 0, capacity * 48)
    this.rowF = rowF
    this.capacity = capacity
    this.arraysChanged = true
  }

  /** Re-binds the kernels to the current arrays (after an array grew). */
  /**
   * Points the kernels at the current arrays: the generated kernel reads them from a live holder, so it is
   * generated again only when the MO layout changes (bitmaps to lists); the interpreted one is re-bound.
   */
  private rebuild(): Evaluate {
    this.arraysChanged = false
    const arrays = this.holder
    arrays.rowF = this.rowF
    arrays.rowI = this.rowI
    arrays.moIds = this.moIds
    arrays.moValueWeight = this.moValueWeight
    arrays.moValueBit = this.moValueBit
    arrays.evidenceIds = this.evidenceIds
    arrays.evidenceKind = this.evidenceKind
    arrays.evidenceValueWeight = this.evidenceValueWeight
    arrays.evidenceValueLevel = this.evidenceValueLevel
    arrays.background = this.backgroundBits
    const words = MO_BITMAP_VALUES / 32
    if (this.kernelBitmap !== this.moBitmap) {
      this.kernelBitmap = this.moBitmap
      this.kernel = compileFor(this.m, arrays, this.moBitmap, words, true, true, this.beforeKernel, true)
    }
    const evaluate = createEvaluate(this.m, arrays, this.moBitmap, words, true)
    // without code generation the interpreted kernel is bound to the arrays: re-bound every time
    if (this.kernel === null || this.interpreted) {
      this.interpreted = true
      const interpreted = (i: number, j: number): number => evaluate(i, j, null, null, null)
      this.kernel = {
        matchWeight: interpreted,
        levels: (i, j, out) => evaluate(i, j, out, null, null),
        scoreRange: (a, b, start, end, minWeight, outA, outB, outWeight, outOffset) => {
          let at = outOffset
          for (let k = start; k < end; k++) {
            this.beforeKernel(a[k], b[k])
            const w = interpreted(a[k], b[k])
            if (w >= minWeight) {
              outA[at] = a[k]
              outB[at] = b[k]
              outWeight[at++] = w
            }
          }
          return at - outOffset
        },
      }
    }
    return evaluate
  }
}

/** Set bits of a 32-bit word. */
function popcount32(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}

type Growable = Float64Array | Int32Array | Uint32Array | Int8Array

function grow<T extends Growable>(array: T, needed: number): T {
  let capacity = Math.max(64, array.length * 2)
  while (capacity < needed) capacity *= 2
  return resizeLongLived(array, capacity)
}
