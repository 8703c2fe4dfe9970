/**
 * A seeded pseudo-random generator returning floats in [0, 1): every random choice in caselink takes
 * one, so the same seed gives the same output.
 */
export type Random = () => number

/**
 * Creates a fast seeded generator (SplitMix32 state update with a Murmur3-style finalizer). Not
 * cryptographic; period 2³², ample for sampling and tie-breaking.
 *
 * @example
 * const random = createRandom(42)
 * const u = random() // 0 <= u < 1, the same for seed 42 every run
 */
export function createRandom(seed: number): Random {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    z ^= z >>> 16
    return (z >>> 0) / 4294967296
  }
}

/**
 * Uniform integer in [0, n) from a generator.
 *
 * @example
 * const pick = randomInt(createRandom(1), 10) // 0..9
 */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n)
}

/**
 * 32-bit FNV-1a hash of a string, for stable seeds and tie-breaks derived from ids.
 *
 * @example
 * hashString('INC-1') // the same number every run
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * MurmurHash3's 32-bit finalizer: mixes every input bit into every output bit (an integer hash, uniform
 * on [0, 2³²) for distinct inputs, as unsigned).
 *
 * @example
 * fmix32(1) // 1364076727, every run
 */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
