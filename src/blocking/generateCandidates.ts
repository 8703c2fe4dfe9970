import type { CaseTable } from '../table/CaseTable'
import { joinBehaviour, joinBehaviourBruteForce } from './behaviourJoin'
import {
  BLOCKING_RULES,
  type BlockingRule,
  type GenerateCandidatesOptions,
  resolveBlockingOptions,
} from './blockingOptions'
import { compileHorizon, pairRule } from './horizon'
import { type CappedValue, joinEvidence, joinRareMo } from './longRangeRules'
import { PairBuffer } from './pairBuffer'
import { joinSpaceTime } from './spaceTimeJoin'

export type {
  BehaviourOptions,
  CategoryGroups,
  GenerateCandidatesOptions,
  RareMoOptions,
} from './blockingOptions'
export { BEHAVIOUR_DEFAULTS, BLOCKING_DEFAULTS, BLOCKING_RULES, type BlockingRule } from './blockingOptions'
export type { CappedValue } from './longRangeRules'

/**
 * Candidate row pairs from blocking: pair k is rows `a[k] < b[k]`, found by rule
 * `BLOCKING_RULES[rule[k]]`. Every unordered pair appears once; pairs are sorted by a, then b.
 */
export interface CandidateSet {
  count: number
  a: Uint32Array
  b: Uint32Array
  /** Rule id per pair: 0 spaceTime, 1 missingLocation, 2 evidence, 3 rareMo, 4 behaviour. */
  rule: Uint8Array
  /** Number of pairs per rule. */
  byRule: Record<BlockingRule, number>
  /** Values the long-range rules skipped (more rows than `maxBlockSize`), most rows first. */
  capped: CappedValue[]
}

/**
 * Generates the candidate pairs of a case table without comparing all n² pairs (blocking). Rules, in
 * order; a pair is produced by the first rule that covers it, so the rules never repeat a pair:
 * 1. `spaceTime`: distance ≤ `maxDistanceMeters` (haversine for lat/lon, the distance comparison's
 *    formula; Euclid for planar x/y) and windows within `maxGapDays` (0 when they overlap), among
 *    compatible `categoryGroups`. Exact: every such pair is produced (a grid of space cells × time
 *    buckets, long windows inserted in each bucket they meet, neighbour cells joined).
 * 2. `missingLocation` (only with `allowMissingLocation`): distance unknown, windows within the gap.
 *    Without it, rows without location are linked by the long-range rules only.
 * 3. `evidence`: the pair shares an evidence value carried by at most `maxBlockSize` rows, whatever
 *    the distance and time.
 * 4. `rareMo`: the pair shares a rare MO value or a rare combination of two or three MO values (at most
 *    `rareMo.maxDocumentFrequency` carriers, counted in clumps), within `rareMo.maxGapDays` and
 *    `rareMo.maxDistanceMeters`.
 * 5. `behaviour`: each row's nearest behavioural neighbours at any distance and time among the pairs
 *    left (see {@link joinBehaviour}).
 * Long-range rules ignore `categoryGroups`. Values above `maxBlockSize` are skipped and listed in
 * `capped`. Runs in O(rows + grid insertions + pairs examined), memory O(rows + pairs); the output is
 * deterministic (sorted). See {@link analyzeBlocking} to size a run first.
 *
 * @example
 * const table = buildCaseTable(incidents)
 * const candidates = generateCandidates(table, { maxDistanceMeters: 2000, maxGapDays: 21 })
 * candidates.count // number of pairs; rows candidates.a[k] < candidates.b[k]
 * candidates.byRule.evidence // pairs brought in by shared evidence beyond the horizon
 */
export function generateCandidates(table: CaseTable, options: GenerateCandidatesOptions = {}): CandidateSet {
  checkTable(table)
  const resolved = resolveBlockingOptions(options)
  const h = compileHorizon(table, resolved)
  const buffer = new PairBuffer()
  const capped: CappedValue[] = []
  joinSpaceTime(h, buffer, null)
  if (resolved.evidence) joinEvidence(h, table, buffer, capped, null)
  if (resolved.rareMo !== null) joinRareMo(h, table, buffer, capped, null)
  if (resolved.behaviour !== null) joinBehaviour(h, table, resolved.behaviour, buffer, null)
  const byRule = ruleCounts(buffer.byRule)
  const count = buffer.count
  const { a, b, rule } = buffer.sorted(table.size)
  return { count, a, b, rule, byRule, capped: sortCapped(capped) }
}

/**
 * Reference implementation of {@link generateCandidates} that tests every one of the n(n−1)/2 pairs
 * with the same rule predicate: for verification and benchmarks only (O(n²) time).
 *
 * @example
 * const exact = generateCandidatesBruteForce(buildCaseTable(incidents.slice(0, 2000)))
 */
export function generateCandidatesBruteForce(
  table: CaseTable,
  options: GenerateCandidatesOptions = {},
): CandidateSet {
  checkTable(table)
  const resolved = resolveBlockingOptions(options)
  const h = compileHorizon(table, resolved)
  const buffer = new PairBuffer()
  const n = table.size
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const r = pairRule(h, i, j)
      if (r >= 0) buffer.push(i, j, r)
    }
  }
  if (resolved.behaviour !== null) joinBehaviourBruteForce(h, table, resolved.behaviour, buffer)
  const capped: CappedValue[] = []
  // the capped report does not depend on the enumeration: reuse the rules' own reporting
  const sinkless = { count: 0, push: () => {} }
  if (resolved.evidence) joinEvidence(h, table, sinkless, capped, null)
  if (resolved.rareMo !== null) joinRareMo(h, table, sinkless, capped, null)
  const byRule = ruleCounts(buffer.byRule)
  const count = buffer.count
  const { a, b, rule } = buffer.sorted(n)
  return { count, a, b, rule, byRule, capped: sortCapped(capped) }
}

export function ruleCounts(counts: Float64Array): Record<BlockingRule, number> {
  const out = {} as Record<BlockingRule, number>
  BLOCKING_RULES.forEach((name, r) => {
    out[name] = counts[r]
  })
  return out
}

export function sortCapped(capped: CappedValue[]): CappedValue[] {
  return capped.sort((x, y) => y.rows - x.rows || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
}

export function checkTable(table: CaseTable): void {
  if (table === null || typeof table !== 'object' || !(table.timeFrom instanceof Float64Array)) {
    throw new TypeError('caselink: expected a CaseTable (from buildCaseTable)')
  }
}
