import { describe, expect, it } from 'vitest'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { CaseStore, RowIndex } from '../../src/online/caseStore'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const TZ = 'America/New_York'

/** Province incidents plus rows with duplicate list values, planar and missing locations, odd categories. */
function mixed(): Incident[] {
  const { incidents } = parseIncidents(generateIncidents({ n: 600, seed: 4, preset: 'province' }).incidents, {
    timeZone: TZ,
  })
  const base = Date.UTC(2021, 2, 14, 6, 30)
  const extra: Incident[] = [
    {
      id: 'X1',
      timeFrom: base,
      timeTo: base,
      mo: ['b:1', 'a:2', 'b:1', 'a:2'],
      evidence: ['plate:Z', 'plate:Z'],
      x: 10,
      y: -5,
      category: 'theft',
      series: [],
      attributes: {},
    },
    {
      id: 'X2',
      timeFrom: base + 1,
      timeTo: base + 7_200_000,
      mo: [],
      evidence: [],
      category: '',
      narrative: '',
      series: [],
      attributes: {},
    },
    {
      id: 'X3',
      timeFrom: base - 3_600_000,
      timeTo: base,
      mo: ['novalue'],
      evidence: ['nokind'],
      category: 'a.b.c',
      narrative: '夜',
      series: [],
      attributes: {},
    },
  ]
  return [...incidents.slice(0, 300), ...extra, ...incidents.slice(300)]
}

const COLUMNS = [
  'timeFrom',
  'timeTo',
  'utcOffsetMinutes',
  'hasLocation',
  'hasLatLon',
  'lat',
  'lon',
  'x',
  'y',
  'category',
  'categoryParent',
] as const

describe('CaseStore.appendIncidents', () => {
  it('stores exactly what append(buildCaseTable(...)) stores, batch by batch and after a truncation', () => {
    const incidents = mixed()
    const all = buildCaseTable(incidents, { timeZone: TZ })
    const viaTable = new CaseStore(TZ, all.originLat, all.originLon)
    const direct = new CaseStore(TZ, all.originLat, all.originLon)
    const origin = { timeZone: TZ, originLat: all.originLat, originLon: all.originLon }
    for (const [start, end] of [
      [0, 250],
      [250, 251],
      [251, 420],
      [420, incidents.length],
    ]) {
      viaTable.append(buildCaseTable(incidents.slice(start, end), origin))
      direct.appendIncidents(incidents.slice(start, end))
      // a query appends a row and takes it back
      const mark = direct.mark()
      direct.appendIncidents([{ ...incidents[start], id: 'probe', mo: ['fresh:value'], category: 'new.one' }])
      direct.truncate(mark)
    }
    const n = incidents.length
    expect(direct.size).toBe(n)
    expect(direct.ids).toEqual(viaTable.ids)
    for (const column of COLUMNS) {
      expect(Array.from(direct[column].subarray(0, n)), column).toEqual(
        Array.from(viaTable[column].subarray(0, n)),
      )
    }
    expect(Array.from(direct.narrativeBits.subarray(0, 16 * n))).toEqual(
      Array.from(viaTable.narrativeBits.subarray(0, 16 * n)),
    )
    for (const list of ['moList', 'evidenceList'] as const) {
      const total = viaTable[list].start[n]
      expect(Array.from(direct[list].start.subarray(0, n + 1)), list).toEqual(
        Array.from(viaTable[list].start.subarray(0, n + 1)),
      )
      expect(Array.from(direct[list].ids.subarray(0, total)), list).toEqual(
        Array.from(viaTable[list].ids.subarray(0, total)),
      )
    }
    for (const vocabulary of ['mo', 'evidence', 'categories'] as const) {
      const size = viaTable[vocabulary].size
      expect(direct[vocabulary].values, vocabulary).toEqual(viaTable[vocabulary].values)
      expect(Array.from(direct[vocabulary].frequency.subarray(0, size))).toEqual(
        Array.from(viaTable[vocabulary].frequency.subarray(0, size)),
      )
      expect(Array.from(direct[vocabulary].group.subarray(0, size))).toEqual(
        Array.from(viaTable[vocabulary].group.subarray(0, size)),
      )
    }
  })

  it('keeps each narrative as the 512-bit signature of its bigram hashes, and gathers hashes that sign the same', () => {
    const incidents = mixed()
    const table = buildCaseTable(incidents, { timeZone: TZ })
    const store = new CaseStore(TZ, table.originLat, table.originLon)
    store.appendIncidents(incidents.slice(0, 7))
    store.appendIncidents(incidents.slice(7))
    const n = incidents.length
    const rows = Array.from({ length: n }, (_, i) => n - 1 - i)
    const gathered = store.narrativeHashes(rows, n)
    let nonEmpty = 0
    for (let i = 0; i < n; i++) {
      // the signature as packRow sets it: word h >>> 28, bit h & 31
      const expected = new Int32Array(16)
      for (let k = table.narrativeStart[i]; k < table.narrativeStart[i + 1]; k++) {
        const h = table.narrativeBigrams[k]
        expected[h >>> 28] |= 1 << (h & 31)
      }
      expect(Array.from(store.narrativeBits.subarray(16 * i, 16 * i + 16)), `row ${i}`).toEqual(
        Array.from(expected),
      )
      const again = new Int32Array(16)
      const k = n - 1 - i
      const hashes = Array.from(gathered.ids.subarray(gathered.start[k], gathered.start[k + 1]))
      expect(hashes).toEqual([...hashes].sort((p, q) => p - q))
      for (const h of hashes) again[h >>> 28] |= 1 << (h & 31)
      expect(Array.from(again)).toEqual(Array.from(expected))
      if (hashes.length > 0) nonEmpty++
    }
    expect(nonEmpty).toBeGreaterThan(n / 2)
  })

  it('rejects an invalid time window with a caselink error', () => {
    const store = new CaseStore('UTC', 0, 0)
    const bad = { id: 'B', timeFrom: 10, timeTo: 5, mo: [], evidence: [], series: [], attributes: {} }
    expect(() => store.appendIncidents([bad])).toThrow(/^caselink: .*invalid time window/)
  })
})

describe('RowIndex', () => {
  it('finds the row of every recorded id through growth, and -1 for any other id', () => {
    const ids: string[] = []
    const index = new RowIndex(ids)
    for (let i = 0; i < 5000; i++) {
      ids.push(i % 3 === 0 ? `INC-${i}` : i % 3 === 1 ? `案件${i}` : `${i}`)
      index.set(i)
    }
    for (let i = 0; i < 5000; i++) expect(index.get(ids[i])).toBe(i)
    for (const other of ['INC-5000', '', '案件-1', 'x', '04999']) expect(index.get(other)).toBe(-1)
  })
})
