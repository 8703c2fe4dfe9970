/**
 * Renumbers community ids in place so that they are 0..count-1 in order of each community's smallest node
 * index (node 0 is always in community 0). Ids may be any non-negative integers below `membership.length`
 * or, when larger, any non-negative integers (a hash map is then used). Returns the number of communities.
 * Runs in O(n).
 *
 * @example
 * const membership = Int32Array.of(7, 3, 7, 5)
 * canonicalizeMembership(membership) // 3; membership is now [0, 1, 0, 2]
 */
export function canonicalizeMembership(membership: Int32Array): number {
  const n = membership.length
  let inRange = true
  for (let i = 0; i < n; i++) {
    const c = membership[i]
    if (c < 0) throw new RangeError(`caselink: membership[${i}] is negative (${c})`)
    if (c >= n) inRange = false
  }
  let count = 0
  if (inRange) {
    const remap = new Int32Array(n).fill(-1)
    for (let i = 0; i < n; i++) {
      const c = membership[i]
      let id = remap[c]
      if (id < 0) id = remap[c] = count++
      membership[i] = id
    }
    return count
  }
  const remap = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const c = membership[i]
    let id = remap.get(c)
    if (id === undefined) {
      id = count++
      remap.set(c, id)
    }
    membership[i] = id
  }
  return count
}

/** The rows of each community of a membership, as compressed rows. */
export interface CommunityMembers {
  /** Communities: one more than the largest id. */
  count: number
  /** Community c's rows are `rows[start[c]..start[c + 1])`, ascending. */
  start: Uint32Array
  rows: Uint32Array
}

/**
 * Groups rows by community (counting sort, O(n + communities)). Ids must be non-negative integers.
 *
 * @example
 * const { start, rows } = communityMembers(Int32Array.of(1, 0, 1)) // community 1: rows[1..3) = [0, 2]
 */
export function communityMembers(membership: ArrayLike<number>): CommunityMembers {
  const n = membership.length
  let count = 0
  for (let i = 0; i < n; i++) if (membership[i] + 1 > count) count = membership[i] + 1
  const start = new Uint32Array(count + 1)
  for (let i = 0; i < n; i++) start[membership[i] + 1]++
  for (let c = 0; c < count; c++) start[c + 1] += start[c]
  const rows = new Uint32Array(n)
  const fill = start.slice(0, count)
  for (let i = 0; i < n; i++) rows[fill[membership[i]]++] = i
  return { count, start, rows }
}
