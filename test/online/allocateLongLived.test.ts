import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ensureCapacity } from '../../src/online/caseStore'
import { allocateLongLived, resizeLongLived } from '../../src/util/longLived'

const shared = globalThis.SharedArrayBuffer

afterEach(() => {
  globalThis.SharedArrayBuffer = shared
})

describe('allocateLongLived', () => {
  it('gives zeroed arrays of the asked type and length, large ones in shared memory', () => {
    const small = allocateLongLived(Float64Array, 100)
    expect(small).toBeInstanceOf(Float64Array)
    expect(small.length).toBe(100)
    expect(small.buffer).toBeInstanceOf(ArrayBuffer)
    const large = allocateLongLived(Int32Array, 1 << 16)
    expect(large).toBeInstanceOf(Int32Array)
    expect(large.length).toBe(1 << 16)
    expect(large.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(large.every((x) => x === 0)).toBe(true)
  })

  it('falls back to an ArrayBuffer where SharedArrayBuffer does not exist', async () => {
    // a platform without shared memory (a browser page without cross-origin isolation), seen at load
    // @ts-expect-error: removed for this test
    globalThis.SharedArrayBuffer = undefined
    vi.resetModules()
    const fresh = await import('../../src/util/longLived')
    const large = fresh.allocateLongLived(Uint32Array, 1 << 16)
    expect(large.buffer).toBeInstanceOf(ArrayBuffer)
    large[5] = 7
    const grown = fresh.resizeLongLived(large, 1 << 17)
    expect(grown.length).toBe(1 << 17)
    expect(grown[5]).toBe(7)
    expect(grown.buffer).not.toBe(large.buffer)
  })
})

describe('resizeLongLived', () => {
  it('copies the entries into a larger long-lived array of the same type, zeros after them', () => {
    const column = allocateLongLived(Float64Array, 1 << 13)
    column[100] = 1.5
    const grown = resizeLongLived(column, 1 << 15)
    expect(grown).toBeInstanceOf(Float64Array)
    expect(grown.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(grown.length).toBe(1 << 15)
    expect(grown[100]).toBe(1.5)
    expect(grown.subarray(1 << 13).every((x) => x === 0)).toBe(true)
    grown[7] = 3
    expect(column[7]).toBe(0)
  })
})

describe('ensureCapacity', () => {
  it('keeps the entries and the type, and holds what was asked (the simple copy)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 64 }),
        fc.nat(70_000),
        (values, needed) => {
          const array = Int32Array.from(values)
          const grown = ensureCapacity(array, needed)
          expect(grown).toBeInstanceOf(Int32Array)
          expect(grown.length).toBeGreaterThanOrEqual(Math.max(needed, values.length))
          expect(Array.from(grown.subarray(0, values.length))).toEqual(Array.from(array))
          expect(grown.subarray(values.length).every((x) => x === 0)).toBe(true)
          if (needed <= values.length) expect(grown).toBe(array)
        },
      ),
      { numRuns: 60 },
    )
  })
})
