import { describe, expect, it } from 'vitest'
import { evaluateScores } from '../../src/evaluation/evaluateScores'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { trainModel } from '../../src/model/trainModel'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { createPairScorer } from '../../src/score/pairScorer'
import { buildCaseTable } from '../../src/table/buildCaseTable'
import { hashString } from '../../src/util/random'

// A small version of bench/model-auc.ts (which runs 40,000 incidents and 8M test pairs)
describe('held-out linkage quality', () => {
  it('a model trained on half the offenders ranks the other half better than any single comparison', () => {
    const timeZone = 'Asia/Shanghai'
    const { incidents } = parseIncidents(
      generateIncidents({ n: 5000, seed: 11, preset: 'province' }).incidents,
      {
        timeZone,
      },
    )
    const train: Incident[] = []
    const test: Incident[] = []
    for (const incident of incidents) {
      const halves = new Set(incident.series.map((label) => hashString(label) % 2))
      if (halves.size !== 1) continue
      ;(halves.has(0) ? train : test).push(incident)
    }
    const model = trainModel(train, { timeZone, uPairs: 50_000 })
    const sample = test.slice(0, 900)
    const table = buildCaseTable(sample, { timeZone })
    const scorer = createPairScorer(table, model)
    const C = scorer.comparisonCount
    const count = (table.size * (table.size - 1)) / 2
    const a = new Uint32Array(count)
    const b = new Uint32Array(count)
    const total = new Float64Array(count)
    const single = Array.from({ length: C }, () => new Float64Array(count))
    const levels = new Int8Array(C)
    const weights = new Float64Array(C)
    let k = 0
    for (let i = 0; i < table.size; i++) {
      for (let j = i + 1; j < table.size; j++) {
        a[k] = i
        b[k] = j
        total[k] = scorer.explain(i, j, levels, weights)
        for (let c = 0; c < C; c++) single[c][k] = weights[c]
        k++
      }
    }
    const auc = evaluateScores({ a, b, score: total, count }, sample, { thresholds: [] })
    expect(auc.positives).toBeGreaterThan(60)
    expect(auc.auc).toBeGreaterThan(0.95)
    for (let c = 0; c < C; c++) {
      const alone = evaluateScores({ a, b, score: single[c], count }, sample, { thresholds: [] }).auc
      expect([model.comparisons[c].name, alone < auc.auc]).toEqual([model.comparisons[c].name, true])
    }
  })
})
