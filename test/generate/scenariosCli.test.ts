import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCliSession } from '../cli/cliBuild'

const session = useCliSession('generate-scenarios')

describe('caselink generate --scenarios (built binary)', () => {
  it('writes the planted series on top of n background incidents', () => {
    const out = join(session.dir, 'planted.ndjson')
    const run = session.run(
      'generate',
      '--n',
      '1000',
      '--seed',
      '3',
      '--scenarios',
      'all',
      '-o',
      out,
      '--json',
    )
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ n: 1332, scenarios: expect.arrayContaining(['copycats']) })
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(rows).toHaveLength(1332)
    const labels = new Set(
      rows.flatMap((r: { series: string[] }) => r.series).filter((l: string) => l.startsWith('scenario:')),
    )
    for (const label of ['impersonator', 'spree', 'bathhouse', 'parcel', 'ebike-ring-3', 'copycat-10']) {
      expect(labels.has(`scenario:${label}`)).toBe(true)
    }
    const some = join(session.dir, 'some.csv')
    expect(session.run('generate', '--n', '500', '--scenarios', 'parcel, spree', '-o', some).status).toBe(0)
    const check = JSON.parse(session.run('validate', some, '--json').stdout)
    expect(check.counts).toMatchObject({ rows: 541, valid: 541, rejected: 0 })
  })

  it('refuses an unknown scenario in one line that lists the valid names', () => {
    const run = session.oneLineError(
      session.run('generate', '--n', '100', '--scenarios', 'spree,moon', '-o', join(session.dir, 'x.ndjson')),
    )
    expect(run.stderr).toContain("unknown scenario 'moon'")
    expect(run.stderr).toContain('impersonator, spree, bathhouse, parcel, ebike-rings, copycats')
  })
})
