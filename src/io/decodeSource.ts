/**
 * Text encodings of input files: UTF-8 (with or without BOM), UTF-16 (with BOM) and GB18030/GBK (what Excel
 * writes on a Chinese Windows machine), detected from the first bytes or forced, decoded while streaming.
 *
 * Decoding uses the platform's `TextDecoder` (WHATWG Encoding: Node's ICU has GB18030, UTF-16LE/BE)
 * rather than iconv-lite: no dependency, the standard's GB18030 table (a superset of GBK), and streaming
 * decoding (`{ stream: true }`) that keeps a character split across chunks whole.
 */

import { TextDecoder } from 'node:util'

/** The encodings caselink reads. */
export const SOURCE_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'gb18030'] as const

/** One of {@link SOURCE_ENCODINGS}. */
export type SourceEncoding = (typeof SOURCE_ENCODINGS)[number]

/** Bytes read before the encoding is decided. */
export const DETECTION_BYTES = 65_536

/**
 * Reads an encoding name as given by a user: the {@link SOURCE_ENCODINGS}, `utf8`, `gbk`, `gb2312`, `cp936`
 * (all read as GB18030, which contains them), case-insensitive. Throws a `caselink:` RangeError otherwise.
 *
 * @example
 * sourceEncoding('GBK') // 'gb18030'
 */
export function sourceEncoding(name: string): SourceEncoding {
  const key = name.trim().toLowerCase().replace(/_/g, '-')
  if (key === 'utf8' || key === 'utf-8') return 'utf-8'
  if (key === 'utf-16le' || key === 'utf16le') return 'utf-16le'
  if (key === 'utf-16be' || key === 'utf16be') return 'utf-16be'
  if (key === 'gb18030' || key === 'gbk' || key === 'gb2312' || key === 'cp936') return 'gb18030'
  throw new RangeError(
    `caselink: unknown encoding '${name}' (expected utf-8, utf-16le, utf-16be, gb18030 or gbk)`,
  )
}

/**
 * The encoding of a file from its first bytes: a BOM says UTF-8 or UTF-16; otherwise UTF-8, unless the
 * non-ASCII bytes are mostly not valid UTF-8 (GB18030 text read as UTF-8 breaks at nearly every Chinese
 * character; a UTF-8 file with one broken byte breaks once), then GB18030.
 *
 * @example
 * detectEncoding(Buffer.from('案件', 'utf8')) // 'utf-8'
 * detectEncoding(Uint8Array.of(0xb0, 0xb8, 0xbc, 0xfe)) // 'gb18030'
 */
export function detectEncoding(sample: Uint8Array): SourceEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8'
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le'
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be'
  const text = new TextDecoder('utf-8').decode(sample, { stream: true })
  let broken = 0
  let other = 0
  for (let k = 0; k < text.length; k++) {
    const code = text.charCodeAt(k)
    if (code === 0xfffd) broken++
    else if (code > 0x7f) other++
  }
  return broken > 0 && broken * 20 > other ? 'gb18030' : 'utf-8'
}

/**
 * Decodes a byte stream to text chunks: the encoding forced, or detected from the first
 * {@link DETECTION_BYTES} (`onEncoding` is told which). A BOM is dropped. Bytes that are not valid in the
 * encoding become U+FFFD, so that the reader can reject the record holding them and keep the others.
 * Chunks that already are strings pass through (a stream the caller decoded).
 *
 * @example
 * for await (const text of decodeChunks(createReadStream('cases.csv'), { onEncoding: console.log })) …
 */
export async function* decodeChunks(
  chunks: AsyncIterable<Uint8Array | string>,
  options: { encoding?: SourceEncoding; onEncoding?: (encoding: SourceEncoding) => void } = {},
): AsyncGenerator<string> {
  const pending: Uint8Array[] = []
  let pendingBytes = 0
  let decoder: TextDecoder | undefined
  const start = (sample: Uint8Array): TextDecoder => {
    const encoding = options.encoding ?? detectEncoding(sample)
    options.onEncoding?.(encoding)
    return new TextDecoder(encoding)
  }
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      yield chunk
      continue
    }
    let bytes = chunk
    if (decoder === undefined) {
      pending.push(chunk)
      pendingBytes += chunk.length
      if (pendingBytes < DETECTION_BYTES) continue
      bytes = concat(pending, pendingBytes)
      pending.length = 0
      pendingBytes = 0
      decoder = start(bytes)
    }
    const text = decoder.decode(bytes, { stream: true })
    if (text !== '') yield text
  }
  if (decoder === undefined) {
    if (pendingBytes === 0) return
    const sample = concat(pending, pendingBytes)
    decoder = start(sample)
    const text = decoder.decode(sample, { stream: true })
    if (text !== '') yield text
  }
  const rest = decoder.decode()
  if (rest !== '') yield rest
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
