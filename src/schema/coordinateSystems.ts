/**
 * Coordinate systems of lat/lon input: WGS84 (GPS, GeoJSON), GCJ-02 (the offset system of Chinese maps:
 * Amap, Tencent) and BD-09 (Baidu), converted to WGS84 at parse with gcoord, whose inverse we refine by a
 * few fixed-point steps (round trips within a millimetre; gcoord's alone, up to 0.24 m).
 */
import gcoord from 'gcoord'

/** The coordinate systems caselink reads. */
export const COORDINATE_SYSTEMS = ['wgs84', 'gcj02', 'bd09'] as const

/** One of {@link COORDINATE_SYSTEMS}. */
export type CoordinateSystem = (typeof COORDINATE_SYSTEMS)[number]

/**
 * Reads a coordinate system name as users write it (`WGS84`, `wgs-84`, `GCJ-02`, `gcj02`, `BD-09`, `bd09`,
 * `火星坐标` and `百度坐标` too); null when it is none of them.
 *
 * @example
 * coordinateSystem('GCJ-02') // 'gcj02'
 */
export function coordinateSystem(name: string): CoordinateSystem | null {
  const key = name
    .trim()
    .toLowerCase()
    .replace(/[-_\s]/g, '')
  if (key === 'wgs84' || key === 'wgs1984' || key === 'gps') return 'wgs84'
  if (key === 'gcj02' || key === '火星坐标' || key === 'amap' || key === '高德') return 'gcj02'
  if (key === 'bd09' || key === 'bd09ll' || key === '百度坐标' || key === 'baidu' || key === '百度')
    return 'bd09'
  return null
}

const GCOORD = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const

/**
 * Converts a position between coordinate systems (outside China, GCJ-02 and BD-09 equal WGS84 as the
 * maps define them); to WGS84, the inverse is refined until the forward transform gives the position back.
 *
 * @example
 * convertLatLon(32.4557802, 119.9231242, 'gcj02', 'wgs84') // ≈ { lat: 32.45800, lon: 119.91839 }
 */
export function convertLatLon(
  lat: number,
  lon: number,
  from: CoordinateSystem,
  to: CoordinateSystem,
): { lat: number; lon: number } {
  if (from === to) return { lat, lon }
  let [x, y] = gcoord.transform([lon, lat], GCOORD[from], GCOORD[to]) as [number, number]
  if (to === 'wgs84') {
    // gcoord's inverse is off by up to 0.15 m (GCJ-02) and 0.24 m (BD-09); the forward transform is
    // exact and its offset varies slowly, so a few fixed-point steps (move by what the forward transform
    // of the estimate misses) take it to well under a millimetre
    for (let step = 0; step < REFINEMENT_STEPS; step++) {
      const [fx, fy] = gcoord.transform([x, y], gcoord.WGS84, GCOORD[from]) as [number, number]
      const dx = lon - fx
      const dy = lat - fy
      x += dx
      y += dy
      if (Math.abs(dx) < 1e-11 && Math.abs(dy) < 1e-11) break
    }
  }
  return { lat: y, lon: x }
}

/** Fixed-point steps of the inverse transform at most (each takes the error down about a thousandfold). */
const REFINEMENT_STEPS = 4
