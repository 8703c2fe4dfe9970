/**
 * The distance and time bands of a near-repeat table: which band a distance (metres) or a time lag (days)
 * falls in, and how each band is labelled.
 */

/** Distances up to this many metres are the "same location" band (as NearRepeat's 0.001 break). */
export const SAME_LOCATION_METERS = 0.001

/** One band of a near-repeat table, an interval of distances (metres) or lags (days). */
export interface NearRepeatBand {
  /** Lower end of the interval. */
  from: number
  /** Upper end (Infinity for the band beyond the last break). */
  to: number
  /** Whether a value equal to `from` is in the band. */
  includesFrom: boolean
  /** Whether a value equal to `to` is in the band. */
  includesTo: boolean
  /** `same` (distance ≤ 0.001 m), `band` (between two breaks) or `beyond` (after the last break). */
  kind: 'same' | 'band' | 'beyond'
  /** As an analyst reads it: "0–100 m", "101–200 m", "> 500 m", "same location", "[0, 100) m". */
  label: string
}

/** How the bands of one dimension are built, see {@link buildBands}. */
export interface BandSpec {
  breaks: readonly number[]
  closed: 'right' | 'left'
  sameLocation: boolean
  beyond: boolean
  unit: 'm' | 'days'
}

/**
 * The bands of one dimension. With `closed: 'right'` the first band is [b0, b1] and the next (b1, b2], …
 * (what "0–100 m, 101–200 m" mean in whole metres); with `'left'`, [b0, b1), [b1, b2), … (NearRepeat's
 * default and the Near Repeat Calculator's actual counts). `sameLocation` puts distances ≤
 * {@link SAME_LOCATION_METERS} in a band of their own, before the others; `beyond` adds (bK, ∞) (or
 * [bK, ∞)).
 *
 * @example
 * buildBands({ breaks: [0, 100, 200], closed: 'right', sameLocation: true, beyond: true, unit: 'm' })
 *   .map((b) => b.label) // ['same location', '0–100 m', '101–200 m', '> 200 m']
 */
export function buildBands(spec: BandSpec): NearRepeatBand[] {
  const { breaks, closed, unit } = spec
  const right = closed === 'right'
  const whole = breaks.every(Number.isInteger)
  const bands: NearRepeatBand[] = []
  if (spec.sameLocation) {
    bands.push({
      from: 0,
      to: SAME_LOCATION_METERS,
      includesFrom: true,
      includesTo: true,
      kind: 'same',
      label: 'same location',
    })
  }
  for (let k = 0; k + 1 < breaks.length; k++) {
    const from = breaks[k]
    const to = breaks[k + 1]
    const includesFrom = right ? k === 0 : true
    const includesTo = right
    let label: string
    if (right && whole) label = `${k === 0 ? from : from + 1}–${to} ${unit}`
    else label = `${includesFrom ? '[' : '('}${from}, ${to}${includesTo ? ']' : ')'} ${unit}`
    bands.push({ from, to, includesFrom, includesTo, kind: 'band', label })
  }
  if (spec.beyond) {
    const last = breaks[breaks.length - 1]
    bands.push({
      from: last,
      to: Number.POSITIVE_INFINITY,
      includesFrom: !right,
      includesTo: false,
      kind: 'beyond',
      label: `${right ? '>' : '≥'} ${last} ${unit}`,
    })
  }
  return bands
}

/**
 * Index of the band of `value` among {@link buildBands}' bands for the same spec, or -1 when it falls in
 * none (beyond the last break without `beyond`). Values are distances or lags, never negative.
 *
 * @example
 * const spec = { breaks: [0, 100, 200], closed: 'right', sameLocation: false, beyond: true, unit: 'm' } as const
 * bandOf(100, spec) // 0
 * bandOf(100.5, spec) // 1
 * bandOf(250, spec) // 2 (beyond)
 */
export function bandOf(value: number, spec: BandSpec): number {
  const { breaks } = spec
  let offset = 0
  if (spec.sameLocation) {
    if (value <= SAME_LOCATION_METERS) return 0
    offset = 1
  }
  const K = breaks.length - 1
  if (spec.closed === 'right') {
    for (let k = 0; k < K; k++) if (value <= breaks[k + 1]) return offset + k
  } else {
    for (let k = 0; k < K; k++) if (value < breaks[k + 1]) return offset + k
  }
  return spec.beyond ? offset + K : -1
}

/**
 * Checks a list of breaks: at least two finite numbers, the first 0, strictly increasing. Throws a
 * `caselink:` RangeError naming the option.
 *
 * @example
 * checkBreaks('distanceBreaks', [0, 100, 200]) // passes
 * checkBreaks('timeBreaks', [7, 14]) // throws: must start at 0
 */
export function checkBreaks(name: string, breaks: unknown): asserts breaks is number[] {
  if (!Array.isArray(breaks) || breaks.length < 2) {
    throw new RangeError(
      `caselink: nearRepeat ${name} must be an array of at least 2 numbers, got ${show(breaks)}`,
    )
  }
  if (!breaks.every((b) => typeof b === 'number' && Number.isFinite(b))) {
    throw new RangeError(`caselink: nearRepeat ${name} must hold finite numbers, got ${show(breaks)}`)
  }
  if (breaks[0] !== 0) {
    throw new RangeError(
      `caselink: nearRepeat ${name} must start at 0 (bands cover every pair from 0 on), got ${show(breaks)}`,
    )
  }
  for (let k = 1; k < breaks.length; k++) {
    if (!(breaks[k] > breaks[k - 1])) {
      throw new RangeError(`caselink: nearRepeat ${name} must increase strictly, got ${show(breaks)}`)
    }
  }
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
