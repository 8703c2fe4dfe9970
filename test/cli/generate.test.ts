import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCli, type CliRunner, expectOneLineError } from './cliBuild'

let dir: string
let cli: CliRunner
const runCli = (...args: string[]) => cli(args)
const oneLineError = (run: { status: number | null; stderr: string }) =>
  expectOneLineError(run, expect as never)
const read = (path: string) => readFileSync(path, 'utf8')

beforeAll(async () => {
  cli = await buildCli('generate')
  dir = mkdtempSync(join(tmpdir(), 'caselink-cli-generate-'))
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('caselink generate and bench (built binary)', () => {
  it('generate writes NDJSON and CSV that validate cleanly, and refuses bad options', () => {
    const ndjson = join(dir, 'gen.ndjson')
    const csv = join(dir, 'gen.csv')
    expect(runCli('generate', '--preset', 'city', '--n', '1500', '--seed', '7', '-o', ndjson).status).toBe(0)
    const again = join(dir, 'gen2.ndjson')
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
    oneLineError(runCli('generate', '-o', join(dir, 'gen.xlsx')))
  })

  it('bench outside a source checkout says where the suite is, in one line', () => {
    const run = cli(['bench'], dir)
    oneLineError(run)
    expect(run.stderr).toContain('bench/run.ts')
  })
})
