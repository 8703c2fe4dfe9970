import defaultModelJson from './defaultModel.json'
import {
  type ComparisonKind,
  type ComparisonSpec,
  type LinkageModel,
  levelLabels,
  parseLinkageModel,
} from './linkageModel'

/** Options of {@link defaultModel}. */
export interface DefaultModelOptions {
  /** The prior probability of a pair whose comparisons are all missing (the model's intercept). Default the fitted one. */
  priorProbability?: number
  /** MO groups (the part before `:`) to compare one by one for exact agreement. Default none. */
  moGroups?: readonly string[]
}

const DEFAULTS = { moGroups: [] as readonly string[] }

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
 * The built-in model: what `linkIncidents` links with when given no model. It is a model fitted on solved
 * cases, not judgement: `trainModel` on generated case sets that no benchmark links (the
 * province, city and travelling presets, 60,000 incidents each; `scripts/fit-default-model.ts` writes
 * `defaultModel.json`), with the generic layout only (distance, time gap, time of day, day of week, MO
 * similarity, evidence, category, narrative; no named MO group, which other data would not have). What
 * makes it hold on data unlike those sets is what it leaves to the data being linked: MO and category
 * agreement weigh by how common the shared values are there (`termFrequencies`), closeness by the local
 * background rate there (`backgroundRates`), and `linkIncidents` re-estimates the prior of each kind of
 * pair there (`estimatePriors`). Its level weights (bits, fitted jointly by logistic regression) are listed
 * by `caselink train`'s table format and in the model README.
 *
 * `moGroups` appends one `moGroup` comparison per group with judgement starting values (same value +1.4,
 * different −1.8 bits): a layout for fitting (`trainModel`' template), not weights to link with.
 *
 * @example
 * const model = defaultModel()
 * model.comparisons.map((c) => c.name) // ['distance', 'timeGap', 'timeOfDay', 'dayOfWeek', 'mo', 'evidence', 'category', 'narrative']
 */
export function defaultModel(options: DefaultModelOptions = {}): LinkageModel {
  const fitted = builtIn()
  const moGroups = options.moGroups ?? DEFAULTS.moGroups
  const comparisons: ComparisonSpec[] = [...fitted.comparisons]
  for (const group of moGroups) {
    comparisons.push(
      makeComparison(`mo:${group}`, 'moGroup', undefined, [0.5, 0.8, 0.2], [0.5, 0.3, 0.7], { group }),
    )
  }
  return parseLinkageModel({
    ...fitted,
    priorProbability: options.priorProbability ?? fitted.priorProbability,
    comparisons,
  })
}

let cached: LinkageModel | null = null

/** The fitted model of defaultModel.json, validated once. */
function builtIn(): LinkageModel {
  cached ??= parseLinkageModel(defaultModelJson)
  return cached
}
