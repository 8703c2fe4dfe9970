import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { CLI_SEMI_SPACE_MB, shouldRelaunch } from '../../src/cli/relaunch'
import { buildCli, type CliRunner } from './cliBuild'

describe('shouldRelaunch', () => {
  it('relaunches a plain node process', () => {
    expect(shouldRelaunch([], {})).toBe(true)
    expect(shouldRelaunch(['--import', 'tsx'], { NODE_OPTIONS: '--enable-source-maps' })).toBe(true)
  })
  it('keeps a young-generation size the user gave, on the command line or in NODE_OPTIONS', () => {
    expect(shouldRelaunch(['--max-semi-space-size=32'], {})).toBe(false)
    expect(shouldRelaunch(['--max_semi_space_size', '32'], {})).toBe(false)
    expect(shouldRelaunch([], { NODE_OPTIONS: '--max-semi-space-size=8 --enable-source-maps' })).toBe(false)
  })
  it('never relaunches twice, and can be turned off', () => {
    expect(shouldRelaunch([], { CASELINK_NO_RELAUNCH: '1' })).toBe(false)
    expect(shouldRelaunch([], { CASELINK_NO_RELAUNCH: '' })).toBe(true)
  })
})

describe('the built CLI', () => {
  let cli: CliRunner
  let dir: string
  beforeAll(async () => {
    cli = await buildCli('relaunch')
    dir = join(process.cwd(), 'node_modules/.cache/caselink-cli-test-relaunch')
  })

  /** Runs the CLI with a preload that records each Node process's flags; returns the run and the records. */
  function probe(args: string[], env: Record<string, string> = {}) {
    const log = join(dir, `probe-${Math.random().toString(36).slice(2)}.log`)
    const preload = join(dir, 'probe.cjs')
    writeFileSync(
      preload,
      `require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.execArgv) + '\\n')\n`,
    )
    writeFileSync(log, '')
    const run = cli(args, undefined, { NODE_OPTIONS: `--require ${preload}`, ...env })
    const processes = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
    return { run, processes: processes as string[][] }
  }

  it(`runs the command in one child with a ${CLI_SEMI_SPACE_MB} MB young generation, passing its output and exit code`, () => {
    const { run, processes } = probe(['validate', 'fixtures/sample.csv', '--time-zone', 'Asia/Shanghai'])
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/300/)
    expect(processes).toHaveLength(2)
    expect(processes[0]).not.toContain(`--max-semi-space-size=${CLI_SEMI_SPACE_MB}`)
    expect(processes[1]).toContain(`--max-semi-space-size=${CLI_SEMI_SPACE_MB}`)
  })

  it("passes the child's failure on: exit code 2 and its one-line error", () => {
    const { run, processes } = probe(['validate', 'no-such-file.csv'])
    expect(processes).toHaveLength(2)
    expect(run.status).toBe(2)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/^caselink: /)
  })

  it('runs in-process when told not to relaunch', () => {
    const { run, processes } = probe(['validate', 'fixtures/sample.csv'], { CASELINK_NO_RELAUNCH: '1' })
    expect(run.status).toBe(0)
    expect(processes).toHaveLength(1)
  })
})
