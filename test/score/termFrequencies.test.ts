import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Incident } from '../../src/schema/incident'
import { termFrequencies, termFrequenciesFor } from '../../src/score/termFrequencies'
import { buildCaseTable } from '../../src/table/buildCaseTable'

function row(id: string, category: string | undefined, mo: string[]): Incident {
  return {
    id,
    timeFrom: 0,
    timeTo: 0,
    ...(category === undefined ? {} : { category }),
    mo,
    evidence: [],
    series: [],
    attributes: {},
  }
}

describe('termFrequencies', () => {
  it('weighs a shared value by log2(Σ q² / q_v) within its group and category (hand-computed)', () => {
    const table = buildCaseTable([
      row('1', 'burglary', ['entry:pry', 'sign:a']),
      row('2', 'burglary', ['entry:pry']),
      row('3', 'burglary', ['entry:pry']),
      row('4', 'burglary', ['entry:window']),
      row('5', 'theft', ['entry:window']),
    ])
    const tf = termFrequencies(table, { pseudoCount: 0 })
    const v = (name: string) => table.moValues.indexOf(name)
    const burglary = table.categoryValues.indexOf('burglary')
    // among burglaries: q(pry) = 3/4, q(window) = 1/4, Σ q² = 10/16
    expect(tf.mo[burglary * tf.moValues + v('entry:pry')]).toBeCloseTo(Math.log2(0.625 / 0.75), 12)
    expect(tf.mo[burglary * tf.moValues + v('entry:window')]).toBeCloseTo(Math.log2(0.625 / 0.25), 12)
    // the only value of its group: average commonness, 0 bits
    expect(tf.mo[burglary * tf.moValues + v('sign:a')]).toBeCloseTo(0, 12)
    // pairs of differing categories: shares over all rows, q(pry) = 3/5, q(window) = 2/5
    const any = tf.categorySlots - 1
    expect(tf.mo[any * tf.moValues + v('entry:window')]).toBeCloseTo(Math.log2((9 / 25 + 4 / 25) / 0.4), 12)
    // categories: p = 4/5, 1/5, Σ p² = 17/25
    expect(tf.category[burglary]).toBeCloseTo(Math.log2(0.68 / 0.8), 12)
    expect(tf.category[table.categoryValues.indexOf('theft')]).toBeCloseTo(Math.log2(0.68 / 0.2), 12)
  })

  it('shrinks a small category toward the shares over all categories', () => {
    const rows = [row('t', 'theft', ['entry:window'])]
    for (let k = 0; k < 99; k++)
      rows.push(row(`b${k}`, 'burglary', [k % 3 === 0 ? 'entry:window' : 'entry:pry']))
    const table = buildCaseTable(rows)
    const theft = table.categoryValues.indexOf('theft')
    const window = table.moValues.indexOf('entry:window')
    const raw = termFrequencies(table, { pseudoCount: 0 })
    const shrunk = termFrequencies(table, { pseudoCount: 10 })
    // alone in its category, a value is "what everyone there does": 0 bits; shrunk, it is as rare as overall
    expect(raw.mo[theft * raw.moValues + window]).toBeCloseTo(0, 12)
    expect(shrunk.mo[theft * shrunk.moValues + window]).toBeGreaterThan(0.1)
  })

  it('averages out over chance agreements: E[2^bits] = 1 when the shared value is drawn ∝ q² (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 6 })), {
          minLength: 1,
          maxLength: 60,
        }),
        (cells) => {
          const table = buildCaseTable(cells.map(([c, v], k) => row(`r${k}`, `c${c}`, [`g:v${v}`])))
          const tf = termFrequencies(table, { pseudoCount: 0 })
          for (let s = 0; s < tf.categorySlots - 1; s++) {
            // the category's value counts, straight from the rows
            const counts = new Map<number, number>()
            cells.forEach(([c, v]) => {
              if (table.categoryValues[s] === `c${c}`) counts.set(v, (counts.get(v) ?? 0) + 1)
            })
            let squares = 0
            for (const n of counts.values()) squares += n * n
            let expectation = 0
            for (const [v, n] of counts) {
              expectation +=
                ((n * n) / squares) * 2 ** tf.mo[s * tf.moValues + table.moValues.indexOf(`g:v${v}`)]
            }
            expect(expectation).toBeCloseTo(1, 9)
          }
        },
      ),
      { seed: 15, numRuns: 60 },
    )
  })

  it('lays a case base’s adjustments out for another table by name; unknown values weigh 0', () => {
    const base = buildCaseTable([
      row('1', 'burglary', ['entry:pry']),
      row('2', 'burglary', ['entry:pry']),
      row('3', 'burglary', ['entry:window']),
    ])
    const pair = buildCaseTable([
      row('x', 'burglary', ['entry:window', 'entry:ladder']),
      row('y', 'burglary', ['entry:window']),
    ])
    const tf = termFrequenciesFor(pair, base)
    const own = termFrequencies(base)
    const b = pair.categoryValues.indexOf('burglary')
    expect(tf.mo[b * tf.moValues + pair.moValues.indexOf('entry:window')]).toBe(
      own.mo[base.categoryValues.indexOf('burglary') * own.moValues + base.moValues.indexOf('entry:window')],
    )
    expect(tf.mo[b * tf.moValues + pair.moValues.indexOf('entry:ladder')]).toBe(0)
  })
})
