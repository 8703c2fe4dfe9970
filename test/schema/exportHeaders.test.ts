import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { loadIncidents } from '../../src/io/readIncidents'
import { parseIncidents } from '../../src/schema/parseIncidents'

// a row as a public-security export writes it (pinyin-initial headers and Chinese ones)
const CSV = [
  'AJBH,FASJCZ,FASJZZ,JD,WD,AJLB,作案手段,作案时机,选择对象,作案工具,发案处所,号牌号码,手机号码,IMEI,现场勘验编号,JYAQ,并案主案件编号,警情编号,发案地点',
  'A320100001,2024-05-01 08:00,2024-05-01 09:30,119.4,32.1,盗窃.入室,entry:pry-door,白天,独居老人,撬棍;螺丝刀,居民住宅,苏K12345,13800000000,356938035643809,K3201002024050100001,白天撬门入室盗窃现金,A320100000,J3201002024050100007,某县某镇某村3号',
].join('\n')

describe('export headers', () => {
  it('reads the fields real exports carry: ids, time bounds, location, category, narrative, an existing merge', async () => {
    const { incidents, issues } = await loadIncidents(Readable.from([CSV]), {
      format: 'csv',
      timeZone: 'Asia/Shanghai',
    })
    expect(issues.filter((i) => i.severity === 'error')).toEqual([])
    const [incident] = incidents
    expect(incident.id).toBe('A320100001')
    expect(incident.timeTo - incident.timeFrom).toBe(90 * 60_000)
    expect([incident.lat, incident.lon]).toEqual([32.1, 119.4])
    expect(incident.category).toBe('盗窃.入室')
    expect(incident.narrative).toBe('白天撬门入室盗窃现金')
    expect(incident.series).toEqual(['A320100000'])
    // kept, not lost
    expect(incident.attributes).toMatchObject({
      警情编号: 'J3201002024050100007',
      发案地点: '某县某镇某村3号',
    })
  })

  it('turns MO-like columns into MO codes grouped by column and identifier columns into evidence', async () => {
    const { incidents } = await loadIncidents(Readable.from([CSV]), {
      format: 'csv',
      timeZone: 'Asia/Shanghai',
    })
    const [incident] = incidents
    expect(incident.mo).toEqual([
      'entry:pry-door',
      '作案时机:白天',
      '选择对象:独居老人',
      '作案工具:撬棍',
      '作案工具:螺丝刀',
      '发案处所:居民住宅',
    ])
    expect(incident.evidence).toEqual([
      'plate:苏K12345',
      'phone:13800000000',
      'imei:356938035643809',
      'scene:K3201002024050100001',
    ])
    expect(incident.attributes.作案工具).toBeUndefined()
  })

  it('keeps the columns as attributes when the built-in aliases are off', () => {
    const { incidents } = parseIncidents([{ id: 'A', time: '2024-05-01', 作案工具: '撬棍' }], {
      aliases: false,
    })
    expect(incidents[0].mo).toEqual([])
    expect(incidents[0].attributes.作案工具).toBe('撬棍')
  })
})
