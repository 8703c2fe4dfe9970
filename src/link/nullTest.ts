import type { Incident } from '../schema/incident'
import { createRandom } from '../util/random'
import { type LinkIncidentsOptions, type LinkResult, linkIncidents } from './linkIncidents'

/** Options of {@link nullTest}: those of the linking run, plus the permutation's. */
export interface NullTestOptions extends LinkIncidentsOptions {
  /** Seed of the permutation of times. Default 1. */
  permutationSeed?: number
  /**
   * The run on the data as given, when already made with the same options (its counts are the
   * denominators of the shares); otherwise it is made here.
   */
  observed?: LinkResult
}

/**
 * Defaults of {@link NullTestOptions}.
 *
 * @example
 * nullTest(incidents, { permutationSeed: NULL_TEST_DEFAULTS.permutationSeed + 1 })
 */
export const NULL_TEST_DEFAULTS = { permutationSeed: 1 } as const

/** Links, series and incidents in series of one run. */
export interface NullTestCounts {
  links: number
  series: number
  incidentsInSeries: number
}

/** What {@link nullTest} returns. */
export interface NullTestResult {
  /**
   * What was permuted: the fields moved together (each incident's whole time window), among how many
   * incidents, with which seed. Places, categories, MO, evidence and narratives stay with their incidents.
   */
  permuted: { fields: ['timeFrom', 'timeTo']; incidents: number; seed: number }
  /**
   * Which time each incident got: the incident `ids[k]` took the window of `ids[timeSource[k]]` (ids in
   * ascending order, the order the permutation is drawn in).
   */
  permutation: { ids: string[]; timeSource: Uint32Array }
  /** The run on the data as given. */
  observed: NullTestCounts
  /** The run on the time-permuted data. */
  permutedRun: NullTestCounts
  /**
   * permutedRun / observed for each count (NaN when the observed count is 0): the analyst's estimate of
   * the share of the output that chance alone produces.
   */
  share: NullTestCounts
  /** The run on the permuted data, for inspection. */
  nullResult: LinkResult
}

/**
 * A permutation null test of a linking run (Knox's test turned on the linker): links the incidents a
 * second time with their time windows permuted among them, so that every place, category, habit and
 * trace stays as it is but no offender's run of crimes in time survives, and reports the links, series and
 * incidents in series found there and their share of the real run's. What the permuted run finds is what
 * the same options find by chance in data of this density and make-up; habits and traces that identify an
 * offender whatever the time still link their incidents there, so the share does not reach 0 on data
 * with strong habits. The permutation is drawn over the valid incidents in ascending id order with a
 * seeded generator, so it does not depend on the input's order. Costs a second linking run.
 *
 * @example
 * const { share, permuted } = nullTest(incidents, { timeZone: 'America/Chicago', permutationSeed: 7 })
 * console.log(`${(share.links * 100).toFixed(1)}% of the links are found again with times permuted`)
 */
export function nullTest(rows: readonly unknown[], options: NullTestOptions = {}): NullTestResult {
  const seed = options.permutationSeed ?? NULL_TEST_DEFAULTS.permutationSeed
  if (!Number.isInteger(seed))
    throw new RangeError(`caselink: permutationSeed must be an integer, got ${seed}`)
  const { observed: given, permutationSeed: _seed, ...linkOptions } = options
  const observed = given ?? linkIncidents(rows, linkOptions)
  const { incidents, ids, timeSource } = permuteTimes(observed.incidents, seed)
  const nullResult = linkIncidents(incidents, linkOptions)
  const observedCounts = countsOf(observed)
  const permutedCounts = countsOf(nullResult)
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN)
  return {
    permuted: { fields: ['timeFrom', 'timeTo'], incidents: incidents.length, seed },
    permutation: { ids, timeSource },
    observed: observedCounts,
    permutedRun: permutedCounts,
    share: {
      links: ratio(permutedCounts.links, observedCounts.links),
      series: ratio(permutedCounts.series, observedCounts.series),
      incidentsInSeries: ratio(permutedCounts.incidentsInSeries, observedCounts.incidentsInSeries),
    },
    nullResult,
  }
}

/**
 * The incidents with their time windows permuted among them (new objects; the input is not changed):
 * over the incidents in ascending id order, a Fisher–Yates shuffle seeded by `seed`; the incident at
 * position k takes the window of the incident at position `timeSource[k]`.
 *
 * @example
 * const { incidents } = permuteTimes(parsed, 1)
 */
export function permuteTimes(
  incidents: readonly Incident[],
  seed: number,
): { incidents: Incident[]; ids: string[]; timeSource: Uint32Array } {
  const order = Array.from(incidents.keys()).sort((p, q) =>
    incidents[p].id < incidents[q].id ? -1 : incidents[p].id > incidents[q].id ? 1 : 0,
  )
  const n = order.length
  const timeSource = new Uint32Array(n)
  for (let k = 0; k < n; k++) timeSource[k] = k
  const random = createRandom(seed)
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1))
    const t = timeSource[k]
    timeSource[k] = timeSource[j]
    timeSource[j] = t
  }
  const permuted: Incident[] = new Array(n)
  const ids: string[] = new Array(n)
  for (let k = 0; k < n; k++) {
    const incident = incidents[order[k]]
    const source = incidents[order[timeSource[k]]]
    ids[k] = incident.id
    permuted[k] = { ...incident, timeFrom: source.timeFrom, timeTo: source.timeTo }
  }
  return { incidents: permuted, ids, timeSource }
}

function countsOf(result: LinkResult): NullTestCounts {
  return {
    links: result.links.length,
    series: result.series.length,
    incidentsInSeries: result.stats.stages.summaries.incidentsInSeries,
  }
}
