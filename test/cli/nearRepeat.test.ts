import { beforeAll, describe, expect, it } from 'vitest'
import { buildCli, type CliRunner, expectOneLineError } from './cliBuild'

let cli: CliRunner
const run = (...args: string[]) => cli(args)
const ARSONS = 'fixtures/near-repeat/chicago-arson.csv'
const CALCULATOR = ['--distance-breaks', '0,200,400,600', '--time-breaks', '0,1,2,3', '--closed', 'left']

beforeAll(async () => {
  cli = await buildCli('near-repeat')
})

describe('caselink near-repeat', () => {
  it('prints the table with ratios, p-values and marks, the zones and a one-line reading', () => {
    const { status, stdout } = run(
      'near-repeat',
      ARSONS,
      ...CALCULATOR,
      '--permutations',
      '99',
      '--zone',
      '400:2',
    )
    expect(status).toBe(0)
    expect(stdout).toContain(`${ARSONS}: 522 rows, 522 valid, 0 rejected`)
    expect(stdout).toContain(
      'near-repeat: 522 incidents, 135,981 pairs, 99 permutations (seed 0), manhattan distance',
    )
    expect(stdout).toMatch(/\n\[0, 200\) m +9 \([0-9.]+×, 0\.01\)\* +1 \(/)
    expect(stdout).toMatch(/\npairs within 400 m and 2 days: \d+, [0-9.]+× chance, p = /)
    expect(stdout).toMatch(/\npairs within 200 m and 1 day: 9, [0-9.]+× chance, p = 0\.01 \(significant\)\n$/)
  })

  it('--json holds the whole result, every pair counted once', () => {
    const { status, stdout } = run('near-repeat', ARSONS, ...CALCULATOR, '--permutations', '19', '--json')
    expect(status).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.counts.valid).toBe(522)
    expect(result.observed[1]).toEqual([9, 1, 1, 45])
    expect(result.observed.flat().reduce((a: number, b: number) => a + b, 0)).toBe((522 * 521) / 2)
    expect(result.timeBands.map((b: { label: string }) => b.label)).toEqual([
      '[0, 1) days',
      '[1, 2) days',
      '[2, 3) days',
      '≥ 3 days',
    ])
  })

  it('refuses a bad option in one line', () => {
    const cases: [string[], RegExp][] = [
      [['--closed', 'both'], /closed must be 'right' or 'left'/],
      [['--distance-breaks', '0,abc'], /--distance-breaks must be a number/],
      [['--zone', '200'], /--zone must be METRES:DAYS/],
    ]
    for (const [args, message] of cases) {
      const result = run('near-repeat', ARSONS, ...args)
      expectOneLineError(result, expect)
      expect(result.stderr).toMatch(message)
    }
  })
})
