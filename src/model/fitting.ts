import { haversineMeters } from '../compare/expectedDistance'
import type { Incident } from '../schema/incident'
import type { PairScorer } from '../score/pairScorer'
import { buildCaseTable } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { hashString, type Random } from '../util/random'
import { defaultModel } from './defaultModel'
import type { LinkageModel } from './linkageModel'

/** Options shared by every fit of {@link trainModel}. */
export interface FitModelOptions {
  /** Comparison layout and thresholds to fit (its m / u are starting values). Default: {@link defaultModel}. */
  template?: LinkageModel
  /**
   * MO groups compared one by one (only used without a template): `'auto'` takes every group
   * present in at least `minGroupCoverage` of the incidents (at most 31), or a list. Default 'auto'.
   */
  moGroups?: 'auto' | readonly string[]
  /** Share of incidents that must carry a group for `'auto'` to compare it. Default 0.05. */
  minGroupCoverage?: number
  /** The incidents' table when already built (row i = incidents[i]). */
  table?: CaseTable
  /** IANA zone of the local clock, when the table is built here. Default 'UTC'. */
  timeZone?: string
  /** Random pairs sampled for u. Default 200,000. */
  uPairs?: number
  /** Pseudo-count spread over a comparison's non-missing levels, so no level is 0. Default 1. */
  smoothing?: number
  /** Seed of every sampling step. Default 1. */
  seed?: number
}

export const FIT_DEFAULTS = {
  moGroups: 'auto' as const,
  minGroupCoverage: 0.05,
  timeZone: 'UTC',
  uPairs: 200_000,
  smoothing: 1,
  seed: 1,
}

/** Table of the incidents (given or built), checked against their count. */
export function tableFor(incidents: readonly Incident[], options: FitModelOptions): CaseTable {
  const table =
    options.table ?? buildCaseTable(incidents, { timeZone: options.timeZone ?? FIT_DEFAULTS.timeZone })
  if (table.size !== incidents.length) {
    throw new Error(`caselink: table has ${table.size} rows for ${incidents.length} incidents`)
  }
  return table
}

/**
 * The model whose layout is fitted: the template, or the built-in layout with the chosen MO groups, plain
 * (no term frequencies on MO and category, no background, no priors per kind of pair: the fits that want
 * them add their own, measured on their data).
 */
export function templateFor(table: CaseTable, options: FitModelOptions): LinkageModel {
  if (options.template !== undefined) return options.template
  const moGroups = options.moGroups ?? FIT_DEFAULTS.moGroups
  if (moGroups !== 'auto') return plainLayout(defaultModel({ moGroups }))
  const minCoverage = options.minGroupCoverage ?? FIT_DEFAULTS.minGroupCoverage
  const rowsWith = new Uint32Array(table.moGroupValues.length)
  const seen = new Int32Array(table.moGroupValues.length).fill(-1)
  for (let i = 0; i < table.size; i++) {
    for (let k = table.moStart[i]; k < table.moStart[i + 1]; k++) {
      const g = table.moGroup[table.moIds[k]]
      if (g >= 0 && seen[g] !== i) {
        seen[g] = i
        rowsWith[g]++
      }
    }
  }
  const groups = table.moGroupValues
    .map((name, g) => ({ name, rows: rowsWith[g] }))
    .filter((group) => group.rows >= minCoverage * table.size)
    .sort((x, y) => y.rows - x.rows || (x.name < y.name ? -1 : 1))
    .slice(0, 31)
    .map((group) => group.name)
  return plainLayout(defaultModel({ moGroups: groups }))
}

/** The layout without adjustments, MO rarity counted in rows. */
function plainLayout(model: LinkageModel): LinkageModel {
  const { background: _background, pairPriors: _priors, rarity: _rarity, ...rest } = model
  return {
    ...rest,
    comparisons: model.comparisons.map((comparison) => {
      if (comparison.kind !== 'mo' && comparison.kind !== 'category') return comparison
      const { termFrequencyAdjustment: _tf, ...plain } = comparison
      return plain
    }),
  }
}

/** Level counts per comparison and level, flat (`offset[c] + level`). */
export interface LevelCounts {
  offset: Int32Array
  counts: Float64Array
}

export function emptyCounts(model: LinkageModel): LevelCounts {
  const offset = new Int32Array(model.comparisons.length + 1)
  for (let c = 0; c < model.comparisons.length; c++)
    offset[c + 1] = offset[c] + model.comparisons[c].levels.length
  return { offset, counts: new Float64Array(offset[model.comparisons.length]) }
}

/** Adds `weight` to each comparison's level of the pair. */
export function addPair(counts: LevelCounts, levels: Int8Array, weight: number): void {
  for (let c = 0; c < levels.length; c++) counts.counts[counts.offset[c] + levels[c]] += weight
}

/**
 * Level probabilities from counts: the non-missing levels conditional on both values present, the
 * missing level the observed missing share. Smoothing adds `smoothing` pseudo-counts spread over the
 * non-missing levels in proportion to `toward` (per comparison; uniform when absent). m is smoothed
 * toward u, so a level rare among matches is pulled toward weight 0, and a level never seen in
 * either sample gets m = u exactly (weight 0: no information); nothing is 0 or ±∞. Returns one array
 * per comparison.
 */
export function probabilitiesFromCounts(
  counts: LevelCounts,
  smoothing: number,
  toward?: readonly Float64Array[],
  towardCounts?: LevelCounts,
): Float64Array[] {
  const out: Float64Array[] = []
  for (let c = 0; c + 1 < counts.offset.length; c++) {
    const start = counts.offset[c]
    const levels = counts.offset[c + 1] - start
    const probabilities = new Float64Array(levels)
    let present = 0
    for (let l = 1; l < levels; l++) present += counts.counts[start + l]
    const missing = counts.counts[start]
    for (let l = 1; l < levels; l++) {
      const base = toward === undefined ? 1 / (levels - 1) : toward[c][l]
      probabilities[l] = (counts.counts[start + l] + smoothing * base) / (present + smoothing)
      if (toward !== undefined && towardCounts !== undefined) {
        if (counts.counts[start + l] === 0 && towardCounts.counts[start + l] === 0)
          probabilities[l] = toward[c][l]
      }
    }
    probabilities[0] = (missing + 0.5) / (missing + present + 1)
    out.push(probabilities)
  }
  return out
}

/** A model with new m, u (per comparison, per level) and prior; the missing level gets m = u. */
export function withProbabilities(
  template: LinkageModel,
  m: readonly Float64Array[],
  u: readonly Float64Array[],
  priorProbability: number,
  training: LinkageModel['training'],
): LinkageModel {
  return {
    format: 'caselink-model',
    version: 1,
    priorProbability,
    ...(template.background === undefined ? {} : { background: template.background }),
    ...(template.rarity === undefined ? {} : { rarity: template.rarity }),
    comparisons: template.comparisons.map((comparison, c) => ({
      ...comparison,
      levels: comparison.levels.map((level, l) => ({
        label: level.label,
        m: clampProbability(l === 0 ? u[c][0] : m[c][l]),
        u: clampProbability(u[c][l]),
      })),
    })),
    training,
  }
}

function clampProbability(p: number): number {
  return Math.min(1, Math.max(1e-12, p))
}

/** True when rows i and j share a series label (both label lists are sorted ids). */
export function shareLabel(table: CaseTable, i: number, j: number): boolean {
  let p = table.seriesStart[i]
  let q = table.seriesStart[j]
  const pe = table.seriesStart[i + 1]
  const qe = table.seriesStart[j + 1]
  while (p < pe && q < qe) {
    const a = table.seriesIds[p]
    const b = table.seriesIds[q]
    if (a === b) return true
    if (a < b) p++
    else q++
  }
  return false
}

/**
 * Level counts over `pairs` random pairs of distinct rows that share no series label (the u sample):
 * with few linked pairs among n², random pairs are almost all between different offenders.
 */
export function sampleUCounts(
  scorer: PairScorer,
  model: LinkageModel,
  pairs: number,
  random: Random,
  skipLinked: boolean,
): LevelCounts {
  const table = scorer.table
  const counts = emptyCounts(model)
  const levels = new Int8Array(scorer.comparisonCount)
  if (table.size < 2) return counts
  let drawn = 0
  for (let attempt = 0; drawn < pairs && attempt < pairs * 4; attempt++) {
    const i = Math.floor(random() * table.size)
    const j = Math.floor(random() * table.size)
    if (i === j) continue
    if (skipLinked && shareLabel(table, i, j)) continue
    scorer.levels(i, j, levels)
    addPair(counts, levels, 1)
    drawn++
  }
  return counts
}

/**
 * The table's rows ordered by a hash of their case numbers (then the numbers): an order that does not
 * depend on the input's, for samples that must not either.
 *
 * @example
 * const order = rowsInIdOrder(table)
 * const sample = order.slice(0, 4000) // the same incidents whatever the row order
 */
export function rowsInIdOrder(table: CaseTable): Uint32Array {
  const hash = Uint32Array.from(table.ids, (id) => hashString(id))
  const { ids } = table
  return Uint32Array.from({ length: table.size }, (_, i) => i).sort(
    (x, y) => hash[x] - hash[y] || (ids[x] < ids[y] ? -1 : ids[x] > ids[y] ? 1 : 0),
  )
}

/**
 * The rows of each series label (by label id), in the order of `rows` (default: the table's).
 *
 * @example
 * rowsBySeries(table, rowsInIdOrder(table))[0] // rows labelled table.seriesValues[0]
 */
export function rowsBySeries(table: CaseTable, rows?: ArrayLike<number>): number[][] {
  const byLabel: number[][] = Array.from({ length: table.seriesValues.length }, () => [])
  const count = rows === undefined ? table.size : rows.length
  for (let r = 0; r < count; r++) {
    const i = rows === undefined ? r : rows[r]
    for (let k = table.seriesStart[i]; k < table.seriesStart[i + 1]; k++) byLabel[table.seriesIds[k]].push(i)
  }
  return byLabel
}

/**
 * Metres between two rows: haversine for lat/lon rows, Euclid for planar ones, NaN when either has no
 * location or they lie in different systems (as the distance comparison reads them).
 *
 * @example
 * rowDistanceMeters(table, 0, 1) // 2430.5
 */
export function rowDistanceMeters(table: CaseTable, i: number, j: number): number {
  if (table.hasLocation[i] === 0 || table.hasLocation[j] === 0) return Number.NaN
  if (table.hasLatLon[i] !== table.hasLatLon[j]) return Number.NaN
  if (table.hasLatLon[i] === 0) return Math.hypot(table.x[j] - table.x[i], table.y[j] - table.y[i])
  return haversineMeters(table.lat[i], table.lon[i], table.lat[j], table.lon[j])
}
