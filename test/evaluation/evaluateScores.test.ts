import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluateScores } from '../../src/evaluation/evaluateScores'

// Truth: {a,b,c} {d,e} {f}: positives ab ac bc de (4), negatives 15 − 4 = 11.
const incidents = [
  { id: 'a', series: 'S1' },
  { id: 'b', series: 'S1' },
  { id: 'c', series: 'S1' },
  { id: 'd', series: 'S2' },
  { id: 'e', series: 'S2' },
  { id: 'f', series: 'S3' },
  { id: 'u' },
]
// Scored positives 0.9, 0.4, 0.4 (bc unscored); scored negatives 0.8, 0.4, 0.1 (8 unscored).
const pairs = [
  { a: 'a', b: 'b', score: 0.9 },
  { a: 'c', b: 'a', score: 0.4 },
  { a: 'd', b: 'e', score: 0.4 },
  { a: 'a', b: 'd', score: 0.8 },
  { a: 'b', b: 'd', score: 0.4 },
  { a: 'e', b: 'f', score: 0.1 },
  { a: 'a', b: 'u', score: 0.99 },
]

describe('evaluateScores', () => {
  it('matches hand-computed AUC (ties half, unscored lowest), AP and thresholds', () => {
    const m = evaluateScores(pairs, incidents, { thresholds: [0.5, 0.4] })
    expect(m).toMatchObject({
      positives: 4,
      negatives: 11,
      scoredPositives: 3,
      scoredNegatives: 3,
      ignoredPairs: 1,
    })
    // wins: 0.9 beats 11; each 0.4 beats 8 unscored + 0.1 and ties 0.4 → 9.5; unscored bc ties 8 → 4
    expect(m.auc).toBeCloseTo((11 + 2 * 9.5 + 4) / (4 * 11), 12)
    // AP: 0.25·1 at 0.9, +0.5·3/5 at 0.4, +0.25·4/15 for the unscored block
    expect(m.averagePrecision).toBeCloseTo(0.25 + 0.3 + 0.25 * (4 / 15), 12)
    expect(m.atThresholds[0]).toMatchObject({ threshold: 0.5, truePositives: 1, falsePositives: 1 })
    expect(m.atThresholds[0].precision).toBeCloseTo(0.5, 12)
    expect(m.atThresholds[0].recall).toBeCloseTo(0.25, 12)
    expect(m.atThresholds[0].f1).toBeCloseTo(1 / 3, 12)
    expect(m.atThresholds[1]).toMatchObject({ truePositives: 3, falsePositives: 2 })
    expect(m.atThresholds[1].precision).toBeCloseTo(0.6, 12)
    expect(m.atThresholds[1].recall).toBeCloseTo(0.75, 12)
  })

  it('tabulates calibration by hand: scored pairs of labelled incidents, equal-width bins', () => {
    const { calibration } = evaluateScores(pairs, incidents, { calibrationBins: 2 })
    // bin [0, 0.5): 0.4 (ac, linked), 0.4 (de, linked), 0.4 (bd), 0.1 (ef); bin [0.5, 1]: 0.9 (ab, linked), 0.8 (ad)
    expect(calibration?.bins.map((b) => b.pairs)).toEqual([4, 2])
    expect(calibration?.bins[0].meanScore).toBeCloseTo(1.3 / 4, 12)
    expect(calibration?.bins[0].linkedShare).toBeCloseTo(0.5, 12)
    expect(calibration?.bins[1].meanScore).toBeCloseTo(0.85, 12)
    expect(calibration?.bins[1].linkedShare).toBeCloseTo(0.5, 12)
    const ece = (4 / 6) * Math.abs(1.3 / 4 - 0.5) + (2 / 6) * Math.abs(0.85 - 0.5)
    expect(calibration?.expectedCalibrationError).toBeCloseTo(ece, 12)
    expect(evaluateScores([{ a: 'a', b: 'b', score: 3.5 }], incidents).calibration).toBeNull()
    expect(() => evaluateScores(pairs, incidents, { calibrationBins: 0 })).toThrow(/calibrationBins/)
  })

  it('accepts { ids, probability } objects and row-index columns with the same result', () => {
    const base = evaluateScores(pairs, incidents)
    const viaIds = evaluateScores(
      pairs.map((p) => ({ ids: [p.a, p.b] as [string, string], probability: p.score })),
      incidents,
    )
    const row = new Map(incidents.map((x, i) => [x.id, i]))
    const viaColumns = evaluateScores(
      {
        a: Uint32Array.from(pairs.map((p) => row.get(p.a) ?? -1)),
        b: Uint32Array.from(pairs.map((p) => row.get(p.b) ?? -1)),
        score: Float64Array.from(pairs.map((p) => p.score)),
      },
      incidents,
    )
    expect(viaIds).toEqual(base)
    expect(viaColumns).toEqual(base)
  })

  it('merges a repeated pair keeping its highest score', () => {
    const m = evaluateScores([...pairs, { a: 'b', b: 'a', score: 0.1 }], incidents)
    expect(m.duplicatePairs).toBe(1)
    expect(m.auc).toBeCloseTo(34 / 44, 12)
  })

  it('scores a perfect ranking 1 and no pairs at all 0.5', () => {
    const perfect = [
      { a: 'a', b: 'b', score: 1 },
      { a: 'a', b: 'c', score: 1 },
      { a: 'b', b: 'c', score: 1 },
      { a: 'd', b: 'e', score: 1 },
    ]
    const m = evaluateScores(perfect, incidents)
    expect(m.auc).toBe(1)
    expect(m.averagePrecision).toBe(1)
    const none = evaluateScores([], incidents)
    expect(none.auc).toBe(0.5)
    expect(none.averagePrecision).toBeCloseTo(4 / 15, 12)
  })

  it('throws on unknown ids and NaN scores', () => {
    expect(() => evaluateScores([{ a: 'a', b: 'zz', score: 1 }], incidents)).toThrow(/caselink: .*unknown/)
    expect(() => evaluateScores([{ a: 'a', b: 'b', score: Number.NaN }], incidents)).toThrow(/caselink:/)
  })
})

/**
 * Incidents labelled `labels[i]` and their pairs in order (i < j), pair k scored `rawScores[k] / scale`
 * or left unscored (undefined): the scored pairs, and every pair with unscored ones at −∞.
 */
function labelledPairs(labels: number[], rawScores: (number | undefined)[], scale = 1) {
  const list = labels.map((l, i) => ({ id: `i${i}`, series: `L${l}` }))
  const scored: { a: string; b: string; score: number; pos: boolean }[] = []
  const all: { pos: boolean; score: number }[] = []
  let k = 0
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const s = rawScores[k++ % rawScores.length]
      const pos = labels[i] === labels[j]
      if (s !== undefined) scored.push({ a: list[i].id, b: list[j].id, score: s / scale, pos })
      all.push({ pos, score: s === undefined ? Number.NEGATIVE_INFINITY : s / scale })
    }
  }
  return { list, scored, all }
}

describe('evaluateScores properties', () => {
  it('calibration bins partition the scored pairs and their error is a weighted mean gap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 12 }),
        fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), {
          minLength: 66,
          maxLength: 66,
        }),
        fc.integer({ min: 1, max: 7 }),
        (labels, rawScores, binCount) => {
          const { list, scored } = labelledPairs(labels, rawScores)
          const { calibration } = evaluateScores(scored, list, { calibrationBins: binCount })
          if (calibration === null) throw new Error('scores in [0, 1] must give a calibration table')
          expect(calibration.bins.reduce((t, b) => t + b.pairs, 0)).toBe(scored.length)
          let ece = 0
          calibration.bins.forEach((bin, b) => {
            const inBin = scored.filter((p) => Math.min(binCount - 1, Math.floor(p.score * binCount)) === b)
            expect(bin.pairs).toBe(inBin.length)
            if (inBin.length === 0) return
            const mean = inBin.reduce((t, p) => t + p.score, 0) / inBin.length
            const share = inBin.filter((p) => p.pos).length / inBin.length
            expect(bin.meanScore).toBeCloseTo(mean, 9)
            expect(bin.linkedShare).toBeCloseTo(share, 12)
            ece += (inBin.length / scored.length) * Math.abs(mean - share)
          })
          expect(calibration.expectedCalibrationError).toBeCloseTo(ece, 9)
        },
      ),
    )
  })

  it('AUC equals the brute-force Mann–Whitney count over all pairs with unscored at −∞', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 14 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), {
          minLength: 91,
          maxLength: 91,
        }),
        (labels, rawScores) => {
          const { list, scored, all } = labelledPairs(labels, rawScores, 5)
          const posList = all.filter((x) => x.pos)
          const negList = all.filter((x) => !x.pos)
          let wins = 0
          for (const p of posList)
            for (const q of negList) wins += p.score > q.score ? 1 : p.score === q.score ? 0.5 : 0
          const m = evaluateScores(scored, list)
          expect(m.positives).toBe(posList.length)
          expect(m.negatives).toBe(negList.length)
          if (posList.length > 0 && negList.length > 0) {
            expect(m.auc).toBeCloseTo(wins / (posList.length * negList.length), 12)
          } else expect(m.auc).toBeNaN()
        },
      ),
    )
  })

  it('average precision equals a brute-force step-wise sum over all pairs with unscored at −∞', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 12 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), {
          minLength: 66,
          maxLength: 66,
        }),
        (labels, rawScores) => {
          const { list, scored, all } = labelledPairs(labels, rawScores)
          const positives = all.filter((x) => x.pos).length
          const m = evaluateScores(scored, list)
          if (positives === 0) {
            expect(m.averagePrecision).toBeNaN()
            return
          }
          const thresholds = [...new Set(all.map((x) => x.score))].sort((x, y) => y - x)
          let ap = 0
          let previous = 0
          for (const t of thresholds) {
            const tp = all.filter((x) => x.pos && x.score >= t).length
            const fp = all.filter((x) => !x.pos && x.score >= t).length
            ap += (tp / positives - previous) * (tp / (tp + fp))
            previous = tp / positives
          }
          expect(m.averagePrecision).toBeCloseTo(ap, 12)
        },
      ),
    )
  })

  it('counts pairs sharing several labels once', () => {
    const list = [
      { id: 'p', series: ['A', 'B'] },
      { id: 'q', series: ['A', 'B'] },
      { id: 'r', series: ['B'] },
    ]
    expect(evaluateScores([], list).positives).toBe(3)
  })
})
