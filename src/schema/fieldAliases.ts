/**
 * Built-in header aliases for Chinese police exports (and a few English variants), mapped to the
 * canonical field names of the record format. A user `fieldMap` is applied before these.
 *
 * @example
 * FIELD_ALIASES['案件编号'] // 'id'
 */
export const FIELD_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  案件编号: 'id',
  案件编码: 'id',
  案号: 'id',
  发案时间: 'time',
  发案开始时间: 'timeFrom',
  发案起始时间: 'timeFrom',
  发案结束时间: 'timeTo',
  发案截止时间: 'timeTo',
  经度: 'lon',
  纬度: 'lat',
  案件类别: 'category',
  案件类型: 'category',
  作案手段: 'mo',
  作案特点: 'mo',
  物证: 'evidence',
  痕迹物证: 'evidence',
  简要案情: 'narrative',
  案情: 'narrative',
  串并案编号: 'series',
  系列: 'series',
  坐标系: 'crs',
  坐标系统: 'crs',
  case_id: 'id',
  latitude: 'lat',
  longitude: 'lon',
  time_from: 'timeFrom',
  time_to: 'timeTo',
  modus_operandi: 'mo',
})

/** The canonical field names of an incident record. */
export const CANONICAL_FIELDS = [
  'id',
  'time',
  'timeFrom',
  'timeTo',
  'lat',
  'lon',
  'x',
  'y',
  'category',
  'mo',
  'evidence',
  'narrative',
  'series',
  'crs',
] as const

/** One canonical field name. */
export type CanonicalField = (typeof CANONICAL_FIELDS)[number]
