import { createRandom, type Random } from '../util/random'
import { NAME_SYLLABLES } from './vocabulary'

/** Name of a generator preset. */
export type GeneratorPresetName = 'city' | 'province' | 'travelling' | 'county'

/**
 * A generator preset: the region's geometry and settlements, and the offender population's habits.
 * Distances are kilometres on a local plane around (`centerLat`, `centerLon`).
 */
export interface GeneratorPreset {
  /** Region width (east–west), km. */
  widthKm: number
  /** Region height (north–south), km. */
  heightKm: number
  centerLat: number
  centerLon: number
  /** County seats (or, for `city`, one city split into districts). */
  counties: number
  countySeatPopulation: readonly [number, number]
  /** City preset: number of urban districts around the centre instead of scattered county seats. */
  cityDistricts: number
  towns: number
  townPopulation: readonly [number, number]
  villages: number
  villagePopulation: readonly [number, number]
  /** Mean distance from a village to its town, km. */
  villageSpreadKm: number
  /** Spread (standard deviation) of incident locations around a settlement centre, km, by kind. */
  settlementSpreadKm: readonly [number, number, number]
  /** Median journey-to-crime distance of ordinary offenders, km. */
  rangeKm: number
  /** Share of repeat offenders who travel 50–200 km (`travelRangeKm`) between their bursts. */
  travellingShare: number
  travelRangeKm: readonly [number, number]
  /** Category weights (order of CATEGORIES). */
  categoryWeights: readonly number[]
  /** Incident count at which the time span is `referenceSpanDays`; the span scales with n^(1/3). */
  referenceN: number
  referenceSpanDays: number
  /** Grid cell for settlement lookup, km. */
  cellKm: number
}

/**
 * The built-in presets. `province` is the default.
 *
 * @example
 * GENERATOR_PRESETS.province.widthKm // 150
 */
export const GENERATOR_PRESETS: Readonly<Record<GeneratorPresetName, GeneratorPreset>> = {
  city: {
    widthKm: 40,
    heightKm: 40,
    centerLat: 32.06,
    centerLon: 118.79,
    counties: 4,
    countySeatPopulation: [60_000, 150_000],
    cityDistricts: 60,
    towns: 14,
    townPopulation: [15_000, 50_000],
    villages: 220,
    villagePopulation: [400, 2500],
    villageSpreadKm: 2,
    settlementSpreadKm: [0.45, 0.5, 0.2],
    rangeKm: 2,
    travellingShare: 0.01,
    travelRangeKm: [15, 40],
    categoryWeights: [0.17, 0.08, 0.2, 0.13, 0.12, 0.003, 0.14, 0.157],
    referenceN: 100_000,
    referenceSpanDays: 365,
    cellKm: 1.5,
  },
  province: {
    widthKm: 150,
    heightKm: 150,
    centerLat: 32,
    centerLon: 119,
    counties: 9,
    countySeatPopulation: [150_000, 450_000],
    cityDistricts: 0,
    towns: 130,
    townPopulation: [10_000, 50_000],
    villages: 2600,
    villagePopulation: [300, 3000],
    villageSpreadKm: 3.5,
    settlementSpreadKm: [1.6, 0.6, 0.25],
    rangeKm: 4,
    travellingShare: 0.03,
    travelRangeKm: [50, 150],
    categoryWeights: [0.2, 0.07, 0.2, 0.09, 0.12, 0.04, 0.12, 0.16],
    referenceN: 300_000,
    referenceSpanDays: 365,
    cellKm: 5,
  },
  travelling: {
    widthKm: 300,
    heightKm: 240,
    centerLat: 32.3,
    centerLon: 119.3,
    counties: 18,
    countySeatPopulation: [150_000, 450_000],
    cityDistricts: 0,
    towns: 260,
    townPopulation: [10_000, 50_000],
    villages: 5200,
    villagePopulation: [300, 3000],
    villageSpreadKm: 3.5,
    settlementSpreadKm: [1.6, 0.6, 0.25],
    rangeKm: 5,
    travellingShare: 0.2,
    travelRangeKm: [50, 200],
    categoryWeights: [0.22, 0.08, 0.18, 0.08, 0.13, 0.05, 0.12, 0.14],
    referenceN: 600_000,
    referenceSpanDays: 365,
    cellKm: 6,
  },
  // One county's solved cases: 2,000 in a year (300 span about 190 days), so small solved sets keep
  // offenders' careers at their real length instead of squeezed into a province's few weeks.
  county: {
    widthKm: 50,
    heightKm: 45,
    centerLat: 32.4,
    centerLon: 119.9,
    counties: 1,
    countySeatPopulation: [300_000, 500_000],
    cityDistricts: 0,
    towns: 16,
    townPopulation: [10_000, 50_000],
    villages: 320,
    villagePopulation: [300, 3000],
    villageSpreadKm: 3,
    settlementSpreadKm: [1.6, 0.6, 0.25],
    rangeKm: 4,
    travellingShare: 0.03,
    travelRangeKm: [15, 35],
    categoryWeights: [0.2, 0.07, 0.2, 0.09, 0.12, 0.04, 0.12, 0.16],
    referenceN: 2_000,
    referenceSpanDays: 365,
    cellKm: 4,
  },
}

/** Settlement kinds. */
export const KIND_SEAT = 0
export const KIND_TOWN = 1
export const KIND_VILLAGE = 2

/** Settlements in columnar form, with a grid for O(1) "pick a settlement near this point" draws. */
export interface Region {
  preset: GeneratorPreset
  count: number
  x: Float64Array
  y: Float64Array
  population: Float64Array
  kind: Uint8Array
  /** County index of each settlement. */
  county: Int32Array
  /** Town (or seat) settlement index each settlement belongs to (itself for towns and seats). */
  parent: Int32Array
  name: string[]
  countyName: string[]
  /** Cumulative population over all settlements, for population-weighted draws. */
  cumulative: Float64Array
  gridColumns: number
  gridRows: number
  /** CSR: settlements of cell c are cellItems[cellStart[c] .. cellStart[c+1]). */
  cellStart: Int32Array
  cellItems: Int32Array
  /** Cumulative population within the cell, aligned with cellItems. */
  cellCumulative: Float64Array
  /** For every cell, the nearest cell that holds a settlement (itself when non-empty). */
  cellFallback: Int32Array
}

/** A heavy-ish population draw: log-uniform in the range. */
function logUniform(random: Random, range: readonly [number, number]): number {
  return Math.round(Math.exp(Math.log(range[0]) + (Math.log(range[1]) - Math.log(range[0])) * random()))
}

function makeName(random: Random, used: Set<string>, suffix: string): string {
  const s = NAME_SYLLABLES
  for (let attempt = 0; attempt < 50; attempt++) {
    const name = s[Math.floor(random() * s.length)] + s[Math.floor(random() * s.length)] + suffix
    if (!used.has(name)) {
      used.add(name)
      return name
    }
  }
  const name = `${s[Math.floor(random() * s.length)]}${s[Math.floor(random() * s.length)]}${used.size}${suffix}`
  used.add(name)
  return name
}

/**
 * Builds a region from a preset: county seats spaced apart (or city districts around the centre),
 * towns spread over the region, villages clustered around towns, each with a population. Deterministic
 * for a seed. Runs in O(settlements · (towns + seats)).
 *
 * @example
 * const region = buildRegion(GENERATOR_PRESETS.province, 1)
 * region.count // seats + towns + villages
 */
export function buildRegion(preset: GeneratorPreset, seed: number): Region {
  const random = createRandom((seed ^ 0x5eed1e55) >>> 0)
  const xs: number[] = []
  const ys: number[] = []
  const pops: number[] = []
  const kinds: number[] = []
  const counties: number[] = []
  const parents: number[] = []
  const names: string[] = []
  const countyNames: string[] = []
  const usedNames = new Set<string>()
  const halfW = preset.widthKm / 2
  const halfH = preset.heightKm / 2
  const clampX = (v: number) => Math.max(-halfW, Math.min(halfW, v))
  const clampY = (v: number) => Math.max(-halfH, Math.min(halfH, v))

  // County seats, spaced at least half the mean spacing apart.
  const minSeatKm = 0.5 * Math.sqrt((preset.widthKm * preset.heightKm) / Math.max(1, preset.counties))
  const seatX: number[] = []
  const seatY: number[] = []
  for (let c = 0; c < preset.counties; c++) {
    let px = 0
    let py = 0
    for (let attempt = 0; attempt < 200; attempt++) {
      px = (random() - 0.5) * preset.widthKm * 0.9
      py = (random() - 0.5) * preset.heightKm * 0.9
      if (preset.cityDistricts > 0 && Math.hypot(px, py) < preset.widthKm * 0.3) continue
      let ok = true
      for (let k = 0; k < seatX.length; k++) {
        if (Math.hypot(seatX[k] - px, seatY[k] - py) < minSeatKm) ok = false
      }
      if (ok) break
    }
    seatX.push(px)
    seatY.push(py)
    countyNames.push(makeName(random, usedNames, preset.cityDistricts > 0 && c === 0 ? '区' : '县'))
  }
  const nearestSeat = (px: number, py: number) => {
    let best = 0
    let bestD = Number.POSITIVE_INFINITY
    for (let k = 0; k < seatX.length; k++) {
      const d = (seatX[k] - px) ** 2 + (seatY[k] - py) ** 2
      if (d < bestD) {
        bestD = d
        best = k
      }
    }
    return best
  }
  for (let c = 0; c < preset.counties; c++) {
    xs.push(seatX[c])
    ys.push(seatY[c])
    pops.push(logUniform(random, preset.countySeatPopulation))
    kinds.push(KIND_SEAT)
    counties.push(c)
    parents.push(xs.length - 1)
    names.push(`${countyNames[c].slice(0, 2)}城关`)
  }
  // City districts: dense communities around the centre, population decaying with distance.
  for (let d = 0; d < preset.cityDistricts; d++) {
    const r = 7 * Math.sqrt(-Math.log(1 - random() * 0.99))
    const a = random() * 2 * Math.PI
    const px = clampX(r * Math.cos(a))
    const py = clampY(r * Math.sin(a))
    xs.push(px)
    ys.push(py)
    pops.push(Math.round(30_000 + 60_000 * Math.exp(-r / 6) * (0.5 + random())))
    kinds.push(KIND_SEAT)
    counties.push(0)
    parents.push(xs.length - 1)
    names.push(makeName(random, usedNames, '社区'))
  }
  // Towns.
  const townStart = xs.length
  for (let t = 0; t < preset.towns; t++) {
    let px = 0
    let py = 0
    for (let attempt = 0; attempt < 100; attempt++) {
      px = (random() - 0.5) * preset.widthKm * 0.96
      py = (random() - 0.5) * preset.heightKm * 0.96
      let ok = preset.cityDistricts === 0 || Math.hypot(px, py) > 9
      for (let k = 0; k < xs.length && ok; k++) {
        if (kinds[k] !== KIND_VILLAGE && Math.hypot(xs[k] - px, ys[k] - py) < preset.cellKm * 0.8) ok = false
      }
      if (ok) break
    }
    xs.push(px)
    ys.push(py)
    pops.push(logUniform(random, preset.townPopulation))
    kinds.push(KIND_TOWN)
    counties.push(preset.cityDistricts > 0 ? nearestSeat(px, py) : nearestSeat(px, py))
    parents.push(xs.length - 1)
    names.push(makeName(random, usedNames, '镇'))
  }
  const townEnd = xs.length
  // Villages around towns and seats (excluding city districts).
  const hubs: number[] = []
  for (let k = 0; k < preset.counties; k++) hubs.push(k)
  for (let k = townStart; k < townEnd; k++) hubs.push(k)
  const villageNames = new Set<string>()
  for (let v = 0; v < preset.villages; v++) {
    const hub = hubs[Math.floor(random() * hubs.length)]
    const r = preset.villageSpreadKm * (0.3 - Math.log(1 - random() * 0.98))
    const a = random() * 2 * Math.PI
    const px = clampX(xs[hub] + r * Math.cos(a))
    const py = clampY(ys[hub] + r * Math.sin(a))
    xs.push(px)
    ys.push(py)
    pops.push(logUniform(random, preset.villagePopulation))
    kinds.push(KIND_VILLAGE)
    counties.push(counties[hub])
    parents.push(hub)
    if (villageNames.size > 3000) villageNames.clear()
    names.push(makeName(random, villageNames, '村'))
  }

  const count = xs.length
  const region: Region = {
    preset,
    count,
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
    population: Float64Array.from(pops),
    kind: Uint8Array.from(kinds),
    county: Int32Array.from(counties),
    parent: Int32Array.from(parents),
    name: names,
    countyName: countyNames,
    cumulative: new Float64Array(count),
    gridColumns: Math.max(1, Math.ceil(preset.widthKm / preset.cellKm)),
    gridRows: Math.max(1, Math.ceil(preset.heightKm / preset.cellKm)),
    cellStart: new Int32Array(0),
    cellItems: new Int32Array(count),
    cellCumulative: new Float64Array(count),
    cellFallback: new Int32Array(0),
  }
  let total = 0
  for (let i = 0; i < count; i++) {
    total += region.population[i]
    region.cumulative[i] = total
  }
  buildGrid(region)
  return region
}

/**
 * Grid cell of a point (clamped into the region).
 *
 * @example
 * const cell = cellOf(buildRegion(GENERATOR_PRESETS.city, 1), 0, 0)
 */
export function cellOf(region: Region, px: number, py: number): number {
  const { preset } = region
  let col = Math.floor((px + preset.widthKm / 2) / preset.cellKm)
  let row = Math.floor((py + preset.heightKm / 2) / preset.cellKm)
  if (col < 0) col = 0
  if (col >= region.gridColumns) col = region.gridColumns - 1
  if (row < 0) row = 0
  if (row >= region.gridRows) row = region.gridRows - 1
  return row * region.gridColumns + col
}

function buildGrid(region: Region): void {
  const cells = region.gridColumns * region.gridRows
  const counts = new Int32Array(cells + 1)
  const cellOfItem = new Int32Array(region.count)
  for (let i = 0; i < region.count; i++) {
    cellOfItem[i] = cellOf(region, region.x[i], region.y[i])
    counts[cellOfItem[i] + 1]++
  }
  for (let c = 0; c < cells; c++) counts[c + 1] += counts[c]
  region.cellStart = counts.slice()
  const fill = counts.slice(0, cells)
  for (let i = 0; i < region.count; i++) region.cellItems[fill[cellOfItem[i]]++] = i
  for (let c = 0; c < cells; c++) {
    let sum = 0
    for (let k = region.cellStart[c]; k < region.cellStart[c + 1]; k++) {
      sum += region.population[region.cellItems[k]]
      region.cellCumulative[k] = sum
    }
  }
  region.cellFallback = new Int32Array(cells)
  const nonEmpty: number[] = []
  for (let c = 0; c < cells; c++) if (region.cellStart[c + 1] > region.cellStart[c]) nonEmpty.push(c)
  for (let c = 0; c < cells; c++) {
    if (region.cellStart[c + 1] > region.cellStart[c]) {
      region.cellFallback[c] = c
      continue
    }
    const cr = Math.floor(c / region.gridColumns)
    const cc = c % region.gridColumns
    let best = nonEmpty[0]
    let bestD = Number.POSITIVE_INFINITY
    for (const e of nonEmpty) {
      const d = (Math.floor(e / region.gridColumns) - cr) ** 2 + ((e % region.gridColumns) - cc) ** 2
      if (d < bestD) {
        bestD = d
        best = e
      }
    }
    region.cellFallback[c] = best
  }
}

/**
 * Population-weighted settlement among those in the grid cell of (px, py) (or the nearest non-empty
 * cell); `u` in [0, 1) picks it. O(log k).
 *
 * @example
 * const s = settlementNear(region, 12.5, -3, random())
 */
export function settlementNear(region: Region, px: number, py: number, u: number): number {
  const cell = region.cellFallback[cellOf(region, px, py)]
  const start = region.cellStart[cell]
  const end = region.cellStart[cell + 1]
  const total = region.cellCumulative[end - 1]
  const target = u * total
  let lo = start
  let hi = end - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (region.cellCumulative[mid] > target) hi = mid
    else lo = mid + 1
  }
  return region.cellItems[lo]
}

/**
 * Population-weighted settlement over the whole region; `u` in [0, 1) picks it. O(log settlements).
 *
 * @example
 * const home = settlementByPopulation(region, random())
 */
export function settlementByPopulation(region: Region, u: number): number {
  const cum = region.cumulative
  const target = u * cum[cum.length - 1]
  let lo = 0
  let hi = cum.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cum[mid] > target) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * Latitude of a point `yKm` north of the preset's centre, rounded to 1e-6° (about 0.1 m).
 *
 * @example
 * latitudeOf(GENERATOR_PRESETS.province, 11.0574) // 32.1
 */
export function latitudeOf(preset: GeneratorPreset, yKm: number): number {
  return Math.round((preset.centerLat + yKm / 110.574) * 1e6) / 1e6
}

/**
 * Longitude of a point `xKm` east of the preset's centre, rounded to 1e-6°.
 *
 * @example
 * longitudeOf(GENERATOR_PRESETS.province, 0) // 119
 */
export function longitudeOf(preset: GeneratorPreset, xKm: number): number {
  return (
    Math.round((preset.centerLon + xKm / (111.32 * Math.cos((preset.centerLat * Math.PI) / 180))) * 1e6) / 1e6
  )
}
