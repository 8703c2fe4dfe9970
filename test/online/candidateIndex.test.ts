import { describe, expect, it } from 'vitest'
import type { GenerateCandidatesOptions } from '../../src/blocking/generateCandidates'
import { generateCandidatesBruteForce } from '../../src/blocking/generateCandidates'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { batchEquivalentOptions, CandidateIndex } from '../../src/online/candidateIndex'
import { CaseStore } from '../../src/online/caseStore'
import type { Incident } from '../../src/schema/incident'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { buildCaseTable } from '../../src/table/buildCaseTable'

const TZ = 'Asia/Shanghai'

function timeOrdered(n: number, seed: number): Incident[] {
  const { incidents } = parseIncidents(generateIncidents({ n, seed, preset: 'province' }).incidents, {
    timeZone: TZ,
  })
  return [...incidents].sort((p, q) => p.timeFrom - q.timeFrom || (p.id < q.id ? -1 : 1))
}

/** Pairs (as a·n + b, a < b) the incremental index compares, adding rows one at a time. */
function onlinePairs(incidents: Incident[], options: GenerateCandidatesOptions): Set<number> {
  const table = buildCaseTable(incidents, { timeZone: TZ })
  const store = new CaseStore(TZ, table.originLat, table.originLon)
  const index = new CandidateIndex(store, options)
  store.append(table)
  const pairs = new Set<number>()
  let out: Uint32Array = new Uint32Array(16)
  for (let row = 0; row < table.size; row++) {
    index.prepare(row)
    const r = index.candidates(row, out)
    out = r.out
    for (let k = 0; k < r.count; k++) pairs.add(out[k] * table.size + row)
    index.insert(row)
    const retracted = index.takeRetracted()
    for (let k = 0; k < retracted.length; k += 2) pairs.delete(retracted[k] * table.size + retracted[k + 1])
    const gained = index.takeGained()
    for (let k = 0; k < gained.length; k += 2) pairs.add(gained[k] * table.size + gained[k + 1])
  }
  return pairs
}

function batchPairs(incidents: Incident[], options: GenerateCandidatesOptions): Set<number> {
  const table = buildCaseTable(incidents, { timeZone: TZ })
  const c = generateCandidatesBruteForce(table, batchEquivalentOptions(options))
  const pairs = new Set<number>()
  for (let k = 0; k < c.count; k++) pairs.add(c.a[k] * table.size + c.b[k])
  return pairs
}

describe('CandidateIndex', () => {
  // the reference is the batch rule predicate over all n² pairs (generateCandidatesBruteForce)
  const incidents = timeOrdered(2000, 11)

  it('compares each added incident with exactly the batch space-time candidates', () => {
    const options = { evidence: false, rareMo: false as const }
    const online = onlinePairs(incidents, options)
    const batch = batchPairs(incidents, options)
    expect(batch.size).toBeGreaterThan(1000)
    expect(online.size).toBe(batch.size)
    for (const p of batch) expect(online.has(p)).toBe(true)
  })

  it('adds exactly the batch evidence pairs when no evidence value exceeds maxBlockSize', () => {
    const options = { rareMo: false as const }
    const online = onlinePairs(incidents, options)
    const batch = batchPairs(incidents, options)
    expect(batch.size).toBeGreaterThan(batchPairs(incidents, { evidence: false, rareMo: false }).size)
    expect(online.size).toBe(batch.size)
    for (const p of batch) expect(online.has(p)).toBe(true)
  })

  it('matches batch space-time candidates for planar rows, category groups and missing locations', () => {
    const planar = incidents.map((inc, i) =>
      i % 3 === 0
        ? { ...inc, lat: undefined, lon: undefined, x: (inc.lon ?? 0) * 95_000, y: (inc.lat ?? 0) * 111_000 }
        : i % 7 === 0
          ? { ...inc, lat: undefined, lon: undefined }
          : inc,
    )
    const options = {
      evidence: false,
      rareMo: false as const,
      categoryGroups: 'parent' as const,
      allowMissingLocation: true,
      maxDistanceMeters: 3000,
      maxGapDays: 3,
    }
    const online = onlinePairs(planar, options)
    const batch = batchPairs(planar, options)
    expect(batch.size).toBeGreaterThan(1000)
    expect(online.size).toBe(batch.size)
    for (const p of batch) expect(online.has(p)).toBe(true)
  })

  it('with every rule, ends with exactly the batch pairs (pairs of values that grew common are retracted)', () => {
    const online = onlinePairs(incidents, {})
    const batch = batchPairs(incidents, {})
    expect(batch.size).toBeGreaterThan(batchPairs(incidents, { rareMo: false }).size)
    expect(online.size).toBe(batch.size)
    for (const p of batch) expect(online.has(p)).toBe(true)
  })

  it('ends with exactly the batch pairs under tight limits (small maxBlockSize, rare combinations)', () => {
    const options = { maxBlockSize: 5, rareMo: { maxDocumentFrequency: 8, maxGapDays: 60, triples: true } }
    const online = onlinePairs(incidents, options)
    const batch = batchPairs(incidents, options)
    expect(online.size).toBe(batch.size)
    for (const p of batch) expect(online.has(p)).toBe(true)
  })

  it('ends with exactly the batch pairs with the rare-MO rule limited in distance, and in none', () => {
    const near = { rareMo: { maxDocumentFrequency: 12, maxDistanceMeters: 5000 } }
    const far = { rareMo: { maxDocumentFrequency: 12, maxDistanceMeters: Number.POSITIVE_INFINITY } }
    const batchNear = batchPairs(incidents, near)
    expect(batchNear.size).toBeLessThan(batchPairs(incidents, far).size)
    for (const options of [near, far]) {
      const online = onlinePairs(incidents, options)
      const batch = batchPairs(incidents, options)
      expect(online.size).toBe(batch.size)
      for (const p of batch) expect(online.has(p)).toBe(true)
    }
  })
})
