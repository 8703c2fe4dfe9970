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
   * A value or a combination is rare when at most this many rows carry it (document frequency), or when
   * its carriers form at most `maxClumps` clumps. Default 100.
   */
  maxDocumentFrequency?: number
  /**
   * …or when its carriers count at most this many clumps, however many rows carry it: counted as
   * `createClumpCounter` counts them (6 km × 45-day cells, each holding min(rows, 1 + what chance would
   * put there)), so one offender's repetitions count about once per stay and a prolific offender's habits
   * stay rare (121 crimes over 40 stays and 20 other carriers: 141 rows, 68.6 clumps). At 100,000
   * generated incidents it adds 1.2% true rare-MO pairs for 1.3% more pairs (province 157,604 true of
   * 2.08 M against 155,762 of 2.05 M; city 169,548 of 11.40 M against 167,624 of 11.27 M). Default 75;
   * 0 turns it off (rows only).
   */
  maxClumps?: number
  /**
   * Cost cap: a rare key carried by more rows than this is skipped (and listed in `capped`), whatever its
   * clumped count. Default 300 (1,000 found the same pairs at 100,000 generated incidents and listed more
   * keys' rows at 1,000,000).
   */
  maxRows?: number
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

/** Options of the behaviour rule (`behaviour` of `generateCandidates`). */
export interface BehaviourOptions {
  /** Behavioural neighbours kept per incident (each incident's best, plus those that chose it). Default 5. */
  neighbours?: number
  /** Least weighted overlap of a neighbour, bits: the sum of the weights of the features two rows share. Default 12. */
  minBits?: number
  /**
   * A feature carried by this many (clumped) rows or more weighs nothing; one carried by c weighs
   * log2(maxDocumentFrequency / c) bits (the table's rows instead, when fewer: a value half of 30 rows
   * carry weighs 1 bit). Default 1,000.
   */
  maxDocumentFrequency?: number
  /**
   * Weight of a shared narrative bigram relative to an MO value of the same rarity (the bigrams of one
   * rare word are not independent evidence). Default 0.5.
   */
  narrativeScale?: number
}

/**
 * Defaults of {@link BehaviourOptions}.
 *
 * @example
 * generateCandidates(table, { behaviour: { ...BEHAVIOUR_DEFAULTS, neighbours: 10 } })
 */
export const BEHAVIOUR_DEFAULTS = {
  neighbours: 5,
  minBits: 12,
  maxDocumentFrequency: 1_000,
  narrativeScale: 0.5,
} as const

/** Resolved {@link BehaviourOptions}. */
export type ResolvedBehaviourOptions = { -readonly [K in keyof typeof BEHAVIOUR_DEFAULTS]: number }

/**
 * Checks and completes behaviour options; `caselink:` errors name the option.
 *
 * @example
 * resolveBehaviourOptions({ neighbours: 10 }) // { neighbours: 10, minBits: 12, maxDocumentFrequency: 1000, narrativeScale: 0.5 }
 */
export function resolveBehaviourOptions(options: BehaviourOptions): ResolvedBehaviourOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('caselink: behaviour options must be an object or false')
  }
  const neighbours = options.neighbours ?? BEHAVIOUR_DEFAULTS.neighbours
  const minBits = options.minBits ?? BEHAVIOUR_DEFAULTS.minBits
  const maxDocumentFrequency = options.maxDocumentFrequency ?? BEHAVIOUR_DEFAULTS.maxDocumentFrequency
  const narrativeScale = options.narrativeScale ?? BEHAVIOUR_DEFAULTS.narrativeScale
  if (!(Number.isInteger(neighbours) && neighbours >= 1 && neighbours <= 64)) {
    throw new RangeError(`caselink: behaviour.neighbours must be an integer in [1, 64], got ${neighbours}`)
  }
  if (!(typeof minBits === 'number' && minBits > 0 && Number.isFinite(minBits))) {
    throw new RangeError(`caselink: behaviour.minBits must be a finite number > 0, got ${minBits}`)
  }
  if (
    !(
      typeof maxDocumentFrequency === 'number' &&
      maxDocumentFrequency > 1 &&
      Number.isFinite(maxDocumentFrequency)
    )
  ) {
    throw new RangeError(
      `caselink: behaviour.maxDocumentFrequency must be a finite number > 1, got ${maxDocumentFrequency}`,
    )
  }
  if (!(typeof narrativeScale === 'number' && narrativeScale >= 0 && Number.isFinite(narrativeScale))) {
    throw new RangeError(
      `caselink: behaviour.narrativeScale must be a finite number >= 0, got ${narrativeScale}`,
    )
  }
  return { neighbours, minBits, maxDocumentFrequency, narrativeScale }
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
   * Behaviour rule: each incident's nearest behavioural neighbours at any distance and time (MO values
   * counted in clumps, sampled narrative bigrams), see {@link BehaviourOptions}; `true` for its defaults.
   * Default off: it brings pairs chosen for looking alike, which the priors estimated on the candidates
   * then take for linked (on the bundled 300-incident sample it raised the far pairs' estimated prior from
   * 13.7% to 26.3% and the links from 180 to 561, while the time-permuted run made 668); at 100,000
   * generated province incidents it adds no pair above its 12-bit floor (bench/README.md).
   */
  behaviour?: BehaviourOptions | boolean
  /**
   * Evidence values carried by more rows than this are skipped by the evidence rule and reported in
   * `capped`: a shoe model or a shared phone cannot create millions of pairs (the rare-MO rule has its
   * own cap, `rareMo.maxRows`). Default 100. The space-time rule is exact and never capped.
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
    maxGapDays: 180,
    maxDistanceMeters: 30_000,
    combinations: true,
    triples: true,
    maxDocumentFrequency: 100,
    maxClumps: 75,
    maxRows: 300,
  },
} as const

/** Rule ids (the `rule` array of {@link CandidateSet}). */
export const RULE_SPACE_TIME = 0
export const RULE_MISSING_LOCATION = 1
export const RULE_EVIDENCE = 2
export const RULE_RARE_MO = 3
export const RULE_BEHAVIOUR = 4
/**
 * Rule names by id (the `rule` array of a candidate set).
 *
 * @example
 * BLOCKING_RULES[candidates.rule[0]] // 'spaceTime'
 */
export const BLOCKING_RULES = ['spaceTime', 'missingLocation', 'evidence', 'rareMo', 'behaviour'] as const
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
    maxClumps: number
    maxRows: number
  } | null
  behaviour: ResolvedBehaviourOptions | null
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
    const maxRows = rare.maxRows ?? BLOCKING_DEFAULTS.rareMo.maxRows
    if (!(Number.isInteger(maxRows) && maxRows >= 2)) {
      throw new RangeError(`caselink: rareMo.maxRows must be an integer >= 2, got ${maxRows}`)
    }
    const maxClumps = rare.maxClumps ?? BLOCKING_DEFAULTS.rareMo.maxClumps
    if (!(typeof maxClumps === 'number' && maxClumps >= 0 && Number.isFinite(maxClumps))) {
      throw new RangeError(`caselink: rareMo.maxClumps must be a finite number >= 0, got ${maxClumps}`)
    }
    rareMo = {
      maxDocumentFrequency,
      maxRows,
      maxClumps,
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
    behaviour:
      options.behaviour === undefined || options.behaviour === false
        ? null
        : resolveBehaviourOptions(options.behaviour === true ? {} : options.behaviour),
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
