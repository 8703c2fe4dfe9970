import { beforeAll, describe, expect, it } from 'vitest'
import { buildCli, type CliRunner } from './cliBuild'

let cli: CliRunner
const run = (...args: string[]) => cli(args)

beforeAll(async () => {
  cli = await buildCli('validate')
})

describe('caselink validate', () => {
  it('exits 0 on the clean sample and prints the counts', () => {
    const { status, stdout } = run('validate', 'fixtures/sample.csv', '--time-zone', 'Asia/Shanghai')
    expect(status).toBe(0)
    expect(stdout).toMatch(/^fixtures\/sample\.csv: 300 rows, 300 valid, 0 rejected, 1 warnings/)
  })

  it('exits 1 on the hostile file and reports every bad row with code and field; --json has them all', () => {
    const text = run(
      'validate',
      'fixtures/hostile.ndjson',
      '--time-zone',
      'America/Chicago',
      '--max-issues',
      '500',
    )
    expect(text.status).toBe(1)
    expect(text.stdout).toContain(
      '✖ timeTo (2024-03-05 08:00:00) is before timeFrom (2024-03-05 22:00:00) [time_range_reversed] (row 13, id REVERSED, line 14)\n  → at [13].timeTo',
    )
    const json = run('validate', 'fixtures/hostile.ndjson', '--time-zone', 'America/Chicago', '--json')
    expect(json.status).toBe(1)
    const report = JSON.parse(json.stdout)
    expect(report.counts.valid + report.counts.rejected).toBe(report.counts.rows)
    const rejected = new Set(
      report.issues
        .filter((i: { severity: string }) => i.severity === 'error')
        .map((i: { index: number }) => i.index),
    )
    expect(rejected.size).toBe(report.counts.rejected)
    for (const issue of report.issues) expect(text.stdout).toContain(`[${issue.code}] (row ${issue.index}`)
  })

  it('exits 2 with one line and no stack trace for unusable input', () => {
    for (const args of [
      ['validate', 'missing.csv'],
      ['validate', 'package.json5'],
      ['validate', 'fixtures/sample.csv', '--time-zone', 'Mars/X'],
    ]) {
      const { status, stderr } = run(...args)
      expect(status).toBe(2)
      expect(stderr.trim().split('\n')).toHaveLength(1)
      expect(stderr).toMatch(/^caselink: /)
      expect(stderr).not.toMatch(/\n\s+at /)
    }
  })

  it('exits 2 on a usage error', () => {
    expect(run('validate').status).toBe(2)
  })
})
