import { allocateLongLived } from '../util/longLived'

/**
 * Counts keyed by four 32-bit integers, in one open-addressing hash table over typed arrays (no
 * allocation per key, no strings): the grid counts of `backgroundRates`. Keys are compared exactly.
 *
 * @example
 * const counts = new CountTable(1024)
 * counts.add(3, 10, -4, 0, 1)
 * counts.get(3, 10, -4, 0) // 1
 */
export class CountTable {
  private keys: Int32Array
  private counts: Float64Array
  private used: Uint8Array
  private mask: number
  /** Distinct keys held. */
  size = 0

  constructor(expectedKeys = 1024) {
    let capacity = 16
    while (capacity < expectedKeys * 2) capacity *= 2
    this.keys = new Int32Array(capacity * 4)
    this.counts = new Float64Array(capacity)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  /** Adds `amount` to the count of key (a, b, c, d). */
  add(a: number, b: number, c: number, d: number, amount: number): void {
    const slot = this.slotOf(a, b, c, d)
    if (this.used[slot] === 0) {
      this.used[slot] = 1
      const k = slot * 4
      this.keys[k] = a
      this.keys[k + 1] = b
      this.keys[k + 2] = c
      this.keys[k + 3] = d
      this.size++
      this.counts[slot] = amount
      if (this.size * 2 > this.counts.length) this.grow()
      return
    }
    this.counts[slot] += amount
  }

  /** The count of key (a, b, c, d); 0 when never added. */
  get(a: number, b: number, c: number, d: number): number {
    const slot = this.slotOf(a, b, c, d)
    return this.used[slot] === 0 ? 0 : this.counts[slot]
  }

  /** The slot holding the key, or the empty slot where it would go. */
  private slotOf(a: number, b: number, c: number, d: number): number {
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b)
    h = Math.imul(h ^ b ^ (h >>> 13), 0xc2b2ae35)
    h = Math.imul(h ^ c ^ (h >>> 16), 0x85ebca6b)
    h = Math.imul(h ^ d ^ (h >>> 13), 0xc2b2ae35)
    h ^= h >>> 16
    let slot = h & this.mask
    const keys = this.keys
    while (this.used[slot] === 1) {
      const k = slot * 4
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) return slot
      slot = (slot + 1) & this.mask
    }
    return slot
  }

  private grow(): void {
    const { keys, counts, used } = this
    const capacity = counts.length * 2
    this.keys = new Int32Array(capacity * 4)
    this.counts = new Float64Array(capacity)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
    this.size = 0
    for (let slot = 0; slot < used.length; slot++) {
      if (used[slot] === 0) continue
      const k = slot * 4
      this.add(keys[k], keys[k + 1], keys[k + 2], keys[k + 3], counts[slot])
    }
  }
}

/**
 * Counts keyed by a non-negative integer below 2^53 (packed coordinates), in one open-addressing hash
 * table over typed arrays: four times faster than {@link CountTable}'s four-integer keys.
 *
 * @example
 * const counts = new PackedCountTable(1024)
 * counts.add(123456789012, 1)
 * counts.get(123456789012) // 1
 */
export class PackedCountTable {
  private keys: Float64Array
  private counts: Float32Array
  private mask: number
  /** Distinct keys held. */
  size = 0

  constructor(expectedKeys = 1024) {
    let capacity = 16
    while (capacity < expectedKeys * 2) capacity *= 2
    this.keys = allocateLongLived(Float64Array, capacity).fill(-1)
    this.counts = allocateLongLived(Float32Array, capacity)
    this.mask = capacity - 1
  }

  /** Adds `amount` to the count of `key` (an integer in [0, 2^53)); counts stay exact up to 2^24. */
  add(key: number, amount: number): void {
    const slot = this.slotOf(key)
    if (this.keys[slot] === -1) {
      this.keys[slot] = key
      this.size++
      this.counts[slot] = amount
      if (this.size * 2 > this.counts.length) this.grow()
      return
    }
    this.counts[slot] += amount
  }

  /** The count of `key`; 0 when never added. */
  get(key: number): number {
    const slot = this.slotOf(key)
    return this.keys[slot] === -1 ? 0 : this.counts[slot]
  }

  private slotOf(key: number): number {
    const high = (key / 4294967296) >>> 0
    let h = Math.imul(key >>> 0, 0x9e3779b1) ^ Math.imul(high + 0x7f4a7c15, 0x85ebca77)
    h ^= h >>> 15
    let slot = h & this.mask
    const keys = this.keys
    while (keys[slot] !== -1 && keys[slot] !== key) slot = (slot + 1) & this.mask
    return slot
  }

  private grow(): void {
    const { keys, counts } = this
    const capacity = counts.length * 2
    this.keys = allocateLongLived(Float64Array, capacity).fill(-1)
    this.counts = allocateLongLived(Float32Array, capacity)
    this.mask = capacity - 1
    this.size = 0
    for (let slot = 0; slot < keys.length; slot++) if (keys[slot] !== -1) this.add(keys[slot], counts[slot])
  }
}
