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
