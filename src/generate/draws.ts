/**
 * Seeded draws shared by the generator's background and its planted scenarios: integer hashes (so each
 * offender and crime has its own stream), uniform, normal and exponential variates, and Zipf picks.
 */
import { fmix32, type Random } from '../util/random'

/**
 * Hash of up to three integers (32-bit).
 *
 * @example
 * const random = createRandom(hash3(seed, 2, offender))
 */
export function hash3(a: number, b: number, c: number): number {
  let h = fmix32((a ^ 0x27d4eb2d) >>> 0)
  h = fmix32((h ^ Math.imul(b | 0, 0xcc9e2d51)) >>> 0)
  return fmix32((h ^ Math.imul(c | 0, 0x1b873593) ^ 0x165667b1) >>> 0)
}

/**
 * A 32-bit hash as a number in [0, 1).
 *
 * @example
 * unit(hash3(seed, 90, 0)) < 0.7
 */
export function unit(h: number): number {
  return h / 4294967296
}

/**
 * Standard normal variate (Box–Muller, one of the pair).
 *
 * @example
 * const xKm = centreKm + 0.6 * normal(random)
 */
export function normal(random: Random): number {
  const u = 1 - random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/**
 * Exponential variate of mean 1.
 *
 * @example
 * const gapDays = 2 * exponential(random)
 */
export function exponential(random: Random): number {
  return -Math.log(1 - random())
}

/**
 * Cumulative Zipf weights of ranks 1..size with the given exponent, normalized to end at 1.
 *
 * @example
 * pickCumulative(zipfCumulative(10, 0.9), random())
 */
export function zipfCumulative(size: number, exponent: number): Float64Array {
  const cum = new Float64Array(size)
  let total = 0
  for (let i = 0; i < size; i++) {
    total += (i + 1) ** -exponent
    cum[i] = total
  }
  for (let i = 0; i < size; i++) cum[i] /= total
  return cum
}

/**
 * Index picked by `u` in [0, 1) from cumulative weights (linear scan: the lists are short).
 *
 * @example
 * pickCumulative([0.5, 0.8, 1], 0.6) // 1
 */
export function pickCumulative(cum: ArrayLike<number>, u: number): number {
  const n = cum.length
  for (let i = 0; i < n - 1; i++) if (u < cum[i]) return i
  return n - 1
}
