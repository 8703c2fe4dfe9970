import { readFile, rename, writeFile } from 'node:fs/promises'
import type { GenerateCandidatesOptions, RareMoOptions } from '../blocking/blockingOptions'
import { resolveBlockingOptions } from '../blocking/blockingOptions'
import { generateCandidates } from '../blocking/generateCandidates'
import { acceptParsed, incidentToRecord, isIncident } from '../link/isIncident'
import { LINK_DEFAULTS, scorerWithPriors } from '../link/linkIncidents'
import type { RankedIncident, RankedSeries } from '../link/rankSeries'
import { defaultModel } from '../model/defaultModel'
import { type LinkageModel, matchProbability, parseLinkageModel } from '../model/linkageModel'
import type { Incident, RecordIssue } from '../schema/incident'
import { parseIncidents } from '../schema/parseIncidents'
import { GrowingPairScorer } from '../score/growingPairScorer'
import { createPairScorer } from '../score/pairScorer'
import { scorePairs } from '../score/scorePairs'
import { explainLink } from '../series/summarizeSeries'
import { buildCaseTable } from '../table/buildCaseTable'
import { batchEquivalentOptions, CandidateIndex } from './candidateIndex'
import { CaseStore, ensureCapacity, RowIndex } from './caseStore'
import { IncrementalClusters } from './incrementalClusters'
import { decodeIndexFile, encodeIndexFile, type IndexSnapshot } from './indexFile'

/**
 * Options of {@link createLinkageIndex}: the model, the blocking horizon (a model's learned horizon, as
 * learned, unless `maxDistanceMeters` or `maxGapDays` is given), the edge floor, the clustering.
 */
export interface LinkageIndexOptions extends GenerateCandidatesOptions {
  /** Linkage model. Default {@link defaultModel}(). */
  model?: LinkageModel
  /** Links below this probability are not edges of the series graph. Default `LINK_DEFAULTS.minProbability` (0.9). */
  minProbability?: number
  /** CPM resolution γ of the series (as `linkIncidents`' Leiden-CPM). Default `LINK_DEFAULTS.clustering.resolution` (0.005). */
  resolution?: number
  /** IANA time zone for raw rows without an offset and for time of day / day of week. Default `'UTC'`. */
  timeZone?: string
  /** Projection origin (degrees). Default: the mean lat/lon of the first added batch. */
  originLat?: number
  originLon?: number
  /**
   * `'estimate'` (default): `recluster()` re-estimates the prior of each kind of pair on the indexed
   * incidents (`estimatePriors`, as `linkIncidents` does), re-scores their candidate pairs with it and
   * rebuilds the links; adds score with the priors of the last estimate (the model's until then).
   * `'model'`: the model's priors always.
   */
  prior?: 'estimate' | 'model'
}

/** Options of {@link LinkageIndex.query}. */
export interface IndexQueryOptions {
  /** How many incidents and series to return. Default 10. */
  k?: number
}

/** What {@link LinkageIndex.query} returns. */
export interface IndexQueryResult {
  /** The most similar indexed incidents, most probable first, with reasons. */
  incidents: RankedIncident[]
  /** The series of those incidents, by their best link's probability (`score`), with that link's reasons. */
  series: RankedSeries[]
  /** Indexed incidents compared (the blocking candidates of the query). */
  compared: number
}

/** What {@link LinkageIndex.add} returns. */
export interface IndexAddResult {
  /** Incidents added. */
  added: number
  /** Rows rejected (invalid, or an id already indexed). */
  issues: RecordIssue[]
  /** Candidate pairs scored and links (edges ≥ minProbability) kept. */
  compared: number
  linked: number
  /**
   * Earlier links removed because a value they were blocked on grew common (batch blocking, with the final
   * frequencies, would not compare those pairs).
   */
  unlinked: number
  /** Node moves, community splits and merges of the re-clustering. */
  moves: number
  splits: number
  merges: number
  /** Incidents of the region Leiden re-clustered. */
  regionNodes: number
}

/** A current series of the index. */
export interface IndexSeries {
  /** `S<label>`: stable while the series exists (a merged series keeps the id it merged into). */
  id: string
  /** Member incident ids, in the order they were added. */
  members: string[]
  size: number
}

/** Counts and memory of an index. */
export interface IndexStats {
  incidents: number
  links: number
  series: number
  /** Bytes held in typed arrays (columns, blocking lists, graph), excluding id strings and maps. */
  typedArrayBytes: number
}

/**
 * An online linkage index: incidents are added as they arrive, compared only with the incidents batch
 * blocking would pair them with, and their series are kept current by local re-clustering. Queries score a
 * new report against the index without adding it.
 */
export interface LinkageIndex {
  /** Indexed incidents. */
  readonly size: number
  /** The model the index scores with (its priors re-estimated by `recluster()`). */
  readonly model: LinkageModel
  /** The options the index was created with (defaults applied). */
  readonly options: Readonly<
    Required<Pick<LinkageIndexOptions, 'minProbability' | 'resolution' | 'timeZone'>>
  > &
    LinkageIndexOptions
  /** Adds incidents (raw rows or parsed incidents), links them and updates the series. */
  add(rows: readonly unknown[]): IndexAddResult
  /** The top-k most similar indexed incidents and series for an incident, without adding it. */
  query(incident: unknown, options?: IndexQueryOptions): IndexQueryResult
  /**
   * Brings the index to what batch `linkIncidents` makes of the indexed incidents (for quiet hours; O(a
   * batch link)): re-estimates the prior of each kind of pair on them (unless `prior: 'model'`; the model's
   * pairPriors are replaced by the estimate), rebuilds the links from their candidate pairs scored with the
   * frequencies and background of all of them (a link made on arrival used those of its time), then
   * re-clusters the whole link graph with Leiden-CPM. Series keep their ids where they keep most members.
   */
  recluster(): void
  /** Series id of an indexed incident, null when it is in no series (or not indexed). */
  seriesOf(id: string): string | null
  /** Current series (communities of at least two incidents), largest first. */
  series(): IndexSeries[]
  /** Series id of every indexed incident, null when in no series (null-prototype object). */
  assignments(): Record<string, string | null>
  stats(): IndexStats
  /** The index as bytes (see {@link loadLinkageIndex} for the format). */
  toBytes(): Uint8Array
  /** Writes the index to `path` (via a temporary file and a rename, so a crash never leaves half a file). */
  save(path: string): Promise<void>
}

/** Probe tables scoring fewer pairs than this interpret the model instead of compiling a kernel. */
const COMPILE_MIN_PAIRS = 20_000

/**
 * The index's rare-MO rule when `rareMo` does not say otherwise: the rule as batch blocking had it before
 * its limit rose to 100 within 30 km. The index keeps the pairs of a rare value or combination as its
 * carriers arrive and withdraws them when it turns common, work that grows with the square of the limit:
 * at batch's defaults 1M adds ran at 9,430/s against 16,047/s with these, on the same busy machine
 * (bench/online.ts). The index counts a value's carriers in rows (batch also counts clumps by default, see
 * `rareMo.maxClumps`), caps rare-MO blocks at `maxBlockSize` and has no behaviour rule; it scores with the
 * model's MO rarity counted in rows too, and does not link detected series with one another (`seriesLinks`).
 * It links as `linkIncidents` does with `model: { ...model, rarity: 'rows' }`,
 * `blocking: batchEquivalentOptions(indexOptions)` and `seriesLinks: false`.
 *
 * @example
 * createLinkageIndex({ rareMo: { ...INDEX_RARE_MO_DEFAULTS, maxGapDays: 90 } })
 */
export const INDEX_RARE_MO_DEFAULTS = {
  maxDocumentFrequency: 20,
  maxDistanceMeters: Number.POSITIVE_INFINITY,
} as const satisfies RareMoOptions

const DEFAULTS = {
  minProbability: LINK_DEFAULTS.minProbability,
  resolution: LINK_DEFAULTS.clustering.resolution,
  timeZone: 'UTC',
  k: 10,
  /** New rows scored per probe table. */
  scoringChunk: 2048,
}

/**
 * Creates an empty online linkage index. `add` appends incidents to growable columnar storage, finds each
 * new incident's candidates with the batch blocking rules maintained incrementally (space-time grid,
 * evidence and rare-MO posting lists: see `CandidateIndex`), scores them with the same pair scorer as
 * `linkIncidents` (MO rarity and evidence term frequencies over all indexed incidents at that time), keeps
 * links ≥ `minProbability`, and re-clusters only the touched neighbourhood (CPM local moves, split of
 * disconnected communities, community merges). Cost per added incident: O(its candidates + the touched
 * communities); a query costs O(its candidates). Deterministic for a given order of additions.
 *
 * @example
 * const index = createLinkageIndex({ timeZone: 'Asia/Shanghai', maxDistanceMeters: 2000 })
 * index.add(todaysReports)
 * const { incidents, series } = index.query(newReport, { k: 5 })
 * console.log(series[0]?.seriesId, series[0]?.score, series[0]?.bestLink.reasons)
 * await index.save('cases.clx')
 */
export function createLinkageIndex(options: LinkageIndexOptions = {}): LinkageIndex {
  return new OnlineIndex(options, null)
}

/**
 * Loads an index saved by {@link LinkageIndex.save}. The file is a 32-byte header (magic `CASELNKI`,
 * format version, body length, CRC-32 of the body) and a body of JSON metadata and typed-array sections.
 * A truncated, extended or corrupted file, or one of another version, is rejected with a `caselink:` error
 * before anything is built: an index is never half-loaded. Loading replays the stored rows into the
 * blocking lists (O(rows)); no pair is re-scored and nothing is re-clustered.
 *
 * @example
 * const index = await loadLinkageIndex('cases.clx')
 * index.query(newReport).series
 */
export async function loadLinkageIndex(path: string): Promise<LinkageIndex> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new Error(`caselink: cannot read index ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`)
  }
  return linkageIndexFromBytes(bytes, path)
}

/**
 * Builds an index from the bytes of {@link LinkageIndex.toBytes}; same checks as {@link loadLinkageIndex}.
 *
 * @example
 * const copy = linkageIndexFromBytes(index.toBytes())
 */
export function linkageIndexFromBytes(bytes: Uint8Array, source = 'index'): LinkageIndex {
  const snapshot = decodeIndexFile(bytes, source)
  return new OnlineIndex(snapshot.options as LinkageIndexOptions, snapshot)
}

class OnlineIndex implements LinkageIndex {
  options: LinkageIndex['options']
  model: LinkageModel
  private readonly minWeight: number
  private store: CaseStore | null = null
  private candidates: CandidateIndex | null = null
  private readonly clusters: IncrementalClusters
  /** Row of each indexed id (created with the store). */
  private rowOf: RowIndex | null = null
  private scorer: GrowingPairScorer | null = null
  private out: Uint32Array = new Uint32Array(64)
  /** Blocking events of a chunk: kind 0 candidate, 1 gained, 2 retracted; pair (eventA, eventB). */
  private eventKind = new Uint8Array(1024)
  private eventA = new Uint32Array(1024)
  private eventB = new Uint32Array(1024)
  /** Links found in a run of candidate events. */
  private linkA = new Uint32Array(256)
  private linkB = new Uint32Array(256)
  private linkWeight = new Float64Array(256)

  constructor(options: LinkageIndexOptions, snapshot: IndexSnapshot | null) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('caselink: createLinkageIndex options must be an object')
    }
    const minProbability = options.minProbability ?? DEFAULTS.minProbability
    const resolution = options.resolution ?? DEFAULTS.resolution
    const timeZone = options.timeZone ?? DEFAULTS.timeZone
    if (!(minProbability > 0 && minProbability < 1)) {
      throw new RangeError(`caselink: minProbability must be in (0, 1), got ${minProbability}`)
    }
    if (!(resolution >= 0 && Number.isFinite(resolution))) {
      throw new RangeError(`caselink: resolution must be a finite number >= 0, got ${resolution}`)
    }
    const rareMo = options.rareMo === false ? false : { ...INDEX_RARE_MO_DEFAULTS, ...options.rareMo }
    // the index counts MO rarity in rows as incidents arrive (clumps are not kept up to date), whatever the
    // model was fitted with
    const given = options.model === undefined ? defaultModel() : parseLinkageModel(options.model)
    this.model = given.rarity === 'clumped' ? { ...given, rarity: 'rows' } : given
    // a model's learned horizon, as learned (an index grows: there is no density to rescale it to yet)
    const learned = this.model.blocking
    const horizon =
      learned !== undefined && options.maxDistanceMeters === undefined && options.maxGapDays === undefined
        ? { maxDistanceMeters: learned.maxDistanceMeters, maxGapDays: learned.maxGapDays }
        : {}
    resolveBlockingOptions({ ...options, ...horizon, rareMo })
    this.options = { ...options, ...horizon, rareMo, model: this.model, minProbability, resolution, timeZone }
    this.minWeight = Math.log2(minProbability / (1 - minProbability))
    this.clusters = new IncrementalClusters(resolution)
    // validate the time zone once, up front
    buildCaseTable([], { timeZone })
    if (snapshot !== null) this.restore(snapshot)
  }

  get size(): number {
    return this.store === null ? 0 : this.store.size
  }

  private ensureStore(incidents: readonly Incident[]): CaseStore {
    if (this.store !== null) return this.store
    let latSum = 0
    let lonSum = 0
    let count = 0
    for (const incident of incidents) {
      if (typeof incident.lat === 'number' && typeof incident.lon === 'number') {
        latSum += incident.lat
        lonSum += incident.lon
        count++
      }
    }
    const originLat = this.options.originLat ?? (count > 0 ? latSum / count : 0)
    const originLon = this.options.originLon ?? (count > 0 ? lonSum / count : 0)
    this.store = new CaseStore(this.options.timeZone, originLat, originLon)
    this.rowOf = new RowIndex(this.store.ids)
    this.candidates = new CandidateIndex(this.store, this.options)
    this.scorer = new GrowingPairScorer(this.model, this.store)
    return this.store
  }

  private parse(rows: readonly unknown[]): { incidents: Incident[]; issues: RecordIssue[] } {
    if (!Array.isArray(rows)) throw new TypeError('caselink: add expects an array of incidents')
    return rows.every(isIncident)
      ? acceptParsed(rows as readonly Incident[])
      : parseIncidents(
          rows.map((row) => (isIncident(row) ? incidentToRecord(row) : row)),
          { timeZone: this.options.timeZone },
        )
  }

  add(rows: readonly unknown[]): IndexAddResult {
    const parsed = this.parse(rows)
    const issues = parsed.issues.slice()
    const fresh: Incident[] = []
    let rowIndexOf: Map<unknown, number> | null = null
    parsed.incidents.forEach((incident) => {
      if (this.rowOf === null || this.rowOf.get(incident.id) < 0) {
        fresh.push(incident)
        return
      }
      if (rowIndexOf === null) {
        // built once, on the first duplicate: the input row of each id
        rowIndexOf = new Map()
        for (let r = rows.length - 1; r >= 0; r--) rowIndexOf.set((rows[r] as { id?: unknown } | null)?.id, r)
      }
      const index = rowIndexOf.get(incident.id) ?? -1
      issues.push({
        index,
        id: incident.id,
        code: 'duplicate_id',
        severity: 'error',
        path: [index, 'id'],
        message: `id "${incident.id}" is already indexed (the indexed incident is kept)`,
      })
    })
    const result: IndexAddResult = {
      added: fresh.length,
      issues,
      compared: 0,
      linked: 0,
      unlinked: 0,
      moves: 0,
      splits: 0,
      merges: 0,
      regionNodes: 0,
    }
    if (fresh.length === 0) return result
    const store = this.ensureStore(fresh)
    // the rows as buildCaseTable would build them, appended directly (one zone clock for the store's life)
    const first = store.appendIncidents(fresh)
    this.scorer!.sync()
    for (let i = first; i < store.size; i++) this.rowOf!.set(i)
    this.clusters.addNodes(fresh.length)
    const seeds: number[] = []
    const broken: number[] = []
    for (let start = first; start < store.size; start += DEFAULTS.scoringChunk) {
      const end = Math.min(store.size, start + DEFAULTS.scoringChunk)
      const linked = this.linkRows(start, end, seeds, broken)
      result.compared += linked.compared
      result.linked += linked.linked
      result.unlinked += linked.retracted
    }
    for (let i = first; i < store.size; i++) seeds.push(i)
    const changes = this.clusters.update(seeds, broken)
    result.moves = changes.moves
    result.splits = changes.splits
    result.merges = changes.merges
    result.regionNodes = changes.regionNodes
    return result
  }

  /**
   * Finds, scores and links the candidates of rows [start, end), inserting them into the blocking lists.
   * Events are replayed in order: a new candidate pair or a gained pair becomes a link when its probability
   * reaches minProbability, a retracted pair (a value that grew too common) loses its link.
   */
  private linkRows(
    start: number,
    end: number,
    seeds: number[],
    broken: number[],
  ): { compared: number; linked: number; retracted: number } {
    const index = this.candidates!
    const scorer = this.scorer!
    const clusters = this.clusters
    let events = 0
    const push = (k: number, a: number, b: number): void => {
      if (events === this.eventKind.length) {
        this.eventKind = ensureCapacity(this.eventKind, events + 1)
        this.eventA = ensureCapacity(this.eventA, events + 1)
        this.eventB = ensureCapacity(this.eventB, events + 1)
      }
      this.eventKind[events] = k
      this.eventA[events] = a
      this.eventB[events++] = b
    }
    // pairs worth re-checking when a value grows common: links, and pairs of this chunk not yet scored
    index.retractFilter = (p, q) => p >= start || q >= start || clusters.hasEdge(p, q)
    for (let r = start; r < end; r++) {
      index.prepare(r)
      const { out, count } = index.candidates(r, this.out)
      this.out = out
      for (let k = 0; k < count; k++) push(0, out[k], r)
      index.insert(r)
      const gained = index.takeGained()
      for (let k = 0; k < gained.length; k += 2) push(1, gained[k], gained[k + 1])
      const retracted = index.takeRetracted()
      for (let k = 0; k < retracted.length; k += 2) push(2, retracted[k], retracted[k + 1])
    }
    // events replayed in order, scored by the index's growing scorer (rows packed once, on arrival); each
    // run of candidate events is scored in one scoreRange call (the rows' cache misses overlap)
    const kind = this.eventKind
    const eventA = this.eventA
    const eventB = this.eventB
    let compared = 0
    let linked = 0
    let retracted = 0
    for (let k = 0; k < events; ) {
      const a = eventA[k]
      const b = eventB[k]
      if (kind[k] === 2) {
        if (clusters.removeEdge(a, b)) {
          broken.push(a, b)
          retracted++
        }
        k++
        continue
      }
      if (kind[k] === 1) {
        k++
        if (clusters.hasEdge(a, b)) continue
        compared++
        const w = scorer.matchWeight(a, b)
        if (w < this.minWeight) continue
        clusters.addEdge(a, b, matchProbability(w))
        seeds.push(a, b)
        linked++
        continue
      }
      let end = k + 1
      while (end < events && kind[end] === 0) end++
      if (this.linkA.length < end - k) {
        this.linkA = new Uint32Array(2 * (end - k))
        this.linkB = new Uint32Array(2 * (end - k))
        this.linkWeight = new Float64Array(2 * (end - k))
      }
      const found = scorer.scoreRange(
        eventA,
        eventB,
        k,
        end,
        this.minWeight,
        this.linkA,
        this.linkB,
        this.linkWeight,
      )
      compared += end - k
      for (let f = 0; f < found; f++) {
        clusters.addEdge(this.linkA[f], this.linkB[f], matchProbability(this.linkWeight[f]))
        seeds.push(this.linkA[f], this.linkB[f])
      }
      linked += found
      k = end
    }
    return { compared, linked, retracted }
  }

  query(incident: unknown, options: IndexQueryOptions = {}): IndexQueryResult {
    const k = options.k ?? DEFAULTS.k
    if (!(Number.isInteger(k) && k >= 0))
      throw new RangeError(`caselink: k must be an integer >= 0, got ${k}`)
    const parsed = this.parse([incident])
    if (parsed.incidents.length === 0) {
      const reasons = parsed.issues.filter((i) => i.severity === 'error').map((i) => i.message)
      throw new Error(`caselink: the incident to query is not valid: ${reasons.join('; ')}`)
    }
    const probe = parsed.incidents[0]
    if (this.store === null) return { incidents: [], series: [], compared: 0 }
    const store = this.store
    const index = this.candidates!
    const mark = store.mark()
    try {
      store.appendIncidents([probe])
      const row = mark.size
      index.prepare(row)
      const { out, count } = index.candidates(row, this.out)
      this.out = out
      const rows = [row]
      for (let c = 0; c < count; c++) if (store.ids[out[c]] !== probe.id) rows.push(out[c])
      const { table, reference } = store.gather(rows, rows.length)
      const scorer = createPairScorer(table, this.model, {
        reference,
        compile: rows.length >= COMPILE_MIN_PAIRS,
        // term frequencies and background from the index's own counts (the probe not counted)
        adjustments: this.scorer!.adjustmentsFor(table, rows, store.mo.index),
      })
      const n = rows.length - 1
      const weights = new Float64Array(n)
      for (let c = 0; c < n; c++) weights[c] = scorer.matchWeight(0, c + 1)
      const order = Array.from({ length: n }, (_, c) => c)
      order.sort((p, q) => weights[q] - weights[p] || rows[p + 1] - rows[q + 1])
      const seriesIdOf = (i: number): string | null => {
        const label = this.clusters.membership[i]
        return this.clusters.communitySize[label] >= 2 ? `S${label}` : null
      }
      const incidents: RankedIncident[] = order.slice(0, k).map((c) => {
        const link = explainLink(scorer, 0, c + 1, matchProbability(weights[c]))
        return {
          id: store.ids[rows[c + 1]],
          probability: link.probability,
          matchWeight: weights[c],
          seriesId: seriesIdOf(rows[c + 1]),
          reasons: link.reasons,
        }
      })
      // series: best link per community (order is by weight, so the first member met is the best)
      const series: RankedSeries[] = []
      const seen = new Set<number>()
      for (const c of order) {
        if (series.length >= k) break
        const label = this.clusters.membership[rows[c + 1]]
        if (this.clusters.communitySize[label] < 2 || seen.has(label)) continue
        seen.add(label)
        const probability = matchProbability(weights[c])
        series.push({
          seriesId: `S${label}`,
          score: probability,
          size: this.clusters.communitySize[label],
          bestLink: explainLink(scorer, 0, c + 1, probability),
        })
      }
      return { incidents, series, compared: n }
    } finally {
      store.truncate(mark)
    }
  }

  recluster(): void {
    if (this.store !== null && this.store.size >= 2) this.relink()
    this.clusters.reclusterAll()
  }

  /**
   * Rebuilds the links as batch `linkIncidents` would make them now: the candidates batch blocking gives
   * with the index's options (the pairs the index keeps comparing), scored with the frequencies and
   * background of all indexed incidents (links made on arrival used those of their time), after the
   * priors are re-estimated on them (unless `prior: 'model'`).
   */
  private relink(): void {
    const store = this.store as CaseStore
    const n = store.size
    const { table } = store.gather(
      Uint32Array.from({ length: n }, (_, i) => i),
      n,
    )
    const candidates = generateCandidates(table, batchEquivalentOptions(this.options))
    const { model, scorer } = scorerWithPriors(
      table,
      candidates,
      this.model,
      this.options.prior === undefined ? {} : { prior: this.options.prior },
    )
    if (model !== this.model) {
      this.model = model
      this.options = { ...this.options, model }
      this.scorer = new GrowingPairScorer(model, store)
      this.scorer.sync()
    }
    const scored = scorePairs(table, candidates, this.model, { scorer, minMatchWeight: this.minWeight })
    const clusters = this.clusters
    const { a, b } = clusters.edges()
    for (let k = 0; k < a.length; k++) clusters.removeEdge(a[k], b[k])
    for (let k = 0; k < scored.count; k++) clusters.addEdge(scored.a[k], scored.b[k], scored.probability[k])
  }

  seriesOf(id: string): string | null {
    const row = this.rowOf === null ? -1 : this.rowOf.get(id)
    if (row < 0) return null
    const label = this.clusters.membership[row]
    return this.clusters.communitySize[label] >= 2 ? `S${label}` : null
  }

  series(): IndexSeries[] {
    const byLabel = new Map<number, string[]>()
    const { membership, communitySize } = this.clusters
    for (let i = 0; i < this.size; i++) {
      const label = membership[i]
      if (communitySize[label] < 2) continue
      let members = byLabel.get(label)
      if (members === undefined) {
        members = []
        byLabel.set(label, members)
      }
      members.push(this.store!.ids[i])
    }
    const out = [...byLabel].map(([label, members]) => ({ id: `S${label}`, members, size: members.length }))
    out.sort((p, q) => q.size - p.size || (p.id < q.id ? -1 : p.id > q.id ? 1 : 0))
    return out
  }

  assignments(): Record<string, string | null> {
    const out: Record<string, string | null> = Object.create(null)
    const { membership, communitySize } = this.clusters
    for (let i = 0; i < this.size; i++) {
      const label = membership[i]
      out[this.store!.ids[i]] = communitySize[label] >= 2 ? `S${label}` : null
    }
    return out
  }

  stats(): IndexStats {
    let series = 0
    const { communitySize, labelCount } = this.clusters
    for (let c = 0; c < labelCount; c++) if (communitySize[c] >= 2) series++
    return {
      incidents: this.size,
      links: this.clusters.edgeCount,
      series,
      typedArrayBytes: this.typedArrayBytes(),
    }
  }

  private typedArrayBytes(): number {
    let bytes = 0
    const add = (value: unknown): void => {
      if (ArrayBuffer.isView(value)) bytes += value.byteLength
    }
    for (const holder of [this.store, this.candidates, this.clusters] as unknown[]) {
      if (holder === null) continue
      for (const value of Object.values(holder as object)) {
        add(value)
        if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
          for (const inner of Object.values(value as object)) add(inner)
        }
      }
    }
    return bytes
  }

  toBytes(): Uint8Array {
    return encodeIndexFile(this.snapshot())
  }

  async save(path: string): Promise<void> {
    const bytes = this.toBytes()
    const temporary = `${path}.tmp-${process.pid}`
    await writeFile(temporary, bytes)
    await rename(temporary, path)
  }

  private snapshot(): IndexSnapshot {
    const store = this.store
    const n = this.size
    const c = this.clusters
    const { a: edgeA, b: edgeB, weight: edgeWeight } = c.edges()
    const { model, ...rest } = this.options
    // narratives as the hashes of their signatures' bits (see CaseStore): loading packs the same signatures
    const narrative =
      store === null ? { start: new Uint32Array(1), ids: new Uint32Array(0) } : store.narrativeHashes(null, n)
    return {
      options: { ...rest, model },
      originLat: store?.originLat ?? 0,
      originLon: store?.originLon ?? 0,
      size: n,
      labelCount: c.labelCount,
      ids: store === null ? [] : store.ids.slice(0, n),
      categories: store?.categories.values ?? [],
      moValues: store?.mo.values ?? [],
      evidenceValues: store?.evidence.values ?? [],
      arrays: {
        timeFrom: slice(store?.timeFrom, n),
        timeTo: slice(store?.timeTo, n),
        utcOffsetMinutes: slice(store?.utcOffsetMinutes, n) as Int16Array,
        hasLocation: slice(store?.hasLocation, n) as Uint8Array,
        hasLatLon: slice(store?.hasLatLon, n) as Uint8Array,
        lat: slice(store?.lat, n),
        lon: slice(store?.lon, n),
        x: slice(store?.x, n),
        y: slice(store?.y, n),
        category: slice(store?.category, n) as Int32Array,
        categoryParent: slice(store?.categoryParent, n) as Int32Array,
        moStart: listStart(store?.moList.start, n),
        moIds: slice(store?.moList.ids, store?.moList.start[n] ?? 0) as Uint32Array,
        evidenceStart: listStart(store?.evidenceList.start, n),
        evidenceIds: slice(store?.evidenceList.ids, store?.evidenceList.start[n] ?? 0) as Uint32Array,
        narrativeStart: narrative.start,
        narrativeBigrams: narrative.ids,
        membership: c.membership.slice(0, n),
        edgeA,
        edgeB,
        edgeWeight,
      },
    }
  }

  private restore(snapshot: IndexSnapshot): void {
    const n = snapshot.size
    if (n === 0) return
    const a = snapshot.arrays
    const store = new CaseStore(this.options.timeZone, snapshot.originLat, snapshot.originLon)
    store.restore(snapshot)
    this.store = store
    this.rowOf = new RowIndex(store.ids)
    this.candidates = new CandidateIndex(store, this.options)
    this.scorer = new GrowingPairScorer(this.model, store)
    this.scorer.sync()
    // replay the rows into the blocking lists; links come from the file, so nothing is retracted or gained
    this.candidates.retractFilter = () => false
    for (let i = 0; i < n; i++) {
      this.rowOf.set(i)
      this.candidates.prepare(i)
      this.candidates.insert(i)
      this.candidates.takeGained()
    }
    this.clusters.restore(n, snapshot.labelCount, a.membership, a.edgeA, a.edgeB, a.edgeWeight)
  }
}

type Column = Float64Array | Int16Array | Uint8Array | Int32Array | Uint32Array

function slice<T extends Column>(array: T | undefined, n: number): T {
  if (array === undefined) return new Float64Array(0) as unknown as T
  return array.slice(0, n) as T
}

function listStart(start: Uint32Array | undefined, n: number): Uint32Array {
  return start === undefined ? new Uint32Array(1) : start.slice(0, n + 1)
}
