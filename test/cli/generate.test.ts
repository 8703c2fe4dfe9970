import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCliSession } from './cliBuild'

const session = useCliSession('generate')
const runCli = session.run
const oneLineError = session.oneLineError
const read = (path: string) => readFileSync(path, 'utf8')

describe('caselink generate and bench (built binary)', () => {
  it('generate writes NDJSON and CSV that validate cleanly, and refuses bad options', () => {
    const ndjson = join(session.dir, 'gen.ndjson')
    const csv = join(session.dir, 'gen.csv')
    expect(runCli('generate', '--preset', 'city', '--n', '1500', '--seed', '7', '-o', ndjson).status).toBe(0)
    const again = join(session.dir, 'gen2.ndjson')
    expect(
      runCli('generate', '--preset', 'city', '--n', '1500', '--seed', '7', '-o', again, '--json').status,
    ).toBe(0)
    expect(read(again)).toBe(read(ndjson))
    expect(runCli('generate', '--n', '1500', '--seed', '7', '-o', csv).status).toBe(0)
    for (const file of [ndjson, csv]) {
      const check = runCli('validate', file, '--json')
      const report = JSON.parse(check.stdout)
      expect(report.counts).toMatchObject({ rows: 1500, valid: 1500, rejected: 0 })
    }
    oneLineError(runCli('generate', '--preset', 'moon', '-o', ndjson))
    oneLineError(runCli('generate', '--n', '-3', '-o', ndjson))
    oneLineError(runCli('generate', '-o', join(session.dir, 'gen.xlsx')))
  })

  it('bench outside a source checkout says where the suite is, in one line', () => {
    const run = session.runIn(session.dir, 'bench')
    oneLineError(run)
    expect(run.stderr).toContain('bench/run.ts')
  })
})
