import {
  BLOCKING_DEFAULTS,
  type GenerateCandidatesOptions,
  RULE_RARE_MO,
  resolveBlockingOptions,
} from '../blocking/blockingOptions'
import { generateCandidates } from '../blocking/generateCandidates'
import {
  compileHorizon,
  firstSharedRareKey,
  groupsCompatible,
  type Horizon,
  pairRule,
} from '../blocking/horizon'
import { forEachRareMoBlock } from '../blocking/longRangeRules'
import type { Incident } from '../schema/incident'
import { buildCaseTable } from '../table/buildCaseTable'
import type { CaseTable } from '../table/CaseTable'
import { fmix32 } from '../util/random'
import { binIndex, windowGapDays } from './estimatePriors'
import { rowDistanceMeters, rowsBySeries, rowsInIdOrder } from './fitting'

/** Options of {@link learnBlocking}. */
export interface LearnBlockingOptions {
  /** The blocking the horizon is learned for (its other rules and category groups are kept). */
  blocking?: GenerateCandidatesOptions
  /** Space-time candidate pairs per incident the horizon may cost at most. Default 40. */
  budget?: number
  /** Rare-MO candidate pairs per incident the rare-MO rule's limits may cost at most. Default 20. */
  rareMoBudget?: number
  /** Share of linked pairs to reach. Default 0.95. */
  targetCoverage?: number
  /** IANA zone of the incidents' local clock (for the sample's table). Default 'UTC'. */
  timeZone?: string
}

/**
 * The space-time horizon learned from solved cases, as a model stores it.
 *
 * @example
 * const learned: LearnedBlocking = learnBlocking(table, solved)
 * linkIncidents(newCases, { blocking: { maxDistanceMeters: learned.maxDistanceMeters, maxGapDays: learned.maxGapDays } })
 */
export interface LearnedBlocking {
  /** Space horizon, metres. */
  maxDistanceMeters: number
  /** Time horizon, days. */
  maxGapDays: number
  /** Space-time candidate pairs per incident it makes on the training data (estimated on a sample). */
  pairsPerIncident: number
  /**
   * Share of linked pairs it reaches on the training data (with `rareMo`'s limits): each solved incident
   * with its nearest predecessors in its series (the pairs that keep a series connected), through the
   * space-time rule or the long-range rules (shared evidence, rare MO).
   */
  coverage: number
  /** The same share with the blocking defaults (1,500 m, 21 days; rare MO within 30 km, 180 days). */
  defaultCoverage: number
  /**
   * The rare-MO rule's limits learned likewise (absent when the blocking turns the rule off): how far
   * apart in space and time two incidents sharing a rare MO value (or combination) may be.
   */
  rareMo?: {
    maxDistanceMeters: number
    maxGapDays: number
    /** Rare-MO candidate pairs per incident they make on the training data (estimated on a sample of values). */
    pairsPerIncident: number
  }
}

/** Defaults of {@link LearnBlockingOptions}. */
export const LEARN_BLOCKING_DEFAULTS = {
  budget: 40,
  rareMoBudget: 20,
  targetCoverage: 0.95,
  timeZone: 'UTC',
} as const

const DISTANCES_METERS = [500, 1000, 1500, 2000, 3000, 5000, 10_000, 20_000, 50_000]
const GAPS_DAYS = [1, 3, 7, 14, 21, 30, 45, 60, 90]
const RARE_DISTANCES_METERS = [10_000, 20_000, 30_000, 50_000, 100_000, 200_000]
const RARE_GAPS_DAYS = [30, 60, 90, 180, 365, 730]
/** Pairs of rare-MO blocks examined at most when counting the rule's cost (blocks sampled by key hash). */
const RARE_COST_CHECKS = 1_000_000
/** Coverage a learned horizon must add to the defaults' to replace them. */
const MIN_COVERAGE_GAIN = 0.05
/** Linked pairs of one series counted at most (see {@link learnBlocking}). */
const PAIRS_PER_SERIES = 200
/** Incidents of the sample on which the space-time pairs per incident are counted. */
const SAMPLE_ROWS = 4000

/**
 * Learns the space-time horizon of blocking from solved cases: of the distances and gaps in the grid
 * 500 m – 50 km × 1 – 90 days, the cheapest that reaches `targetCoverage` of the linked pairs, or, when
 * none does within `budget` space-time pairs per incident, the cheapest within one point of the best
 * coverage the budget allows (the last points of coverage cost the most pairs); and the blocking defaults
 * (1,500 m, 21 days) unless that adds at least 5 points of coverage to theirs.
 *
 * The linked pairs are each solved incident with the one before it in its series (by time): when all
 * are candidates, every series is connected. A pair is reached when the long-range rules take it (shared
 * evidence, a rare MO value: they do not depend on the horizon) or it lies within the horizon (and the
 * category groups). The cost, space-time pairs per incident, is counted on a hash-chosen sample of
 * 4,000 incidents and scaled by n − 1 over the sample's m − 1 (pairs grow with the density).
 *
 * @example
 * const learned = learnBlocking(table, solved, { timeZone: 'Asia/Shanghai' })
 * learned.maxDistanceMeters // e.g. 1500
 */
export function learnBlocking(
  table: CaseTable,
  incidents: readonly Incident[],
  options: LearnBlockingOptions = {},
): LearnedBlocking {
  const budget = options.budget ?? LEARN_BLOCKING_DEFAULTS.budget
  const target = options.targetCoverage ?? LEARN_BLOCKING_DEFAULTS.targetCoverage
  if (!(budget > 0)) throw new RangeError(`caselink: learnBlocking budget must be > 0, got ${budget}`)
  if (!(target > 0 && target <= 1)) {
    throw new RangeError(`caselink: learnBlocking targetCoverage must be in (0, 1], got ${target}`)
  }
  const base = options.blocking ?? {}
  const D = DISTANCES_METERS.length
  const T = GAPS_DAYS.length

  // linked pairs (each incident with its nearest predecessors in its series): which the long-range rules
  // reach, and where the others fall in the grid
  const linked = measureLinkedPairs(table, base)
  const pairs = linked.count
  if (pairs === 0) {
    throw new Error('caselink: learnBlocking needs at least one series label shared by two incidents')
  }
  const ownRare = {
    meters: (base.rareMo || undefined)?.maxDistanceMeters ?? BLOCKING_DEFAULTS.rareMo.maxDistanceMeters,
    days: (base.rareMo || undefined)?.maxGapDays ?? BLOCKING_DEFAULTS.rareMo.maxGapDays,
  }
  const reachedAt = new Float64Array((D + 1) * (T + 1))
  let alwaysReached = 0
  for (let k = 0; k < pairs; k++) {
    if (linked.evidence[k] === 1 || linked.reachedByRareMo(k, ownRare.meters, ownRare.days)) {
      alwaysReached++
    } else if (linked.compatible[k] === 1 && !Number.isNaN(linked.meters[k])) {
      reachedAt[cell(linked.meters[k], linked.gapDays[k])]++
    }
  }
  const coverageAt = cumulative(reachedAt, D, T)

  // cost: space-time pairs per incident, counted on a sample at the widest horizon
  const sample = sampleRows(table, SAMPLE_ROWS)
  const sampleTable =
    sample.length === table.size
      ? table
      : buildCaseTable(
          sample.map((i) => incidents[i]),
          { timeZone: options.timeZone ?? LEARN_BLOCKING_DEFAULTS.timeZone },
        )
  const widest = generateCandidates(sampleTable, {
    ...base,
    maxDistanceMeters: DISTANCES_METERS[D - 1],
    maxGapDays: GAPS_DAYS[T - 1],
    evidence: false,
    rareMo: false,
  })
  const pairsAt = new Float64Array((D + 1) * (T + 1))
  for (let k = 0; k < widest.count; k++) {
    const i = widest.a[k]
    const j = widest.b[k]
    pairsAt[cell(rowDistanceMeters(sampleTable, i, j), windowGapDays(sampleTable, i, j))]++
  }
  const costAt = cumulative(pairsAt, D, T)
  const m = sampleTable.size
  const scale = m > 1 ? (table.size - 1) / (m * (m - 1)) : 0

  const coverage = (d: number, t: number) => (alwaysReached + coverageAt[d * (T + 1) + t]) / pairs
  const cost = (d: number, t: number) => costAt[d * (T + 1) + t] * scale
  const grid: GridChoice[] = []
  for (let d = 0; d < D; d++) {
    for (let t = 0; t < T; t++) {
      grid.push({
        meters: DISTANCES_METERS[d],
        days: GAPS_DAYS[t],
        coverage: coverage(d, t),
        cost: cost(d, t),
      })
    }
  }
  const defaultD = DISTANCES_METERS.indexOf(BLOCKING_DEFAULTS.maxDistanceMeters)
  const defaultT = GAPS_DAYS.indexOf(BLOCKING_DEFAULTS.maxGapDays)
  // the defaults stay unless the solved cases show they miss many linked pairs: a wider horizon also
  // brings chance pairs, and the model fitted on them is more cautious (measured on generated province
  // data, 100k: 5 km / 30 days reached 2.9 points more pairs than the defaults, and B³ F1 fell from 0.926
  // to 0.906)
  const chosen = chooseCheapest(grid, grid[defaultD * T + defaultT], budget, target)
  const spaceTime = {
    maxDistanceMeters: chosen.meters,
    maxGapDays: chosen.days,
    pairsPerIncident: chosen.cost,
  }
  const defaultCoverage = coverage(defaultD, defaultT)
  if (base.rareMo === false) return { ...spaceTime, coverage: chosen.coverage, defaultCoverage }
  const rare = learnRareMoLimits(table, linked, spaceTime, ownRare, {
    budget: options.rareMoBudget ?? LEARN_BLOCKING_DEFAULTS.rareMoBudget,
    target,
  })
  return { ...spaceTime, coverage: rare.coverage, defaultCoverage, rareMo: rare.limits }
}

/**
 * `blocking` with the rare-MO rule's distance and gap limits set to `limits` (its other rare-MO options
 * kept); as given when there are no limits or the rule is off.
 *
 * @example
 * withRareMoLimits({ maxGapDays: 30 }, model.blocking?.rareMo) // { maxGapDays: 30, rareMo: { maxDistanceMeters, maxGapDays } }
 */
export function withRareMoLimits(
  blocking: GenerateCandidatesOptions | undefined,
  limits: { maxDistanceMeters: number; maxGapDays: number } | undefined,
): GenerateCandidatesOptions | undefined {
  if (limits === undefined || blocking?.rareMo === false) return blocking
  return {
    ...blocking,
    rareMo: {
      ...blocking?.rareMo,
      maxDistanceMeters: limits.maxDistanceMeters,
      maxGapDays: limits.maxGapDays,
    },
  }
}

/**
 * The linked pairs learning is measured on, and what reaches each: each incident of a series (in time
 * order) with its `back` predecessors (every pair of a series of up to 20, about PAIRS_PER_SERIES of a
 * larger one: the pairs nearest in its order), with distance, window gap, whether their categories may be
 * paired by the space-time rule, whether they share evidence, and whether they share a rare MO key (at any
 * distance and gap: `reachedByRareMo` applies the limits). `horizon` is compiled with no space-time reach
 * and no rare-MO limits, for the rare-MO cost.
 */
function measureLinkedPairs(table: CaseTable, blocking: GenerateCandidatesOptions) {
  const rareMo =
    blocking.rareMo === false ? false : { ...blocking.rareMo, maxDistanceMeters: Infinity, maxGapDays: 1e6 }
  const horizon = compileHorizon(
    table,
    resolveBlockingOptions({ ...blocking, maxDistanceMeters: 1e-3, maxGapDays: 1e-9, rareMo }),
  )
  const a: number[] = []
  const b: number[] = []
  for (const rows of seriesRows(table)) {
    const k = rows.length
    const back = (k * (k - 1)) / 2 <= PAIRS_PER_SERIES ? k - 1 : Math.max(1, Math.floor(PAIRS_PER_SERIES / k))
    for (let q = 1; q < k; q++) {
      for (let p = q - 1; p >= 0 && p >= q - back; p--) {
        a.push(rows[p])
        b.push(rows[q])
      }
    }
  }
  const count = a.length
  const meters = new Float64Array(count)
  const gapDays = new Float64Array(count)
  const compatible = new Uint8Array(count)
  const evidence = new Uint8Array(count)
  const sharesRareMo = new Uint8Array(count)
  for (let k = 0; k < count; k++) {
    const i = a[k]
    const j = b[k]
    meters[k] = rowDistanceMeters(table, i, j)
    gapDays[k] = windowGapDays(table, i, j)
    compatible[k] = groupsCompatible(horizon, i, j) ? 1 : 0
    const rule = pairRule(horizon, i, j)
    if (rule === RULE_RARE_MO) sharesRareMo[k] = 1
    else if (rule >= 0) evidence[k] = 1
  }
  return {
    count,
    horizon,
    meters,
    gapDays,
    compatible,
    evidence,
    /** Whether pair k shares a rare MO key within the limits (a pair without distance: within any). */
    reachedByRareMo: (k: number, maxMeters: number, maxDays: number) =>
      sharesRareMo[k] === 1 && (Number.isNaN(meters[k]) || meters[k] <= maxMeters) && gapDays[k] <= maxDays,
    /** Whether the space-time rule reaches pair k within the horizon. */
    reachedBySpaceTime: (k: number, maxMeters: number, maxDays: number) =>
      compatible[k] === 1 && meters[k] <= maxMeters && gapDays[k] <= maxDays,
  }
}

/**
 * The rare-MO rule's limits (distance, gap) from the grid 10–200 km × 30–730 days, chosen as the
 * space-time horizon is, given the space-time horizon already chosen: the linked pairs it and shared
 * evidence do not reach, but a shared rare MO key at some distance and gap would, against the rule's
 * pairs per incident at each limit (counted on the rare keys whose hash falls in a sample, at most
 * about 1 M pair checks, scaled up). The blocking's own limits (by default 30 km, 180 days) stay unless
 * the learned ones add 5 points of coverage within the budget (or within the own limits' cost, when that
 * is more).
 */
function learnRareMoLimits(
  table: CaseTable,
  linked: ReturnType<typeof measureLinkedPairs>,
  spaceTime: { maxDistanceMeters: number; maxGapDays: number },
  own: { meters: number; days: number },
  options: { budget: number; target: number },
): { limits: NonNullable<LearnedBlocking['rareMo']>; coverage: number } {
  const { maxDistanceMeters, maxGapDays } = spaceTime
  let otherwise = 0
  const rareOnly: number[] = []
  for (let k = 0; k < linked.count; k++) {
    if (linked.evidence[k] === 1 || linked.reachedBySpaceTime(k, maxDistanceMeters, maxGapDays)) otherwise++
    else rareOnly.push(k)
  }
  const cost = rareMoPairs(linked.horizon, table, maxDistanceMeters, maxGapDays)
  const coverageAt = (d: number, t: number) => {
    let reached = otherwise
    for (const k of rareOnly) if (linked.reachedByRareMo(k, d, t)) reached++
    return reached / linked.count
  }
  const costAt = (d: number, t: number) => {
    let count = 0
    for (let k = 0; k < cost.meters.length; k++) {
      if ((Number.isNaN(cost.meters[k]) || cost.meters[k] <= d) && cost.gapDays[k] <= t) count++
    }
    return (count * cost.scale) / table.size
  }
  const grid: GridChoice[] = []
  for (const meters of RARE_DISTANCES_METERS) {
    for (const days of RARE_GAPS_DAYS) {
      grid.push({ meters, days, coverage: coverageAt(meters, days), cost: costAt(meters, days) })
    }
  }
  const ownChoice = { ...own, coverage: coverageAt(own.meters, own.days), cost: costAt(own.meters, own.days) }
  // The rule's pairs per incident fall as the data grow (a value carried by at most maxDocumentFrequency
  // rows is rarer among more), so the budget never narrows the blocking's own limits: on a small set they
  // may cost more than it and still be cheap on the data linked.
  const chosen = chooseCheapest(grid, ownChoice, Math.max(options.budget, ownChoice.cost), options.target)
  return {
    limits: { maxDistanceMeters: chosen.meters, maxGapDays: chosen.days, pairsPerIncident: chosen.cost },
    coverage: chosen.coverage,
  }
}

/** A (distance, gap) limit of a grid with its coverage of the linked pairs and its pairs per incident. */
interface GridChoice {
  meters: number
  days: number
  coverage: number
  cost: number
}

/**
 * The grid's choice: the cheapest limit that reaches `target` coverage, or, when none does within
 * `budget` pairs per incident, the cheapest within one point of the best coverage the budget allows (the
 * last points cost the most pairs); and `own` instead (the blocking's limits) when it is within the
 * budget and the choice adds less than 5 points of coverage to it. The first of equally cheap limits
 * wins; when nothing is within the budget, the grid's first.
 */
function chooseCheapest(grid: GridChoice[], own: GridChoice, budget: number, target: number): GridChoice {
  let best = 0
  for (const g of grid) if (g.cost <= budget) best = Math.max(best, g.coverage)
  const wanted = Math.min(target, best - 0.01)
  let chosen: GridChoice | undefined
  for (const g of grid) {
    if (g.cost <= budget && g.coverage >= wanted && (chosen === undefined || g.cost < chosen.cost)) chosen = g
  }
  if (own.cost <= budget && (chosen === undefined || chosen.coverage - own.coverage < MIN_COVERAGE_GAIN)) {
    return own
  }
  return chosen ?? grid[0]
}

/**
 * Distance and gap of the pairs the rare-MO rule makes with no limits (and neither shared evidence nor the
 * space-time horizon does), on the rare keys whose hash falls in a sample; `scale` turns their count into
 * all keys' count.
 */
function rareMoPairs(
  h: Horizon,
  table: CaseTable,
  maxDistanceMeters: number,
  maxGapDays: number,
): { meters: number[]; gapDays: number[]; scale: number } {
  let checks = 0
  forEachRareMoBlock(h, (_rows, start, end) => {
    checks += ((end - start) * (end - start - 1)) / 2
  })
  const rate = Math.min(1, RARE_COST_CHECKS / Math.max(1, checks))
  const meters: number[] = []
  const gapDays: number[] = []
  forEachRareMoBlock(h, (rows, start, end, key) => {
    if (end - start < 2 || keyHash(key) >= rate) return
    for (let p = start; p < end; p++) {
      for (let q = p + 1; q < end; q++) {
        const i = rows[p]
        const j = rows[q]
        if (pairRule(h, i, j) !== RULE_RARE_MO || firstSharedRareKey(h, i, j) !== key) continue
        const distance = rowDistanceMeters(table, i, j)
        const gap = windowGapDays(table, i, j)
        if (groupsCompatible(h, i, j) && distance <= maxDistanceMeters && gap <= maxGapDays) continue
        meters.push(distance)
        gapDays.push(gap)
      }
    }
  })
  return { meters, gapDays, scale: 1 / rate }
}

/** A rare-MO key (an integer below 2^53) hashed to [0, 1). */
function keyHash(key: number): number {
  const high = Math.floor(key / 4294967296)
  return fmix32(((key >>> 0) ^ fmix32((high ^ 0x9e3779b9) >>> 0)) >>> 0) / 4294967296
}

/** Grid cell of a distance and a gap: the first threshold each does not exceed, else the open end. */
function cell(meters: number, gapDays: number): number {
  return binIndex(DISTANCES_METERS, meters) * (GAPS_DAYS.length + 1) + binIndex(GAPS_DAYS, gapDays)
}

/** Counts at or below each (distance, gap) threshold pair: a 2-D prefix sum over the grid. */
function cumulative(counts: Float64Array, D: number, T: number): Float64Array {
  const out = Float64Array.from(counts)
  for (let d = 0; d <= D; d++) for (let t = 1; t <= T; t++) out[d * (T + 1) + t] += out[d * (T + 1) + t - 1]
  for (let d = 1; d <= D; d++) for (let t = 0; t <= T; t++) out[d * (T + 1) + t] += out[(d - 1) * (T + 1) + t]
  return out
}

/** The rows of each series label in time order (then by id), labels with at least two rows. */
function seriesRows(table: CaseTable): number[][] {
  const { ids, timeFrom } = table
  return rowsBySeries(table)
    .filter((rows) => rows.length > 1)
    .map((rows) =>
      rows.sort((x, y) => timeFrom[x] - timeFrom[y] || (ids[x] < ids[y] ? -1 : ids[x] > ids[y] ? 1 : 0)),
    )
}

/** Up to `count` rows with the smallest id hashes (then ids), in row order: the same whatever the order. */
function sampleRows(table: CaseTable, count: number): number[] {
  if (table.size <= count) return Array.from({ length: table.size }, (_, i) => i)
  return Array.from(rowsInIdOrder(table).subarray(0, count)).sort((x, y) => x - y)
}
