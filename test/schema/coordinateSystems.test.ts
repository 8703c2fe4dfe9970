import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pairDistance } from '../../src/nearRepeat/nearPairs'
import { convertLatLon, coordinateSystem } from '../../src/schema/coordinateSystems'
import { parseIncidents } from '../../src/schema/parseIncidents'

// Taizhou, Jiangsu, from gcoord's china-cities fixture (WGS84, GCJ-02, BD-09), lon/lat
const TAIZHOU = {
  wgs84: { lat: 32.4580023, lon: 119.9183831 },
  gcj02: { lat: 32.4557802, lon: 119.9231242 },
  bd09: { lat: 32.4615531, lon: 119.9296902 },
}
const metres = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) =>
  pairDistance(a, b, 'euclidean')

describe('coordinate systems', () => {
  it('converts the published points to WGS84 within a metre (the fixture agrees with gcoord to 1e-4°)', () => {
    const fromGcj = convertLatLon(TAIZHOU.gcj02.lat, TAIZHOU.gcj02.lon, 'gcj02', 'wgs84')
    const fromBd = convertLatLon(TAIZHOU.bd09.lat, TAIZHOU.bd09.lon, 'bd09', 'wgs84')
    expect(metres(fromGcj, TAIZHOU.wgs84)).toBeLessThan(1)
    expect(metres(fromBd, TAIZHOU.wgs84)).toBeLessThan(1)
    // the offsets being corrected: hundreds of metres (GCJ-02), about a kilometre (BD-09)
    expect(metres(TAIZHOU.gcj02, TAIZHOU.wgs84)).toBeGreaterThan(400)
    expect(metres(TAIZHOU.bd09, TAIZHOU.wgs84)).toBeGreaterThan(1000)
  })

  it('round-trips within 0.01 m anywhere in China (gcoord alone: up to 0.24 m)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 18, max: 53, noNaN: true }),
        fc.double({ min: 74, max: 134, noNaN: true }),
        fc.constantFrom('gcj02', 'bd09'),
        (lat, lon, crs) => {
          const there = convertLatLon(lat, lon, 'wgs84', crs)
          const back = convertLatLon(there.lat, there.lon, crs, 'wgs84')
          expect(metres(back, { lat, lon })).toBeLessThan(0.01)
        },
      ),
      { numRuns: 300, examples: [[18, 74, 'bd09']] },
    )
  })

  it('reads the names users write, and nothing else', () => {
    expect(coordinateSystem('GCJ-02')).toBe('gcj02')
    expect(coordinateSystem('BD09')).toBe('bd09')
    expect(coordinateSystem('WGS 84')).toBe('wgs84')
    expect(coordinateSystem('火星坐标')).toBe('gcj02')
    expect(coordinateSystem('mars')).toBeNull()
  })

  it('converts rows at parse (option or per-row crs), keeps the given coordinates, rejects an unknown crs', () => {
    const rows = [
      { id: 'A', time: '2024-05-01 08:00', lat: TAIZHOU.gcj02.lat, lon: TAIZHOU.gcj02.lon },
      { id: 'B', time: '2024-05-01 08:00', lat: TAIZHOU.bd09.lat, lon: TAIZHOU.bd09.lon, crs: 'bd09' },
      { id: 'C', time: '2024-05-01 08:00', lat: TAIZHOU.wgs84.lat, lon: TAIZHOU.wgs84.lon, 坐标系: 'WGS84' },
      { id: 'D', time: '2024-05-01 08:00', lat: 32, lon: 119, crs: 'mars' },
    ]
    const { incidents, issues } = parseIncidents(rows, { crs: 'gcj02' })
    expect(incidents.map((x) => x.id)).toEqual(['A', 'B', 'C'])
    for (const incident of incidents)
      expect(metres(incident as { lat: number; lon: number }, TAIZHOU.wgs84)).toBeLessThan(1)
    expect(incidents[0].attributes).toMatchObject({
      givenLat: TAIZHOU.gcj02.lat,
      givenLon: TAIZHOU.gcj02.lon,
      givenCrs: 'gcj02',
    })
    expect(incidents[1].attributes.givenCrs).toBe('bd09')
    expect(incidents[2].attributes.givenCrs).toBeUndefined()
    expect(issues.find((i) => i.id === 'D')).toMatchObject({ code: 'invalid_crs', path: [3, 'crs'] })
    expect(() => parseIncidents(rows, { crs: 'utm' })).toThrow(/crs must be 'wgs84', 'gcj02' or 'bd09'/)
    // without a crs, WGS84 as given
    expect(parseIncidents([rows[0]]).incidents[0].lat).toBe(TAIZHOU.gcj02.lat)
  })
})
