import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createProgress } from '../../src/cli/progress'

function fakeStream(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns: number }
  stream.isTTY = isTTY
  stream.columns = 100
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
  })
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text }
}

describe('createProgress', () => {
  it('draws a bar on a terminal once a stage has run longer than the delay, then clears it', async () => {
    const { stream, text } = fakeStream(true)
    const progress = createProgress({ stream, delayMs: 0 })
    expect(progress.enabled).toBe(true)
    progress.stage('reading', 100)
    progress.update(40, 'cases.csv')
    progress.done()
    await new Promise((resolve) => setImmediate(resolve))
    expect(text()).toContain('reading')
    expect(text()).toContain('40%')
    expect(text()).toContain('cases.csv')
  })

  it('draws nothing for a stage shorter than the delay', async () => {
    const { stream, text } = fakeStream(true)
    const progress = createProgress({ stream, delayMs: 60_000 })
    progress.stage('reading', 100)
    progress.update(50)
    progress.done()
    await new Promise((resolve) => setImmediate(resolve))
    expect(text()).toBe('')
  })

  it('is silent when the stream is not a terminal, or with quiet', async () => {
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ]) {
      const { stream, text } = fakeStream(isTTY)
      const progress = createProgress({ stream, quiet, delayMs: 0 })
      expect(progress.enabled).toBe(false)
      progress.stage('linking', 7)
      progress.update(3, 'scoring')
      progress.done()
      await new Promise((resolve) => setImmediate(resolve))
      expect(text()).toBe('')
    }
  })
})
