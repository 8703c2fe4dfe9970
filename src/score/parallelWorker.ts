/**
 * Worker entry of {@link scorePairsParallel}: rebuilds the case table over the shared columns,
 * compiles the same pair scorer as the calling thread, and scores the chunks it is sent with the same
 * pure range scorer (`scoreRange`), writing into the shared output arrays at the chunk's own offset.
 * Built to dist/parallelWorker.{js,cjs}; run from source through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { LinkageModel } from '../model/linkageModel'
import type { CaseTable } from '../table/CaseTable'
import { createPairScorer } from './pairScorer'
import { scoreRange } from './scorePairs'

/** What the calling thread passes in `workerData`. */
export interface ScoreWorkerData {
  table: Record<string, unknown>
  reference: Record<string, unknown> | null
  model: LinkageModel
  uniformRarity: boolean | undefined
  a: Uint32Array
  b: Uint32Array
  outA: Uint32Array
  outB: Uint32Array
  outWeight: Float64Array
  minWeight: number
}

/** A chunk to score, and the reply. */
export interface ScoreTask {
  chunk: number
  start: number
  end: number
}
export interface ScoreReply {
  chunk: number
  kept: number
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
  const port = parentPort
  const data = workerData as ScoreWorkerData
  const table = restoreTable(data.table)
  const reference = data.reference === null ? undefined : restoreTable(data.reference)
  const scorer = createPairScorer(table, data.model, {
    ...(reference === undefined ? {} : { reference }),
    ...(data.uniformRarity === undefined ? {} : { uniformRarity: data.uniformRarity }),
  })
  port.on('message', (task: ScoreTask) => {
    const kept = scoreRange(
      scorer,
      data.a,
      data.b,
      task.start,
      task.end,
      data.minWeight,
      data.outA,
      data.outB,
      data.outWeight,
      task.start,
    )
    port.postMessage({ chunk: task.chunk, kept } satisfies ScoreReply)
  })
  port.postMessage({ chunk: -1, kept: 0 } satisfies ScoreReply)
}
