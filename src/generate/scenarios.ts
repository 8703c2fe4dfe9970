/**
 * Planted scenarios: hand-made series put into the generated background, each a known hard case for a
 * linker, with its own ground-truth label (`scenario:<name>`). The background is generated exactly as
 * without them; the planted incidents come on top, merged into the output by time.
 *
 * - `impersonator`: one offender posing as an official, 121 daytime burglaries of elderly people at home
 *   across every county (at most 9), 41 towns and 118 villages in 8 months, with MO values common in the
 *   background and no trace evidence: linkable by the story and the moving pattern only.
 * - `spree`: 11 roadside-shop burglaries along one road in one night, then 15 in neighbouring counties
 *   over the next 4–6 weeks; common MO, one shoe print in about 20%.
 * - `bathhouse`: a locker thief, 100 evening thefts at one bathhouse in each of 8 towns in 5 months.
 * - `parcel`: 15 parcel thefts within 300 m of one market in 3 weeks.
 * - `ebike-rings`: three e-bike rings, 20 thefts each in the same 2 months, in three towns at least 30 km
 *   apart, with identical MO: told apart by place only.
 * - `copycats`: 10 single crimes with the impersonator's pretext and look-alike narratives but other MO
 *   values, categories or hours, within his 8 months: each must stay out of his series.
 */
import { createRandom, type Random } from '../util/random'
import { hash3, normal, pickCumulative, zipfCumulative } from './draws'
import { localTimeText, MINUTES_PER_DAY, pad } from './format'
import type { GeneratedIncident } from './generateIncidents'
import { amountYuan, dateText, flattened, narrativeFor } from './narrative'
import { LOCATION_MISSING, MO_RECORDED, MO_STABILITY, NARRATIVE_MISSING, WINDOW } from './recording'
import {
  KIND_TOWN,
  KIND_VILLAGE,
  latitudeOf,
  longitudeOf,
  type Region,
  settlementByPopulation,
} from './region'
import {
  CAT_EBIKE,
  CAT_FRAUD,
  CAT_PARCEL,
  CAT_PICKPOCKET,
  CAT_RESIDENTIAL,
  CAT_SHOP,
  CATEGORIES,
  MO_GROUPS,
  NAME_SYLLABLES,
  SHOE_MODELS,
  TARGET_TEXT,
} from './vocabulary'

/**
 * Names of the planted scenarios, in the order they are planted.
 *
 * @example
 * generateIncidents({ n: 20_000, seed: 1, scenarios: [...SCENARIO_NAMES] })
 */
export const SCENARIO_NAMES = [
  'impersonator',
  'spree',
  'bathhouse',
  'parcel',
  'ebike-rings',
  'copycats',
] as const

/** One of {@link SCENARIO_NAMES}. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number]

/** What the planted incidents take from the background's plan. */
export interface ScenarioSetting {
  region: Region
  seed: number
  /** The background's span, days: scenarios are placed inside it when they fit. */
  spanDays: number
  /** Local (+08:00) minutes since 1970 of the first day's midnight. */
  startLocalMinute: number
  idPrefix: string
  dateOnly: boolean
  planar: boolean
  moMissingShare: number
}

/** A planted record and its merge key. */
export interface PlantedIncident {
  /** Start of the recorded time (window start or exact time), minutes since the first day's midnight. */
  fromMinute: number
  record: GeneratedIncident
}

/** Sizes and durations of the scenarios (the province preset's targets; smaller regions give what they have). */
export const SCENARIO_SIZES = {
  impersonator: { incidents: 121, counties: 9, towns: 41, villages: 118, days: 243 },
  spree: { night: 11, later: 15, laterDays: [28, 42] as const, spacingKm: [1, 3] as const },
  bathhouse: { incidents: 100, towns: 8, days: 150, jitterMeters: 30 },
  parcel: { incidents: 15, days: 21, radiusMeters: 300 },
  ebikeRings: { rings: 3, incidents: 20, days: 61, apartKm: [30, 50] as const },
  copycats: { incidents: 10 },
} as const

/** A crime decided by a scenario, before it is recorded (times, MO recording, missing fields). */
interface PlantedCrime {
  label: string
  category: number
  /** Settlement whose county, town and village the record names. */
  settlement: number
  xKm: number
  yKm: number
  /** True time, minutes since the first day's midnight. */
  minute: number
  /** Exact time (the victim was there), else the background's window model of the category. */
  exact: boolean
  /** True MO codes, each recorded with probability MO_RECORDED. */
  mo: string[]
  evidence: string[]
  /** Narrative of the crime at `place` around `localMinute`, from the recorded MO. */
  narrate: (place: string, localMinute: number, mo: string[], evidence: string[], random: Random) => string
}

const SCENARIO_CODES: Record<ScenarioName, string> = {
  impersonator: 'IMP',
  spree: 'SPR',
  bathhouse: 'BTH',
  parcel: 'PCL',
  'ebike-rings': 'EBK',
  copycats: 'CPY',
}
const PLAN_SALT = 0x5c00
const RECORD_SALT = 0x5d00
const PRETEXTS = [
  // [who, why, share]: subsidy checks, safety inspections, the water meter
  ['镇政府工作人员', '核查养老补贴', 0.3],
  ['民政所工作人员', '登记高龄补贴', 0.2],
  ['燃气公司人员', '燃气安全检查', 0.15],
  ['电力公司人员', '检查线路', 0.1],
  ['消防检查人员', '消防安全检查', 0.05],
  ['自来水公司人员', '查水表', 0.2],
] as const
const PRETEXT_CUMULATIVE = PRETEXTS.reduce<number[]>((cum, p) => {
  cum.push((cum.at(-1) ?? 0) + p[2])
  return cum
}, [])
const WATER_METER = PRETEXTS.length - 1

/**
 * Checks a `scenarios` option: `'all'`, or a list of {@link SCENARIO_NAMES} (duplicates dropped, planting
 * order kept). Throws a RangeError naming the bad value and the valid names.
 *
 * @example
 * resolveScenarios('all') // ['impersonator', 'spree', …]
 * resolveScenarios(['spree', 'parcel']) // ['spree', 'parcel']
 */
export function resolveScenarios(value: unknown): ScenarioName[] {
  if (value === undefined) return []
  if (value === 'all') return [...SCENARIO_NAMES]
  const valid = `'all' or a list of ${SCENARIO_NAMES.join(', ')}`
  if (!Array.isArray(value)) {
    throw new RangeError(`caselink: scenarios must be ${valid}, got ${JSON.stringify(value)}`)
  }
  for (const name of value) {
    if (!(SCENARIO_NAMES as readonly unknown[]).includes(name)) {
      throw new RangeError(`caselink: unknown scenario '${String(name)}', expected ${valid}`)
    }
  }
  return SCENARIO_NAMES.filter((name) => value.includes(name))
}

/**
 * Builds the planted incidents of the named scenarios on the background's region and calendar, sorted
 * by `fromMinute` (then scenario, then id). Each scenario's incidents depend only on the seed, the region
 * and the span, not on which other scenarios are planted. Ids are `${idPrefix}S-<CODE>-0001…` in time
 * order within the scenario (IMP, SPR, BTH, PCL, EBK, CPY): they never collide with the background's
 * all-digit ids. Records have the background's fields and recording: MO values recorded with probability
 * 0.92, 1% without location, 8% without narrative, the category's window model (exact times for the
 * in-person crimes of `impersonator` and `copycats`), date-only windows, x/y and missing MO as the
 * variant says.
 *
 * Scenarios last days to months (the impersonator 243 days); each is placed at a seeded day inside the
 * background's span when it fits, else from the first day on, running past the background's end
 * (province's default span is shorter than 243 days below about 89,000 incidents: pass `timeSpanDays`).
 * Runs in O(planted · settlements) (nearest-settlement look-ups), a few milliseconds.
 *
 * @example
 * const planted = plantScenarios(['impersonator'], setting)
 * planted.length // 121
 */
export function plantScenarios(names: readonly ScenarioName[], setting: ScenarioSetting): PlantedIncident[] {
  const planted: { item: PlantedIncident; scenario: number }[] = []
  for (const name of names) {
    const scenario = SCENARIO_NAMES.indexOf(name)
    const random = createRandom(hash3(setting.seed, PLAN_SALT + scenario, 0))
    const crimes = BUILDERS[name](setting, random)
    for (const item of recordCrimes(crimes, setting, name)) planted.push({ item, scenario })
  }
  planted.sort(
    (a, b) =>
      a.item.fromMinute - b.item.fromMinute ||
      a.scenario - b.scenario ||
      (a.item.record.id < b.item.record.id ? -1 : 1),
  )
  return planted.map((p) => p.item)
}

const BUILDERS: Record<ScenarioName, (setting: ScenarioSetting, random: Random) => PlantedCrime[]> = {
  impersonator: plantImpersonator,
  spree: plantSpree,
  bathhouse: plantBathhouse,
  parcel: plantParcel,
  'ebike-rings': plantEbikeRings,
  copycats: plantCopycats,
}

// ---------------------------------------------------------------------------------------------------
// Recording: times, windows, recorded MO, missing fields, ids, record shape.

/** Recorded time of a crime, minutes since the first day: the category's window model, or exact. */
function recordedTime(crime: PlantedCrime, random: Random): [number, number] {
  const [pWindow, maxBefore, maxAfter] = WINDOW[crime.category]
  if (!crime.exact && random() < pWindow) {
    return [
      Math.floor((crime.minute - 60 * (0.25 + maxBefore * random())) / 10) * 10,
      Math.ceil((crime.minute + 60 * (0.25 + maxAfter * random())) / 10) * 10,
    ]
  }
  const at = random() < 0.6 ? Math.round(crime.minute / 5) * 5 : crime.minute
  return [at, at]
}

/** Records the crimes of one scenario: times first, then ids in time order, then the records. */
function recordCrimes(
  crimes: PlantedCrime[],
  setting: ScenarioSetting,
  name: ScenarioName,
): PlantedIncident[] {
  const scenario = SCENARIO_NAMES.indexOf(name)
  const drafts = crimes.map((crime, index) => {
    const random = createRandom(hash3(setting.seed, RECORD_SALT + scenario, index))
    const [from, to] = recordedTime(crime, random)
    return { crime, index, random, from, to }
  })
  drafts.sort((a, b) => a.from - b.from || a.index - b.index)
  const width = Math.max(4, String(drafts.length).length)
  return drafts.map((draft, rank) => {
    const id = `${setting.idPrefix}S-${SCENARIO_CODES[name]}-${pad(rank + 1, width)}`
    const record = buildRecord(id, draft.crime, draft.from, draft.to, setting, draft.random)
    return { fromMinute: draft.from, record }
  })
}

/**
 * The record of a crime in the background's shape and key order (id, time or window, lat/lon,
 * category, mo, evidence, series, county, town, x/y, village, narrative), recorded as the background is.
 */
function buildRecord(
  id: string,
  crime: PlantedCrime,
  from: number,
  to: number,
  setting: ScenarioSetting,
  random: Random,
): GeneratedIncident {
  const { region } = setting
  let fromLocal = setting.startLocalMinute + from
  let toLocal = setting.startLocalMinute + to
  if (setting.dateOnly) {
    fromLocal = Math.floor((fromLocal + toLocal) / 2 / MINUTES_PER_DAY) * MINUTES_PER_DAY
    toLocal = fromLocal + MINUTES_PER_DAY - 1
  }
  const mo = crime.mo.filter(() => random() < MO_RECORDED)
  const hasLocation = random() >= LOCATION_MISSING
  const county = region.countyName[region.county[crime.settlement]]
  const town = region.name[region.parent[crime.settlement]]
  const village = region.kind[crime.settlement] === KIND_VILLAGE ? region.name[crime.settlement] : undefined
  const record = { id } as GeneratedIncident
  if (fromLocal === toLocal) record.time = localTimeText(fromLocal)
  else {
    record.timeFrom = localTimeText(fromLocal)
    record.timeTo = localTimeText(toLocal)
  }
  if (hasLocation && !setting.planar) {
    record.lat = latitudeOf(region.preset, crime.yKm)
    record.lon = longitudeOf(region.preset, crime.xKm)
  }
  record.category = CATEGORIES[crime.category]
  const moMissing = setting.moMissingShare > 0 && random() < setting.moMissingShare
  record.mo = moMissing ? [] : mo
  record.evidence = crime.evidence.slice()
  record.series = [crime.label]
  record.county = county
  record.town = town
  if (hasLocation && setting.planar) {
    record.x = Math.round(crime.xKm * 1000)
    record.y = Math.round(crime.yKm * 1000)
  }
  if (village !== undefined) record.village = village
  if (random() >= NARRATIVE_MISSING) {
    const mid = Math.round((fromLocal + toLocal) / 2)
    const narrative = crime.narrate(`${county}${town}${village ?? ''}`, mid, mo, crime.evidence, random)
    record.narrative = flattened(narrative)
  }
  return record
}

// ---------------------------------------------------------------------------------------------------
// Geometry and calendar helpers.

function distanceKm(region: Region, a: number, b: number): number {
  return Math.hypot(region.x[a] - region.x[b], region.y[a] - region.y[b])
}

/** The settlement nearest to a point (for the names a record carries). O(settlements). */
function nearestSettlement(region: Region, xKm: number, yKm: number): number {
  let best = 0
  let bestD = Number.POSITIVE_INFINITY
  for (let i = 0; i < region.count; i++) {
    const d = (region.x[i] - xKm) ** 2 + (region.y[i] - yKm) ** 2
    if (d < bestD) {
      bestD = d
      best = i
    }
  }
  return best
}

/** Towns and county seats (settlements that are not villages). */
function hubsOf(region: Region): number[] {
  const hubs: number[] = []
  for (let i = 0; i < region.count; i++) if (region.kind[i] !== KIND_VILLAGE) hubs.push(i)
  return hubs
}

/** Villages of each town or seat (empty lists for villages). */
function villagesByHub(region: Region): number[][] {
  const lists: number[][] = Array.from({ length: region.count }, () => [])
  for (let i = 0; i < region.count; i++) if (region.kind[i] === KIND_VILLAGE) lists[region.parent[i]].push(i)
  return lists
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = out[i]
    out[i] = out[j]
    out[j] = t
  }
  return out
}

/** First day of a scenario lasting `days`: a seeded day inside the span when it fits, else day 0. */
function startDay(setting: ScenarioSetting, days: number, u: number): number {
  return Math.max(0, Math.floor(u * (setting.spanDays - days)))
}

/** `count` distinct days of [0, length), sorted (a day again only when count > length). */
function distinctDays(count: number, length: number, random: Random): number[] {
  const days: number[] = []
  let pool: number[] = []
  for (let k = 0; k < count; k++) {
    if (pool.length === 0) pool = Array.from({ length }, (_, d) => d)
    const j = Math.floor(random() * pool.length)
    days.push(pool[j])
    pool[j] = pool[pool.length - 1]
    pool.pop()
  }
  return days.sort((x, y) => x - y)
}

/** A minute in [fromHour, toHour) of `day` (toHour may pass midnight: 28 is 04:00 the next day). */
function minuteIn(day: number, fromHour: number, toHour: number, random: Random): number {
  return day * MINUTES_PER_DAY + Math.floor((fromHour + (toHour - fromHour) * random()) * 60)
}

/** Splits `total` into parts proportional to `weights` (largest remainders). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0)
  const exact = weights.map((w) => (total * w) / sum)
  const parts = exact.map(Math.floor)
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i)
  const short = total - parts.reduce((s, p) => s + p, 0)
  for (let k = 0; k < short; k++) parts[order[k].i]++
  return parts
}

/** A point around a settlement's centre with the preset's spread for its kind. */
function around(region: Region, settlement: number, random: Random): [number, number] {
  const spread = region.preset.settlementSpreadKm[region.kind[settlement]]
  return [region.x[settlement] + spread * normal(random), region.y[settlement] + spread * normal(random)]
}

/** A point uniform in a disc of `radiusMeters` around (x, y) km. */
function inDisc(x: number, y: number, radiusMeters: number, random: Random): [number, number] {
  const r = (radiusMeters / 1000) * Math.sqrt(random())
  const a = 2 * Math.PI * random()
  return [x + r * Math.cos(a), y + r * Math.sin(a)]
}

/** The value of MO group `group` of a category: `own` in MO_STABILITY of crimes, else a Zipf draw. */
function stableValue(category: number, group: string, own: string, random: Random): string {
  if (random() < MO_STABILITY) return `${group}:${own}`
  const g = MO_GROUPS[category].find((x) => x.group === group)
  if (g === undefined) return `${group}:${own}`
  return `${group}:${g.values[pickCumulative(zipfCumulative(g.values.length, g.zipf), random())]}`
}

/** The background's narrative of the category. */
function backgroundNarrative(category: number): PlantedCrime['narrate'] {
  return (place, minute, mo, evidence, random) => narrativeFor(category, place, minute, mo, evidence, random)
}

function placeName(random: Random, suffix: string): string {
  const s = NAME_SYLLABLES
  return `${s[Math.floor(random() * s.length)]}${s[Math.floor(random() * s.length)]}${suffix}`
}

// ---------------------------------------------------------------------------------------------------
// (a) The impersonator.

/** First day of the impersonator's 243 days (also bounds the copycats). */
function impersonatorStart(setting: ScenarioSetting): number {
  const random = createRandom(hash3(setting.seed, PLAN_SALT, 1))
  return startDay(setting, SCENARIO_SIZES.impersonator.days, random())
}

/** An elderly victim's story: someone posing as an official came in and took cash. */
function impersonatorNarrative(
  pretext: number,
  uniform: boolean,
  motorbike: boolean,
): PlantedCrime['narrate'] {
  const [who, why] = PRETEXTS[pretext]
  return (place, minute, _mo, _evidence, random) => {
    const age = 68 + Math.floor(random() * 21)
    const amount = amountYuan(1500, random)
    const man = uniform ? '一名穿制服的男子' : '一名男子'
    const seen = motorbike ? '有村民看到该男子骑一辆摩托车离开。' : ''
    return `${dateText(minute)}，${place}一名${age}岁老人报称，${man}自称${who}，以${why}为由进入其家中，趁其不备进入卧室，盗走现金${amount}元。${seen}`
  }
}

/** County seats in a greedy tour: a seeded first county, then the nearest unvisited seat. */
function countyTour(region: Region, count: number, random: Random): number[] {
  const counties = region.countyName.length
  const tour = [Math.floor(random() * counties)]
  while (tour.length < count) {
    const last = tour[tour.length - 1]
    let best = -1
    for (let c = 0; c < counties; c++) {
      if (tour.includes(c)) continue
      if (best < 0 || distanceKm(region, last, c) < distanceKm(region, last, best)) best = c
    }
    tour.push(best)
  }
  return tour
}

/** The county's villages the impersonator visits: `villages` spread round-robin over `towns` towns. */
function countyVisits(
  region: Region,
  byHub: number[][],
  county: number,
  towns: number,
  villages: number,
  incidents: number,
  random: Random,
): number[] {
  const hubs = shuffled(
    hubsOf(region).filter((h) => region.county[h] === county && byHub[h].length > 0),
    random,
  ).sort((a, b) => (byHub[b].length >= 3 ? 1 : 0) - (byHub[a].length >= 3 ? 1 : 0))
  const pools = hubs.slice(0, towns).map((h) => shuffled(byHub[h], random))
  const picked: number[][] = pools.map(() => [])
  let count = 0
  for (let progress = true; progress && count < villages; ) {
    progress = false
    for (let t = 0; t < pools.length && count < villages; t++) {
      const v = pools[t].pop()
      if (v === undefined) continue
      picked[t].push(v)
      count++
      progress = true
    }
  }
  const visits = picked.flat()
  if (visits.length === 0) visits.push(county) // no villages at all: the county seat
  // a few villages twice: he comes back to one before leaving the county
  const distinct = visits.length
  while (visits.length < incidents) visits.push(visits[Math.floor(random() * distinct)])
  return visits
}

/** One of the impersonator's crimes: his pretext of the day, a uniform in 60%, a motorbike seen in 40%. */
function impersonatorCrime(region: Region, village: number, minute: number, random: Random): PlantedCrime {
  const pretext = pickCumulative(PRETEXT_CUMULATIVE, random())
  const uniform = random() < 0.6
  const motorbike = random() < 0.4
  const mo = ['entry:unlocked-door', 'target:cash']
  if (motorbike) mo.push('approach:motorbike')
  mo.push('sign:pose-as-inspector')
  if (uniform) mo.push('sign:wear-uniform')
  if (pretext === WATER_METER) mo.push('sign:water-meter-check')
  const [xKm, yKm] = around(region, village, random)
  return {
    label: 'scenario:impersonator',
    category: CAT_RESIDENTIAL,
    settlement: village,
    xKm,
    yKm,
    minute,
    exact: true,
    mo,
    evidence: [],
    narrate: impersonatorNarrative(pretext, uniform, motorbike),
  }
}

/**
 * One offender posing as an official (subsidy check, safety inspection, water meter) steals cash from
 * elderly people at home in villages: 121 incidents in 243 days (8 months), county by county (a greedy
 * tour of at most 9 county seats, weeks in each), 41 towns and 118 villages (three visited twice), 2–4
 * crimes per active day between 9:00 and 17:00, exact times. `burglary.residential` with
 * `entry:unlocked-door`, `target:cash` and `sign:pose-as-inspector` in every crime, `sign:wear-uniform`
 * in 60%, `approach:motorbike` in 40%, `sign:water-meter-check` when that is the pretext; no trace
 * evidence. Smaller regions: as many counties (≤ 9), towns and villages as they have, the rest repeated.
 *
 * @example
 * generateIncidents({ n: 20_000, seed: 1, scenarios: ['impersonator'] }) // + 121 `scenario:impersonator`
 */
function plantImpersonator(setting: ScenarioSetting, random: Random): PlantedCrime[] {
  const { region } = setting
  const size = SCENARIO_SIZES.impersonator
  const counties = Math.min(size.counties, region.countyName.length)
  const tour = countyTour(region, counties, random)
  const byHub = villagesByHub(region)
  const even = Array.from({ length: counties }, () => 1)
  const incidents = apportion(size.incidents, even)
  const towns = apportion(size.towns, even)
  const villages = apportion(size.villages, even)
  const stints = apportion(
    size.days,
    tour.map(() => 0.7 + 0.6 * random()),
  )
  const first = impersonatorStart(setting)
  const crimes: PlantedCrime[] = []
  let stintStart = first
  for (let k = 0; k < counties; k++) {
    const visits = countyVisits(region, byHub, tour[k], towns[k], villages[k], incidents[k], random)
    // 2–4 crimes per active day
    const perDay: number[] = []
    for (let left = visits.length; left > 0; ) {
      const g = Math.min(left, 2 + Math.floor(random() * 3))
      perDay.push(g)
      left -= g
    }
    const days = distinctDays(perDay.length, stints[k], random)
    if (k === 0) days[0] = 0
    if (k === counties - 1) days[days.length - 1] = stints[k] - 1
    days.sort((a, b) => a - b)
    let v = 0
    for (let d = 0; d < perDay.length; d++) {
      const minutes = Array.from({ length: perDay[d] }, () => minuteIn(stintStart + days[d], 9, 17, random))
      for (const minute of minutes.sort((a, b) => a - b)) {
        crimes.push(impersonatorCrime(region, visits[v++], minute, random))
      }
    }
    stintStart += stints[k]
  }
  return crimes
}

// ---------------------------------------------------------------------------------------------------
// (b) The spree.

/** Points spaced 1–3 km along a road from town `a` towards another town, bent when the towns are nearer. */
function roadPoints(region: Region, hubs: number[], count: number, random: Random): [number, number][] {
  const [lo, hi] = SCENARIO_SIZES.spree.spacingKm
  const spacing = Array.from({ length: count - 1 }, () => lo + (hi - lo) * random())
  const length = spacing.reduce((s, x) => s + x, 0) + 2
  let a = hubs[0]
  let b = hubs[1]
  let bestScore = Number.POSITIVE_INFINITY
  // the pair nearest to 0.85 × the road's length, among the first hubs of the seeded order
  for (const s of hubs.slice(0, 12)) {
    for (const t of hubs) {
      if (t === s) continue
      const d = distanceKm(region, s, t)
      const score = Math.abs(d - 0.85 * length) + (d > length ? 100 : 0)
      if (score < bestScore) {
        bestScore = score
        a = s
        b = t
      }
    }
  }
  const ax = region.x[a]
  const ay = region.y[a]
  const d = distanceKm(region, a, b)
  const ux = (region.x[b] - ax) / d
  const uy = (region.y[b] - ay) / d
  // the bend: apex at the middle, offset so that the two legs add up to the road's length
  const side = random() < 0.5 ? -1 : 1
  const h = d < length ? Math.sqrt((length / 2) ** 2 - (d / 2) ** 2) : 0
  const mx = ax + (ux * d) / 2 - side * uy * h
  const my = ay + (uy * d) / 2 + side * ux * h
  const leg = Math.hypot(mx - ax, my - ay)
  const at = (s: number): [number, number] => {
    if (h === 0) return [ax + ux * s, ay + uy * s]
    if (s <= leg) return [ax + ((mx - ax) * s) / leg, ay + ((my - ay) * s) / leg]
    const t = (s - leg) / leg
    return [mx + (region.x[b] - mx) * t, my + (region.y[b] - my) * t]
  }
  const points: [number, number][] = []
  let s = 1
  for (let i = 0; i < count; i++) {
    points.push(at(s))
    s += spacing[i] ?? 0
  }
  return points
}

/**
 * One night (22:00–04:00) of 11 roadside-shop burglaries along one road between two towns (points
 * 1–3 km apart on a straight or bent line), then 15 more in the neighbouring counties (the two county
 * seats nearest his, or his own county in a one-county region) at night over the next 4–6 weeks, 1–3 a
 * night in one town. `burglary.shop` with `entry:pry-shutter`, `target:till-cash`, `tool:crowbar`,
 * `approach:motorbike` and the habit `sign:gloves` in 75% (the commonest values of the background), a
 * shoe print of one model and size in about 20%; the category's window model (found in the morning).
 *
 * @example
 * generateIncidents({ n: 20_000, seed: 1, scenarios: ['spree'] }) // + 26 `scenario:spree`
 */
function plantSpree(setting: ScenarioSetting, random: Random): PlantedCrime[] {
  const { region } = setting
  const size = SCENARIO_SIZES.spree
  const laterDays = size.laterDays[0] + Math.floor((size.laterDays[1] - size.laterDays[0] + 1) * random())
  const night = startDay(setting, laterDays + 1, random())
  const hubs = shuffled(hubsOf(region), random)
  const road = roadPoints(region, hubs, size.night, random)
  const shoe = `shoeprint:${SHOE_MODELS[Math.floor(random() * 6)]}-42`
  const crime = (settlement: number, xKm: number, yKm: number, minute: number): PlantedCrime => {
    const mo = ['entry:pry-shutter', 'target:till-cash', 'tool:crowbar', 'approach:motorbike']
    if (random() < 0.75) mo.push('sign:gloves')
    return {
      label: 'scenario:spree',
      category: CAT_SHOP,
      settlement,
      xKm,
      yKm,
      minute,
      exact: false,
      mo,
      evidence: random() < 0.2 ? [shoe] : [],
      narrate: backgroundNarrative(CAT_SHOP),
    }
  }
  const crimes: PlantedCrime[] = []
  const minutes = road.map(() => minuteIn(night, 22, 28, random)).sort((a, b) => a - b)
  for (let i = 0; i < road.length; i++) {
    const [x, y] = inDisc(road[i][0], road[i][1], 30, random)
    crimes.push(crime(nearestSettlement(region, x, y), x, y, minutes[i]))
  }
  // then the neighbouring counties, a few shops a night
  const home = region.county[nearestSettlement(region, road[0][0], road[0][1])]
  const counties = region.countyName.length
  const neighbours = Array.from({ length: counties }, (_, c) => c)
    .filter((c) => c !== home || counties === 1)
    .sort((p, q) => distanceKm(region, home, p) - distanceKm(region, home, q))
    .slice(0, 2)
  const nights = distinctDays(Math.ceil(size.later / 2), laterDays, random)
  const perNight = apportion(
    size.later,
    nights.map(() => 0.5 + random()),
  )
  for (let k = 0; k < nights.length; k++) {
    const county = neighbours[k % neighbours.length]
    const towns = hubs.filter((h) => region.county[h] === county)
    const town = towns[Math.floor(random() * towns.length)]
    for (let j = 0; j < perNight[k]; j++) {
      const [x, y] = around(region, town, random)
      crimes.push(
        crime(nearestSettlement(region, x, y), x, y, minuteIn(night + 1 + nights[k], 22, 28, random)),
      )
    }
  }
  return crimes
}

// ---------------------------------------------------------------------------------------------------
// (c) The bathhouse locker thief.

/**
 * A locker thief in bathhouses: 100 evening (18:00–23:00) thefts at one bathhouse in each of 8 towns
 * (a seeded town and its 7 nearest towns or seats; one fixed point per town, each theft within 30 m of
 * it) in 150 days (5 months), staying 1–3 weeks in a town, in a tour with three returns to the town
 * before. `theft.pickpocket` with `location:supermarket` (the vocabulary has no bathhouse: a supermarket is
 * the nearest indoor place with lockers), `method:reach-in` (taking from clothes left in a locker) and
 * `target:wallet` (90%, else the category's Zipf draw); narratives name the bathhouse (浴室, 洗浴中心)
 * and its lockers (更衣柜).
 *
 * @example
 * generateIncidents({ n: 20_000, seed: 1, scenarios: ['bathhouse'] }) // + 100 `scenario:bathhouse`
 */
function plantBathhouse(setting: ScenarioSetting, random: Random): PlantedCrime[] {
  const { region } = setting
  const size = SCENARIO_SIZES.bathhouse
  const first = startDay(setting, size.days, random())
  const hubs = shuffled(hubsOf(region), random)
  const start = hubs.find((h) => region.kind[h] === KIND_TOWN) ?? hubs[0]
  const towns = hubs
    .filter((h) => h !== start)
    .sort((a, b) => distanceKm(region, start, a) - distanceKm(region, start, b))
    .slice(0, size.towns - 1)
  towns.unshift(start)
  const baths = towns.map((town) => {
    const [x, y] = around(region, town, random)
    return { town, x, y, name: placeName(random, random() < 0.5 ? '浴室' : '洗浴中心') }
  })
  // a tour with back-and-forth: after the 3rd, 5th and 8th town he returns to the one before
  const stays: number[] = []
  for (let t = 0; t < baths.length; t++) {
    stays.push(t)
    if (t === 2 || t === 4 || t === 7) stays.push(t - 1)
  }
  const lengths = apportion(
    size.days,
    stays.map(() => 0.6 + 0.8 * random()),
  )
  const counts = apportion(size.incidents, lengths)
  const crimes: PlantedCrime[] = []
  let day = first
  for (let s = 0; s < stays.length; s++) {
    const bath = baths[stays[s]]
    for (const d of distinctDays(counts[s], lengths[s], random)) {
      const [x, y] = inDisc(bath.x, bath.y, size.jitterMeters, random)
      const target = stableValue(CAT_PICKPOCKET, 'target', 'wallet', random)
      crimes.push({
        label: 'scenario:bathhouse',
        category: CAT_PICKPOCKET,
        settlement: bath.town,
        xKm: x,
        yKm: y,
        minute: minuteIn(day + d, 18, 23, random),
        exact: false,
        mo: ['location:supermarket', 'method:reach-in', target],
        evidence: [],
        narrate: (place, minute, _mo, _evidence, r) => {
          const loot = TARGET_TEXT[target.slice(target.indexOf(':') + 1)] ?? '财物'
          return `${dateText(minute)}，事主在${place}${bath.name}洗澡时，存放在更衣柜内的${loot}被盗，更衣柜锁未见撬痕，价值约${amountYuan(1500, r)}元。`
        },
      })
    }
    day += lengths[s]
  }
  return crimes
}

// ---------------------------------------------------------------------------------------------------
// (d) The parcel thief.

/**
 * A parcel thief near one market: 15 daytime (10:00–18:00) thefts in 21 days, all within 300 m of the
 * market of a seeded town (population-weighted). `theft.parcel` with `location:doorstep`,
 * `method:grab`, `target:any-parcel` (90%) and `approach:on-foot`: the commonest values.
 *
 * @example
 * generateIncidents({ n: 20_000, seed: 1, scenarios: ['parcel'] }) // + 15 `scenario:parcel`
 */
function plantParcel(setting: ScenarioSetting, random: Random): PlantedCrime[] {
  const { region } = setting
  const size = SCENARIO_SIZES.parcel
  const first = startDay(setting, size.days, random())
  let town = settlementByPopulation(region, random())
  town = region.parent[town]
  const [mx, my] = around(region, town, random)
  const market = placeName(random, '农贸市场')
  const crimes: PlantedCrime[] = []
  for (const d of distinctDays(size.incidents, size.days, random)) {
    const [x, y] = inDisc(mx, my, size.radiusMeters, random)
    crimes.push({
      label: 'scenario:parcel',
      category: CAT_PARCEL,
      settlement: town,
      xKm: x,
      yKm: y,
      minute: minuteIn(first + d, 10, 18, random),
      exact: false,
      mo: [
        'location:doorstep',
        'method:grab',
        stableValue(CAT_PARCEL, 'target', 'any-parcel', random),
        'approach:on-foot',
      ],
      evidence: [],
      narrate: (place, ...rest) => narrativeFor(CAT_PARCEL, `${place}${market}附近一商铺门口`, ...rest),
    })
  }
  return crimes
}

// ---------------------------------------------------------------------------------------------------
// (e) Three e-bike rings.

/**
 * `count` towns pairwise between `minKm` and `maxKm` apart (seeded greedy: near enough to share a
 * background), else pairwise at least `minKm`, else (a small region) the ones whose nearest pair is
 * farthest apart among 60 seeded towns.
 */
function apartTowns(region: Region, count: number, minKm: number, maxKm: number, random: Random): number[] {
  const towns = shuffled(hubsOf(region), random)
  for (const limit of [maxKm, Number.POSITIVE_INFINITY]) {
    for (const first of towns) {
      const chosen = [first]
      for (const t of towns) {
        if (chosen.length === count) break
        const d = chosen.map((c) => distanceKm(region, c, t))
        if (d.every((x) => x >= minKm && x <= limit)) chosen.push(t)
      }
      if (chosen.length === count) return chosen
    }
  }
  // the towns whose smallest pairwise distance is largest (exhaustive over the first 60 hubs: O(60^count))
  const pool = towns.slice(0, 60)
  let best: number[] = pool.slice(0, count)
  let bestD = -1
  const pick = (from: number, chosen: number[], smallest: number): void => {
    if (chosen.length === count) {
      if (smallest > bestD) {
        bestD = smallest
        best = chosen.slice()
      }
      return
    }
    for (let i = from; i < pool.length; i++) {
      const d = Math.min(smallest, ...chosen.map((c) => distanceKm(region, c, pool[i])))
      if (d > bestD) pick(i + 1, [...chosen, pool[i]], d)
    }
  }
  pick(0, [], Number.POSITIVE_INFINITY)
  return best
}

/**
 * Three e-bike theft rings, 20 night thefts (19:00–02:00) each in the same 61 days, around three towns
 * pairwise 30–50 km apart (else at least 30 km; in a region too small for that, such as `city`, the
 * three farthest apart), with
 * identical MO: `method:short-circuit`, `location:residential-compound`, `target:whole-bike`,
 * `approach:on-foot`, the commonest values. Told apart by place only; labels `scenario:ebike-ring-1..3`.
 *
 * @example
 * generateIncidents({ n: 20_000, seed: 1, scenarios: ['ebike-rings'] }) // + 60 in three labels
 */
function plantEbikeRings(setting: ScenarioSetting, random: Random): PlantedCrime[] {
  const { region } = setting
  const size = SCENARIO_SIZES.ebikeRings
  const first = startDay(setting, size.days, random())
  const towns = apartTowns(region, size.rings, size.apartKm[0], size.apartKm[1], random)
  const crimes: PlantedCrime[] = []
  for (let ring = 0; ring < towns.length; ring++) {
    for (let k = 0; k < size.incidents; k++) {
      const day = first + Math.floor(random() * size.days)
      const [x, y] = around(region, towns[ring], random)
      crimes.push({
        label: `scenario:ebike-ring-${ring + 1}`,
        category: CAT_EBIKE,
        settlement: towns[ring],
        xKm: x,
        yKm: y,
        minute: minuteIn(day, 19, 26, random),
        exact: false,
        mo: [
          'method:short-circuit',
          'location:residential-compound',
          'target:whole-bike',
          'approach:on-foot',
        ],
        evidence: [],
        narrate: (place, ...rest) => narrativeFor(CAT_EBIKE, `${place}一小区`, ...rest),
      })
    }
  }
  return crimes
}

// ---------------------------------------------------------------------------------------------------
// (f) Copycats.

/** A copycat: category, MO, hours and whether the victim is an elderly villager. */
interface CopycatKind {
  category: number
  mo: string[]
  hours: readonly [number, number]
  village: boolean
}

const COPYCATS: readonly CopycatKind[] = [
  // his MO but another target
  {
    category: CAT_RESIDENTIAL,
    mo: ['entry:unlocked-door', 'target:jewelry', 'search:ransack', 'sign:pose-as-inspector'],
    hours: [10, 16],
    village: true,
  },
  // his MO in the evening
  {
    category: CAT_RESIDENTIAL,
    mo: ['entry:unlocked-door', 'target:cash', 'sign:pose-as-inspector'],
    hours: [19, 22],
    village: true,
  },
  {
    category: CAT_RESIDENTIAL,
    mo: ['entry:slip-lock', 'target:cash', 'tool:plastic-card', 'sign:pose-as-inspector', 'sign:gloves'],
    hours: [9, 17],
    village: true,
  },
  {
    category: CAT_RESIDENTIAL,
    mo: [
      'entry:pry-door',
      'target:gold',
      'tool:screwdriver',
      'sign:pose-as-inspector',
      'sign:pose-as-repairman',
    ],
    hours: [13, 18],
    village: false,
  },
  {
    category: CAT_FRAUD,
    mo: [
      'script:impersonate-police',
      'channel:phone-call',
      'payment:cash-pickup',
      'victim:elderly',
      'sign:pose-as-inspector',
    ],
    hours: [9, 17],
    village: true,
  },
  {
    category: CAT_FRAUD,
    mo: [
      'script:impersonate-police',
      'channel:wechat',
      'payment:bank-transfer',
      'victim:elderly',
      'sign:pose-as-inspector',
      'sign:wear-uniform',
    ],
    hours: [9, 17],
    village: false,
  },
  {
    category: CAT_SHOP,
    mo: ['entry:unlocked-door', 'target:till-cash', 'sign:pose-as-inspector', 'sign:wear-uniform'],
    hours: [9, 17],
    village: false,
  },
  {
    category: CAT_SHOP,
    mo: ['entry:unlocked-door', 'target:cigarettes', 'sign:pose-as-inspector'],
    hours: [14, 20],
    village: false,
  },
  // his MO late at night
  {
    category: CAT_RESIDENTIAL,
    mo: ['entry:unlocked-door', 'target:cash', 'approach:e-bike', 'sign:pose-as-inspector'],
    hours: [21, 23],
    village: true,
  },
  {
    category: CAT_RESIDENTIAL,
    mo: ['entry:unlocked-door', 'target:phone', 'approach:car', 'sign:pose-as-inspector'],
    hours: [9, 17],
    village: true,
  },
]

function copycatNarrative(kind: CopycatKind, pretext: number): PlantedCrime['narrate'] {
  const [who, why] = PRETEXTS[pretext]
  if (kind.category === CAT_RESIDENTIAL) {
    const target = kind.mo.find((m) => m.startsWith('target:')) ?? 'target:cash'
    const loot = TARGET_TEXT[target.slice(7)] ?? '财物'
    return (place, minute, _mo, _evidence, random) => {
      const age = 65 + Math.floor(random() * 25)
      return `${dateText(minute)}，${place}一名${age}岁老人报称，一名男子自称${who}，以${why}为由进入其家中，趁其不备盗走${loot}，价值约${amountYuan(1500, random)}元。`
    }
  }
  if (kind.category === CAT_FRAUD) {
    return (place, minute, _mo, _evidence, random) =>
      `${dateText(minute)}，${place}一名老人报称，一名男子自称${who}上门，以${why}需缴纳费用为由，骗走其现金${amountYuan(3000, random)}元。`
  }
  const target = kind.mo.find((m) => m.startsWith('target:')) ?? 'target:till-cash'
  const loot = TARGET_TEXT[target.slice(7)] ?? '财物'
  return (place, minute, _mo, _evidence, random) =>
    `${place}一店主报称，${dateText(minute)}一名男子自称${who}进店${why}，趁其不备盗走${loot}，价值约${amountYuan(1500, random)}元。`
}

/**
 * Ten single crimes, each its own label (`scenario:copycat-1..10`), with the impersonator's pretext
 * (`sign:pose-as-inspector`) and a look-alike narrative, but another MO value (target, entry), another
 * category (`fraud.telecom`, `burglary.shop`) or another time of day (evening, night); at seeded
 * population-weighted places (villages for the village kinds) and days within the impersonator's 243 days.
 * Exact times.
 *
 * @example
 * generateIncidents({ n: 20_000, seed: 1, scenarios: ['copycats'] }) // + 10 singletons
 */
function plantCopycats(setting: ScenarioSetting, random: Random): PlantedCrime[] {
  const { region } = setting
  const first = impersonatorStart(setting)
  const days = SCENARIO_SIZES.impersonator.days
  return COPYCATS.slice(0, SCENARIO_SIZES.copycats.incidents).map((kind, k) => {
    let settlement = settlementByPopulation(region, random())
    for (let tries = 0; kind.village && region.kind[settlement] !== KIND_VILLAGE && tries < 50; tries++) {
      settlement = settlementByPopulation(region, random())
    }
    const [xKm, yKm] = around(region, settlement, random)
    const pretext = pickCumulative(PRETEXT_CUMULATIVE, random())
    return {
      label: `scenario:copycat-${k + 1}`,
      category: kind.category,
      settlement,
      xKm,
      yKm,
      minute: minuteIn(first + Math.floor(random() * days), kind.hours[0], kind.hours[1], random),
      exact: true,
      mo: kind.mo.slice(),
      evidence: [],
      narrate: copycatNarrative(kind, pretext),
    }
  })
}
