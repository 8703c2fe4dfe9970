import type { GenerateCandidatesOptions } from '../blocking/generateCandidates'
import { generateCandidates } from '../blocking/generateCandidates'
import { linkIncidents } from '../link/linkIncidents'
import type { Incident } from '../schema/incident'
import type { CandidatePairs } from '../score/scorePairs'
import { type FitSeriesLinksOptions, fitSeriesLinks } from '../series/fitSeriesLinks'
import { defaultModel } from './defaultModel'
import { fitByEm } from './fitByEm'
import { fitSupervised } from './fitSupervised'
import { type FitModelOptions, tableFor } from './fitting'
import { type LearnBlockingOptions, learnBlocking, withRareMoLimits } from './learnBlocking'
import type { LinkageModel } from './linkageModel'

/** Options of {@link trainModel}. */
export interface TrainModelOptions extends FitModelOptions {
  /**
   * `'supervised'`: from the incidents' `series` labels (two incidents sharing a label are the same
   * offender's); `'em'`: without labels, by Fellegi–Sunter EM over the candidate pairs; `'auto'`
   * (default): supervised when some label is shared by two incidents, else EM.
   */
  method?: 'auto' | 'supervised' | 'em'
  /** Blocking of the training incidents: use the options the model will be applied with. */
  blocking?: GenerateCandidatesOptions
  /** The candidate pairs, when already generated (then `blocking` only decides what is beyond them). */
  candidates?: CandidatePairs
  /**
   * Supervised: how level weights are fitted. `'logistic'` (default): jointly, by L2-regularised logistic
   * regression (each level keeps its measured m and u and gets a fitted `weight`; evidence keeps its
   * frequency-based weights, per value); `'frequencies'`: naive Bayes, weight log2(m / u), candidates only.
   */
  fit?: 'logistic' | 'frequencies'
  /**
   * Without a template: weigh MO and category agreement by how common the shared values are, and closeness
   * by the local background rate (see `termFrequencies`, `backgroundRates`), with a prior per kind of pair.
   * Default true; false fits the plain layout.
   */
  adjustments?: boolean
  /** Supervised, logistic: L2 penalty. Default 1. */
  l2?: number
  /**
   * Supervised: candidate pairs fitted at most; above this, a uniform sample of about this many (chosen by
   * a hash of the two case numbers and `seed`, so the same whatever the row order). Default 2,000,000:
   * at 1M training incidents (22M candidate pairs) a 9% sample fits a model that links another 1M as
   * well as a 19% one (4,000,000: B³ F1 0.902 both; at 100k, 0.924 both) and `caselink train` takes
   * 76 s instead of 95 s (bench/README.md).
   */
  maxPairs?: number
  /**
   * Supervised, logistic: pairs beyond blocking (that the candidates do not hold) fitted along with them,
   * so that distance and gap levels beyond the horizon are weighed and any two incidents are ranked: half
   * same-series pairs (from the labels), half random pairs, with their own intercept (a case-control
   * sample: it moves no other weight's meaning). Default 100,000, at most as many as candidate pairs
   * fitted; 0 for none.
   */
  remotePairs?: number
  /**
   * Supervised: learn the space-time horizon of blocking from the solved cases (see `learnBlocking`) and
   * store it in the model, for `linkIncidents` to use; `false` keeps `blocking` (also when `blocking` sets
   * a horizon, or `candidates` are given). Default true.
   */
  learnBlocking?: boolean | Omit<LearnBlockingOptions, 'blocking' | 'timeZone'>
  /**
   * Supervised: also fit the series-to-series model (`seriesLinks`, see `fitSeriesLinks`): the training
   * incidents are linked with the fitted model, and the detected series compared pair by pair against the
   * labels, shrunk toward a prior: by default the template's series part, else the built-in model's
   * (`prior: null` for none), kept as it is when no pair of labelled series lies within reach. `false`
   * leaves it out; options set its reach, penalty and prior. Default true. Costs one more `linkIncidents`
   * run over the training incidents.
   */
  seriesLinks?: boolean | FitSeriesLinksOptions
  /** EM: starting λ over the candidate pairs. Default 0.01. */
  initialPriorProbability?: number
  /** EM: iterations at most. Default 200. */
  maxIterations?: number
  /** EM: converged when no m and not λ change by more than this in an iteration. Default 1e-6. */
  tolerance?: number
  /** EM: receives warnings (no convergence, too few pairs). Default: `process.emitWarning`. */
  onWarning?: (message: string) => void
}

/**
 * Defaults of {@link TrainModelOptions} not shared with the other fits.
 *
 * @example
 * trainModel(solved, { maxPairs: TRAIN_MODEL_DEFAULTS.maxPairs / 4 })
 */
export const TRAIN_MODEL_DEFAULTS = {
  method: 'auto',
  maxPairs: 2_000_000,
  remotePairs: 100_000,
} as const

/**
 * Trains a linkage model on the user's own solved (or unsolved) cases: the one training call.
 *
 * Supervised (labels shared): fitted on the population the model will score, blocking's candidate pairs.
 * m is each level's share among candidate pairs that share a `series` label, u its share among those that
 * do not (u measured on random pairs would count blocking's closeness twice). The level weights are then
 * fitted jointly by logistic regression (`fit: 'logistic'`): comparisons that echo one another (category,
 * MO values, MO groups and narrative all follow the offender's habits) are not counted twice. Evidence
 * keeps its per-value term-frequency weights as a fixed part of the fit, as do the term frequencies of MO
 * and category and the background term. A sample of pairs beyond blocking (`remotePairs`) is fitted
 * with them, so the distance levels 10–30, 30–100 and > 100 km and the gap levels 21–30, 30–90, 90–365
 * and > 365 days carry weights and `scorePair`, `rankIncidents` and `rankSeries` rank distant pairs by
 * how far apart they are. Each kind of pair (near, sharing evidence, far) gets its prior offset and the
 * gaps of its linked pairs, which `linkIncidents` uses to re-estimate the priors on the data it links.
 * Last, the solved cases are linked with the fitted model and the series-to-series part (`seriesLinks`,
 * see `fitSeriesLinks`) is fitted on their detected series, shrunk toward the template's series part or
 * the built-in model's (which it keeps when no pair of labelled series lies within reach), unless
 * `seriesLinks: false`.
 *
 * EM (no labels): u from `uPairs` random pairs, then Fellegi–Sunter EM over the candidate pairs for m and
 * λ, on the plain layout (see `src/model/README.md`).
 *
 * Without a `template`, the layout is the default model's with MO groups and finer thresholds. Missing
 * levels weigh 0. Seeded and deterministic, whatever the row order.
 *
 * @example
 * const solved = parseIncidents(generateIncidents({ n: 20_000, seed: 2 }).incidents, { timeZone: 'Asia/Shanghai' }).incidents
 * const model = trainModel(solved, { timeZone: 'Asia/Shanghai' })
 * const result = linkIncidents(newCases, { timeZone: 'Asia/Shanghai', model })
 */
export function trainModel(incidents: readonly Incident[], options: TrainModelOptions = {}): LinkageModel {
  const method = options.method ?? TRAIN_MODEL_DEFAULTS.method
  if (method !== 'auto' && method !== 'supervised' && method !== 'em') {
    throw new RangeError(`caselink: trainModel method must be 'auto', 'supervised' or 'em', got '${method}'`)
  }
  const maxPairs = options.maxPairs ?? TRAIN_MODEL_DEFAULTS.maxPairs
  if (!(maxPairs >= 1) || !Number.isInteger(maxPairs)) {
    throw new RangeError(`caselink: trainModel maxPairs must be a positive integer, got ${maxPairs}`)
  }
  const remotePairs = options.remotePairs ?? TRAIN_MODEL_DEFAULTS.remotePairs
  if (!(remotePairs >= 0) || !Number.isInteger(remotePairs)) {
    throw new RangeError(`caselink: trainModel remotePairs must be an integer >= 0, got ${remotePairs}`)
  }
  const table = tableFor(incidents, options)
  // each row's labels are distinct, so a label is shared exactly when there are more labels than values
  const labelled = table.seriesIds.length > table.seriesValues.length
  const chosen = method === 'auto' ? (labelled ? 'supervised' : 'em') : method
  if (chosen === 'supervised' && !labelled) {
    throw new Error(
      "caselink: trainModel needs at least one series label shared by two incidents for method 'supervised'; use method 'em'",
    )
  }
  const learn =
    chosen === 'supervised' &&
    options.learnBlocking !== false &&
    options.candidates === undefined &&
    options.blocking?.maxDistanceMeters === undefined &&
    options.blocking?.maxGapDays === undefined
  const learned = learn
    ? learnBlocking(table, incidents, {
        ...(typeof options.learnBlocking === 'object' ? options.learnBlocking : {}),
        ...(options.blocking === undefined ? {} : { blocking: options.blocking }),
        ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
      })
    : undefined
  const blocking =
    learned === undefined
      ? options.blocking
      : withRareMoLimits(
          {
            ...options.blocking,
            maxDistanceMeters: learned.maxDistanceMeters,
            maxGapDays: learned.maxGapDays,
          },
          learned.rareMo,
        )
  const candidates = options.candidates ?? generateCandidates(table, blocking)
  const fitted =
    chosen === 'supervised'
      ? fitSupervised(table, candidates, options, blocking ?? {})
      : fitByEm(table, candidates, options)
  const model = learned === undefined ? fitted : { ...fitted, blocking: learned }
  if (chosen !== 'supervised' || options.seriesLinks === false) return model
  // the detected series of the training incidents, as linking with this model finds them
  const linked = linkIncidents(incidents, {
    timeZone: table.timeZone,
    model,
    seriesLinks: false,
    ...(learned === undefined && options.blocking !== undefined ? { blocking: options.blocking } : {}),
  })
  // shrunk toward the template's series part, else the built-in model's: a small solved set holds a few
  // dozen pairs of series, too few to fit alone
  const fitOptions = typeof options.seriesLinks === 'object' ? options.seriesLinks : {}
  const prior =
    fitOptions.prior !== undefined
      ? (fitOptions.prior ?? undefined)
      : (options.template?.seriesLinks ?? defaultModel().seriesLinks)
  const seriesLinks =
    fitSeriesLinks(linked.table, linked.partition.membership, {
      ...fitOptions,
      ...(prior === undefined ? {} : { prior }),
    }) ??
    (prior === undefined
      ? undefined
      : {
          ...prior,
          training: {
            pairs: 0,
            linked: 0,
            series: 0,
            note: 'no pair of labelled series within reach in the solved cases: the prior as it is',
          },
        })
  return seriesLinks === undefined ? model : { ...model, seriesLinks }
}
