import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCliSession } from './cliBuild'

const session = useCliSession('explain')
const runCli = session.run
const oneLineError = session.oneLineError
const read = (path: string) => readFileSync(path, 'utf8')

describe('caselink explain and evaluate (built binary)', () => {
  it('explain prints the waterfall; --json contributions sum to the total', () => {
    const linked = runCli(
      'link',
      'fixtures/sample.csv',
      '--time-zone',
      'Asia/Shanghai',
      '--out',
      session.dir,
      '--formats',
      'json',
    )
    expect(linked.status).toBe(0)
    const doc = JSON.parse(read(join(session.dir, 'series.json')))
    const { a, b } = doc.series[0].strongestLinks[0]
    const text = runCli('explain', 'fixtures/sample.csv', a, b, '--time-zone', 'Asia/Shanghai')
    expect(text.status).toBe(0)
    expect(text.stdout).toMatch(
      new RegExp(`^${a} – ${b}: match weight \\+\\d+\\.\\d\\d bits, probability (0\\.9|1\\.0)`),
    )
    expect(text.stdout).toMatch(/\nprior\s+-\d+\.\d\d/)
    expect(text.stdout).toMatch(/\ntotal\s+\+\d/)
    const json = runCli('explain', 'fixtures/sample.csv', a, b, '--time-zone', 'Asia/Shanghai', '--json')
    const score = JSON.parse(json.stdout)
    const sum = score.contributions.reduce((s: number, c: { matchWeight: number }) => s + c.matchWeight, 0)
    expect(sum).toBeCloseTo(score.matchWeight, 9)
    expect(score.contributions[0].comparison).toBe('prior')
    expect(score.matchWeight).toBeCloseTo(doc.series[0].strongestLinks[0].matchWeight, 9)
    oneLineError(runCli('explain', 'fixtures/sample.csv', a, 'NO-SUCH-ID'))
    oneLineError(
      runCli('explain', 'fixtures/hostile.ndjson', 'OK-1', 'REVERSED', '--time-zone', 'America/Chicago'),
    )
  })

  it('evaluate prints metrics; a missed --min-f1 target exits 1; unlabelled input exits 2', () => {
    const run = runCli('evaluate', 'fixtures/sample.csv', '--time-zone', 'Asia/Shanghai', '--json')
    expect(run.status).toBe(0)
    const metrics = JSON.parse(run.stdout)
    const f1 = metrics.partition.pairwise.f1
    expect(f1).toBeGreaterThan(0)
    expect(metrics.scores.auc).toBeGreaterThan(0.5)
    const text = runCli('evaluate', 'fixtures/sample.csv', '--time-zone', 'Asia/Shanghai')
    expect(text.stdout).toMatch(/pairwise F1\s+\d+\.\d%/)
    expect(
      runCli('evaluate', 'fixtures/sample.csv', '--time-zone', 'Asia/Shanghai', '--min-f1', '0').status,
    ).toBe(0)
    if (f1 < 1) {
      const target = String(Math.min(1, f1 + 0.001))
      const missed = runCli(
        'evaluate',
        'fixtures/sample.csv',
        '--time-zone',
        'Asia/Shanghai',
        '--min-f1',
        target,
      )
      expect(missed.status).toBe(1)
      expect(missed.stdout).toContain('target missed: pairwise F1')
    }
    const unlabelled = join(session.dir, 'unlabelled.ndjson')
    writeFileSync(unlabelled, '{"id":"a","time":1709676600000}\n{"id":"b","time":1709676600000}\n')
    oneLineError(runCli('evaluate', unlabelled))
  })
})
