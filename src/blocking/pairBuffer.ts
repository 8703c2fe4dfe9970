/**
 * Append-only storage of row pairs in fixed-size typed-array chunks (no copying as it grows), and
 * the sort that turns it into the final candidate arrays ordered by (a, b).
 */

const CHUNK_PAIRS = 1 << 20

/** Where candidate pairs go: stored, or only counted. */
export interface PairSink {
  /** Adds pair (i, j) found by `rule` (0..4); i and j in any order, i !== j. */
  push(i: number, j: number, rule: number): void
  readonly count: number
}

/** Counts pairs per rule without storing them (for analyzeBlocking). */
export class CountingSink implements PairSink {
  count = 0
  readonly byRule = new Float64Array(5)
  push(_i: number, _j: number, rule: number): void {
    this.count++
    this.byRule[rule]++
  }
}

/** Stores pairs as (min, max) in chunks; `rule` kept alongside. */
export class PairBuffer implements PairSink {
  count = 0
  readonly byRule = new Float64Array(5)
  private readonly lows: Uint32Array[] = []
  private readonly highs: Uint32Array[] = []
  private readonly rules: Uint8Array[] = []
  private low = new Uint32Array(0)
  private high = new Uint32Array(0)
  private rule = new Uint8Array(0)
  private at = 0

  push(i: number, j: number, rule: number): void {
    if (this.at === this.low.length) this.grow()
    const at = this.at++
    if (i < j) {
      this.low[at] = i
      this.high[at] = j
    } else {
      this.low[at] = j
      this.high[at] = i
    }
    this.rule[at] = rule
    this.count++
    this.byRule[rule]++
  }

  private grow(): void {
    this.low = new Uint32Array(CHUNK_PAIRS)
    this.high = new Uint32Array(CHUNK_PAIRS)
    this.rule = new Uint8Array(CHUNK_PAIRS)
    this.lows.push(this.low)
    this.highs.push(this.high)
    this.rules.push(this.rule)
    this.at = 0
  }

  /**
   * The pairs sorted by a then b (a < b), with their rules; frees the chunks. A counting sort on a
   * (CSR over rows) then a sort of each row's short list of b: O(pairs + rows) plus the per-row sorts.
   */
  sorted(rowCount: number): { a: Uint32Array; b: Uint32Array; rule: Uint8Array } {
    const total = this.count
    if (rowCount >= 2 ** 29) throw new Error('caselink: at most 2^29 rows can be blocked')
    const start = new Uint32Array(rowCount + 1)
    const chunkCount = this.lows.length
    const chunkLength = (c: number) => (c === chunkCount - 1 ? this.at : CHUNK_PAIRS)
    for (let c = 0; c < chunkCount; c++) {
      const low = this.lows[c]
      const length = chunkLength(c)
      for (let k = 0; k < length; k++) start[low[k] + 1]++
    }
    for (let r = 0; r < rowCount; r++) start[r + 1] += start[r]
    const fill = start.slice(0, rowCount)
    // b * 8 + rule packs into 32 bits (rows < 2^29); sorting it sorts by b
    const packed = new Uint32Array(total)
    for (let c = 0; c < chunkCount; c++) {
      const low = this.lows[c]
      const high = this.highs[c]
      const rule = this.rules[c]
      const length = chunkLength(c)
      for (let k = 0; k < length; k++) packed[fill[low[k]]++] = high[k] * 8 + rule[k]
    }
    this.lows.length = 0
    this.highs.length = 0
    this.rules.length = 0
    this.low = new Uint32Array(0)
    this.high = new Uint32Array(0)
    this.rule = new Uint8Array(0)
    this.at = 0
    const a = new Uint32Array(total)
    const rule = new Uint8Array(total)
    for (let r = 0; r < rowCount; r++) {
      const s = start[r]
      const e = start[r + 1]
      if (e - s > 32) packed.subarray(s, e).sort()
      else insertionSort(packed, s, e)
      a.fill(r, s, e)
    }
    for (let k = 0; k < total; k++) {
      const v = packed[k]
      rule[k] = v & 7
      packed[k] = v >>> 3
    }
    return { a, b: packed, rule }
  }
}

function insertionSort(values: Uint32Array, start: number, end: number): void {
  for (let k = start + 1; k < end; k++) {
    const v = values[k]
    let p = k
    while (p > start && values[p - 1] > v) {
      values[p] = values[p - 1]
      p--
    }
    values[p] = v
  }
}

/**
 * Sorts indices 0..n-1 by a non-negative integer key < 2^53 (stable LSD radix sort, 16-bit digits,
 * skipping digits that are the same for every key). O(n) per non-constant digit.
 */
export function sortByKey(keys: Float64Array): Uint32Array {
  const n = keys.length
  const hi = new Uint32Array(n)
  const lo = new Uint32Array(n)
  for (let k = 0; k < n; k++) {
    const h = Math.floor(keys[k] / 4294967296)
    hi[k] = h
    lo[k] = keys[k] - h * 4294967296
  }
  let order = new Uint32Array(n)
  for (let k = 0; k < n; k++) order[k] = k
  let next = new Uint32Array(n)
  const counts = new Uint32Array(65536)
  for (let pass = 0; pass < 4; pass++) {
    const words = pass < 2 ? lo : hi
    const shift = (pass & 1) * 16
    counts.fill(0)
    for (let k = 0; k < n; k++) counts[(words[k] >>> shift) & 0xffff]++
    let nonEmpty = 0
    for (let d = 0; d < 65536 && nonEmpty < 2; d++) if (counts[d] > 0) nonEmpty++
    if (nonEmpty < 2) continue
    let sum = 0
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]
      counts[d] = sum
      sum += c
    }
    for (let k = 0; k < n; k++) {
      const index = order[k]
      next[counts[(words[index] >>> shift) & 0xffff]++] = index
    }
    const swap = order
    order = next
    next = swap
  }
  return order
}
