import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluatePartition } from '../../src/evaluation/evaluatePartition'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { linkIncidents } from '../../src/link/linkIncidents'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { attachLoneIncidents } from '../../src/series/attachLoneIncidents'

const FLOOR_BITS = Math.log2(0.9 / 0.1)

describe('attachLoneIncidents', () => {
  // rows 0–2: series 0; rows 3–4: series 1; rows 5–8 alone
  const membership = Int32Array.from([0, 0, 0, 1, 1, 2, 3, 4, 5])

  it('joins a lone incident whose links to one series add up to a link at the floor, and no other', () => {
    const a = [5, 5, 6, 7, 7, 8, 8]
    const b = [0, 1, 0, 3, 0, 3, 1]
    const p = [0.8, 0.75, 0.85, 0.7, 0.7, 0.6, 0.55]
    const before = Int32Array.from(membership)
    const { membership: after, attachments } = attachLoneIncidents(membership, a, b, p, a.length, FLOOR_BITS)
    expect(membership).toEqual(before)
    // row 5: 2.0 + 1.58 bits toward series 0 ≥ 3.17: joined; row 6: one link of 2.5 bits: not enough
    expect(after[5]).toBe(after[0])
    expect(after[6]).not.toBe(after[0])
    expect(attachments.map((x) => x.row)).toEqual([5])
    expect(attachments[0].rows).toEqual([0, 1])
    expect(attachments[0].evidenceBits).toBeCloseTo(Math.log2(4) + Math.log2(3), 9)
    // row 7: 1.22 bits to each series, a tie below the floor; row 8: two series, neither enough
    expect(after[7]).not.toBe(after[3])
    expect(after[8]).not.toBe(after[3])
  })

  it('leaves a tie between two series alone, whatever the order of the pairs', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }), (order) => {
        const a = [5, 5, 5, 5]
        const b = [0, 1, 3, 4]
        const p = [0.9, 0.9, 0.9, 0.9]
        const pick = (values: number[]) => order.map((k) => values[k])
        const { attachments } = attachLoneIncidents(membership, pick(a), pick(b), pick(p), 4, FLOOR_BITS)
        expect(attachments).toEqual([])
      }),
    )
  })

  it('never joins two lone incidents to each other, nor moves a series member', () => {
    const { membership: after, attachments } = attachLoneIncidents(
      membership,
      [5, 0, 3],
      [6, 3, 1],
      [0.89, 0.89, 0.89],
      3,
      FLOOR_BITS,
    )
    expect(attachments).toEqual([])
    expect(new Set([after[5], after[6]]).size).toBe(2)
    expect(after[0]).toBe(after[1])
    expect(after[3]).toBe(after[4])
  })
})

describe('linkIncidents attachLone', () => {
  const { incidents: records } = generateIncidents({ n: 20_000, seed: 5, preset: 'city' })
  const { incidents } = parseIncidents(records, { timeZone: 'Asia/Shanghai' })

  it('joins lone incidents by their links below the floor, lists each, and raises B³ F1 on generated data', () => {
    const on = linkIncidents(incidents, { timeZone: 'Asia/Shanghai' })
    const off = linkIncidents(incidents, { timeZone: 'Asia/Shanghai', attachLone: false })
    expect(off.attachments).toEqual([])
    expect(on.attachments.length).toBeGreaterThan(0)
    expect(on.stats.stages.clustering.attached).toBe(on.attachments.length)
    for (const attachment of on.attachments.slice(0, 50)) {
      expect(off.assignments[attachment.id]).toBeNull()
      expect(on.assignments[attachment.id]).toBe(attachment.seriesId)
      expect(attachment.links.length).toBeGreaterThanOrEqual(2)
      expect(attachment.evidenceBits).toBeGreaterThanOrEqual(FLOOR_BITS)
      for (const link of attachment.links) {
        expect(link.probability).toBeGreaterThanOrEqual(0.5)
        expect(link.probability).toBeLessThan(0.9)
      }
    }
    const f1 = (result: typeof on) => evaluatePartition(result.assignments, result.incidents).bcubed.f1
    expect(f1(on)).toBeGreaterThan(f1(off))
  })
})
