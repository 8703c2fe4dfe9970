import { z } from 'zod'

const timeValue = z.union([z.string(), z.number()])
const numberLike = z.union([z.number(), z.string()])
// Union members in order of how often they occur, so a typical row fails no branch (a failed branch
// costs an issue object in zod).
const listValue = z.union([z.array(z.string()), z.string()])
const labelValue = z.union([z.string(), z.number()])

/**
 * The shape of one input record after column mapping: the type check at the edge. Values that pass
 * are then read (times, numbers, lists) by {@link createIncidentParser}; `null` and `''` mean absent.
 *
 * @example
 * RecordSchema.safeParse({ id: 'A-1', time: '2021-05-13 08:00:00', mo: 'entry:pry-door;target:elderly' }).success // true
 */
export const RecordSchema = z.object({
  id: labelValue.nullish(),
  time: timeValue.nullish(),
  timeFrom: timeValue.nullish(),
  timeTo: timeValue.nullish(),
  lat: numberLike.nullish(),
  lon: numberLike.nullish(),
  x: numberLike.nullish(),
  y: numberLike.nullish(),
  category: z.string().nullish(),
  mo: listValue.nullish(),
  evidence: listValue.nullish(),
  narrative: z.string().nullish(),
  series: z.union([z.array(labelValue), labelValue]).nullish(),
  crs: z.string().nullish(),
})

/** A record that passed {@link RecordSchema}. */
export type RecordInput = z.infer<typeof RecordSchema>

/** What each field must be, for readable messages. */
export const FIELD_EXPECTATIONS: Readonly<Record<keyof RecordInput, string>> = {
  id: 'a string or a number',
  time: 'an ISO-8601 string, a local time stamp or epoch milliseconds',
  timeFrom: 'an ISO-8601 string, a local time stamp or epoch milliseconds',
  timeTo: 'an ISO-8601 string, a local time stamp or epoch milliseconds',
  lat: 'a number in degrees',
  lon: 'a number in degrees',
  x: 'a number in metres',
  y: 'a number in metres',
  category: 'a string',
  mo: 'a list of strings or a ";"-separated string',
  evidence: 'a list of strings or a ";"-separated string',
  narrative: 'a string',
  series: 'a string, a number or a list of them',
  crs: "a coordinate system: 'wgs84', 'gcj02' or 'bd09'",
}
