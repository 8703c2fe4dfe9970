import type { LocalTimeStatus, ZoneClock } from './zoneClock'

/** Result of reading one time value. */
export type ParsedTime =
  | { ok: true; epochMs: number; status: LocalTimeStatus | 'offset' | 'epoch' }
  | { ok: false; code: 'invalid_time' | 'impossible_date'; message: string }

const ISO_LIKE =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/
const CHINESE = /^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:(\d{1,2})[时点:](\d{1,2})[分:]?(?:(\d{1,2})秒?)?)?$/
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/
const EPOCH_MS = /^-?\d{11,13}$/

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysInMonth(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29
  return DAYS_IN_MONTH[month - 1]
}

/**
 * Reads a time value: epoch milliseconds (number, or a string of 11–13 digits), ISO-8601 with an
 * offset, or an offset-less local stamp (`2021-05-13 08:00:00`, `2021/5/13 8:00`, `20210513080000`,
 * `2021年5月13日 8时0分`) read on the wall clock of `clock`. Impossible dates (Feb 30, hour 25) are
 * reported, never rolled over.
 *
 * @example
 * parseTime('2021-05-13T08:00:00+08:00', createZoneClock('UTC')) // { ok: true, epochMs: 1620864000000, status: 'offset' }
 */
export function parseTime(value: string | number, clock: ZoneClock): ParsedTime {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      return { ok: false, code: 'invalid_time', message: `${value} is not a finite number` }
    return { ok: true, epochMs: value, status: 'epoch' }
  }
  const text = value.trim()
  const fast = parseFixedIso(text, clock)
  if (fast !== null) return fast
  if (EPOCH_MS.test(text)) return { ok: true, epochMs: Number(text), status: 'epoch' }
  const match = ISO_LIKE.exec(text) ?? CHINESE.exec(text) ?? COMPACT.exec(text)
  if (match === null) {
    return {
      ok: false,
      code: 'invalid_time',
      message: `"${value}" is not a time (expected ISO-8601 such as 2021-05-13T08:00:00+08:00, a local stamp such as 2021-05-13 08:00:00, or epoch milliseconds)`,
    }
  }
  return fromFields(
    value,
    Number(match[1]),
    Number(match[2]),
    Number(match[3]),
    match[4] === undefined ? 0 : Number(match[4]),
    match[5] === undefined ? 0 : Number(match[5]),
    match[6] === undefined ? 0 : Number(match[6]),
    match[7] === undefined ? 0 : Math.round(Number(`0.${match[7]}`) * 1000),
    match[8],
    clock,
  )
}

const ZERO = 48

function digits(text: string, start: number, count: number): number {
  let value = 0
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - ZERO
    if (d < 0 || d > 9) return -1
    value = value * 10 + d
  }
  return value
}

/**
 * The common layout `YYYY-MM-DD[T ]HH:MM:SS` (+ optional `.fff`, `Z` or `±HH:MM`) read without a regex,
 * the hot path for a million records; anything else returns null for the general reader.
 */
function parseFixedIso(text: string, clock: ZoneClock): ParsedTime | null {
  if (text.length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null
  const sep = text.charCodeAt(10)
  if ((sep !== 84 && sep !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 2)
  const day = digits(text, 8, 2)
  const hour = digits(text, 11, 2)
  const minute = digits(text, 14, 2)
  const second = digits(text, 17, 2)
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null
  let i = 19
  let fraction = 0
  if (text.charCodeAt(i) === 46) {
    const start = ++i
    while (i < text.length && text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= ZERO + 9) i++
    if (i === start) return null
    fraction = Math.round(Number(`0.${text.slice(start, i)}`) * 1000)
  }
  const zone = i < text.length ? text.slice(i) : undefined
  if (zone !== undefined && !/^(Z|z|[+-]\d{2}(:?\d{2})?)$/.test(zone)) return null
  return fromFields(text, year, month, day, hour, minute, second, fraction, zone, clock)
}

function fromFields(
  value: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: number,
  zone: string | undefined,
  clock: ZoneClock,
): ParsedTime {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return {
      ok: false,
      code: 'impossible_date',
      message: `"${value}": ${year}-${month}-${day} does not exist`,
    }
  }
  if (hour > 24 || minute > 59 || second > 59 || (hour === 24 && (minute > 0 || second > 0))) {
    return {
      ok: false,
      code: 'impossible_date',
      message: `"${value}": ${hour}:${minute}:${second} is not a time of day`,
    }
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second, fraction)
  if (zone !== undefined) {
    if (zone === 'Z' || zone === 'z') return { ok: true, epochMs: local, status: 'offset' }
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offsetHours = Number(digits.slice(0, 2))
    const offsetMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    if (offsetHours > 14 || offsetMinutes > 59) {
      return { ok: false, code: 'invalid_time', message: `"${value}": ${zone} is not a UTC offset` }
    }
    return { ok: true, epochMs: local - sign * (offsetHours * 60 + offsetMinutes) * 60_000, status: 'offset' }
  }
  const { utcMs, status } = clock.localToUtc(local)
  return { ok: true, epochMs: utcMs, status }
}
