/**
 * The near-repeat (Knox) test: how many pairs of incidents fall in each band of distance and time lag,
 * against how many would if times were shuffled among the same places (Monte Carlo permutation), as the
 * Near Repeat Calculator (Ratcliffe), CrimeStat and the R package NearRepeat (Steenbeek) compute it.
 */

import { acceptParsed, incidentToRecord, isIncident } from '../link/isIncident'
import type { Incident, RecordIssue } from '../schema/incident'
import { parseIncidents } from '../schema/parseIncidents'
import { createZoneClock } from '../schema/zoneClock'
import { createRandom, randomInt } from '../util/random'
import { DROP_PAIR, nearPairs } from './nearPairs'
import { type BandSpec, bandOf, buildBands, checkBreaks, type NearRepeatBand } from './nearRepeatBands'

const DAY_MS = 86_400_000
/** The Calculator's highlighting: p at most this… */
const SIGNIFICANT_P = 0.05
/** …and at least this many times the pairs chance gives. */
const SIGNIFICANT_RATIO = 1.2
const MAX_ZONES = 30

/** An aggregate zone: every pair within `maxDistance` metres and `maxDays` days (closed as the bands). */
export interface NearRepeatZone {
  maxDistance: number
  maxDays: number
}

/** Options of {@link nearRepeat}; defaults in {@link NEAR_REPEAT_DEFAULTS}. */
export interface NearRepeatOptions {
  /** Distance band breaks, metres, from 0, increasing. */
  distanceBreaks?: readonly number[]
  /** Time band breaks, days, from 0, increasing. */
  timeBreaks?: readonly number[]
  /** `'right'`: [0, b1], (b1, b2], …; `'left'`: [0, b1), [b1, b2), … (both dimensions). */
  closed?: 'right' | 'left'
  /** Distances ≤ 0.001 m in a band of their own. */
  sameLocation?: boolean
  /** Add the bands beyond the last break in both dimensions (then the table holds every pair). */
  beyond?: boolean
  /** `'manhattan'` (as the Calculator and NearRepeat) or `'euclidean'`. */
  metric?: 'manhattan' | 'euclidean'
  /** `'date'`: whole days between local calendar dates on the `timeZone` clock; `'exact'`: fractional days. */
  timeUnit?: 'date' | 'exact'
  /** Monte Carlo permutations of the times. */
  permutations?: number
  /** Seed of the permutations. */
  seed?: number
  /** IANA zone of the calendar dates (`timeUnit: 'date'`), and of local time stamps in raw rows. */
  timeZone?: string
  /** Only incidents of this category or its subcategories (`burglary` takes `burglary.residential`). */
  category?: string
  /** Aggregate zones to test besides the bands. */
  zones?: readonly NearRepeatZone[]
}

/**
 * Defaults of {@link nearRepeat}: the Calculator's usual 100 m and 7-day bands, right-closed (its labels
 * "0–100 m, 101–200 m", "0–7, 8–14 days"), the same-location band, the bands beyond, Manhattan distance,
 * calendar dates, 999 permutations.
 *
 * @example
 * nearRepeat(incidents, { ...NEAR_REPEAT_DEFAULTS, permutations: 99 })
 */
export const NEAR_REPEAT_DEFAULTS = {
  distanceBreaks: [0, 100, 200, 300, 400, 500],
  timeBreaks: [0, 7, 14, 21, 28],
  closed: 'right',
  sameLocation: true,
  beyond: true,
  metric: 'manhattan',
  timeUnit: 'date',
  permutations: 999,
  seed: 0,
  timeZone: 'UTC',
} as const

/** Observed and expected counts of a set of pairs, and how far from chance. */
export interface NearRepeatCount {
  observed: number
  /** Mean over the permutations. */
  expected: number
  /** observed / expected; null when expected is 0. */
  ratio: number | null
  /** (permutations with a count ≥ observed, + 1) / (permutations + 1). */
  p: number
  /** p ≤ 0.05 and ratio ≥ 1.2 (the Calculator's highlighting). */
  significant: boolean
}

/** An aggregate zone's counts. */
export interface NearRepeatZoneResult extends NearRepeatZone, NearRepeatCount {
  label: string
}

/** What {@link nearRepeat} returns; tables are indexed [distance band][time band]. */
export interface NearRepeatResult {
  /** Incidents in the test. */
  incidents: number
  /** Their pairs, n(n − 1)/2. */
  pairs: number
  /** Valid incidents left out: of another category, or without a location. */
  skipped: { category: number; noLocation: number }
  /** Incidents with a time window (timeTo after timeFrom): the window's start is used. */
  windows: number
  /** Validation issues of raw input rows (rejected rows are not in the test). */
  issues: RecordIssue[]
  distanceBands: NearRepeatBand[]
  timeBands: NearRepeatBand[]
  observed: number[][]
  expected: number[][]
  ratio: (number | null)[][]
  p: number[][]
  significant: boolean[][]
  zones: NearRepeatZoneResult[]
  /**
   * The near-repeat reading: pairs within the first distance break (same location included) and the
   * first time break, e.g. "within 100 m and 7 days".
   */
  headline: NearRepeatZoneResult
  /** The options used, defaults filled in. */
  options: Required<Omit<NearRepeatOptions, 'category' | 'zones'>> & {
    category: string | null
    zones: NearRepeatZone[]
  }
  /** Things worth saying about the run (windows whose start was used, ties…). */
  notes: string[]
}

/**
 * The near-repeat (Knox) test over incidents with a location (lat/lon or x/y, one system) and a time:
 * every unordered pair is counted in its distance band and time-lag band (`observed`, which sums to
 * n(n − 1)/2 when `beyond` is on), then times are shuffled among the incidents (places kept) `permutations`
 * times and counted again: `expected` is the mean, `ratio` observed / expected, `p` the share of
 * permutations reaching the observed count (with the observed one), `significant` p ≤ 0.05 and ratio ≥
 * 1.2. Lat/lon distances are haversine (Euclidean) or the sum of the north–south and east–west
 * great-circle legs (Manhattan); x/y are metres as given. Only pairs within the largest finite distance
 * are counted per permutation (a grid finds them); the beyond row follows from the lag histogram of all
 * pairs, which no permutation changes. Deterministic for a seed, whatever the input order (incidents are
 * taken in id order). Raw rows are validated first (their issues returned); parsed incidents are trusted.
 *
 * @example
 * const knox = nearRepeat(burglaries, { timeZone: 'America/Chicago', permutations: 99 })
 * knox.headline // { label: 'within 100 m and 7 days', observed: 412, ratio: 1.6, p: 0.01, … }
 * knox.observed[1][0] // pairs 0–100 m apart and 0–7 days apart
 */
export function nearRepeat(rows: readonly unknown[], options: NearRepeatOptions = {}): NearRepeatResult {
  const resolved = resolveOptions(options)
  const { incidents, issues } = rows.every(isIncident)
    ? acceptParsed(rows as readonly Incident[])
    : parseIncidents(
        rows.map((row) => (isIncident(row) ? incidentToRecord(row) : row)),
        { timeZone: resolved.timeZone },
      )
  const skipped = { category: 0, noLocation: 0 }
  const used: Incident[] = []
  for (const incident of incidents) {
    if (resolved.category !== null && !inCategory(incident.category, resolved.category)) skipped.category++
    else if (!hasLocation(incident)) skipped.noLocation++
    else used.push(incident)
  }
  // id order: the permutations do not depend on the input order
  used.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const latLon = used.filter((x) => x.lat !== undefined).length
  if (latLon > 0 && latLon < used.length) {
    throw new RangeError(
      `caselink: nearRepeat needs one location system: ${latLon} incidents have lat/lon and ${used.length - latLon} x/y; test them apart`,
    )
  }
  const n = used.length
  const notes: string[] = []
  const windows = used.filter((x) => x.timeTo > x.timeFrom).length
  if (windows > 0) {
    notes.push(`${windows} of ${n} incidents have a time window; the start of each window is used`)
  }

  // times on the comparison scale: whole local days, or milliseconds (breaks scaled to match, so that lags
  // on a break compare exactly)
  const times = new Float64Array(n)
  let timeScale = 1
  if (resolved.timeUnit === 'date') {
    const clock = createZoneClock(resolved.timeZone)
    for (let i = 0; i < n; i++) {
      const t = used[i].timeFrom
      times[i] = Math.floor((t + clock.offsetMinutes(t) * 60_000) / DAY_MS)
    }
  } else {
    timeScale = DAY_MS
    for (let i = 0; i < n; i++) times[i] = used[i].timeFrom
  }

  const distanceSpec: BandSpec = {
    breaks: resolved.distanceBreaks,
    closed: resolved.closed,
    sameLocation: resolved.sameLocation,
    beyond: resolved.beyond,
    unit: 'm',
  }
  const timeSpec: BandSpec = {
    breaks: resolved.timeBreaks,
    closed: resolved.closed,
    sameLocation: false,
    beyond: resolved.beyond,
    unit: 'days',
  }
  const distanceBands = buildBands(distanceSpec)
  const timeBands = buildBands(timeSpec)
  const D = distanceBands.length
  const T = timeBands.length
  const beyondRow = resolved.beyond ? D - 1 : -1
  const lastDistance = resolved.distanceBreaks[resolved.distanceBreaks.length - 1]

  const headlineZone = {
    maxDistance: resolved.distanceBreaks[1],
    maxDays: resolved.timeBreaks[1],
  }
  const zones = [...resolved.zones, headlineZone]
  const right = resolved.closed === 'right'

  // time band of a lag on the comparison scale, by a table for whole days
  const scaledBreaks = resolved.timeBreaks.map((b) => b * timeScale)
  const scaledSpec: BandSpec = { ...timeSpec, breaks: scaledBreaks }
  const dayUnit = resolved.timeUnit === 'date'

  // the table's pairs: those within the last distance break (beyond it, the lag histogram of all pairs)
  const pairs = nearPairs(used, lastDistance, resolved.metric, {
    upper: resolved.distanceBreaks.slice(1),
    closed: resolved.closed,
    sameLocation: resolved.sameLocation,
  })
  // zones on a distance break and a time break are sums of cells; the others count their own pairs
  const cellsOf = (zone: NearRepeatZone): { rows: number; column: number } | null => {
    const k = resolved.distanceBreaks.indexOf(zone.maxDistance)
    const t = resolved.timeBreaks.indexOf(zone.maxDays)
    if (k < 1 || t < 1) return null
    return { rows: (resolved.sameLocation ? 1 : 0) + k, column: t }
  }
  const aligned = zones.map(cellsOf)
  const free = zones.map((_, z) => z).filter((z) => aligned[z] === null)
  if (free.length > 7) {
    throw new RangeError(
      `caselink: nearRepeat takes at most 7 zones off the breaks (each costs a pass over its pairs), got ${free.length}`,
    )
  }
  const within = (value: number, max: number) => (right ? value <= max : value < max)
  const zonePairs =
    free.length === 0
      ? null
      : nearPairs(
          used,
          Math.max(...free.map((z) => zones[z].maxDistance)),
          resolved.metric,
          (d) => {
            let mask = 0
            for (let f = 0; f < free.length; f++) if (within(d, zones[free[f]].maxDistance)) mask |= 1 << f
            return mask === 0 ? DROP_PAIR : mask
          },
          free.map((z) => zones[z].maxDistance),
        )
  const freeDays = free.map((z) => zones[z].maxDays * timeScale)

  // pairs of every lag band, all distances: the same under every permutation of the times
  const allLags = lagHistogram(times, scaledBreaks, right, resolved.beyond)

  const cells = D * T
  const counts = new Float64Array(cells)
  const zoneCounts = new Float64Array(zones.length)
  const gridTimes = new Float64Array(n)
  // whole days: the band of every lag the data can have (lags in no band to a last column, T)
  let span = 0
  if (dayUnit && n > 0) {
    let first = times[0]
    let last = times[0]
    for (let i = 1; i < n; i++) {
      if (times[i] < first) first = times[i]
      if (times[i] > last) last = times[i]
    }
    span = last - first
  }
  const dayLookup = Int32Array.from({ length: dayUnit ? span + 1 : 0 }, (_, lag) => {
    const t = bandOf(lag, scaledSpec)
    return t < 0 ? T : t
  })
  const zoneTimes = new Float64Array(n)
  // exact times: the pairs within the last distance break, counted into `counts` (near rows only)
  const countNear = (time: Float64Array) => {
    counts.fill(0)
    for (let g = 0; g < n; g++) gridTimes[g] = time[pairs.order[g]]
    const { start, partner, code } = pairs
    for (let g = 0; g < n; g++) {
      const tg = gridTimes[g]
      for (let e = start[g]; e < start[g + 1]; e++) {
        const t = bandOf(Math.abs(tg - gridTimes[partner[e]]), scaledSpec)
        if (t >= 0) counts[code[e] * T + t]++
      }
    }
  }
  // the beyond row (all pairs' lags less the near rows') and the zones
  const finish = (time: Float64Array) => {
    zoneCounts.fill(0)
    if (beyondRow >= 0) {
      for (let t = 0; t < T; t++) {
        let near = 0
        for (let d = 0; d < beyondRow; d++) near += counts[d * T + t]
        counts[beyondRow * T + t] = allLags[t] - near
      }
    }
    for (let z = 0; z < zones.length; z++) {
      const cellsOfZone = aligned[z]
      if (cellsOfZone === null) continue
      let sum = 0
      for (let d = 0; d < cellsOfZone.rows; d++)
        for (let t = 0; t < cellsOfZone.column; t++) sum += counts[d * T + t]
      zoneCounts[z] = sum
    }
    if (zonePairs !== null) {
      for (let g = 0; g < n; g++) zoneTimes[g] = time[zonePairs.order[g]]
      for (let g = 0; g < n; g++) {
        const tg = zoneTimes[g]
        for (let e = zonePairs.start[g]; e < zonePairs.start[g + 1]; e++) {
          const lag = Math.abs(tg - zoneTimes[zonePairs.partner[e]])
          const mask = zonePairs.code[e]
          for (let f = 0; f < free.length; f++) {
            if ((mask >>> f) & 1 && within(lag, freeDays[f])) zoneCounts[free[f]]++
          }
        }
      }
    }
  }

  // the observed times (in id order) first, then each permutation of them (shuffled in that order)
  const runs = resolved.permutations + 1
  const observed = new Float64Array(cells)
  const observedZones = new Float64Array(zones.length)
  const sum = new Float64Array(cells)
  const atLeast = new Float64Array(cells)
  const zoneSum = new Float64Array(zones.length)
  const zoneAtLeast = new Float64Array(zones.length)
  const shuffled = Float64Array.from(times)
  const random = createRandom(resolved.seed)
  const timesOfRun = (run: number): Float64Array => {
    if (run === 0) return times
    for (let i = n - 1; i > 0; i--) {
      const j = randomInt(random, i + 1)
      const t = shuffled[i]
      shuffled[i] = shuffled[j]
      shuffled[j] = t
    }
    return shuffled
  }
  // `counts` holds a run's near rows: complete them, keep them as observed or tally them against it
  const take = (run: number, time: Float64Array) => {
    finish(time)
    if (run === 0) {
      observed.set(counts)
      observedZones.set(zoneCounts)
      return
    }
    for (let c = 0; c < cells; c++) {
      sum[c] += counts[c]
      if (counts[c] >= observed[c]) atLeast[c]++
    }
    for (let z = 0; z < zones.length; z++) {
      zoneSum[z] += zoneCounts[z]
      if (zoneCounts[z] >= observedZones[z]) zoneAtLeast[z]++
    }
  }
  if (!dayUnit) {
    for (let run = 0; run < runs; run++) {
      const time = timesOfRun(run)
      countNear(time)
      take(run, time)
    }
  } else {
    // whole days: LANES runs at a time, one pass over the pairs for all of them (the same runs, in the
    // same order, as one at a time)
    const lanes = new Int32Array(n * LANES)
    const laneCounts = new Int32Array(LANES * D * (T + 1))
    const laneTimes = Array.from({ length: LANES }, () => new Float64Array(n))
    for (let first = 0; first < runs; first += LANES) {
      const used = Math.min(LANES, runs - first)
      for (let k = 0; k < LANES; k++) {
        if (k < used) laneTimes[k].set(timesOfRun(first + k))
        const source = laneTimes[k < used ? k : 0]
        for (let g = 0; g < n; g++) lanes[g * LANES + k] = source[pairs.order[g]]
      }
      countDayLagsInLanes(pairs.start, pairs.partner, pairs.code, lanes, dayLookup, T + 1, D, laneCounts)
      for (let k = 0; k < used; k++) {
        const offset = k * D * (T + 1)
        for (let d = 0; d < D; d++)
          for (let t = 0; t < T; t++) counts[d * T + t] = laneCounts[offset + d * (T + 1) + t]
        take(first + k, laneTimes[k])
      }
    }
  }
  const R = resolved.permutations
  const countOf = (o: number, s: number, a: number): NearRepeatCount => {
    const expected = s / R
    const ratio = expected > 0 ? o / expected : null
    const p = (a + 1) / (R + 1)
    return {
      observed: o,
      expected,
      ratio,
      p,
      significant: p <= SIGNIFICANT_P && ratio !== null && ratio >= SIGNIFICANT_RATIO,
    }
  }
  const table = Array.from({ length: D }, (_, d) =>
    Array.from({ length: T }, (_, t) => countOf(observed[d * T + t], sum[d * T + t], atLeast[d * T + t])),
  )
  const zoneResults = zones.map((zone, z) => ({
    ...zone,
    label: `within ${zone.maxDistance} m and ${zone.maxDays} ${zone.maxDays === 1 ? 'day' : 'days'}`,
    ...countOf(observedZones[z], zoneSum[z], zoneAtLeast[z]),
  }))
  return {
    incidents: n,
    pairs: (n * (n - 1)) / 2,
    skipped,
    windows,
    issues,
    distanceBands,
    timeBands,
    observed: table.map((row) => row.map((c) => c.observed)),
    expected: table.map((row) => row.map((c) => c.expected)),
    ratio: table.map((row) => row.map((c) => c.ratio)),
    p: table.map((row) => row.map((c) => c.p)),
    significant: table.map((row) => row.map((c) => c.significant)),
    zones: zoneResults.slice(0, -1),
    headline: zoneResults[zoneResults.length - 1],
    options: resolved,
    notes,
  }
}

type ResolvedOptions = NearRepeatResult['options']

function resolveOptions(options: NearRepeatOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('caselink: nearRepeat options must be an object')
  }
  const known = new Set([...Object.keys(NEAR_REPEAT_DEFAULTS), 'category', 'zones'])
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new RangeError(`caselink: nearRepeat has no option '${key}' (options: ${[...known].join(', ')})`)
    }
  }
  const pick = <K extends keyof typeof NEAR_REPEAT_DEFAULTS>(key: K) =>
    (options as Record<string, unknown>)[key] === undefined
      ? NEAR_REPEAT_DEFAULTS[key]
      : (options as Record<string, unknown>)[key]
  const distanceBreaks = pick('distanceBreaks')
  const timeBreaks = pick('timeBreaks')
  checkBreaks('distanceBreaks', distanceBreaks)
  if (distanceBreaks.length > 200) {
    throw new RangeError(
      `caselink: nearRepeat distanceBreaks takes at most 200 breaks, got ${distanceBreaks.length}`,
    )
  }
  checkBreaks('timeBreaks', timeBreaks)
  const oneOf = <T extends string>(key: string, value: unknown, allowed: readonly T[]): T => {
    if (!allowed.includes(value as T)) {
      throw new RangeError(
        `caselink: nearRepeat ${key} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`,
      )
    }
    return value as T
  }
  const flag = (key: string, value: unknown): boolean => {
    if (typeof value !== 'boolean') {
      throw new RangeError(`caselink: nearRepeat ${key} must be true or false, got ${JSON.stringify(value)}`)
    }
    return value
  }
  const closed = oneOf('closed', pick('closed'), ['right', 'left'])
  const metric = oneOf('metric', pick('metric'), ['manhattan', 'euclidean'])
  const timeUnit = oneOf('timeUnit', pick('timeUnit'), ['date', 'exact'])
  const sameLocation = flag('sameLocation', pick('sameLocation'))
  const beyond = flag('beyond', pick('beyond'))
  const permutations = pick('permutations') as number
  if (!(Number.isInteger(permutations) && permutations >= 1 && permutations <= 1_000_000)) {
    throw new RangeError(
      `caselink: nearRepeat permutations must be an integer in [1, 1000000], got ${permutations}`,
    )
  }
  const seed = pick('seed') as number
  if (!Number.isInteger(seed))
    throw new RangeError(`caselink: nearRepeat seed must be an integer, got ${seed}`)
  const timeZone = pick('timeZone')
  if (typeof timeZone !== 'string')
    throw new RangeError('caselink: nearRepeat timeZone must be an IANA zone name')
  if (sameLocation && !(distanceBreaks[1] > 0.001)) {
    throw new RangeError(
      `caselink: nearRepeat distanceBreaks' first band must reach beyond the same-location band (0.001 m), got ${distanceBreaks[1]}`,
    )
  }
  const category = options.category ?? null
  if (category !== null && (typeof category !== 'string' || category.trim() === '')) {
    throw new RangeError(
      `caselink: nearRepeat category must be a non-empty string, got ${JSON.stringify(category)}`,
    )
  }
  const zones = options.zones ?? []
  if (!Array.isArray(zones) || zones.length > MAX_ZONES) {
    throw new RangeError(
      `caselink: nearRepeat zones must be an array of at most ${MAX_ZONES} { maxDistance, maxDays }`,
    )
  }
  for (const zone of zones) {
    if (
      typeof zone !== 'object' ||
      zone === null ||
      !(Number.isFinite(zone.maxDistance) && zone.maxDistance > 0) ||
      !(Number.isFinite(zone.maxDays) && zone.maxDays >= 0)
    ) {
      throw new RangeError(
        `caselink: nearRepeat zones need maxDistance > 0 (metres) and maxDays >= 0, got ${JSON.stringify(zone)}`,
      )
    }
  }
  return {
    distanceBreaks: [...distanceBreaks],
    timeBreaks: [...timeBreaks],
    closed,
    sameLocation,
    beyond,
    metric,
    timeUnit,
    permutations,
    seed,
    timeZone,
    category,
    zones: zones.map((z) => ({ maxDistance: z.maxDistance, maxDays: z.maxDays })),
  }
}

function inCategory(category: string | undefined, wanted: string): boolean {
  return category !== undefined && (category === wanted || category.startsWith(`${wanted}.`))
}

function hasLocation(incident: Incident): boolean {
  return (
    (incident.lat !== undefined && incident.lon !== undefined) ||
    (incident.x !== undefined && incident.y !== undefined)
  )
}

/**
 * Pairs of every lag band over all pairs of `times` (on the breaks' scale), by two pointers over the sorted
 * times: O(n log n + n · bands).
 */
function lagHistogram(
  times: Float64Array,
  breaks: readonly number[],
  right: boolean,
  beyond: boolean,
): Float64Array {
  const sorted = Float64Array.from(times).sort()
  const n = sorted.length
  const total = (n * (n - 1)) / 2
  // within[k]: pairs with lag ≤ breaks[k] (right) or < breaks[k] (left), k ≥ 1
  const within = new Float64Array(breaks.length)
  for (let k = 1; k < breaks.length; k++) {
    const b = breaks[k]
    let count = 0
    let j = 0
    for (let i = 0; i < n; i++) {
      if (j < i + 1) j = i + 1
      while (j < n && (right ? sorted[j] - sorted[i] <= b : sorted[j] - sorted[i] < b)) j++
      count += j - i - 1
    }
    within[k] = count
  }
  const K = breaks.length - 1
  const histogram = new Float64Array(K + (beyond ? 1 : 0))
  for (let k = 0; k < K; k++) histogram[k] = within[k + 1] - (k === 0 ? 0 : within[k])
  if (beyond) histogram[K] = total - within[K]
  return histogram
}

/** Runs (the observed times, then each permutation) counted in one pass over the pairs (whole-day lags). */
const LANES = 8

/**
 * The near pairs' cells for whole-day times, {@link LANES} runs at once: `days[g * LANES + k]` is the day
 * of grid position g in run k; run k's cells go to `counts[k * D * T + …]` (T with a last column for
 * lags in no band). Integer lags, |lag| without a branch (lags are random: a branch on their sign is
 * mispredicted half the time), one table look-up each; unrolled by hand (a loop over the lanes took 1.6
 * times as long at 1M). Reading each pair once for all lanes halves the time per run (measured at 300k
 * generated incidents: 2.0–2.6 against 4.7–4.9 ns per pair and run).
 */
function countDayLagsInLanes(
  start: Uint32Array,
  partner: Uint32Array,
  code: Uint8Array,
  days: Int32Array,
  lookup: Int32Array,
  T: number,
  D: number,
  counts: Int32Array,
): void {
  counts.fill(0)
  const stride = D * T
  const n = start.length - 1
  for (let g = 0; g < n; g++) {
    const at = g * 8
    const d0 = days[at]
    const d1 = days[at + 1]
    const d2 = days[at + 2]
    const d3 = days[at + 3]
    const d4 = days[at + 4]
    const d5 = days[at + 5]
    const d6 = days[at + 6]
    const d7 = days[at + 7]
    const end = start[g + 1]
    for (let e = start[g]; e < end; e++) {
      const q = partner[e] * 8
      const row = code[e] * T
      let x = d0 - days[q]
      let s = x >> 31
      counts[row + lookup[(x ^ s) - s]]++
      x = d1 - days[q + 1]
      s = x >> 31
      counts[stride + row + lookup[(x ^ s) - s]]++
      x = d2 - days[q + 2]
      s = x >> 31
      counts[2 * stride + row + lookup[(x ^ s) - s]]++
      x = d3 - days[q + 3]
      s = x >> 31
      counts[3 * stride + row + lookup[(x ^ s) - s]]++
      x = d4 - days[q + 4]
      s = x >> 31
      counts[4 * stride + row + lookup[(x ^ s) - s]]++
      x = d5 - days[q + 5]
      s = x >> 31
      counts[5 * stride + row + lookup[(x ^ s) - s]]++
      x = d6 - days[q + 6]
      s = x >> 31
      counts[6 * stride + row + lookup[(x ^ s) - s]]++
      x = d7 - days[q + 7]
      s = x >> 31
      counts[7 * stride + row + lookup[(x ^ s) - s]]++
    }
  }
}
