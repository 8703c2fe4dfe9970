/**
 * Every pair (i, j), i < j, of `size` rows as columns, in row-major order: for exhaustive scoring of a
 * small set (2,000 rows give 1,999,000 pairs).
 *
 * @example
 * const { a, b, count } = allPairs(3) // a = [0, 0, 1], b = [1, 2, 2], count = 3
 */
export function allPairs(size: number): { a: Uint32Array; b: Uint32Array; count: number } {
  const count = (size * (size - 1)) / 2
  const a = new Uint32Array(count)
  const b = new Uint32Array(count)
  let k = 0
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      a[k] = i
      b[k++] = j
    }
  }
  return { a, b, count }
}
