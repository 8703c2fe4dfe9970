import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { type LinkageModel, matchProbability } from '../model/linkageModel'
import type { CaseTable } from '../table/CaseTable'
import { createPairScorer } from './pairScorer'
import { type ScoreWorkerData, scoreChunks } from './parallelWorker'
import {
  type CandidatePairs,
  type ScoredPairs,
  type ScorePairsOptions,
  scorePairs,
  weightFloor,
} from './scorePairs'

/** Options of {@link scorePairsParallel}. */
export interface ScorePairsParallelOptions extends ScorePairsOptions {
  /**
   * Threads that score, the calling thread included (so `workers − 1` worker threads are started).
   * Default `os.availableParallelism()`; 1 scores on the calling thread only.
   */
  workers?: number
  /**
   * Below this many candidate pairs, score on the calling thread only (a worker costs ~0.1 s to
   * start plus compiling the scorer, O(rows)). Default 500,000.
   */
  minParallelPairs?: number
  /**
   * Whether the calling thread scores chunks too (blocking its event loop meanwhile). Default true;
   * false keeps it free: `workers` worker threads then do all the scoring.
   */
  scoreOnCallingThread?: boolean
  /** Pairs per chunk claimed by a thread. Default: count / (16 · workers), within [20,000, 1,000,000]. */
  chunkPairs?: number
}

const DEFAULTS = { minParallelPairs: 500_000, scoreOnCallingThread: true }

/** Result of {@link scorePairsParallel}: the scored pairs, and how many threads scored them. */
export interface ParallelScoredPairs extends ScoredPairs {
  /** Threads that scored (worker threads plus the calling thread); 1 without workers. */
  threads: number
}

/**
 * Scores candidate pairs like {@link scorePairs}, split across threads: the table's columns are
 * copied once into SharedArrayBuffers (cached per table, not per worker), each worker thread compiles
 * the same scorer, and every thread (the calling one too) claims chunks of pairs from a shared atomic
 * counter and runs the same pure range scorer (`scoreRange`) on them, writing into shared output
 * arrays at the chunk's offset; the kept pairs are then gathered in chunk order. The result is
 * identical to `scorePairs` (same pairs, same weights bit for bit, same order). Scores on the calling
 * thread only when `workers` is 1 or the candidates are fewer than `minParallelPairs`. Memory: the
 * shared table copy plus 16 bytes per candidate pair; each worker holds its own compiled scorer.
 *
 * @example
 * const scored = await scorePairsParallel(table, generateCandidates(table), model, { minProbability: 0.5 })
 * scored.count // pairs kept, in candidate order
 * scored.threads // 2 on a 2-core machine with more than 500,000 candidates
 */
export async function scorePairsParallel(
  table: CaseTable,
  candidates: CandidatePairs,
  model: LinkageModel,
  options: ScorePairsParallelOptions = {},
): Promise<ParallelScoredPairs> {
  const { count } = candidates
  const workerCount = options.workers ?? availableParallelism()
  const minParallelPairs = options.minParallelPairs ?? DEFAULTS.minParallelPairs
  if (!(Number.isInteger(workerCount) && workerCount >= 1)) {
    throw new RangeError(`caselink: workers must be an integer >= 1, got ${workerCount}`)
  }
  if (workerCount === 1 || count < minParallelPairs) {
    return { ...scorePairs(table, candidates, model, options), threads: 1 }
  }
  if (candidates.a.length < count || candidates.b.length < count) {
    throw new Error('caselink: candidate arrays are shorter than count')
  }
  const size = table.size
  for (let k = 0; k < count; k++) {
    if (candidates.a[k] >= size || candidates.b[k] >= size) {
      throw new Error(`caselink: candidate pair ${k} refers to a row outside the table (size ${size})`)
    }
  }
  const chunkPairs =
    options.chunkPairs ?? Math.min(1_000_000, Math.max(20_000, Math.ceil(count / (16 * workerCount))))
  if (!(Number.isInteger(chunkPairs) && chunkPairs >= 1)) {
    throw new RangeError(`caselink: chunkPairs must be an integer >= 1, got ${chunkPairs}`)
  }
  const chunkCount = Math.ceil(count / chunkPairs)
  // when the calling thread scores too: workerCount − 1 worker threads
  const onCallingThread = options.scoreOnCallingThread ?? DEFAULTS.scoreOnCallingThread
  const spawned = Math.min(workerCount, chunkCount) - (onCallingThread ? 1 : 0)
  const kept = new Int32Array(new SharedArrayBuffer(4 * chunkCount)).fill(-1)
  // the calling thread's scorer measures the term frequencies and background once; workers share them
  const scorer = options.scorer ?? createPairScorer(table, model, options)
  const { moTermFrequency, categoryTermFrequency, tfLayout, backgroundBits } = scorer.adjustments
  const data: ScoreWorkerData = {
    kind: 'caselink-score',
    table: shareTable(table),
    reference: options.reference === undefined ? null : shareTable(options.reference),
    model,
    uniformRarity: options.uniformRarity,
    adjustments: {
      moTermFrequency: shareView(moTermFrequency) as Float64Array,
      categoryTermFrequency: shareView(categoryTermFrequency) as Float64Array,
      tfLayout: shareView(tfLayout) as Int32Array,
      backgroundBits: shareView(backgroundBits) as Float64Array,
      backgroundExpected: null,
    },
    a: shareArray(candidates.a, count),
    b: shareArray(candidates.b, count),
    outA: new Uint32Array(new SharedArrayBuffer(count * 4)),
    outB: new Uint32Array(new SharedArrayBuffer(count * 4)),
    outWeight: new Float64Array(new SharedArrayBuffer(count * 8)),
    minWeight: weightFloor(options),
    next: new Int32Array(new SharedArrayBuffer(4)),
    kept,
    chunkPairs,
    count,
  }
  const entry = workerEntry()
  // no inherited Node flags: a worker rejects many of them (--max-old-space-size, --input-type …), and
  // needs none (the built chunk is plain JS; the source is loaded through tsx's tsImport)
  const execArgv: string[] = []
  const workers: Worker[] = []
  const finished: Promise<void>[] = []
  try {
    for (let w = 0; w < spawned; w++) {
      const worker = new Worker(entry.file, { workerData: data, eval: entry.eval, execArgv })
      workers.push(worker)
      finished.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', () => resolve())
          worker.on('error', (error) =>
            reject(new Error(`caselink: scoring worker failed: ${error.message}`)),
          )
          worker.on('exit', (code) =>
            reject(new Error(`caselink: scoring worker exited early (code ${code})`)),
          )
        }),
      )
    }
    // a rejected worker must not go unhandled while this thread scores
    const settled = Promise.all(finished)
    settled.catch(() => {})
    if (onCallingThread) scoreChunks(scorer, data)
    await settled
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
  for (let c = 0; c < chunkCount; c++) {
    if (kept[c] < 0) throw new Error(`caselink: internal: chunk ${c} was not scored`)
  }
  const threads = spawned + (onCallingThread ? 1 : 0)
  let total = 0
  for (let c = 0; c < chunkCount; c++) total += kept[c]
  const a = new Uint32Array(total)
  const b = new Uint32Array(total)
  const matchWeight = new Float64Array(total)
  const probability = new Float64Array(total)
  let at = 0
  for (let c = 0; c < chunkCount; c++) {
    const start = c * chunkPairs
    const end = start + kept[c]
    a.set(data.outA.subarray(start, end), at)
    b.set(data.outB.subarray(start, end), at)
    matchWeight.set(data.outWeight.subarray(start, end), at)
    at += kept[c]
  }
  for (let k = 0; k < total; k++) probability[k] = matchProbability(matchWeight[k])
  return { count: total, a, b, matchWeight, probability, threads }
}

const sharedTables = new WeakMap<CaseTable, Record<string, unknown>>()

/**
 * The table in a form workers receive without copying: every typed-array column copied once into a
 * SharedArrayBuffer (cached per table), other fields (vocabularies, scalars) passed as they are,
 * `ids` left out (the scorer does not read them).
 */
function shareTable(table: CaseTable): Record<string, unknown> {
  const cached = sharedTables.get(table)
  if (cached !== undefined) return cached
  const shared: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(table)) {
    if (key === 'ids') continue
    shared[key] = ArrayBuffer.isView(value) ? shareView(value) : value
  }
  sharedTables.set(table, shared)
  return shared
}

type View = ArrayBufferView & { length: number; set(source: ArrayLike<number>): void }

function shareView(view: ArrayBufferView): ArrayBufferView {
  if (view.buffer instanceof SharedArrayBuffer) return view
  const Constructor = view.constructor as new (buffer: SharedArrayBuffer) => View
  const bytes = view.byteLength
  const copy = new Constructor(new SharedArrayBuffer(bytes))
  copy.set(view as unknown as ArrayLike<number>)
  return copy
}

function shareArray(values: Uint32Array, count: number): Uint32Array {
  if (values.buffer instanceof SharedArrayBuffer && values.length === count) return values
  const copy = new Uint32Array(new SharedArrayBuffer(count * 4))
  copy.set(values.subarray(0, count))
  return copy
}

/**
 * How to start the worker script next to this module: the built chunk (dist/parallelWorker.js or
 * .cjs) when running from dist; else the TypeScript source, imported in the worker through tsx's
 * `tsImport` (tests, `tsx` scripts: a worker does not inherit the parent's loader hooks).
 */
function workerEntry(): { file: URL | string; eval: boolean } {
  const here = moduleUrl()
  const cjs = here.endsWith('.cjs')
  const built = new URL(`./parallelWorker.${cjs ? 'cjs' : 'js'}`, here)
  if (!here.endsWith('.ts') && existsSync(built)) return { file: built, eval: false }
  const source = new URL('./parallelWorker.ts', here)
  if (existsSync(source)) {
    const api = tsxEsmApi(here)
    const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(source.href)}))`
    return { file: code, eval: true }
  }
  if (existsSync(built)) return { file: built, eval: false }
  throw new Error(`caselink: cannot find the scoring worker (parallelWorker) next to ${here}`)
}

function moduleUrl(): string {
  // CommonJS build: __filename; ES modules (dist, tsx, vitest): import.meta.url
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url
}

/** File URL of tsx's ESM API (`tsx/esm/api`), resolved from this module. */
function tsxEsmApi(from: string): string {
  const require = createRequire(from)
  const manifestPath = require.resolve('tsx/package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } }>
  }
  const target = manifest.exports?.['./esm/api']?.import?.default
  if (typeof target !== 'string') {
    throw new Error('caselink: running the scoring worker from TypeScript source needs tsx (tsx/esm/api)')
  }
  return new URL(target, pathToFileURL(manifestPath)).href
}
