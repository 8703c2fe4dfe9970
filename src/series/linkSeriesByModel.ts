/**
 * Learned series-to-series linking: after clustering, detected series (fragments of one offender's crimes
 * that no candidate pair joined: another county, a gap between bursts) are compared by a model over their
 * profiles, places and times (`LinkageModel.seriesLinks`, fitted by `trainModel`), and merged above its
 * fitted probability.
 */

import { canonicalizeMembership } from '../cluster/partition'
import { SERIES_LINK_FEATURES, type SeriesLinkFeature, type SeriesLinkModel } from '../model/linkageModel'
import type { CaseTable } from '../table/CaseTable'
import type { ProfileMerge, ProfileMergeResult } from './mergeSeriesByProfile'
import { type SeriesPairFeatures, seriesPairFeatures } from './seriesPairFeatures'

/**
 * Probability of each compared pair of series under a series-to-series model; 0 for pairs alternating more
 * than `model.reach.maxAlternations` times.
 *
 * @example
 * const pairs = seriesPairFeatures(table, membership, model.seriesLinks.reach)
 * const p = seriesPairProbabilities(pairs, model.seriesLinks) // p[k]: series pairs.a[k] and pairs.b[k]
 */
export function seriesPairProbabilities(pairs: SeriesPairFeatures, model: SeriesLinkModel): Float64Array {
  const F = SERIES_LINK_FEATURES.length
  const column = model.features.map((name) => SERIES_LINK_FEATURES.indexOf(name))
  const probability = new Float64Array(pairs.count)
  const maxAlternations = model.reach.maxAlternations ?? Number.POSITIVE_INFINITY
  for (let k = 0; k < pairs.count; k++) {
    if (pairs.alternations[k] > maxAlternations) continue
    let z = model.intercept
    for (let d = 0; d < column.length; d++) {
      z += (model.weights[d] * (pairs.features[k * F + column[d]] - model.center[d])) / model.scale[d]
    }
    probability[k] = 1 / (1 + Math.exp(-z))
  }
  return probability
}

/**
 * Merges pairs of series in order of probability, strongest first, while it reaches `minProbability`;
 * two groups are not merged while some compared pair of their series scored below `vetoProbability`.
 * Returns the accepted pairs (indices into `pairs`) and the group (root community) of each community.
 * Ties are broken by `order` (one key per community), so the result does not depend on community ids.
 *
 * @example
 * const { accepted, root } = mergeByProbability(pairs, p, 0.5, 0.1, (c, t) => c - t)
 * root[pairs.a[accepted[0]]] === root[pairs.b[accepted[0]]] // true
 */
export function mergeByProbability(
  pairs: SeriesPairFeatures,
  probability: Float64Array,
  minProbability: number,
  vetoProbability: number,
  order: (c: number, t: number) => number,
): { accepted: number[]; root: Int32Array } {
  const { communities, count } = pairs
  // compared pairs of each community (CSR), for the veto
  const degree = new Uint32Array(communities + 1)
  for (let k = 0; k < count; k++) {
    degree[pairs.a[k] + 1]++
    degree[pairs.b[k] + 1]++
  }
  for (let c = 0; c < communities; c++) degree[c + 1] += degree[c]
  const at = degree.slice(0, communities)
  const incident = new Uint32Array(2 * count)
  for (let k = 0; k < count; k++) {
    incident[at[pairs.a[k]]++] = k
    incident[at[pairs.b[k]]++] = k
  }
  const candidates: number[] = []
  for (let k = 0; k < count; k++) if (probability[k] >= minProbability) candidates.push(k)
  candidates.sort(
    (x, y) =>
      probability[y] - probability[x] ||
      order(Math.min(pairs.a[x], pairs.b[x]), Math.min(pairs.a[y], pairs.b[y])) ||
      order(Math.max(pairs.a[x], pairs.b[x]), Math.max(pairs.a[y], pairs.b[y])),
  )
  const root = new Int32Array(communities)
  const members: number[][] = []
  for (let c = 0; c < communities; c++) {
    root[c] = c
    members.push([c])
  }
  const accepted: number[] = []
  for (const k of candidates) {
    let x = root[pairs.a[k]]
    let y = root[pairs.b[k]]
    if (x === y) continue
    if (members[x].length > members[y].length) [x, y] = [y, x]
    let vetoed = false
    for (const c of members[x]) {
      for (let e = degree[c]; e < degree[c + 1] && !vetoed; e++) {
        const other = pairs.a[incident[e]] === c ? pairs.b[incident[e]] : pairs.a[incident[e]]
        if (root[other] === y && probability[incident[e]] < vetoProbability) vetoed = true
      }
      if (vetoed) break
    }
    if (vetoed) continue
    accepted.push(k)
    for (const c of members[x]) {
      root[c] = y
      members[y].push(c)
    }
    members[x] = []
  }
  return { accepted, root }
}

/**
 * Merges detected series that a series-to-series model says are one offender's: every pair of series within
 * the model's reach is scored ({@link seriesPairFeatures}, {@link seriesPairProbabilities}); pairs are
 * merged strongest first while their probability reaches `model.minProbability`, and never across a pair of
 * the two groups' series scored below `model.vetoProbability` (so look-alike strangers do not chain); then
 * the merged series are compared again, for up to `rounds` rounds ({@link SERIES_LINK_ROUNDS}). Each
 * merge carries its probability and the features that weighed most; its community ids are those of the
 * round's partition (its rows are the input's). The partition returned is canonical.
 * Does not depend on the row order; never mutates its input.
 *
 * @example
 * const model = trainModel(solved, { timeZone: 'Asia/Shanghai' })
 * const { membership, merges } = linkSeriesByModel(table, partition.membership, model.seriesLinks!)
 * merges[0] // { probability: 0.97, similarity: 0.8, distanceMeters: 23000, reasons: ['shared habits (+2.1)', …], … }
 */
export function linkSeriesByModel(
  table: CaseTable,
  membership: Int32Array,
  model: SeriesLinkModel,
  options: { rounds?: number } = {},
): ProfileMergeResult {
  const rounds = options.rounds ?? SERIES_LINK_ROUNDS
  if (!(Number.isInteger(rounds) && rounds >= 1)) {
    throw new RangeError(`caselink: series link rounds must be an integer >= 1, got ${rounds}`)
  }
  let current: ProfileMergeResult = { membership, count: 0, merges: [] }
  const merges: ProfileMerge[] = []
  let active: Uint8Array | undefined
  for (let round = 0; round < rounds; round++) {
    const next = linkSeriesOnce(table, current.membership, model, active)
    if (next.merges.length === 0) break
    // the next round compares only the series this one made (the others' pairs were all scored already)
    active = mergedCommunities(current.membership, next.membership, next.count)
    current = next
    merges.push(...next.merges)
  }
  if (current.membership === membership) {
    const copy = Int32Array.from(membership)
    return { membership: copy, count: canonicalizeMembership(copy), merges }
  }
  return { membership: current.membership, count: current.count, merges }
}

/**
 * Rounds of series linking at most: merged series are compared again, as the larger series they now form
 * (their profiles, spans and look-alikes recounted; only pairs with a series the last round made are
 * scored again), until a round merges nothing. On the planted impersonator at 20k (built-in model) the
 * first round joins 62 of his 121 crimes in one series and later rounds add none: the series it made now
 * meets some of his other fragments with a probability below the veto.
 *
 * @example
 * linkSeriesByModel(table, membership, model.seriesLinks, { rounds: SERIES_LINK_ROUNDS / 2 })
 */
export const SERIES_LINK_ROUNDS = 3

/** Communities of `after` that hold rows of two or more communities of `before`. */
function mergedCommunities(before: Int32Array, after: Int32Array, count: number): Uint8Array {
  const first = new Int32Array(count).fill(-1)
  const merged = new Uint8Array(count)
  for (let i = 0; i < after.length; i++) {
    const c = after[i]
    if (first[c] < 0) first[c] = before[i]
    else if (first[c] !== before[i]) merged[c] = 1
  }
  return merged
}

function linkSeriesOnce(
  table: CaseTable,
  membership: Int32Array,
  model: SeriesLinkModel,
  active: Uint8Array | undefined,
): ProfileMergeResult {
  const pairs = seriesPairFeatures(table, membership, model.reach, active)
  const probability = seriesPairProbabilities(pairs, model)
  const firstId = smallestIds(table, pairs)
  const { accepted, root } = mergeByProbability(
    pairs,
    probability,
    model.minProbability,
    model.vetoProbability,
    (c, t) => (firstId[c] < firstId[t] ? -1 : firstId[c] > firstId[t] ? 1 : 0),
  )
  const F = SERIES_LINK_FEATURES.length
  const merges: ProfileMerge[] = accepted.map((k) => {
    const f = k * F
    const contributions = model.features.map((name, d) => ({
      name,
      bits:
        ((model.weights[d] * (pairs.features[f + SERIES_LINK_FEATURES.indexOf(name)] - model.center[d])) /
          model.scale[d]) *
        Math.LOG2E,
    }))
    contributions.sort((x, y) => Math.abs(y.bits) - Math.abs(x.bits) || (x.name < y.name ? -1 : 1))
    const sharedMo = pairs.sharedMo(k)
    return {
      communityA: pairs.a[k],
      communityB: pairs.b[k],
      rowA: pairs.rowA[k],
      rowB: pairs.rowB[k],
      similarity: pairs.features[f + SERIES_LINK_FEATURES.indexOf('similarity')],
      distanceMeters: pairs.distanceMeters[k],
      gapDays: pairs.gapDays[k],
      sharedMo,
      probability: probability[k],
      reasons: contributions
        .slice(0, 4)
        .map((x) => `${describe(x.name)} (${x.bits >= 0 ? '+' : ''}${x.bits.toFixed(1)})`),
    }
  })
  const merged = new Int32Array(table.size)
  for (let i = 0; i < table.size; i++) merged[i] = root[membership[i]]
  const count = canonicalizeMembership(merged)
  return { membership: merged, count, merges }
}

const DESCRIPTIONS: Record<SeriesLinkFeature, string> = {
  sharedBits: 'shared habits',
  similarity: 'profile similarity',
  otherBits: 'unshared habits',
  lookAlikes: 'look-alike series',
  sharedLookAlikes: 'look-alikes in common',
  hourOverlap: 'time of day',
  weekdayOverlap: 'day of week',
  narrative: 'narratives',
  distanceKm: 'distance',
  distanceOverRadius: 'distance for their radii',
  gapDays: 'time between',
  spanOverlap: 'overlap in time',
  alternation: 'alternation between places',
  fastMoves: 'infeasible travel',
}

function describe(name: SeriesLinkFeature): string {
  return DESCRIPTIONS[name]
}

/** The smallest case number of each community (for ties, independent of the row order). */
function smallestIds(table: CaseTable, pairs: SeriesPairFeatures): string[] {
  const ids: string[] = new Array(pairs.communities)
  for (let c = 0; c < pairs.communities; c++) {
    let best = table.ids[pairs.rows[pairs.start[c]]]
    for (let k = pairs.start[c] + 1; k < pairs.start[c + 1]; k++) {
      if (table.ids[pairs.rows[k]] < best) best = table.ids[pairs.rows[k]]
    }
    ids[c] = best
  }
  return ids
}
