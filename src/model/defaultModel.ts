import {
  type ComparisonKind,
  type ComparisonSpec,
  DEFAULT_EVIDENCE_CLASSES,
  type LinkageModel,
  levelLabels,
  parseLinkageModel,
} from './linkageModel'

/** Options of {@link defaultModel}. */
export interface DefaultModelOptions {
  /** λ, the prior probability that a scored (candidate) pair is linked. Default 0.0001. */
  priorProbability?: number
  /** MO groups (the part before `:`) to compare one by one for exact agreement. Default none. */
  moGroups?: readonly string[]
}

const DEFAULTS = { priorProbability: 0.0001, moGroups: [] as readonly string[] }

/**
 * Builds a comparison from its kind, thresholds and per-level m / u (missing level included), with
 * the standard level labels.
 *
 * @example
 * makeComparison('distance', 'distance', [1000], [0.5, 0.7, 0.3], [0.5, 0.01, 0.99], { minMatchWeight: -4 })
 */
export function makeComparison(
  name: string,
  kind: ComparisonKind,
  thresholds: number[] | undefined,
  m: readonly number[],
  u: readonly number[],
  extra: Partial<ComparisonSpec> = {},
): ComparisonSpec {
  const labels = levelLabels(kind, thresholds ?? [], extra.group ?? '')
  if (labels.length !== m.length || labels.length !== u.length) {
    throw new Error(`caselink: comparison ${name} expects ${labels.length} m and u values`)
  }
  return {
    name,
    kind,
    ...(thresholds === undefined ? {} : { thresholds }),
    ...extra,
    levels: labels.map((label, level) => ({ label, m: m[level], u: u[level] })),
  }
}

/**
 * The default comparison layout and starting values for small property crime (theft, burglary,
 * e-bike and parcel theft within a city or province over a year). Values are judgement, not fitted:
 * train with {@link trainModel} or estimate with {@link estimateModel} when data allows. The missing
 * level of every comparison has m = u (weight 0); other levels' m and u are conditional on both
 * values present. Starting weights (log2 m/u, rounded):
 *
 * | comparison | levels → weight |
 * |---|---|
 * | distance (m) | ≤500: +7.2, ≤2000: +3.6, ≤10000: +1.3, ≤50000: −1.3, else −2.9 (floor −4: never a veto) |
 * | time gap (h) | ≤24: +5.6, ≤168: +3.5, ≤720: +1.3, ≤2160: −1.0, else −3.7 |
 * | time of day (h) | window ≥ 24 h: 0, ≤1: +1.9, ≤2: +1.3, ≤4: +0.4, else −1.6 |
 * | day of week (d) | window ≥ 7 d: 0, ≤0.5: +1.2, ≤1.5: +0.1, else −0.8 |
 * | MO (rarity-weighted Jaccard) | ≥0.75: +5.9, ≥0.5: +3.9, ≥0.25: +1.3, ≥0.1: −0.6, else −2.9 |
 * | evidence | near-certain: +14.9, strong: +11.6, moderate: +5.3, other: +4.6, same kind different: −1.6, none in common: −3.8 (shared levels then lowered by term frequency) |
 * | category | same: +2.1, same parent: −1.6, different: −3.3 |
 * | narrative (Dice of bigrams) | ≥0.6: +5.3, ≥0.4: +3.3, ≥0.25: +1.0, else −2.0 |
 * | MO group (`moGroups`) | same value: +1.4, different: −1.8 |
 *
 * The prior λ = 0.0001 is for blocking's candidate pairs. These u values are those of random pairs, so
 * on candidates (already near in space and time) the weights over-count proximity: with λ = 0.001,
 * candidate pairs of generated province data (100k) scored p ≥ 0.95 were linked in only 46–78% of cases,
 * and the 300-incident bundled sample still recovers 6 of its 8 planted series at λ = 0.0001. Scoring
 * all pairs needs a much smaller λ (about series pairs / n²). A model fitted on solved cases
 * (`trainModelOnCandidates`) is calibrated and links markedly better (see bench/README.md).
 *
 * @example
 * const model = defaultModel({ moGroups: ['entry', 'target'] })
 * model.comparisons.map((c) => c.name) // ['distance', 'timeGap', …, 'mo:entry', 'mo:target']
 */
export function defaultModel(options: DefaultModelOptions = {}): LinkageModel {
  const priorProbability = options.priorProbability ?? DEFAULTS.priorProbability
  const moGroups = options.moGroups ?? DEFAULTS.moGroups
  const comparisons: ComparisonSpec[] = [
    makeComparison(
      'distance',
      'distance',
      [500, 2000, 10000, 50000],
      [0.05, 0.3, 0.25, 0.25, 0.12, 0.08],
      [0.05, 0.002, 0.02, 0.1, 0.3, 0.578],
      { minMatchWeight: -4 },
    ),
    makeComparison(
      'timeGap',
      'timeGap',
      [24, 168, 720, 2160],
      [0.5, 0.25, 0.35, 0.25, 0.1, 0.05],
      [0.5, 0.005, 0.03, 0.1, 0.2, 0.665],
    ),
    makeComparison(
      'timeOfDay',
      'timeOfDay',
      [1, 2, 4],
      [0.5, 0.1, 0.3, 0.2, 0.2, 0.2],
      [0.5, 0.1, 0.08, 0.08, 0.15, 0.59],
    ),
    makeComparison(
      'dayOfWeek',
      'dayOfWeek',
      [0.5, 1.5],
      [0.5, 0.05, 0.35, 0.3, 0.3],
      [0.5, 0.05, 0.15, 0.28, 0.52],
    ),
    makeComparison(
      'mo',
      'mo',
      [0.75, 0.5, 0.25, 0.1],
      [0.3, 0.3, 0.3, 0.2, 0.1, 0.1],
      [0.3, 0.005, 0.02, 0.08, 0.15, 0.745],
    ),
    makeComparison(
      'evidence',
      'evidence',
      undefined,
      [0.8, 0.3, 0.3, 0.2, 0.05, 0.1, 0.05],
      [0.8, 0.00001, 0.0001, 0.005, 0.002, 0.3, 0.689],
      { evidenceClasses: { ...DEFAULT_EVIDENCE_CLASSES }, termFrequencyAdjustment: true },
    ),
    makeComparison('category', 'category', undefined, [0.1, 0.85, 0.1, 0.05], [0.1, 0.2, 0.3, 0.5]),
    makeComparison(
      'narrative',
      'narrative',
      [0.6, 0.4, 0.25],
      [0.3, 0.2, 0.3, 0.3, 0.2],
      [0.3, 0.005, 0.03, 0.15, 0.815],
    ),
  ]
  for (const group of moGroups) {
    comparisons.push(
      makeComparison(`mo:${group}`, 'moGroup', undefined, [0.5, 0.8, 0.2], [0.5, 0.3, 0.7], { group }),
    )
  }
  return parseLinkageModel({
    format: 'caselink-model',
    version: 1,
    priorProbability,
    comparisons,
    training: { method: 'default' },
  })
}
