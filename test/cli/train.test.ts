import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCliSession } from './cliBuild'

const session = useCliSession('train')
const runCli = session.run
const oneLineError = session.oneLineError
const read = (path: string) => readFileSync(path, 'utf8')

describe('caselink train (built binary)', () => {
  it('train fits a supervised model from labels, prints the m/u table, and link reads the model back', () => {
    const model = join(session.dir, 'model.json')
    const run = runCli('train', 'fixtures/sample.csv', '-o', model, '--time-zone', 'Asia/Shanghai')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('trained supervised, from series labels')
    expect(run.stdout).toMatch(/\nprior λ\s+\d/)
    expect(run.stdout).toMatch(/\ndistance\s+missing\s+/)
    const saved = JSON.parse(read(model))
    expect(saved.format).toBe('caselink-model')
    expect(saved.training.method).toBe('supervised')
    // the learned horizon and rare-MO limits, as stored
    const { blocking } = saved
    expect(run.stdout).toContain(
      `blocking learned from the solved cases: ${blocking.maxDistanceMeters.toLocaleString('en-US')} m, ${blocking.maxGapDays} days`,
    )
    expect(run.stdout).toContain(
      `rare MO within ${blocking.rareMo.maxDistanceMeters.toLocaleString('en-US')} m, ${blocking.rareMo.maxGapDays} days`,
    )
    // the series-to-series part, when the sample's detected series gave pairs to learn from
    if (saved.seriesLinks === undefined) expect(run.stdout).not.toContain('series links:')
    else
      expect(run.stdout).toContain(
        `series links: ${saved.seriesLinks.training.pairs.toLocaleString('en-US')} pairs of detected series compared, ${saved.seriesLinks.training.linked.toLocaleString('en-US')} one offender's; merged at p ≥ ${saved.seriesLinks.minProbability}`,
      )
    const linked = runCli(
      'link',
      'fixtures/sample.csv',
      '--model',
      model,
      '--time-zone',
      'Asia/Shanghai',
      '--out',
      session.dir,
      '--json',
      '--formats',
      'json',
    )
    expect(linked.status).toBe(0)
    expect(JSON.parse(read(join(session.dir, 'series.json'))).options.model).toBe(model)
    const unlabelled = join(session.dir, 'unlabelled-train.ndjson')
    writeFileSync(unlabelled, '{"id":"a","time":1709676600000}\n{"id":"b","time":1709676700000}\n')
    oneLineError(runCli('train', unlabelled, '-o', join(session.dir, 'm.json'), '--method', 'supervised'))
    oneLineError(
      runCli('train', 'fixtures/sample.csv', '-o', join(session.dir, 'm.json'), '--method', 'magic'),
    )
  })
})
