import { rowsByValue } from '../table/rowsByValue'
import { RULE_EVIDENCE, RULE_RARE_MO } from './blockingOptions'
import {
  firstSharedEvidence,
  firstSharedRareKey,
  type Horizon,
  horizonRule,
  withinRareHorizon,
} from './horizon'
import type { PairSink } from './pairBuffer'

const EVIDENCE: number = RULE_EVIDENCE
const RARE_MO: number = RULE_RARE_MO

/** A value skipped by a long-range rule because more rows than `maxBlockSize` carry it. */
export interface CappedValue {
  rule: 'evidence' | 'rareMo'
  /** The value (`kind:value`), or two MO values joined by ` + ` for a combination. */
  value: string
  /** Rows carrying it. */
  rows: number
  /** Pairs it would have produced, rows·(rows − 1)/2 (before removing pairs found otherwise). */
  pairs: number
}

/** Counts of a long-range rule's blocks (analyzeBlocking). */
export interface LongRangeStats {
  /** Values (or combinations) used. */
  blocks: number
  /** Pairs examined: Σ rows·(rows − 1)/2 over the used values. */
  checks: number
  /** Largest used block, rows. */
  largestBlock: number
}

/** Adds a block of `size` rows (all its pairs checked) to the stats. */
function countBlock(stats: LongRangeStats, size: number): void {
  stats.blocks++
  stats.checks += (size * (size - 1)) / 2
  if (size > stats.largestBlock) stats.largestBlock = size
}

/**
 * Pairs sharing an evidence value used by the rule (carried by 2..maxBlockSize rows), whatever
 * their distance and time, that the space-time rule does not already produce. A pair sharing several
 * values is emitted from the smallest. O(Σ rows² over used values · list length).
 */
export function joinEvidence(
  h: Horizon,
  table: { evidenceValues: readonly string[]; evidenceFrequency: Uint32Array },
  sink: PairSink,
  capped: CappedValue[],
  stats: LongRangeStats | null,
): void {
  const { start, rows } = rowsByValue(h.evidenceStart, h.evidenceIds, h.evidenceEligible, h.n)
  for (let v = 0; v < h.evidenceEligible.length; v++) {
    const f = table.evidenceFrequency[v]
    if (f > h.options.maxBlockSize) {
      capped.push({ rule: 'evidence', value: table.evidenceValues[v], rows: f, pairs: (f * (f - 1)) / 2 })
    }
    const s = start[v]
    const e = start[v + 1]
    if (e - s < 2) continue
    if (stats !== null) countBlock(stats, e - s)
    for (let p = s; p < e; p++) {
      const i = rows[p]
      for (let q = p + 1; q < e; q++) {
        const j = rows[q]
        if (horizonRule(h, i, j) >= 0) continue
        if (firstSharedEvidence(h, i, j) !== v) continue
        sink.push(i, j, EVIDENCE)
      }
    }
  }
}

/**
 * Pairs sharing a rare MO value or a rare combination of two common MO values, with windows within
 * the rare-MO gap, not produced by the space-time or evidence rules. A pair sharing several rare keys
 * is emitted from the smallest (values before combinations).
 */
export function joinRareMo(
  h: Horizon,
  table: { moValues: readonly string[]; moFrequency: Uint32Array },
  sink: PairSink,
  capped: CappedValue[],
  stats: LongRangeStats | null,
): void {
  if (h.options.rareMo === null) return
  const V = h.moRare.length
  forEachRareMoBlock(h, (rows, s, e, key) => {
    if (e - s < 2) return
    if (stats !== null) countBlock(stats, e - s)
    for (let p = s; p < e; p++) {
      const i = rows[p]
      for (let q = p + 1; q < e; q++) {
        const j = rows[q]
        if (!withinRareHorizon(h, i, j)) continue
        if (firstSharedRareKey(h, i, j) !== key) continue
        if (horizonRule(h, i, j) >= 0) continue
        if (h.options.evidence && firstSharedEvidence(h, i, j) >= 0) continue
        sink.push(i, j, RARE_MO)
      }
    }
  })
  for (let v = 0; v < V; v++) {
    if (h.moRare[v] === 2) {
      const f = table.moFrequency[v]
      capped.push({ rule: 'rareMo', value: table.moValues[v], rows: f, pairs: (f * (f - 1)) / 2 })
    }
  }
  for (const c of h.cappedCombos) {
    const v1 = Math.floor(c.key / V)
    const v2 = c.key - v1 * V
    capped.push({
      rule: 'rareMo',
      value: `${table.moValues[v1]} + ${table.moValues[v2]}`,
      rows: c.rows,
      pairs: (c.rows * (c.rows - 1)) / 2,
    })
  }
  for (const c of h.cappedTriples ?? []) {
    const v3 = c.key % V
    const v2 = Math.floor(c.key / V) % V
    const v1 = Math.floor(c.key / (V * V))
    capped.push({
      rule: 'rareMo',
      value: `${table.moValues[v1]} + ${table.moValues[v2]} + ${table.moValues[v3]}`,
      rows: c.rows,
      pairs: (c.rows * (c.rows - 1)) / 2,
    })
  }
}

/**
 * Visits the blocks of the rare-MO rule, each as `rows[start .. end)` and its key (the key
 * `firstSharedRareKey` returns for a pair the block should emit): rare values, then rare combinations
 * of two values, then of three. Blocks may hold fewer than two rows.
 *
 * @example
 * let checks = 0
 * forEachRareMoBlock(horizon, (rows, start, end) => { checks += ((end - start) * (end - start - 1)) / 2 })
 */
export function forEachRareMoBlock(
  h: Horizon,
  visit: (rows: Uint32Array, start: number, end: number, key: number) => void,
): void {
  if (h.options.rareMo === null) return
  const V = h.moRare.length
  const singles = rowsByValue(h.moStart, h.moIds, h.moRare, h.n)
  for (let v = 0; v < V; v++) {
    if (h.moRare[v] === 1) visit(singles.rows, singles.start[v], singles.start[v + 1], v)
  }
  for (let c = 0; c < h.rareCombos.length; c++) {
    visit(h.rareComboRows, h.rareComboStart[c], h.rareComboStart[c + 1], V + h.rareCombos[c])
  }
  const triples = h.rareTriples
  if (triples !== undefined && h.rareTripleStart !== undefined && h.rareTripleRows !== undefined) {
    for (let c = 0; c < triples.length; c++) {
      visit(h.rareTripleRows, h.rareTripleStart[c], h.rareTripleStart[c + 1], V + V * V + triples[c])
    }
  }
}
