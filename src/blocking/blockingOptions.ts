import type { CaseTable } from '../table/CaseTable'

/**
 * Which categories may be paired by the space-time rule. `'none'`: any with any; `'parent'`: same
 * parent category (`burglary.residential` with `burglary.shop`); `'category'`: same category; a list
 * of groups: each
 * group is a list of category names or parents (`['burglary', 'theft.ebike']`), a row belongs to the
 * first group naming its category or its parent. Rows without a category, or in no group, are paired
 * with every group (a missing category never excludes a pair).
 */
export type CategoryGroups = 'none' | 'parent' | 'category' | readonly (readonly string[])[]

/** Long-range rule: pairs sharing a rare MO value, or a rare combination of two MO values. */
export interface RareMoOptions {
  /**
   * A value or a combination is rare when at most this many rows carry it (document frequency).
   * Default 100.
   */
  maxDocumentFrequency?: number
  /** Time horizon of the rule: the two windows come within this many days. Default 180. */
  maxGapDays?: number
  /**
   * Space horizon of the rule, metres (haversine for lat/lon rows, Euclid for planar rows): the two
   * locations lie within this distance. Rows without a location, or located in different systems, are
   * not limited. `Infinity` for no limit. Default 30,000.
   */
  maxDistanceMeters?: number
  /** Also use combinations of two (individually common) MO values. Default true. */
  combinations?: boolean
  /**
   * Also use combinations of three common MO values: an offender's habits taken together are
   * distinctive where pairs of common values are not (on the generated `travelling` set they bring in
   * 5× more true pairs than pairs of values, at about twice the precision; at 1,000,000 province
   * incidents +2 M pairs for +2.1 points of pair recall; bench/results/blocking.json). Default true.
   */
  triples?: boolean
}

/** Options of {@link generateCandidates} and {@link analyzeBlocking}. */
export interface GenerateCandidatesOptions {
  /**
   * Space horizon, metres: haversine distance for lat/lon rows (the same formula as the distance
   * comparison), Euclid for planar x/y rows. Default 1500.
   */
  maxDistanceMeters?: number
  /**
   * Time horizon, days: the gap between the two windows (0 when they overlap) is at most this.
   * Rounded to whole milliseconds. Default 21.
   */
  maxGapDays?: number
  /**
   * Restrict the space-time rule to pairs of compatible categories. Default `'category'` (same
   * offence type, or either missing): at 1,000,000 generated province incidents it finds 17.5% of
   * true linked pairs (37.9% connected) with 15.5 M pairs, against 14.7% for `'parent'` at 1000 m /
   * 14 days (15.5 M pairs) and 12.7% for `'none'` at 1000 m / 7 days (18.2 M pairs;
   * bench/results/blocking.json). Use `'parent'` when categories are fine-grained, `'none'` to
   * disable.
   */
  categoryGroups?: CategoryGroups
  /**
   * Pairs whose distance is unknown (a row without location, or a lat/lon row with a planar row) are
   * paired when their windows come within `maxGapDays`. Default false: such rows are linked only by
   * the long-range rules. Beware: every row without location is then paired with every row of its
   * weeks.
   */
  allowMissingLocation?: boolean
  /** Long-range rule: pairs sharing any evidence value, whatever the distance and time. Default true. */
  evidence?: boolean
  /** Long-range rule on rare MO (see {@link RareMoOptions}); `false` to disable. Default enabled. */
  rareMo?: RareMoOptions | false
  /**
   * Values (evidence, rare MO keys) carried by more rows than this are skipped by the long-range
   * rules and reported in `capped`: a shoe model or a shared phone cannot create millions of pairs.
   * Default 100. The space-time rule is exact and never capped.
   */
  maxBlockSize?: number
}

/**
 * Defaults of {@link GenerateCandidatesOptions}, sized for 1,000,000 province incidents on 2 cores
 * (about 13 million candidate pairs; bench/results/blocking.json).
 *
 * @example
 * generateCandidates(table, { ...BLOCKING_DEFAULTS, maxGapDays: 30 })
 */
export const BLOCKING_DEFAULTS = {
  maxDistanceMeters: 1500,
  maxGapDays: 21,
  categoryGroups: 'category',
  allowMissingLocation: false,
  evidence: true,
  maxBlockSize: 100,
  rareMo: {
    maxDocumentFrequency: 100,
    maxGapDays: 180,
    maxDistanceMeters: 30_000,
    combinations: true,
    triples: true,
  },
} as const

/** Rule ids (the `rule` array of {@link CandidateSet}). */
export const RULE_SPACE_TIME = 0
export const RULE_MISSING_LOCATION = 1
export const RULE_EVIDENCE = 2
export const RULE_RARE_MO = 3
/**
 * Rule names by id (the `rule` array of a candidate set).
 *
 * @example
 * BLOCKING_RULES[candidates.rule[0]] // 'spaceTime'
 */
export const BLOCKING_RULES = ['spaceTime', 'missingLocation', 'evidence', 'rareMo'] as const
/** One of {@link BLOCKING_RULES}. */
export type BlockingRule = (typeof BLOCKING_RULES)[number]

const DAY_MS = 86_400_000

/** Options with defaults applied and validated; times in ms. */
export interface ResolvedBlockingOptions {
  maxDistanceMeters: number
  maxGapMs: number
  /** undefined: no restriction ('none'). */
  categoryGroups: Exclude<CategoryGroups, 'none'> | undefined
  allowMissingLocation: boolean
  evidence: boolean
  rareMo: {
    maxDocumentFrequency: number
    maxGapMs: number
    /** Infinity: no limit. */
    maxDistanceMeters: number
    combinations: boolean
    triples: boolean
  } | null
  maxBlockSize: number
}

export function resolveBlockingOptions(options: GenerateCandidatesOptions): ResolvedBlockingOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('caselink: blocking options must be an object')
  }
  const maxDistanceMeters = options.maxDistanceMeters ?? BLOCKING_DEFAULTS.maxDistanceMeters
  const maxGapDays = options.maxGapDays ?? BLOCKING_DEFAULTS.maxGapDays
  const maxBlockSize = options.maxBlockSize ?? BLOCKING_DEFAULTS.maxBlockSize
  if (
    !(typeof maxDistanceMeters === 'number' && maxDistanceMeters >= 0 && Number.isFinite(maxDistanceMeters))
  ) {
    throw new RangeError(`caselink: maxDistanceMeters must be a finite number >= 0, got ${maxDistanceMeters}`)
  }
  if (!(typeof maxGapDays === 'number' && maxGapDays >= 0 && maxGapDays <= 1e6)) {
    throw new RangeError(`caselink: maxGapDays must be a number in [0, 1e6], got ${maxGapDays}`)
  }
  if (!(Number.isInteger(maxBlockSize) && maxBlockSize >= 2)) {
    throw new RangeError(`caselink: maxBlockSize must be an integer >= 2, got ${maxBlockSize}`)
  }
  const given = options.categoryGroups ?? BLOCKING_DEFAULTS.categoryGroups
  if (given !== 'none' && given !== 'parent' && given !== 'category') {
    if (
      !Array.isArray(given) ||
      given.some((g) => !Array.isArray(g) || g.some((c) => typeof c !== 'string'))
    ) {
      throw new TypeError(
        "caselink: categoryGroups must be 'none', 'parent', 'category' or a list of lists of category names",
      )
    }
  }
  const groups = given === 'none' ? undefined : given
  let rareMo: ResolvedBlockingOptions['rareMo'] = null
  if (options.rareMo !== false) {
    const rare = options.rareMo ?? {}
    const maxDocumentFrequency = rare.maxDocumentFrequency ?? BLOCKING_DEFAULTS.rareMo.maxDocumentFrequency
    const rareGapDays = rare.maxGapDays ?? BLOCKING_DEFAULTS.rareMo.maxGapDays
    if (!(Number.isInteger(maxDocumentFrequency) && maxDocumentFrequency >= 2)) {
      throw new RangeError(
        `caselink: rareMo.maxDocumentFrequency must be an integer >= 2, got ${maxDocumentFrequency}`,
      )
    }
    if (!(typeof rareGapDays === 'number' && rareGapDays >= 0 && rareGapDays <= 1e6)) {
      throw new RangeError(`caselink: rareMo.maxGapDays must be a number in [0, 1e6], got ${rareGapDays}`)
    }
    const rareDistance = rare.maxDistanceMeters ?? BLOCKING_DEFAULTS.rareMo.maxDistanceMeters
    if (!(typeof rareDistance === 'number' && rareDistance >= 0)) {
      throw new RangeError(
        `caselink: rareMo.maxDistanceMeters must be a number >= 0 (Infinity for no limit), got ${rareDistance}`,
      )
    }
    rareMo = {
      maxDocumentFrequency,
      maxGapMs: Math.round(rareGapDays * DAY_MS),
      maxDistanceMeters: rareDistance,
      combinations: rare.combinations ?? BLOCKING_DEFAULTS.rareMo.combinations,
      triples: rare.triples ?? BLOCKING_DEFAULTS.rareMo.triples,
    }
  }
  return {
    maxDistanceMeters,
    maxGapMs: Math.round(maxGapDays * DAY_MS),
    categoryGroups: groups,
    allowMissingLocation: options.allowMissingLocation ?? BLOCKING_DEFAULTS.allowMissingLocation,
    evidence: options.evidence ?? BLOCKING_DEFAULTS.evidence,
    rareMo,
    maxBlockSize,
  }
}

/**
 * Category group of each row for the space-time rule: -1 (pairs with every group) or 0..groups-1.
 */
export function categoryGroupOf(
  table: CaseTable,
  groups: Exclude<CategoryGroups, 'none'> | undefined,
): { group: Int32Array; groupCount: number } {
  const n = table.size
  const group = new Int32Array(n).fill(-1)
  if (groups === undefined) return { group: new Int32Array(n), groupCount: 1 }
  if (groups === 'parent' || groups === 'category') {
    const source = groups === 'parent' ? table.categoryParent : table.category
    for (let i = 0; i < n; i++) group[i] = source[i]
    return { group, groupCount: table.categoryValues.length }
  }
  const byName = new Map<string, number>()
  groups.forEach((names, g) => {
    for (const name of names) if (!byName.has(name)) byName.set(name, g)
  })
  const ofCategory = new Int32Array(table.categoryValues.length).fill(-1)
  for (let c = 0; c < table.categoryValues.length; c++) {
    const name = table.categoryValues[c]
    const own = byName.get(name)
    if (own !== undefined) ofCategory[c] = own
  }
  for (let i = 0; i < n; i++) {
    const c = table.category[i]
    if (c < 0) continue
    let g = ofCategory[c]
    if (g < 0 && table.categoryParent[i] >= 0) g = ofCategory[table.categoryParent[i]]
    group[i] = g
  }
  return { group, groupCount: groups.length }
}
