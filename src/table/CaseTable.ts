/**
 * Columnar form of validated incidents, for every hot loop (blocking, scoring, the online index).
 * Row `i` is `incidents[i]`. Built by `buildCaseTable`.
 *
 * Locations: `hasLatLon[i]` rows keep degrees in `lat`/`lon` (compared by haversine) and are also
 * projected to local metres in `x`/`y` (equirectangular about `originLat`/`originLon`) for grid
 * blocking; planar rows (input x/y) have `x`/`y` only. `hasLocation[i] === 0` means no location
 * (NaN in the float columns). A lat/lon row and a planar row are never compared on distance.
 *
 * Lists (MO, evidence) are CSR: the ids of row i are `moIds[moStart[i] .. moStart[i+1])`, sorted
 * ascending, into the vocabulary `moValues`; `moFrequency[id]` is how many rows carry the value.
 */
export interface CaseTable {
  /** Number of rows. */
  size: number
  /** Case numbers, row order. */
  ids: string[]
  /** Window start, epoch ms. */
  timeFrom: Float64Array
  /** Window end, epoch ms (>= timeFrom). */
  timeTo: Float64Array
  /** Offset of the local clock from UTC at `timeFrom`, minutes (for time of day / day of week). */
  utcOffsetMinutes: Int16Array
  /** 1 when the row has a location. */
  hasLocation: Uint8Array
  /** 1 when the location came as WGS84 lat/lon. */
  hasLatLon: Uint8Array
  lat: Float64Array
  lon: Float64Array
  /** Metres: planar input, or lat/lon projected about the origin. */
  x: Float64Array
  y: Float64Array
  originLat: number
  originLon: number
  /** Category id per row, -1 when missing; `categoryValues[id]` is the full name. */
  category: Int32Array
  categoryValues: string[]
  /** Parent category id (`theft` for `theft.ebike`; the category itself when it has no dot). */
  categoryParent: Int32Array
  /** MO ids, CSR. */
  moStart: Uint32Array
  moIds: Uint32Array
  moValues: string[]
  /** MO group id per MO value id (`entry` for `entry:pry-door`); -1 when the value has no group. */
  moGroup: Int32Array
  moGroupValues: string[]
  moFrequency: Uint32Array
  /** Evidence ids, CSR. */
  evidenceStart: Uint32Array
  evidenceIds: Uint32Array
  evidenceValues: string[]
  /** Evidence kind id per evidence value id (`fingerprint` for `fingerprint:FP-1`). */
  evidenceKind: Int32Array
  evidenceKindValues: string[]
  evidenceFrequency: Uint32Array
  /** Narrative character-bigram hashes, CSR, sorted ascending and de-duplicated per row. */
  narrativeStart: Uint32Array
  narrativeBigrams: Uint32Array
  /**
   * Ground-truth series labels, CSR (ids sorted ascending into `seriesValues`); empty lists when
   * unknown. Used only by training and evaluation.
   */
  seriesStart: Uint32Array
  seriesIds: Uint32Array
  seriesValues: string[]
  /** IANA time zone of the local clock (`utcOffsetMinutes`), as given to `buildCaseTable`. */
  timeZone: string
}
