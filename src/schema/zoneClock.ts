import { tzOffset } from '@date-fns/tz'

const QUARTER_HOUR_MS = 900_000
const DAY_MS = 86_400_000

/** How a local wall-clock time mapped to an instant. */
export type LocalTimeStatus = 'ok' | 'ambiguous' | 'nonexistent'

/**
 * Converts between UTC instants and the wall clock of one IANA time zone, with a cache of offsets
 * per quarter hour (zone transitions fall on quarter hours), so a million stamps cost a few
 * thousand `Intl` look-ups.
 *
 * @example
 * const clock = createZoneClock('Asia/Shanghai')
 * clock.offsetMinutes(Date.UTC(2021, 4, 13)) // 480
 */
export interface ZoneClock {
  timeZone: string
  /** UTC offset of the zone at an instant, minutes (480 for UTC+8). */
  offsetMinutes(utcMs: number): number
  /**
   * The instant of a local wall-clock time given as `Date.UTC(...)` of its fields. In a DST gap the
   * time is moved forward by the gap (`nonexistent`); in an overlap the earlier instant is taken
   * (`ambiguous`) — the rules of Temporal's `disambiguation: 'compatible'`.
   */
  localToUtc(localAsUtcMs: number): { utcMs: number; status: LocalTimeStatus }
}

/**
 * Returns true when `timeZone` is an IANA zone name (or `UTC`) known to this runtime.
 *
 * @example
 * isValidTimeZone('Asia/Shanghai') // true
 * isValidTimeZone('Mars/Olympus') // false
 */
export function isValidTimeZone(timeZone: string): boolean {
  let valid = validZones.get(timeZone)
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone })
      valid = true
    } catch {
      valid = false
    }
    // zone names come from options, not data: the cache stays small
    if (validZones.size < 1024) validZones.set(timeZone, valid)
  }
  return valid
}

/** Answers of {@link isValidTimeZone} (constructing an Intl.DateTimeFormat costs ~0.4 ms). */
const validZones = new Map<string, boolean>()

/**
 * Creates a {@link ZoneClock} for an IANA zone; throws a `caselink:` error for an unknown zone.
 *
 * @example
 * const { utcMs } = createZoneClock('Asia/Shanghai').localToUtc(Date.UTC(2021, 4, 13, 8))
 * new Date(utcMs).toISOString() // '2021-05-13T00:00:00.000Z'
 */
export function createZoneClock(timeZone: string): ZoneClock {
  if (!isValidTimeZone(timeZone)) {
    throw new Error(
      `caselink: unknown time zone "${timeZone}" (expected an IANA name such as "Asia/Shanghai")`,
    )
  }
  const isUtc = timeZone === 'UTC' || timeZone === 'Etc/UTC'
  const cache = new Map<number, number>()
  const offsetMinutes = (utcMs: number): number => {
    if (isUtc) return 0
    const key = Math.floor(utcMs / QUARTER_HOUR_MS)
    let offset = cache.get(key)
    if (offset === undefined) {
      offset = tzOffset(timeZone, new Date(key * QUARTER_HOUR_MS))
      cache.set(key, offset)
    }
    return offset
  }
  const localToUtc = (local: number): { utcMs: number; status: LocalTimeStatus } => {
    if (isUtc) return { utcMs: local, status: 'ok' }
    const before = offsetMinutes(local - DAY_MS)
    const after = offsetMinutes(local + DAY_MS)
    const t1 = local - before * 60_000
    const t2 = local - after * 60_000
    const ok1 = offsetMinutes(t1) === before
    const ok2 = offsetMinutes(t2) === after
    if (ok1 && ok2) {
      if (t1 === t2) return { utcMs: t1, status: 'ok' }
      return { utcMs: Math.min(t1, t2), status: 'ambiguous' }
    }
    if (ok1) return { utcMs: t1, status: 'ok' }
    if (ok2) return { utcMs: t2, status: 'ok' }
    // In a gap: read the wall time with the offset from before the gap, which lands after it.
    return { utcMs: t1, status: 'nonexistent' }
  }
  return { timeZone, offsetMinutes, localToUtc }
}
