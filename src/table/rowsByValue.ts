/**
 * Rows of each value, for the values with `use[v] === 1`: CSR over value ids, the transpose of a row →
 * values CSR (`start`, `ids`). O(rows + list length).
 *
 * @example
 * const { start, rows } = rowsByValue(table.moStart, table.moIds, use, table.size)
 * rows.subarray(start[v], start[v + 1]) // the rows carrying value v, ascending
 */
export function rowsByValue(
  start: Uint32Array,
  ids: Uint32Array,
  use: Uint8Array,
  rowCount: number,
): { start: Uint32Array; rows: Uint32Array } {
  const valueStart = new Uint32Array(use.length + 1)
  for (let k = 0; k < start[rowCount]; k++) if (use[ids[k]] === 1) valueStart[ids[k] + 1]++
  for (let v = 0; v < use.length; v++) valueStart[v + 1] += valueStart[v]
  const rows = new Uint32Array(valueStart[use.length])
  const fill = valueStart.slice(0, use.length)
  for (let i = 0; i < rowCount; i++) {
    for (let k = start[i]; k < start[i + 1]; k++) if (use[ids[k]] === 1) rows[fill[ids[k]]++] = i
  }
  return { start: valueStart, rows }
}
