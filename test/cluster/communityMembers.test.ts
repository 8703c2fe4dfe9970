import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { communityMembers } from '../../src/cluster/partition'

describe('communityMembers', () => {
  it('lists each community its rows, ascending', () => {
    const { count, start, rows } = communityMembers(Int32Array.of(1, 0, 1, 3))
    expect(count).toBe(4)
    expect(Array.from(start)).toEqual([0, 1, 3, 3, 4])
    expect(Array.from(rows)).toEqual([1, 0, 2, 3])
  })

  it('equals grouping with a map', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 200 }), (ids) => {
        const { count, start, rows } = communityMembers(ids)
        expect(count).toBe(ids.length === 0 ? 0 : Math.max(...ids) + 1)
        for (let c = 0; c < count; c++) {
          const expected = ids.flatMap((id, i) => (id === c ? [i] : []))
          expect(Array.from(rows.subarray(start[c], start[c + 1]))).toEqual(expected)
        }
      }),
    )
  })
})
