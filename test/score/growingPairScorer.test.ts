import { describe, expect, it } from 'vitest'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { defaultModel } from '../../src/model/defaultModel'
import type { LinkageModel } from '../../src/model/linkageModel'

/** The growing scorer counts MO rarity in rows (the online index's way): the models it is checked with say so. */
function rowsModel(options?: Parameters<typeof defaultModel>[0]): LinkageModel {
  return { ...defaultModel(options), rarity: 'rows' }
}

import { CaseStore } from '../../src/online/caseStore'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { GrowingPairScorer } from '../../src/score/growingPairScorer'
import { createPairScorer } from '../../src/score/pairScorer'
import { buildCaseTable } from '../../src/table/buildCaseTable'
import { createRandom } from '../../src/util/random'

const TZ = 'Asia/Shanghai'

function province(n: number, seed: number): Incident[] {
  const { incidents } = parseIncidents(generateIncidents({ n, seed, preset: 'province' }).incidents, {
    timeZone: TZ,
  })
  return incidents
}

/** Incidents with a large MO vocabulary (> 256 values: the scorers merge sorted lists, no bitmaps). */
function manyMoValues(n: number, seed: number): Incident[] {
  const random = createRandom(seed)
  const base = Date.UTC(2021, 0, 1)
  return Array.from({ length: n }, (_, i) => {
    const from = base + Math.floor(random() * 90 * 86_400_000)
    return {
      id: `M${i}`,
      timeFrom: from,
      timeTo: from + (random() < 0.5 ? 0 : Math.floor(random() * 40 * 3_600_000)),
      lat: 31 + random() * 0.2,
      lon: 121 + random() * 0.2,
      category: random() < 0.5 ? 'theft.ebike' : 'burglary.home',
      mo: Array.from(
        { length: Math.floor(random() * 6) },
        () =>
          `${['entry', 'target', 'tool'][Math.floor(random() * 3)]}:${Math.floor(random() * random() * 150)}`,
      ),
      evidence:
        random() < 0.3
          ? [`${['plate', 'shoeprint'][Math.floor(random() * 2)]}:${Math.floor(random() * 40)}`]
          : [],
      narrative: random() < 0.5 ? '夜间撬门入室盗窃现金'.slice(0, 2 + Math.floor(random() * 8)) : undefined,
      series: [],
      attributes: {},
    }
  })
}

/**
 * Appends `incidents` to a store in `chunks` parts, syncing the growing scorer after each, and checks after
 * each part that its weights and explanations equal createPairScorer's on a table of the rows so far.
 */
function checkAgainstBatch(
  incidents: Incident[],
  model: LinkageModel,
  chunks: number,
  pairs: number,
): number {
  const all = buildCaseTable(incidents, { timeZone: TZ })
  const origin = { timeZone: TZ, originLat: all.originLat, originLon: all.originLon }
  const store = new CaseStore(TZ, all.originLat, all.originLon)
  const scorer = new GrowingPairScorer(model, store)
  const random = createRandom(5)
  const C = model.comparisons.length
  const levels = [new Int8Array(C), new Int8Array(C)]
  const weights = [new Float64Array(C), new Float64Array(C)]
  const values = [new Float64Array(C), new Float64Array(C)]
  let checked = 0
  const step = Math.ceil(incidents.length / chunks)
  for (let start = 0; start < incidents.length; start += step) {
    const end = Math.min(incidents.length, start + step)
    store.append(buildCaseTable(incidents.slice(start, end), origin))
    scorer.sync()
    const table = buildCaseTable(incidents.slice(0, end), origin)
    const reference = createPairScorer(table, model)
    for (let k = 0; k < pairs; k++) {
      const i = Math.floor(random() * end)
      // half of the pairs involve the newest rows
      const j = k % 2 === 0 ? start + Math.floor(random() * (end - start)) : Math.floor(random() * end)
      const w = scorer.matchWeight(i, j)
      expect(Math.abs(w - reference.matchWeight(i, j))).toBeLessThanOrEqual(1e-12)
      expect(w).toBe(reference.matchWeight(i, j))
      const e0 = scorer.explain(i, j, levels[0], weights[0], values[0])
      const e1 = reference.explain(i, j, levels[1], weights[1], values[1])
      expect(e0).toBe(e1)
      expect(levels[0]).toEqual(levels[1])
      expect(weights[0]).toEqual(weights[1])
      expect(values[0]).toEqual(values[1])
      checked++
    }
  }
  return checked
}

describe('GrowingPairScorer', () => {
  it('gives createPairScorer weights (to 1e-12, in fact bit-identical) as rows and frequencies grow', () => {
    const incidents = province(1500, 3)
    const model = rowsModel({ moGroups: ['entry', 'target', 'time'] })
    expect(checkAgainstBatch(incidents, model, 5, 600)).toBe(3000)
  })

  it('equals createPairScorer with an MO vocabulary over 256 values (list merge instead of bitmaps)', () => {
    const incidents = manyMoValues(1200, 8)
    expect(buildCaseTable(incidents).moValues.length).toBeGreaterThan(256)
    const model = rowsModel({ moGroups: ['entry', 'tool'] })
    expect(checkAgainstBatch(incidents, model, 4, 500)).toBe(2000)
  })

  it('scoreRange keeps exactly the pairs at or above minWeight, with their exact weights (reach filter)', () => {
    const incidents = province(1200, 6)
    const model = rowsModel({ moGroups: ['entry', 'target'] })
    const table = buildCaseTable(incidents, { timeZone: TZ })
    const store = new CaseStore(TZ, table.originLat, table.originLon)
    store.append(table)
    const scorer = new GrowingPairScorer(model, store)
    scorer.sync()
    const reference = createPairScorer(table, model)
    const random = createRandom(12)
    const P = 30_000
    const a = new Uint32Array(P)
    const b = new Uint32Array(P)
    for (let k = 0; k < P; k++) {
      a[k] = Math.floor(random() * table.size)
      // a third of the pairs are close in row order (time-sorted generation: often near in space and time)
      b[k] =
        k % 3 === 0
          ? Math.min(table.size - 1, a[k] + 1 + Math.floor(random() * 20))
          : Math.floor(random() * table.size)
    }
    const outA = new Uint32Array(P)
    const outB = new Uint32Array(P)
    const outW = new Float64Array(P)
    for (const minWeight of [-30, -5, 0, 3.17, 8, 15]) {
      const expected: number[] = []
      for (let k = 0; k < P; k++) if (reference.matchWeight(a[k], b[k]) >= minWeight) expected.push(k)
      const found = scorer.scoreRange(a, b, 0, P, minWeight, outA, outB, outW)
      expect(found).toBe(expected.length)
      expected.forEach((k, f) => {
        expect(outA[f]).toBe(a[k])
        expect(outB[f]).toBe(b[k])
        expect(outW[f]).toBe(reference.matchWeight(a[k], b[k]))
      })
      if (minWeight === 3.17) expect(found).toBeGreaterThan(50)
    }
  })

  it('scores a temporarily appended row like a reference scorer, then forgets it on truncate', () => {
    const incidents = manyMoValues(400, 9)
    const all = buildCaseTable(incidents, { timeZone: TZ })
    const origin = { timeZone: TZ, originLat: all.originLat, originLon: all.originLon }
    const model = rowsModel()
    const store = new CaseStore(TZ, all.originLat, all.originLon)
    const scorer = new GrowingPairScorer(model, store)
    store.append(buildCaseTable(incidents.slice(0, 300), origin))
    scorer.sync()
    for (const probe of incidents.slice(300, 310)) {
      const mark = store.mark()
      store.append(buildCaseTable([{ ...probe, mo: [...probe.mo, 'entry:new-value'] }], origin))
      scorer.sync()
      const table = buildCaseTable(
        [...incidents.slice(0, 300), { ...probe, mo: [...probe.mo, 'entry:new-value'] }],
        origin,
      )
      const reference = createPairScorer(table, model)
      for (let j = 0; j < 300; j += 7) expect(scorer.matchWeight(300, j)).toBe(reference.matchWeight(300, j))
      store.truncate(mark)
      scorer.truncate(mark.size, mark.mo, mark.evidence)
      expect(scorer.size).toBe(300)
    }
    const reference = createPairScorer(buildCaseTable(incidents.slice(0, 300), origin), model)
    for (let j = 1; j < 300; j += 3) expect(scorer.matchWeight(0, j)).toBe(reference.matchWeight(0, j))
  })
})
