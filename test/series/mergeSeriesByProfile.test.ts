import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { haversineMeters } from '../../src/compare/expectedDistance'
import type { Incident } from '../../src/schema/incident'
import { mergeSeriesByProfile, PROFILE_MERGE_DEFAULTS } from '../../src/series/mergeSeriesByProfile'
import { buildCaseTable } from '../../src/table/buildCaseTable'
import type { CaseTable } from '../../src/table/CaseTable'

const DAY = 86_400_000
const T0 = Date.UTC(2024, 0, 1)

function incident(id: string, x: number, y: number, day: number, category: string, mo: string[]): Incident {
  return {
    id,
    timeFrom: T0 + day * DAY,
    timeTo: T0 + day * DAY,
    x,
    y,
    category,
    mo,
    evidence: [],
    series: [],
    attributes: {},
  }
}

/** Two 3-incident fragments with one profile, plus 40 unrelated background rows sharing common values. */
function fixture(second: { dx: number; day: number; category: string }): {
  incidents: Incident[]
  membership: Int32Array
} {
  const profile = ['entry:drill-lock', 'tool:cutter', 'sign:chalk-mark', 'target:cash']
  const incidents: Incident[] = []
  for (let k = 0; k < 3; k++) incidents.push(incident(`A${k}`, 100 * k, 0, k, 'burglary.shop', profile))
  for (let k = 0; k < 3; k++)
    incidents.push(incident(`B${k}`, second.dx + 100 * k, 0, second.day + k, second.category, profile))
  for (let k = 0; k < 40; k++)
    incidents.push(
      incident(`N${k}`, 50_000 + 1000 * k, 9000, k, 'burglary.shop', ['target:cash', `entry:other-${k % 4}`]),
    )
  // communities: A, B, then each background row alone
  const membership = Int32Array.from(incidents, (_, i) => (i < 3 ? 0 : i < 6 ? 1 : i - 4))
  return { incidents, membership }
}

describe('mergeSeriesByProfile', () => {
  it('merges two fragments with the same profile, 5 km and 30 days apart, and says why', () => {
    const { incidents, membership } = fixture({ dx: 5000, day: 30, category: 'burglary.shop' })
    const table = buildCaseTable(incidents)
    const before = Int32Array.from(membership)
    const { membership: merged, merges, count } = mergeSeriesByProfile(table, membership)
    expect(membership).toEqual(before)
    expect(merged[0]).toBe(merged[3])
    expect(count).toBe(41)
    expect(merges).toHaveLength(1)
    const [merge] = merges
    expect(merge.similarity).toBe(1)
    expect(merge.distanceMeters).toBeCloseTo(4800, 6)
    expect(merge.gapDays).toBe(28)
    expect([table.ids[merge.rowA], table.ids[merge.rowB]]).toEqual(['A2', 'B0'])
    // rarest first: target:cash is the commonest value
    expect(merge.sharedMo.map((v) => table.moValues[v]).at(-1)).toBe('target:cash')
  })

  it.each([
    ['too far', { dx: 40_000, day: 30, category: 'burglary.shop' }],
    ['too long apart', { dx: 5000, day: 200, category: 'burglary.shop' }],
    ['another category', { dx: 5000, day: 30, category: 'theft.ebike' }],
  ])('keeps fragments apart when they are %s', (_, second) => {
    const { incidents, membership } = fixture(second)
    const { membership: merged, merges } = mergeSeriesByProfile(buildCaseTable(incidents), membership)
    expect(merges).toHaveLength(0)
    expect(merged[0]).not.toBe(merged[3])
  })

  it('keeps fragments apart when their profiles share too little', () => {
    const { incidents, membership } = fixture({ dx: 5000, day: 30, category: 'burglary.shop' })
    for (const row of incidents.slice(3, 6))
      row.mo = ['entry:drill-lock', 'tool:saw', 'sign:none', 'target:cash']
    const { merges } = mergeSeriesByProfile(buildCaseTable(incidents), membership)
    expect(merges).toHaveLength(0)
    expect(
      mergeSeriesByProfile(buildCaseTable(incidents), membership, { minSimilarity: 0.1 }).merges,
    ).toHaveLength(1)
  })

  it('never merges lone incidents, and refuses bad options', () => {
    const { incidents } = fixture({ dx: 5000, day: 30, category: 'burglary.shop' })
    const alone = Int32Array.from(incidents, (_, i) => i)
    expect(mergeSeriesByProfile(buildCaseTable(incidents), alone).merges).toHaveLength(0)
    expect(() => mergeSeriesByProfile(buildCaseTable(incidents), alone, { maxGapDays: -1 })).toThrow(
      /maxGapDays/,
    )
  })

  it('gives the same partition whatever the row order', () => {
    const { incidents, membership } = fixture({ dx: 5000, day: 30, category: 'burglary.shop' })
    const reference = mergeSeriesByProfile(buildCaseTable(incidents), membership).membership
    const sameGroup = (m: ArrayLike<number>, order: number[], i: number, j: number) =>
      m[order.indexOf(i)] === m[order.indexOf(j)]
    fc.assert(
      fc.property(fc.shuffledSubarray([...incidents.keys()], { minLength: incidents.length }), (order) => {
        const shuffled = order.map((i) => incidents[i])
        // community ids follow the new order (canonical: by first row)
        const ids = new Map<number, number>()
        const permuted = Int32Array.from(order, (i) => {
          const c = membership[i]
          if (!ids.has(c)) ids.set(c, ids.size)
          return ids.get(c) as number
        })
        const merged = mergeSeriesByProfile(buildCaseTable(shuffled), permuted).membership
        for (let i = 0; i < incidents.length; i++)
          for (const j of [0, 3, 6])
            expect(sameGroup(merged, order, i, j)).toBe(reference[i] === reference[j])
      }),
      { numRuns: 30 },
    )
  })
})

/** Every pair of communities by the rule, with no index: the merges mergeSeriesByProfile must find. */
function bruteForceMerges(table: CaseTable, membership: Int32Array): string[] {
  const n = table.size
  const members = new Map<number, number[]>()
  membership.forEach((c, i) => {
    members.set(c, [...(members.get(c) ?? []), i])
  })
  const frequency = new Map<number, number>()
  for (const v of table.moIds) frequency.set(v, (frequency.get(v) ?? 0) + 1)
  const weight = (v: number) => Math.log2((n + 1) / (frequency.get(v) ?? 1))
  const profiles = [...members].flatMap(([c, rows]) => {
    if (rows.length < 2) return []
    const counts = new Map<number, number>()
    const categories = new Map<number, number>()
    for (const i of rows) {
      for (let q = table.moStart[i]; q < table.moStart[i + 1]; q++)
        counts.set(table.moIds[q], (counts.get(table.moIds[q]) ?? 0) + 1)
      if (table.category[i] >= 0)
        categories.set(table.category[i], (categories.get(table.category[i]) ?? 0) + 1)
    }
    let category = -1
    for (const [g, k] of categories)
      if (
        category < 0 ||
        k > (categories.get(category) ?? 0) ||
        (k === categories.get(category) && g < category)
      )
        category = g
    const values = new Set([...counts].filter(([, k]) => 2 * k >= rows.length).map(([v]) => v))
    return category < 0 ? [] : [{ c, rows, category, values }]
  })
  const merges: string[] = []
  for (const a of profiles) {
    for (const b of profiles) {
      if (b.c <= a.c || b.category !== a.category) continue
      let shared = 0
      let sharedCount = 0
      let total = 0
      for (const v of a.values) total += weight(v)
      for (const v of b.values) {
        if (a.values.has(v)) {
          shared += weight(v)
          sharedCount++
        } else total += weight(v)
      }
      if (sharedCount < 2 || !(shared >= 0.75 * total)) continue
      let distance = Number.POSITIVE_INFINITY
      let gap = Number.POSITIVE_INFINITY
      for (const i of a.rows) {
        for (const j of b.rows) {
          gap = Math.min(
            gap,
            Math.max(
              0,
              Math.max(table.timeFrom[i], table.timeFrom[j]) - Math.min(table.timeTo[i], table.timeTo[j]),
            ),
          )
          if (
            table.hasLocation[i] === 1 &&
            table.hasLocation[j] === 1 &&
            table.hasLatLon[i] === table.hasLatLon[j]
          )
            distance = Math.min(
              distance,
              table.hasLatLon[i] === 1
                ? haversineMeters(table.lat[i], table.lon[i], table.lat[j], table.lon[j])
                : Math.hypot(table.x[i] - table.x[j], table.y[i] - table.y[j]),
            )
        }
      }
      if (
        distance > PROFILE_MERGE_DEFAULTS.maxDistanceMeters ||
        gap > PROFILE_MERGE_DEFAULTS.maxGapDays * DAY
      )
        continue
      // alternations, counted independently: both series' located members by start time
      const events = [...a.rows.map((i) => ({ i, side: 0 })), ...b.rows.map((i) => ({ i, side: 1 }))]
        .filter((e) => table.hasLocation[e.i] === 1)
        .sort(
          (x, y) => table.timeFrom[x.i] - table.timeFrom[y.i] || (table.ids[x.i] < table.ids[y.i] ? -1 : 1),
        )
      let switches = 0
      for (let k = 1; k < events.length; k++) {
        const [p, q] = [events[k - 1], events[k]]
        if (p.side === q.side) continue
        const both = table.hasLatLon[p.i] + table.hasLatLon[q.i]
        const far =
          both === 2
            ? haversineMeters(table.lat[p.i], table.lon[p.i], table.lat[q.i], table.lon[q.i])
            : both === 0
              ? Math.hypot(table.x[p.i] - table.x[q.i], table.y[p.i] - table.y[q.i])
              : Number.POSITIVE_INFINITY
        if (far > 20_000) switches++
      }
      if (switches <= PROFILE_MERGE_DEFAULTS.maxAlternations) merges.push(`${a.c}-${b.c}`)
    }
  }
  return merges.sort()
}

describe('alternations', () => {
  it('keeps apart look-alike series working at the same time in towns 35 km apart, joins one that moves on', () => {
    const mo = ['method:cut-lock', 'location:market', 'target:battery']
    const rows: Incident[] = []
    const membership: number[] = []
    // two rings, one MO, crimes every 3 days over the same two months, 35 km apart
    for (let ring = 0; ring < 2; ring++) {
      for (let k = 0; k < 20; k++) {
        rows.push(
          incident(`R${ring}-${k}`, ring * 35_000 + (k % 4) * 300, 0, k * 3 + ring, 'theft.ebike', mo),
        )
        membership.push(ring)
      }
    }
    // a traveller: 10 crimes in one town, then 10 in a town 40 km away
    for (let k = 0; k < 20; k++) {
      rows.push(
        incident(`T${k}`, (k < 10 ? 0 : 40_000) + (k % 3) * 200, 200_000, 100 + k * 2, 'theft.ebike', mo),
      )
      membership.push(k < 10 ? 2 : 3)
    }
    const table = buildCaseTable(rows)
    const wide = { maxDistanceMeters: 60_000, maxGapDays: 180, maxAlternations: 10 }
    const { merges } = mergeSeriesByProfile(table, Int32Array.from(membership), wide)
    expect(merges.map((m) => `${m.communityA}-${m.communityB}`)).toEqual(['2-3'])
    // without the limit the rings merge too
    const loose = mergeSeriesByProfile(table, Int32Array.from(membership), {
      ...wide,
      maxAlternations: Infinity,
    })
    expect(loose.merges.map((m) => `${m.communityA}-${m.communityB}`).sort()).toEqual(['0-1', '2-3'])
    expect(() => mergeSeriesByProfile(table, Int32Array.from(membership), { maxAlternations: -1 })).toThrow(
      /maxAlternations/,
    )
  })
})

describe('mergeSeriesByProfile on generated data', () => {
  it('finds exactly the merges of the rule applied to every pair of series', async () => {
    const { generateIncidents } = await import('../../src/generate/generateIncidents')
    const { linkIncidents } = await import('../../src/link/linkIncidents')
    const { incidents } = generateIncidents({ n: 20_000, seed: 6, preset: 'province' })
    const { table, partition } = linkIncidents(incidents, { timeZone: 'Asia/Shanghai' })
    const found = mergeSeriesByProfile(table, partition.membership).merges.map(
      (m) => `${m.communityA}-${m.communityB}`,
    )
    const expected = bruteForceMerges(table, partition.membership)
    expect(expected.length).toBeGreaterThan(10)
    expect(found.sort()).toEqual(expected)
  }, 60_000)
})

describe('linkIncidents with profile merging', () => {
  it('explains every merge with two incidents of the merged series, and is off by default (learned series links instead)', async () => {
    const { generateIncidents } = await import('../../src/generate/generateIncidents')
    const { linkIncidents } = await import('../../src/link/linkIncidents')
    const { incidents } = generateIncidents({ n: 20_000, seed: 4, preset: 'province' })
    const merged = linkIncidents(incidents, { timeZone: 'Asia/Shanghai', profileMerge: true })
    const plain = linkIncidents(incidents, { timeZone: 'Asia/Shanghai' })
    expect(merged.profileLinks.length).toBeGreaterThan(0)
    expect(merged.stats.stages.clustering.profileMerges).toBe(merged.profileLinks.length)
    for (const link of merged.profileLinks) {
      expect(merged.assignments[link.a]).toBe(link.seriesId)
      expect(merged.assignments[link.b]).toBe(link.seriesId)
      expect(link.similarity).toBeGreaterThanOrEqual(0.75)
      expect(link.distanceMeters).toBeLessThanOrEqual(PROFILE_MERGE_DEFAULTS.maxDistanceMeters)
      expect(link.sharedMo.length).toBeGreaterThan(0)
    }
    // by default the built-in model's series-to-series part links series instead, each link with its probability
    expect(plain.profileLinks.length).toBeGreaterThan(0)
    for (const link of plain.profileLinks) expect(link.probability).toBeGreaterThan(0)
    for (const link of merged.profileLinks) expect(link.probability).toBeUndefined()
    const unmerged = linkIncidents(incidents, { timeZone: 'Asia/Shanghai', seriesLinks: false })
    expect(unmerged.profileLinks).toHaveLength(0)
    expect(merged.series.length).toBeLessThan(unmerged.series.length)
    expect(merged.partition.membership).toEqual(plain.partition.membership)
  }, 60_000)
})
