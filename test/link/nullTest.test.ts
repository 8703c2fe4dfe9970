import { describe, expect, it } from 'vitest'
import { generateIncidents } from '../../src/generate/generateIncidents'
import { linkIncidents } from '../../src/link/linkIncidents'
import { nullTest, permuteTimes } from '../../src/link/nullTest'
import { parseIncidents } from '../../src/schema/parseIncidents'

const TZ = 'Asia/Shanghai'
const incidents = parseIncidents(generateIncidents({ n: 3000, seed: 31, preset: 'province' }).incidents, {
  timeZone: TZ,
}).incidents

describe('permuteTimes', () => {
  it('moves whole time windows among the incidents, keeping everything else, whatever the input order', () => {
    const { incidents: permuted, ids, timeSource } = permuteTimes(incidents, 5)
    expect(permuted).toHaveLength(incidents.length)
    // a permutation: every window used once
    expect([...timeSource].sort((a, b) => a - b)).toEqual(Array.from(timeSource, (_, k) => k))
    const byId = new Map(incidents.map((i) => [i.id, i]))
    permuted.forEach((incident, k) => {
      expect(incident.id).toBe(ids[k])
      const original = byId.get(incident.id)!
      const source = byId.get(ids[timeSource[k]])!
      expect([incident.timeFrom, incident.timeTo]).toEqual([source.timeFrom, source.timeTo])
      expect({ ...incident, timeFrom: 0, timeTo: 0 }).toEqual({ ...original, timeFrom: 0, timeTo: 0 })
    })
    const reversed = permuteTimes([...incidents].reverse(), 5)
    expect(Array.from(reversed.timeSource)).toEqual(Array.from(timeSource))
    expect(reversed.ids).toEqual(ids)
    expect(Array.from(permuteTimes(incidents, 6).timeSource)).not.toEqual(Array.from(timeSource))
  })
})

describe('nullTest', () => {
  it('links the time-permuted data and reports its counts and shares; deterministic for a seed', () => {
    const observed = linkIncidents(incidents, { timeZone: TZ })
    const result = nullTest(incidents, { timeZone: TZ, observed, permutationSeed: 3 })
    // what it permuted
    expect(result.permuted).toEqual({ fields: ['timeFrom', 'timeTo'], incidents: incidents.length, seed: 3 })
    expect(result.permutation.ids).toHaveLength(incidents.length)
    // the counts are those of the two runs, and the shares their ratios
    expect(result.observed).toEqual({
      links: observed.links.length,
      series: observed.series.length,
      incidentsInSeries: observed.stats.stages.summaries.incidentsInSeries,
    })
    expect(result.permutedRun.links).toBe(result.nullResult.links.length)
    expect(result.share.links).toBeCloseTo(result.permutedRun.links / result.observed.links, 12)
    expect(result.share.series).toBeCloseTo(result.permutedRun.series / result.observed.series, 12)
    // the permuted run links far less than the real one (offenders' runs of crimes are gone)
    expect(result.share.links).toBeLessThan(0.5)
    const again = nullTest(incidents, { timeZone: TZ, permutationSeed: 3 })
    expect(again.permutedRun).toEqual(result.permutedRun)
    expect(again.observed).toEqual(result.observed)
  })
})
