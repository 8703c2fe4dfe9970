/**
 * Text formats shared by the generator's background and its planted scenarios: zero-padded numbers,
 * calendar dates of day counts, and ISO-8601 local times with the China Standard Time offset.
 */

export const MINUTES_PER_DAY = 1440
export const OFFSET_MS = 8 * 3_600_000
export const OFFSET_TEXT = '+08:00'

/**
 * A non-negative integer zero-padded to `width` digits.
 *
 * @example
 * pad(42, 4) // '0042'
 */
export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

const TWO_DIGITS: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'))

/**
 * Calendar date of a day count since 1970-01-01 (Hinnant's civil_from_days), packed y·10000 + m·100 + d.
 *
 * @example
 * civilFromDays(19723) // 20240101
 */
export function civilFromDays(z: number): number {
  z += 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return (yoe + era * 400 + (m <= 2 ? 1 : 0)) * 10000 + m * 100 + d
}

/** `HH:mm:00+08:00` for every minute of the day. */
export const MINUTE_SUFFIX: string[] = Array.from(
  { length: MINUTES_PER_DAY },
  (_, m) => `${TWO_DIGITS[Math.floor(m / 60)]}:${TWO_DIGITS[m % 60]}:00${OFFSET_TEXT}`,
)

/**
 * `YYYY-MM-DDT` of a local day count since 1970.
 *
 * @example
 * dayPrefix(19723) // '2024-01-01T'
 */
export function dayPrefix(day: number): string {
  const ymd = civilFromDays(day)
  return `${Math.floor(ymd / 10000)}-${TWO_DIGITS[Math.floor(ymd / 100) % 100]}-${TWO_DIGITS[ymd % 100]}T`
}

/**
 * ISO-8601 local time with the +08:00 offset of local minutes since 1970 (no cache: for few records;
 * the background's writer caches the day prefixes).
 *
 * @example
 * localTimeText(19723 * 1440 + 9 * 60) // '2024-01-01T09:00:00+08:00'
 */
export function localTimeText(localMinute: number): string {
  const day = Math.floor(localMinute / MINUTES_PER_DAY)
  return dayPrefix(day) + MINUTE_SUFFIX[localMinute - day * MINUTES_PER_DAY]
}
