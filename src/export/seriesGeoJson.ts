import type { LinkResult } from '../link/linkIncidents'
import { round } from './assignmentsCsv'
import type { TextFileWriter } from './csv'

/** A GeoJSON geometry written by {@link seriesGeoJsonFeatures}. */
export type SeriesGeometry =
  | { type: 'Point'; coordinates: [number, number] }
  | { type: 'Polygon'; coordinates: [number, number][][] }

/** A GeoJSON feature: an incident point, or a series' hull or centroid. */
export interface SeriesFeature {
  type: 'Feature'
  geometry: SeriesGeometry
  properties: Record<string, string | number | null>
}

/**
 * Convex hull of points (Andrew's monotone chain), counter-clockwise from the lowest-leftmost point,
 * duplicates and collinear points removed. O(k log k).
 *
 * @example
 * convexHull([[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5]]) // [[0, 0], [1, 0], [1, 1], [0, 1]]
 */
export function convexHull(points: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = points.map(([x, y]) => [x, y] as [number, number]).sort((p, q) => p[0] - q[0] || p[1] - q[1])
  const unique: [number, number][] = []
  for (const p of sorted) {
    const last = unique[unique.length - 1]
    if (last === undefined || last[0] !== p[0] || last[1] !== p[1]) unique.push(p)
  }
  if (unique.length < 3) return unique
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
  const lower: [number, number][] = []
  for (const p of unique) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop()
    lower.push(p)
  }
  const upper: [number, number][] = []
  for (let k = unique.length - 1; k >= 0; k--) {
    const p = unique[k]
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop()
    upper.push(p)
  }
  lower.pop()
  upper.pop()
  return lower.concat(upper)
}

/**
 * The features of series.geojson (RFC 7946, WGS84 lon/lat): first one `Point` per valid incident with a
 * lat/lon location (properties: `kind: 'incident'`, id, seriesId or null, seriesSize, seriesRank,
 * priority, category, timeFrom/timeTo as ISO-8601), then one feature per series with located members
 * (`kind: 'series'`): the convex hull `Polygon` of its members (counter-clockwise, closed) when it has
 * at least three non-collinear locations, else a `Point` at the centroid (`shape` says which). Incidents
 * located only by planar x/y cannot be placed on a WGS84 map and are left out.
 *
 * @example
 * const collection = { type: 'FeatureCollection', features: [...seriesGeoJsonFeatures(result)] }
 */
export function* seriesGeoJsonFeatures(result: LinkResult): Generator<SeriesFeature> {
  const { table, seriesOfRow, series } = result
  for (let i = 0; i < table.size; i++) {
    if (!table.hasLatLon[i]) continue
    const s = seriesOfRow[i]
    const properties: SeriesFeature['properties'] = {
      kind: 'incident',
      id: table.ids[i],
      seriesId: s >= 0 ? series[s].id : null,
      seriesSize: s >= 0 ? series[s].size : null,
      seriesRank: s >= 0 ? series[s].rank : null,
      priority: s >= 0 ? round(series[s].priority, 6) : null,
      category: table.category[i] >= 0 ? table.categoryValues[table.category[i]] : null,
      timeFrom: new Date(table.timeFrom[i]).toISOString(),
      timeTo: new Date(table.timeTo[i]).toISOString(),
    }
    yield {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [table.lon[i], table.lat[i]] },
      properties,
    }
  }
  yield* seriesShapeFeatures(result)
}

/** The series features of {@link seriesGeoJsonFeatures}: hull or centroid per series with located members. */
function* seriesShapeFeatures(result: LinkResult): Generator<SeriesFeature> {
  const { table, seriesOfRow, series } = result
  const membersByRow: number[][] = series.map(() => [])
  for (let i = 0; i < table.size; i++) {
    if (seriesOfRow[i] >= 0 && table.hasLatLon[i]) membersByRow[seriesOfRow[i]].push(i)
  }
  for (let s = 0; s < series.length; s++) {
    const rows = membersByRow[s]
    if (rows.length === 0) continue
    const entry = series[s]
    const hull = convexHull(rows.map((i) => [table.lon[i], table.lat[i]] as [number, number]))
    let geometry: SeriesGeometry
    let shape: string
    if (hull.length >= 3) {
      geometry = { type: 'Polygon', coordinates: [[...hull, hull[0]]] }
      shape = 'hull'
    } else {
      let lon = 0
      let lat = 0
      for (const i of rows) {
        lon += table.lon[i]
        lat += table.lat[i]
      }
      geometry = { type: 'Point', coordinates: [lon / rows.length, lat / rows.length] }
      shape = 'centroid'
    }
    yield {
      type: 'Feature',
      geometry,
      properties: {
        kind: 'series',
        shape,
        seriesId: entry.id,
        seriesRank: entry.rank,
        seriesSize: entry.size,
        priority: round(entry.priority, 6),
        cohesion: round(entry.cohesion, 6),
        radiusMeters: entry.radiusMeters === null ? null : Math.round(entry.radiusMeters),
        firstTime: entry.firstTimeIso,
        lastTime: entry.lastTimeIso,
        categories: entry.categories.map((c) => c.value).join(';'),
        dominantMo: entry.dominantMo.map((c) => c.value).join(';'),
        sharedEvidence: entry.sharedEvidence.map((c) => c.value).join(';'),
        members: entry.members.join(';'),
      },
    }
  }
}

/**
 * Writes series.geojson feature by feature (a FeatureCollection, see {@link seriesGeoJsonFeatures});
 * returns the number of incident and series features written.
 *
 * @example
 * const out = createTextFileWriter('series.geojson')
 * writeSeriesGeoJson(result, out) // { incidents: 298, series: 8 }
 * out.close()
 */
export function writeSeriesGeoJson(
  result: LinkResult,
  out: TextFileWriter,
): { incidents: number; series: number } {
  out.write('{"type":"FeatureCollection","features":[\n')
  const { table, seriesOfRow, series: list } = result
  // Incident points are written as text directly (the same JSON as the generator's objects, tested), as
  // there can be millions; the few series shapes go through JSON.stringify.
  const categoryJson = table.categoryValues.map((value) => JSON.stringify(value))
  const seriesJson = list.map(
    (entry) =>
      `"seriesId":${JSON.stringify(entry.id)},"seriesSize":${entry.size},"seriesRank":${entry.rank},"priority":${round(entry.priority, 6)}`,
  )
  const noSeries = '"seriesId":null,"seriesSize":null,"seriesRank":null,"priority":null'
  let incidents = 0
  let series = 0
  let separator = ''
  for (let i = 0; i < table.size; i++) {
    if (!table.hasLatLon[i]) continue
    const s = seriesOfRow[i]
    const category = table.category[i] >= 0 ? categoryJson[table.category[i]] : 'null'
    out.write(
      `${separator}{"type":"Feature","geometry":{"type":"Point","coordinates":[${table.lon[i]},${table.lat[i]}]},` +
        `"properties":{"kind":"incident","id":${JSON.stringify(table.ids[i])},${s >= 0 ? seriesJson[s] : noSeries},` +
        `"category":${category},"timeFrom":"${new Date(table.timeFrom[i]).toISOString()}",` +
        `"timeTo":"${new Date(table.timeTo[i]).toISOString()}"}}`,
    )
    separator = ',\n'
    incidents++
  }
  for (const feature of seriesShapeFeatures(result)) {
    out.write(`${separator}${JSON.stringify(feature)}`)
    separator = ',\n'
    series++
  }
  out.write('\n]}\n')
  return { incidents, series }
}
