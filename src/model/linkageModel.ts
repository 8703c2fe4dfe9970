import { z } from 'zod'

/**
 * Kinds of comparison a {@link LinkageModel} can hold. Every comparison's level 0 is `missing`
 * (either incident lacks the data) and always weighs 0. Level layouts:
 * - `distance` (thresholds in metres, ascending): missing, `≤ t₀` … `≤ tₖ`, else.
 * - `timeGap` (hours, ascending; expected |X − Y| of the two windows): missing, `≤ t` …, else.
 * - `timeOfDay` (hours, period 24 h) / `dayOfWeek` (days, period 7 d), expected circular distance on
 *   the local clock: missing, `uniform` (a window covers a full period), `≤ t` …, else.
 * - `mo` (rarity-weighted Jaccard similarity, thresholds descending): missing, `≥ t` …, else.
 * - `moGroup` (one MO group, `group`): missing (either has no value in the group), agree, disagree.
 * - `evidence`: missing, shared near-certain, shared strong, shared moderate, shared other,
 *   same kind with different values, no kind in common.
 * - `category`: missing, same, same parent, different.
 * - `narrative` (Dice similarity of character bigrams, thresholds descending): missing, `≥ t` …, else.
 *
 * @example
 * COMPARISON_KINDS.includes('distance') // true
 */
export const COMPARISON_KINDS = [
  'distance',
  'timeGap',
  'timeOfDay',
  'dayOfWeek',
  'mo',
  'moGroup',
  'evidence',
  'category',
  'narrative',
] as const

/** One of {@link COMPARISON_KINDS}. */
export type ComparisonKind = (typeof COMPARISON_KINDS)[number]

/**
 * Kinds of pair that get their own prior (`pairPriors`): `near`, two incidents of the same category
 * within the model's background neighbourhood (what blocking's space-time rule pairs); `evidence`, not
 * near but sharing an identifier; `far`, every other pair (shared rare habits, or any two incidents).
 *
 * @example
 * PAIR_CLASSES.indexOf('near') // 0
 */
export const PAIR_CLASSES = ['near', 'evidence', 'far'] as const

/** One of {@link PAIR_CLASSES}. */
export type PairClass = (typeof PAIR_CLASSES)[number]

const pairClassPriorSchema = z.object({
  /** Bits added to the prior's match weight for pairs of this kind. */
  offsetBits: z.number().finite(),
  /**
   * How the window gaps of linked pairs of this kind fall into `gapBinsDays` on the data the model was
   * fitted on (shares summing to 1): what the prior's estimation compares a data set's gaps with.
   */
  linkedGapShares: z.array(z.number().min(0).max(1)).optional(),
  /**
   * How the window gaps of chance pairs of this kind (a permuted partner) fell into the bins on the same
   * data: the prior's estimation reads `linkedGapShares` relative to it, so that a data set of another
   * time span (whose gaps are all shorter, linked or not) is compared fairly.
   */
  chanceGapShares: z.array(z.number().min(0).max(1)).optional(),
})

/**
 * Strength classes of evidence kinds (level order in the `evidence` comparison).
 *
 * @example
 * EVIDENCE_CLASSES.indexOf('strong') + 1 // 2: the level of a shared strong identifier
 */
export const EVIDENCE_CLASSES = ['nearCertain', 'strong', 'moderate', 'other'] as const

/** One of {@link EVIDENCE_CLASSES}. */
export type EvidenceClass = (typeof EVIDENCE_CLASSES)[number]

/**
 * Default strength of evidence kinds (lower-cased kind name → class); unlisted kinds are `other`.
 *
 * @example
 * DEFAULT_EVIDENCE_CLASSES.plate // 'strong'
 */
export const DEFAULT_EVIDENCE_CLASSES: Readonly<Record<string, EvidenceClass>> = Object.freeze({
  fingerprint: 'nearCertain',
  dna: 'nearCertain',
  plate: 'strong',
  phone: 'strong',
  imei: 'strong',
  shoeprint: 'moderate',
  shoe: 'moderate',
  vehicle: 'moderate',
  tool: 'moderate',
})

const probability = z.number().gt(0).lt(1)

/**
 * What the series-to-series model compares between two detected series (fragments), in the order of its
 * weights (see `linkSeriesByModel`):
 * - `sharedBits`: the weight of the MO values both profiles hold, bits of clumped rarity (one offender's
 *   repetitions count about once per place and season, see `createClumpCounter`);
 * - `similarity`: that weight over the weight of both profiles (rarity-weighted Jaccard);
 * - `otherBits`: the weight of the profile values only one of them holds;
 * - `lookAlikes`: log2 of how many series each could be joined to (its candidates, both logs summed): a profile many series share is weak evidence, however rare its values;
 * - `sharedLookAlikes`: how many of those candidates the two have in common (Jaccard of the two sets, each
 *   holding its own series): one offender's fragments are each other's look-alikes, a crowd of strangers'
 *   are not all alike;
 * - `hourOverlap`, `weekdayOverlap`: overlap of the two series' time-of-day histograms (hours, each member
 *   spread over ±1 hour; windows up to 6 hours) and time-of-week histograms (hours of the week, each member
 *   spread over ±12 hours; windows up to a day), 0.5 when either has no member with a narrow enough window;
 *   the same in any clock whose offset is whole hours;
 * - `narrative`: mean Jaccard of the narratives' character bigrams over up to 3 × 3 members;
 * - `distanceKm`: log2(1 + km) between the nearest members;
 * - `distanceOverRadius`: log2 of that distance over the two series' radii (RMS distance from their
 *   centres), 1 km added to both;
 * - `gapDays`: log2(1 + days) between the two series' time spans (0 when they overlap);
 * - `spanOverlap`: the part of the shorter span that the other span covers (0–1);
 * - `alternation`: how often the members, in time order, pass from one series to the other across more than
 *   20 km, per member of the smaller series (look-alike offenders working at once);
 * - `fastMoves`: the share of those passes that would need more than 60 km/h.
 *
 * The series' sizes are not a feature: the model is fitted on the first round's pairs and applied in later
 * rounds too, where merged series are larger by construction, so a size weight learned in the first round
 * (negative: pairs of large series there are mostly strangers') refused every later merge (the planted
 * impersonator at 20k: 62 of his 121 crimes in one series with it, 90 without).
 *
 * @example
 * const at = SERIES_LINK_FEATURES.indexOf('distanceKm')
 * pairs.features[k * SERIES_LINK_FEATURES.length + at] // log2(1 + km) of pair k
 */
export const SERIES_LINK_FEATURES = [
  'sharedBits',
  'similarity',
  'otherBits',
  'lookAlikes',
  'sharedLookAlikes',
  'hourOverlap',
  'weekdayOverlap',
  'narrative',
  'distanceKm',
  'distanceOverRadius',
  'gapDays',
  'spanOverlap',
  'alternation',
  'fastMoves',
] as const

/** One of {@link SERIES_LINK_FEATURES}. */
export type SeriesLinkFeature = (typeof SERIES_LINK_FEATURES)[number]

const finite = z.number().finite()

/**
 * zod schema of a series-to-series model (`LinkageModel.seriesLinks`): a logistic regression over
 * {@link SERIES_LINK_FEATURES}, standardised, fitted by `fitSeriesLinks` on solved cases.
 *
 * @example
 * const links = SeriesLinkModelSchema.parse(model.seriesLinks)
 * links.minProbability // e.g. 0.5
 */
export const SeriesLinkModelSchema = z
  .object({
    /** Feature names, the order of `weights`, `center` and `scale`. */
    features: z.array(z.enum(SERIES_LINK_FEATURES)).min(1),
    /** Logistic weights (natural log-odds per standardised unit) and intercept. */
    weights: z.array(finite),
    intercept: finite,
    /** Standardisation: feature value minus `center`, over `scale`. */
    center: z.array(finite),
    scale: z.array(z.number().positive().finite()),
    /** Two series merge when their probability reaches this. */
    minProbability: probability,
    /**
     * Two groups of series are never merged while some pair of their series was scored below this (an
     * explicit "different offenders" between them), so merges do not chain look-alike strangers.
     */
    vetoProbability: probability,
    /** Which pairs of series are compared at all: same category, nearest members within the reach, profiles that agree. */
    reach: z.object({
      maxDistanceMeters: z.number().positive().finite(),
      maxGapDays: z.number().positive().finite(),
      /** Rarity-weighted Jaccard of the profiles at least this (and two values shared). */
      minSimilarity: z.number().gt(0).max(1),
      /** The shared profile values weigh at least this many bits of clumped rarity. Absent: 0. */
      minSharedBits: z.number().nonnegative().finite().optional(),
      /**
       * Two series whose members, in time order, pass from one to the other across more than 20 km more
       * than this many times are two offenders working at once, whatever the model says: never merged, and
       * no merge joins their groups. Absent: no limit.
       */
      maxAlternations: z.number().int().nonnegative().optional(),
    }),
    /** How it was fitted (informational). */
    training: z
      .object({ pairs: z.number(), linked: z.number(), series: z.number(), note: z.string().optional() })
      .optional(),
  })
  .superRefine((links, context) => {
    const n = links.features.length
    for (const field of ['weights', 'center', 'scale'] as const) {
      if (links[field].length !== n) {
        context.addIssue({
          code: 'custom',
          path: [field],
          message: `needs one entry per feature (${n}), got ${links[field].length}`,
        })
      }
    }
    if (new Set(links.features).size !== n) {
      context.addIssue({ code: 'custom', path: ['features'], message: 'duplicate feature' })
    }
  })

/** A fitted series-to-series model, see {@link SeriesLinkModelSchema}. */
export type SeriesLinkModel = z.infer<typeof SeriesLinkModelSchema>
const levelSchema = z.object({
  label: z.string().min(1),
  /** P(level | same offender). */
  m: z.number().gt(0).lte(1),
  /** P(level | different offenders). */
  u: z.number().gt(0).lte(1),
  /**
   * Match weight in bits fitted jointly with the other comparisons (logistic regression, see
   * `trainModel`); when present it replaces log2(m / u). Not allowed on `missing` (level 0).
   */
  weight: z.number().finite().optional(),
})

const comparisonSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(COMPARISON_KINDS),
    thresholds: z.array(z.number().finite()).optional(),
    group: z.string().min(1).optional(),
    evidenceClasses: z.record(z.string(), z.enum(EVIDENCE_CLASSES)).optional(),
    /**
     * Value-specific weights: `evidence` (default on) weighs a shared value by how many incidents carry
     * it; `mo` (default off) adds, for each shared MO value, log2(Σ q² / q_v) over its group's shares
     * within the pair's category; `category` (default off) adds log2(Σ p² / p_c) to agreement on category
     * c (see `termFrequencies`).
     */
    termFrequencyAdjustment: z.boolean().optional(),
    minMatchWeight: z.number().finite().optional(),
    levels: z.array(levelSchema).min(2),
  })
  .superRefine((comparison, context) => {
    const thresholds = comparison.thresholds ?? []
    const expected = expectedLevelCount(comparison.kind, thresholds.length)
    if (THRESHOLD_KINDS.has(comparison.kind) && thresholds.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['thresholds'],
        message: `${comparison.kind} needs thresholds`,
      })
    }
    const ascending = comparison.kind === 'mo' || comparison.kind === 'narrative' ? -1 : 1
    for (let k = 1; k < thresholds.length; k++) {
      if ((thresholds[k] - thresholds[k - 1]) * ascending <= 0) {
        context.addIssue({
          code: 'custom',
          path: ['thresholds', k],
          message: ascending > 0 ? 'thresholds must increase' : 'thresholds must decrease',
        })
      }
    }
    if (comparison.levels.length !== expected) {
      context.addIssue({
        code: 'custom',
        path: ['levels'],
        message: `${comparison.kind} with ${thresholds.length} thresholds has ${expected} levels, got ${comparison.levels.length}`,
      })
    }
    if (comparison.levels[0]?.weight !== undefined && comparison.levels[0].weight !== 0) {
      context.addIssue({ code: 'custom', path: ['levels', 0, 'weight'], message: 'missing level weighs 0' })
    }
    if (comparison.kind === 'moGroup' && comparison.group === undefined) {
      context.addIssue({ code: 'custom', path: ['group'], message: 'moGroup needs a group' })
    }
  })

/**
 * zod schema of a {@link LinkageModel} (JSON). Use `LinkageModelSchema.safeParse(json)` or
 * {@link parseLinkageModel}.
 *
 * @example
 * const result = LinkageModelSchema.safeParse(JSON.parse(text))
 * if (!result.success) console.log(result.error.issues)
 */
export const LinkageModelSchema = z
  .object({
    format: z.literal('caselink-model'),
    version: z.literal(1),
    /**
     * λ: prior probability that a scored pair is a same-offender pair (over the pairs the model is
     * meant to score, e.g. candidate pairs from blocking).
     */
    priorProbability: probability,
    comparisons: z.array(comparisonSchema).min(1),
    /**
     * Closeness weighed against the local background rate: a pair of the same category (or both without
     * one) within `maxDistanceMeters` and `maxGapDays` of each other gains log2(referenceExpected / E),
     * at most ±`maxWeight` bits, where E is the geometric mean of the two incidents' expected numbers of
     * same-category incidents that close by chance (see `backgroundRates`), counted on the data being
     * linked. `referenceExpected` is the background at which the other weights hold (the geometric mean
     * over the data the model was fitted on).
     */
    background: z
      .object({
        maxDistanceMeters: z.number().positive().finite(),
        maxGapDays: z.number().positive().finite(),
        referenceExpected: z.number().positive().finite(),
        maxWeight: z.number().positive().finite().optional(),
      })
      .optional(),
    /**
     * A prior for each kind of pair (see {@link PAIR_CLASSES}), as bits added to `priorProbability`'s
     * match weight, with the gap distribution of linked pairs that `estimatePriors` uses to re-estimate
     * them on the data being linked. Needs `background` (it defines `near`).
     */
    pairPriors: z
      .object({
        /** Upper ends of the window-gap bins, days, ascending; a last bin holds the longer gaps. */
        gapBinsDays: z.array(z.number().positive().finite()).min(1),
        near: pairClassPriorSchema,
        evidence: pairClassPriorSchema,
        far: pairClassPriorSchema,
      })
      .optional(),
    /**
     * The space-time horizon of blocking learned from the solved cases the model was trained on (see
     * `learnBlocking`): `linkIncidents` uses it, rescaled to the density of the data it links, unless its
     * options set the horizon.
     */
    blocking: z
      .object({
        maxDistanceMeters: z.number().positive().finite(),
        maxGapDays: z.number().positive().finite(),
        /** Space-time candidate pairs per incident on the training data. */
        pairsPerIncident: z.number().nonnegative().finite(),
        /** Share of linked (consecutive) pairs reached on the training data. */
        coverage: z.number().min(0).max(1),
        /** The same share with the blocking defaults. */
        defaultCoverage: z.number().min(0).max(1),
        /** The rare-MO rule's limits learned likewise. */
        rareMo: z
          .object({
            maxDistanceMeters: z.number().positive().finite(),
            maxGapDays: z.number().positive().finite(),
            /** Rare-MO candidate pairs per incident on the training data. */
            pairsPerIncident: z.number().nonnegative().finite(),
          })
          .optional(),
      })
      .optional(),
    /**
     * How the rarity of an MO value is counted when weighing agreement on it (the MO similarity's value
     * weights and the term-frequency adjustments): `'rows'`, every carrier once, or `'clumped'`, carriers
     * counted in clumps (see `createClumpCounter`: one offender's repetitions near each other count about
     * once). Absent: `'rows'`, what `trainModel` fits and the built-in model uses: clumped weights linked
     * more chance on a real city's year (Chicago 2016: 7.8% of the links found again with the times
     * permuted, against 5.9% by rows; bench/README.md), where values cluster at places (a store's thefts)
     * for other reasons than one offender. The online index counts rows whatever the model says.
     */
    rarity: z.enum(['rows', 'clumped']).optional(),
    /**
     * Series-to-series linking after clustering (see `linkSeriesByModel`): detected series merged when a
     * model over their profiles, places and times, fitted on solved cases by `trainModel`, says they are
     * one offender's. Absent: no learned merging.
     */
    seriesLinks: SeriesLinkModelSchema.optional(),
    /** How the model was made (informational). */
    training: z
      .object({
        method: z.enum(['default', 'supervised', 'em']),
        pairs: z.number().optional(),
        iterations: z.number().optional(),
        converged: z.boolean().optional(),
        note: z.string().optional(),
      })
      .optional(),
  })
  .superRefine((model, context) => {
    const names = new Set<string>()
    model.comparisons.forEach((comparison, index) => {
      if (names.has(comparison.name)) {
        context.addIssue({ code: 'custom', path: ['comparisons', index, 'name'], message: 'duplicate name' })
      }
      names.add(comparison.name)
    })
    if (model.comparisons.filter((c) => c.kind === 'moGroup').length > 31) {
      context.addIssue({ code: 'custom', path: ['comparisons'], message: 'at most 31 moGroup comparisons' })
    }
    const priors = model.pairPriors
    if (priors !== undefined) {
      if (model.background === undefined) {
        context.addIssue({ code: 'custom', path: ['pairPriors'], message: 'pairPriors needs background' })
      }
      const bins = priors.gapBinsDays
      for (let k = 1; k < bins.length; k++) {
        if (bins[k] <= bins[k - 1]) {
          context.addIssue({
            code: 'custom',
            path: ['pairPriors', 'gapBinsDays', k],
            message: 'must increase',
          })
        }
      }
      for (const kind of PAIR_CLASSES) {
        for (const field of ['linkedGapShares', 'chanceGapShares'] as const) {
          const shares = priors[kind][field]
          if (shares === undefined) continue
          if (shares.length !== bins.length + 1) {
            context.addIssue({
              code: 'custom',
              path: ['pairPriors', kind, field],
              message: `needs ${bins.length + 1} shares (one per bin and one for longer gaps), got ${shares.length}`,
            })
          }
        }
      }
    }
  })

/**
 * A Fellegi–Sunter linkage model: a prior and comparisons, each an ordered list of levels with
 * m = P(level | same offender) and u = P(level | different offenders). A level's match weight is
 * log2(m / u) (0 for `missing`, never below the comparison's `minMatchWeight`), or its fitted `weight`
 * when the model was fitted discriminatively; a pair's match weight is log2(λ / (1 − λ)) plus the sum of
 * its levels' weights, and its probability 2^w / (1 + 2^w). With fitted weights, λ is the probability of a
 * scored pair whose comparisons are all missing (the regression's intercept).
 * Fellegi & Sunter, "A theory for record linkage", JASA 1969.
 */
export type LinkageModel = z.infer<typeof LinkageModelSchema>

/** One comparison of a {@link LinkageModel}. */
export type ComparisonSpec = LinkageModel['comparisons'][number]

/** One level of a comparison. */
export type ComparisonLevel = ComparisonSpec['levels'][number]

const THRESHOLD_KINDS = new Set<ComparisonKind>([
  'distance',
  'timeGap',
  'timeOfDay',
  'dayOfWeek',
  'mo',
  'narrative',
])

/**
 * Number of levels of a comparison kind with `thresholdCount` thresholds (missing included).
 *
 * @example
 * expectedLevelCount('distance', 4) // 6: missing, 4 thresholds, else
 */
export function expectedLevelCount(kind: ComparisonKind, thresholdCount: number): number {
  switch (kind) {
    case 'distance':
    case 'timeGap':
    case 'mo':
    case 'narrative':
      return thresholdCount + 2
    case 'timeOfDay':
    case 'dayOfWeek':
      return thresholdCount + 3
    case 'moGroup':
      return 3
    case 'evidence':
      return 7
    case 'category':
      return 4
  }
}

/**
 * The level labels of a comparison kind, in level order.
 *
 * @example
 * levelLabels('distance', [500, 2000]) // ['missing', '<= 500 m', '<= 2000 m', '> 2000 m']
 */
export function levelLabels(kind: ComparisonKind, thresholds: readonly number[] = [], group = ''): string[] {
  const last = thresholds[thresholds.length - 1]
  switch (kind) {
    case 'distance':
      return ['missing', ...thresholds.map((t) => `<= ${t} m`), `> ${last} m`]
    case 'timeGap':
      return ['missing', ...thresholds.map((t) => `<= ${t} h`), `> ${last} h`]
    case 'timeOfDay':
      return ['missing', 'window >= 24 h', ...thresholds.map((t) => `<= ${t} h`), `> ${last} h`]
    case 'dayOfWeek':
      return ['missing', 'window >= 7 d', ...thresholds.map((t) => `<= ${t} d`), `> ${last} d`]
    case 'mo':
    case 'narrative':
      return ['missing', ...thresholds.map((t) => `>= ${t}`), `< ${last}`]
    case 'moGroup':
      return ['missing', `same ${group}`, `different ${group}`]
    case 'evidence':
      return [
        'missing',
        'shared near-certain',
        'shared strong',
        'shared moderate',
        'shared other',
        'same kind, different value',
        'no kind in common',
      ]
    case 'category':
      return ['missing', 'same', 'same parent', 'different']
  }
}

/**
 * Match weight of each level of a comparison: its fitted `weight` when present, else log2(m / u); 0 for
 * `missing` (level 0); floored at `minMatchWeight` when set (distance uses this so that it lowers but
 * never vetoes a score).
 *
 * @example
 * levelMatchWeights(model.comparisons[0]) // Float64Array, one weight per level
 */
export function levelMatchWeights(comparison: ComparisonSpec): Float64Array {
  const weights = new Float64Array(comparison.levels.length)
  const floor = comparison.minMatchWeight ?? Number.NEGATIVE_INFINITY
  for (let level = 1; level < weights.length; level++) {
    const { m, u, weight } = comparison.levels[level]
    const w = weight ?? Math.log2(m / u)
    weights[level] = w < floor ? floor : w
  }
  return weights
}

/**
 * Match weight of the prior: log2(λ / (1 − λ)).
 *
 * @example
 * priorMatchWeight({ ...model, priorProbability: 0.5 }) // 0
 */
export function priorMatchWeight(model: LinkageModel): number {
  return Math.log2(model.priorProbability / (1 - model.priorProbability))
}

/**
 * Probability of a match weight: 2^w / (1 + 2^w), computed without overflow.
 *
 * @example
 * matchProbability(0) // 0.5
 */
export function matchProbability(matchWeight: number): number {
  return matchWeight >= 0 ? 1 / (1 + 2 ** -matchWeight) : 2 ** matchWeight / (1 + 2 ** matchWeight)
}

/**
 * Validates JSON (a parsed object or a string) as a {@link LinkageModel}; throws a `caselink:` error
 * listing every problem.
 *
 * @example
 * const model = parseLinkageModel(JSON.stringify(defaultModel()))
 */
export function parseLinkageModel(json: unknown): LinkageModel {
  let value = json
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json)
    } catch (error) {
      throw new Error(`caselink: model is not valid JSON (${(error as Error).message})`)
    }
  }
  const result = LinkageModelSchema.safeParse(value)
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    )
    throw new Error(`caselink: invalid linkage model: ${problems.join('; ')}`)
  }
  return result.data
}
