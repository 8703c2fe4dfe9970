import { EARTH_RADIUS_METERS } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { type BehaviourStats, joinBehaviour } from './behaviourJoin'
import {
  BLOCKING_RULES,
  type BlockingRule,
  type GenerateCandidatesOptions,
  resolveBlockingOptions,
} from './blockingOptions'
import { checkTable, sortCapped } from './generateCandidates'
import { compileHorizon } from './horizon'
import { type CappedValue, joinEvidence, joinRareMo, type LongRangeStats } from './longRangeRules'
import { CountingSink } from './pairBuffer'
import { type GridBlock, type JoinStats, joinSpaceTime } from './spaceTimeJoin'

/** Options of {@link analyzeBlocking}: the blocking options, plus how many hot blocks to list. */
export interface AnalyzeBlockingOptions extends GenerateCandidatesOptions {
  /** Number of largest grid blocks to report. Default 10. */
  topBlocks?: number
}

/** Per-rule figures of {@link BlockingAnalysis}. */
export interface RuleAnalysis {
  /** Pairs the rule will produce (exact, after removing pairs of earlier rules). */
  pairs: number
  /** Row pairs the rule examines (Σ over blocks of block pairs, as Splink counts comparisons). */
  checks: number
  /** Non-empty blocks (grid cells × buckets × groups, or values). */
  blocks: number
  /** Rows of the largest block. */
  largestBlock: number
}

/** A hot grid block, with its centre in degrees for lat/lon rows. */
export interface HotBlock extends GridBlock {
  lat?: number
  lon?: number
}

/** Result of {@link analyzeBlocking}. */
export interface BlockingAnalysis {
  rows: number
  /** n(n − 1)/2: the comparisons without blocking. */
  allPairs: number
  /** Candidate pairs over all rules (= generateCandidates(table, options).count). */
  pairs: number
  byRule: Record<BlockingRule, RuleAnalysis>
  /** 1 − pairs / allPairs. */
  reduction: number
  /** allPairs / pairs. */
  reductionFactor: number
  /** Grid blocks examining the most pairs (dense places and weeks), most first. */
  hotBlocks: HotBlock[]
  /** Values skipped by the long-range rules. */
  capped: CappedValue[]
  /** Rows without location (linked only by long-range rules unless allowMissingLocation). */
  rowsWithoutLocation: number
  /** Time taken by the analysis, ms. */
  elapsedMs: number
}

/**
 * Sizes a blocking run before making it, as Splink's blocking analysis does: the exact number of
 * pairs each rule will produce (counted, not stored: memory O(rows + grid insertions)), the pairs each
 * rule examines, the hot blocks (grid cells × time buckets with the most work), the values the caps
 * skip, and the reduction against all n(n − 1)/2 pairs. Takes about as long as generateCandidates
 * without its output memory.
 *
 * @example
 * const analysis = analyzeBlocking(table, { maxDistanceMeters: 2000, maxGapDays: 21 })
 * analysis.pairs // how many pairs scoring will see
 * analysis.hotBlocks[0] // { lat, lon, timeFrom, timeTo, rows, checks, … }
 */
export function analyzeBlocking(table: CaseTable, options: AnalyzeBlockingOptions = {}): BlockingAnalysis {
  const started = performance.now()
  checkTable(table)
  const topBlocks = options.topBlocks ?? 10
  if (!(Number.isInteger(topBlocks) && topBlocks >= 0)) {
    throw new RangeError(`caselink: topBlocks must be an integer >= 0, got ${topBlocks}`)
  }
  const resolved = resolveBlockingOptions(options)
  const h = compileHorizon(table, resolved)
  const sink = new CountingSink()
  const capped: CappedValue[] = []
  const grid: JoinStats = { checks: 0, blocks: [], blockCount: 0, insertions: 0 }
  joinSpaceTime(h, sink, grid, topBlocks)
  const evidence: LongRangeStats = { blocks: 0, checks: 0, largestBlock: 0 }
  const rare: LongRangeStats = { blocks: 0, checks: 0, largestBlock: 0 }
  if (resolved.evidence) joinEvidence(h, table, sink, capped, evidence)
  if (resolved.rareMo !== null) joinRareMo(h, table, sink, capped, rare)
  const behaviour: BehaviourStats = { blocks: 0, checks: 0, largestBlock: 0 }
  if (resolved.behaviour !== null) joinBehaviour(h, table, resolved.behaviour, sink, behaviour)
  const n = table.size
  const allPairs = (n * (n - 1)) / 2
  const largestGrid = grid.blocks.reduce((m, b) => Math.max(m, b.rows), 0)
  const figures: RuleAnalysis[] = [
    { pairs: sink.byRule[0], checks: grid.checks, blocks: grid.blockCount, largestBlock: largestGrid },
    { pairs: sink.byRule[1], checks: 0, blocks: 0, largestBlock: 0 },
    { pairs: sink.byRule[2], ...evidence },
    { pairs: sink.byRule[3], ...rare },
    { pairs: sink.byRule[4], ...behaviour },
  ]
  const byRule = {} as Record<BlockingRule, RuleAnalysis>
  BLOCKING_RULES.forEach((name, r) => {
    byRule[name] = figures[r]
  })
  const DEG = Math.PI / 180
  const hotBlocks: HotBlock[] = grid.blocks
    .sort((x, y) => y.checks - x.checks)
    .slice(0, topBlocks)
    .map((block) =>
      block.system === 'latlon'
        ? {
            ...block,
            lat: table.originLat + block.centerY / (EARTH_RADIUS_METERS * DEG),
            lon:
              table.originLon + block.centerX / (EARTH_RADIUS_METERS * DEG * Math.cos(table.originLat * DEG)),
          }
        : block,
    )
  let rowsWithoutLocation = 0
  for (let i = 0; i < n; i++) if (table.hasLocation[i] !== 1) rowsWithoutLocation++
  return {
    rows: n,
    allPairs,
    pairs: sink.count,
    byRule,
    reduction: allPairs === 0 ? 0 : 1 - sink.count / allPairs,
    reductionFactor: sink.count === 0 ? Number.POSITIVE_INFINITY : allPairs / sink.count,
    hotBlocks,
    capped: sortCapped(capped),
    rowsWithoutLocation,
    elapsedMs: performance.now() - started,
  }
}
