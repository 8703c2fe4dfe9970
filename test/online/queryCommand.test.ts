import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/program'

const dir = mkdtempSync(join(tmpdir(), 'caselink-query-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = 0
})

async function run(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = ''
  let stderr = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  })
  process.exitCode = 0
  await main(['node', 'caselink', ...args])
  vi.restoreAllMocks()
  return { stdout, stderr, code: Number(process.exitCode ?? 0) }
}

describe('caselink query', () => {
  const index = join(dir, 'sample.clx')

  it('builds an index with --add, then ranks incidents and series for an inline record (one JSON line each)', async () => {
    const added = await run('query', index, '--add', 'fixtures/sample.csv', '--time-zone', 'Asia/Shanghai')
    expect(added.code).toBe(0)
    const summary = JSON.parse(added.stderr.split('\n')[0])
    expect(summary.added).toBe(300)
    expect(summary.series).toBeGreaterThan(0)
    const record = {
      id: 'NEW-1',
      time: '2024-06-12T11:00:00',
      lat: 32.0188,
      lon: 119.57532,
      category: 'burglary.residential',
      mo: ['target:phone', 'entry:window'],
      narrative: '事主三河镇家中被盗，嫌疑人翻窗入室，盗走现金及首饰。',
    }
    const queried = await run('query', index, JSON.stringify(record), '--k', '3')
    expect(queried.code).toBe(0)
    const lines = queried.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const result = JSON.parse(lines[0])
    expect(result.id).toBe('NEW-1')
    expect(result.incidents.length).toBeGreaterThan(0)
    expect(result.incidents.length).toBeLessThanOrEqual(3)
    expect(result.incidents[0].reasons.length).toBeGreaterThan(0)
    expect(result.incidents[0].id).toBe('320100126')
  })

  it('reports a damaged index file in one caselink: line with exit code 2', async () => {
    const bad = join(dir, 'bad.clx')
    writeFileSync(bad, 'CASELNKI not really an index')
    const result = await run('query', bad, '{"id":"x","time":"2024-01-01"}')
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^caselink: .*bad\.clx is not a usable linkage index/)
  })

  it('exits 1 and names the row when a queried record is invalid', async () => {
    const result = await run('query', index, '{"id":"x"}')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^caselink: row 0 \(x\)/)
    expect(result.stdout).toBe('')
  })
})
