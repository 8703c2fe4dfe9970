import { describe, expect, it } from 'vitest'
import { parseIncidents } from '../../src/schema/parseIncidents'
import { parseTime } from '../../src/schema/parseTime'
import { createZoneClock } from '../../src/schema/zoneClock'

const epoch = (time: string | number, timeZone: string) => {
  const result = parseTime(time, createZoneClock(timeZone))
  if (!result.ok) throw new Error(result.message)
  return result.epochMs
}

describe('time zones', () => {
  it('reads offset-less Asia/Shanghai stamps as UTC+8 in every common police format', () => {
    const expected = Date.UTC(2021, 4, 13, 0, 0, 0)
    for (const stamp of [
      '2021-05-13 08:00:00',
      '2021-05-13T08:00',
      '2021/5/13 8:00',
      '20210513080000',
      '2021年5月13日 8时0分',
    ]) {
      expect(epoch(stamp, 'Asia/Shanghai'), stamp).toBe(expected)
    }
  })

  it('honours an explicit offset whatever the time zone option', () => {
    expect(epoch('2021-05-13T08:00:00+08:00', 'America/Chicago')).toBe(Date.UTC(2021, 4, 13, 0))
    expect(epoch('2021-05-13T08:00:00Z', 'Asia/Shanghai')).toBe(Date.UTC(2021, 4, 13, 8))
    expect(epoch('2021-05-13T08:00:00.250-0530', 'UTC')).toBe(Date.UTC(2021, 4, 13, 13, 30, 0, 250))
  })

  it('follows America/Chicago across the spring-forward day', () => {
    // 2021-03-14: 02:00 CST jumps to 03:00 CDT.
    expect(epoch('2021-03-14 01:59:00', 'America/Chicago')).toBe(Date.UTC(2021, 2, 14, 7, 59))
    expect(epoch('2021-03-14 03:00:00', 'America/Chicago')).toBe(Date.UTC(2021, 2, 14, 8, 0))
    expect(epoch('2021-03-14 12:00:00', 'America/Chicago')).toBe(Date.UTC(2021, 2, 14, 17, 0))
  })

  it('warns about a time inside the gap and the repeated hour, keeping both rows', () => {
    const { incidents, issues } = parseIncidents(
      [
        { id: 'gap', time: '2021-03-14 02:30:00' },
        { id: 'overlap', time: '2021-11-07 01:30:00' },
      ],
      { timeZone: 'America/Chicago' },
    )
    expect(incidents.map((i) => i.timeFrom)).toEqual([
      Date.UTC(2021, 2, 14, 8, 30),
      Date.UTC(2021, 10, 7, 6, 30),
    ])
    expect(issues.map((i) => [i.id, i.code, i.severity])).toEqual([
      ['gap', 'nonexistent_local_time', 'warning'],
      ['overlap', 'ambiguous_local_time', 'warning'],
    ])
  })

  it('takes epoch milliseconds as given, numbers or 13-digit strings', () => {
    expect(epoch(1620864000000, 'Asia/Shanghai')).toBe(1620864000000)
    expect(epoch('1620864000000', 'Asia/Shanghai')).toBe(1620864000000)
  })

  it('reports the offset of the zone', () => {
    const clock = createZoneClock('America/Chicago')
    expect(clock.offsetMinutes(Date.UTC(2021, 0, 1))).toBe(-360)
    expect(clock.offsetMinutes(Date.UTC(2021, 6, 1))).toBe(-300)
  })
})
