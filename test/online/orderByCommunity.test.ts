import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { orderByCommunity } from '../../src/online/incrementalClusters'

/** The simple version: a stable comparator sort of the positions. */
function comparatorOrder(next: number[], current: number[]): number[] {
  const order = Array.from({ length: next.length }, (_, k) => k)
  order.sort((p, q) => next[p] - next[q] || current[p] - current[q])
  return order
}

describe('orderByCommunity', () => {
  it('orders positions as the stable comparator sort by (next, current) does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 200 }),
        (nextCount, labelCount, pairs) => {
          const next = pairs.map(([p]) => p % nextCount)
          const current = pairs.map(([, q]) => q % labelCount)
          expect(Array.from(orderByCommunity(next, nextCount, current, labelCount))).toEqual(
            comparatorOrder(next, current),
          )
        },
      ),
    )
  })

  it('falls back to the comparator sort when the composite keys would not fit in 53 bits', () => {
    const next = [2, 0, 1, 0, 2]
    const current = [2 ** 40, 5, 2 ** 40 - 1, 5, 3]
    expect(Array.from(orderByCommunity(next, 3, current, 2 ** 41))).toEqual(comparatorOrder(next, current))
  })
})
