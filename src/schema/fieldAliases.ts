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
  AJBH: 'id',
  发案时间初值: 'timeFrom',
  发案时间终值: 'timeTo',
  FASJCZ: 'timeFrom',
  FASJZZ: 'timeTo',
  发案时间起: 'timeFrom',
  发案时间止: 'timeTo',
  案事件发生开始时间: 'timeFrom',
  案事件发生结束时间: 'timeTo',
  地点经度: 'lon',
  地点纬度: 'lat',
  JD: 'lon',
  WD: 'lat',
  AJLB: 'category',
  作案手段特点: 'mo',
  JYAQ: 'narrative',
  并案主案件编号: 'series',
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

/**
 * Export columns whose values are MO codes of their own kind: each value becomes `column:value` (a value
 * that already has a group, `group:value`, is kept as it is) and joins the row's `mo`.
 *
 * @example
 * // { 作案工具: '撬棍;螺丝刀' } → mo ['作案工具:撬棍', '作案工具:螺丝刀']
 */
export const MO_COLUMNS: ReadonlySet<string> = new Set([
  '作案时机',
  '选择对象',
  '作案工具',
  '发案处所',
  'FACS',
])

/**
 * Export columns of identifiers: each value becomes evidence `kind:value` and joins the row's `evidence`.
 *
 * @example
 * EVIDENCE_COLUMNS.get('号牌号码') // 'plate'
 */
export const EVIDENCE_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['号牌号码', 'plate'],
  ['手机号码', 'phone'],
  ['IMEI', 'imei'],
  ['现场勘验编号', 'scene'],
])
