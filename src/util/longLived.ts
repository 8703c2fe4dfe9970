/** Typed-array constructors {@link allocateLongLived} makes arrays of. */
export type LongLivedConstructor<T> = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T
  BYTES_PER_ELEMENT: number
}

/** A typed array as {@link resizeLongLived} reads it. */
interface TypedArrayOf<T> {
  readonly length: number
  set(array: T): void
}

/** Arrays from this many bytes on are allocated as shared memory (see {@link allocateLongLived}). */
const SHARED_FROM_BYTES = 65_536

/**
 * Shared memory, when the platform has it (Node.js does; a browser page only with cross-origin
 * isolation): looked up once.
 */
const Shared: (new (bytes: number) => ArrayBufferLike) | null =
  typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : null

/**
 * A zeroed typed array of `length` elements for storage that lives as long as an index (its columns,
 * lists and pools, grown by doubling with {@link resizeLongLived}). From 64 KB on it is backed by a
 * SharedArrayBuffer where the platform has one: V8 counts ArrayBuffer memory as external memory and
 * starts a full collection of the whole JavaScript heap for every 64 MB it grows by, so an index growing to
 * a gigabyte (with the copies doubling leaves behind) beside an application's heap of a gigabyte spent
 * 10-15 s of a 1M-incident bulk add in such collections; shared memory is not counted that way. The cost:
 * copies left behind by growth are freed only by the next full collection V8 runs for its own heap. The
 * memory is only ever used from this thread. Without shared memory it is an ordinary ArrayBuffer.
 *
 * @example
 * const rows = allocateLongLived(Float64Array, 1 << 20)
 */
export function allocateLongLived<T>(Ctor: LongLivedConstructor<T>, length: number): T {
  const bytes = length * Ctor.BYTES_PER_ELEMENT
  return new Ctor(Shared === null || bytes < SHARED_FROM_BYTES ? new ArrayBuffer(bytes) : new Shared(bytes))
}

/**
 * A copy of `array` with room for `capacity` elements (`capacity` >= its length), zeros after its entries,
 * allocated by {@link allocateLongLived}.
 *
 * @example
 * let column = allocateLongLived(Float64Array, 1 << 16)
 * column = resizeLongLived(column, 1 << 17)
 */
export function resizeLongLived<T extends TypedArrayOf<T>>(array: T, capacity: number): T {
  const grown = allocateLongLived(array.constructor as unknown as LongLivedConstructor<T>, capacity)
  grown.set(array)
  return grown
}
