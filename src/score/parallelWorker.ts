/**
 * Worker entry of {@link scorePairsParallel}: rebuilds the case table over the shared columns,
 * compiles the same pair scorer as the calling thread, and scores chunks claimed from a shared atomic
 * counter with the same pure range scorer (`scoreRange`), writing into the shared output arrays at the
 * chunk's own offset. Posts one message when no chunk is left. Built to
 * dist/parallelWorker.{js,cjs}; run from source through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { LinkageModel } from '../model/linkageModel'
import type { CaseTable } from '../table/CaseTable'
import { createPairScorer, type PairScorer, type ScorerAdjustments } from './pairScorer'
import { scoreRange } from './scorePairs'

/** What the calling thread passes in `workerData` (typed arrays over SharedArrayBuffers). */
export interface ScoreWorkerData {
  kind: 'caselink-score'
  table: Record<string, unknown>
  reference: Record<string, unknown> | null
  model: LinkageModel
  uniformRarity: boolean | undefined
  /** The calling thread's scorer's adjustments (term frequencies, background), shared. */
  adjustments: ScorerAdjustments
  a: Uint32Array
  b: Uint32Array
  outA: Uint32Array
  outB: Uint32Array
  outWeight: Float64Array
  minWeight: number
  /** Next chunk to claim (Atomics.add). */
  next: Int32Array
  /** Pairs kept per chunk, -1 until scored. */
  kept: Int32Array
  chunkPairs: number
  count: number
}

/**
 * Claims chunks until none is left and scores each into the shared outputs; used by the workers and
 * by the calling thread alike.
 */
export function scoreChunks(scorer: PairScorer, data: ScoreWorkerData): void {
  const chunkCount = data.kept.length
  for (;;) {
    const chunk = Atomics.add(data.next, 0, 1)
    if (chunk >= chunkCount) return
    const start = chunk * data.chunkPairs
    const end = Math.min(data.count, start + data.chunkPairs)
    data.kept[chunk] = scoreRange(
      scorer,
      data.a,
      data.b,
      start,
      end,
      data.minWeight,
      data.outA,
      data.outB,
      data.outWeight,
      start,
    )
  }
}

/** Rebuilds a CaseTable from its shared form: `ids` is left as an empty array of the right length. */
export function restoreTable(shared: Record<string, unknown>): CaseTable {
  const size = shared.size as number
  return { ...shared, ids: new Array<string>(size) } as unknown as CaseTable
}

if (
  parentPort !== null &&
  workerData !== null &&
  typeof workerData === 'object' &&
  'outWeight' in workerData
) {
  const data = workerData as ScoreWorkerData
  const table = restoreTable(data.table)
  const reference = data.reference === null ? undefined : restoreTable(data.reference)
  const scorer = createPairScorer(table, data.model, {
    ...(reference === undefined ? {} : { reference }),
    ...(data.uniformRarity === undefined ? {} : { uniformRarity: data.uniformRarity }),
    adjustments: data.adjustments,
  })
  scoreChunks(scorer, data)
  parentPort.postMessage('done')
}
