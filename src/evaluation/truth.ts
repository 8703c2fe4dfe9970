/**
 * Ground truth from `series` labels, shared by the evaluation functions: the labelled incidents, each
 * one's labels (CSR), each label's members, and the connected components of the "shares a label"
 * relation (the true groups of partition metrics; co-offending joins groups).
 */

/** Anything with an id and optional ground-truth labels: raw records or parsed Incidents. */
export interface LabelledIncident {
  readonly id: string
  readonly series?: string | readonly string[] | null
}

/** Ground truth over the labelled incidents (incidents without labels are left out). */
export interface Truth {
  /** Number of labelled incidents. */
  count: number
  /** Ids of the labelled incidents, in input order. */
  ids: string[]
  /** Id → position among the labelled incidents, -1 for a known unlabelled incident (empty unless built with `index`). */
  indexOf: Map<string, number>
  /** Input row of each labelled incident. */
  row: Int32Array
  /** CSR incident → label indices: labels of i are labelIds[labelStart[i] .. labelStart[i+1]). */
  labelStart: Int32Array
  labelIds: Int32Array
  labelCount: number
  /** CSR label → member incidents. */
  memberStart: Int32Array
  members: Int32Array
  /** Connected component (true group) of each labelled incident, 0..componentCount-1. */
  component: Int32Array
  componentCount: number
}

function labelsOf(value: unknown, id: string): string[] {
  if (value === undefined || value === null || value === '') return []
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) {
    if (value.length === 1 && typeof value[0] === 'string') return value[0] === '' ? [] : [value[0]]
    const out: string[] = []
    for (const v of value) {
      if (typeof v !== 'string') {
        throw new TypeError(`caselink: series of incident '${id}' must be strings, got ${typeof v}`)
      }
      if (v !== '' && !out.includes(v)) out.push(v)
    }
    return out
  }
  throw new TypeError(
    `caselink: series of incident '${id}' must be a string or string[], got ${typeof value}`,
  )
}

function labelOf(labelIndex: Map<string, number>, label: string): number {
  const size = labelIndex.size
  const l = labelIndex.get(label)
  if (l !== undefined) return l
  labelIndex.set(label, size)
  return size
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]]
    i = parent[i]
  }
  return i
}

/**
 * Builds the ground truth in O(n + total labels) with a union–find over incidents sharing a label.
 * Throws on duplicate ids (the truth would be ambiguous).
 *
 * @example
 * const truth = buildTruth([{ id: 'a', series: 'S1' }, { id: 'b', series: ['S1', 'S2'] }, { id: 'c' }])
 * truth.count // 2 (c is unlabelled)
 * truth.componentCount // 1
 */
export function buildTruth(incidents: readonly LabelledIncident[], options: { index?: boolean } = {}): Truth {
  const withIndex = options.index ?? true
  if (!Array.isArray(incidents)) {
    throw new TypeError('caselink: expected an array of incidents ({ id, series })')
  }
  // Typed arrays sized up front: at 10⁶ incidents, growing JS arrays costs major GCs over the records.
  const total = incidents.length
  const ids: string[] = new Array(total)
  const indexOf = new Map<string, number>()
  const rows = new Int32Array(total)
  const labelIndex = new Map<string, number>()
  const starts = new Int32Array(total + 1)
  let labelIdList = new Int32Array(total + 16)
  let labelTotal = 0
  let count = 0
  const pushLabel = (l: number) => {
    if (labelTotal === labelIdList.length) {
      const grown = new Int32Array(labelIdList.length * 2)
      grown.set(labelIdList)
      labelIdList = grown
    }
    labelIdList[labelTotal++] = l
  }
  // One hash operation per id (Map.set is the costly part at 10⁶): a duplicate leaves the size unchanged.
  const seen = withIndex ? undefined : new Set<string>()
  for (let r = 0; r < incidents.length; r++) {
    const incident = incidents[r]
    const id = incident?.id
    if (typeof id !== 'string') throw new TypeError('caselink: every incident needs a string id')
    const before = seen ? seen.size : indexOf.size
    if (seen) seen.add(id)
    else indexOf.set(id, -1)
    if ((seen ? seen.size : indexOf.size) === before) {
      throw new RangeError(`caselink: duplicate incident id '${id}'`)
    }
    const series = incident.series
    if (typeof series === 'string' && series !== '') {
      pushLabel(labelOf(labelIndex, series))
    } else if (
      Array.isArray(series) &&
      series.length === 1 &&
      typeof series[0] === 'string' &&
      series[0] !== ''
    ) {
      pushLabel(labelOf(labelIndex, series[0]))
    } else {
      const labels = labelsOf(series, id)
      if (labels.length === 0) continue
      for (const label of labels) pushLabel(labelOf(labelIndex, label))
    }
    if (!seen) indexOf.set(id, count)
    ids[count] = id
    rows[count] = r
    count++
    starts[count] = labelTotal
  }
  ids.length = count
  const labelCount = labelIndex.size
  const labelStart = starts.slice(0, count + 1)
  const labelIds = labelIdList.slice(0, labelTotal)
  const memberStart = new Int32Array(labelCount + 1)
  for (let k = 0; k < labelIds.length; k++) memberStart[labelIds[k] + 1]++
  for (let l = 0; l < labelCount; l++) memberStart[l + 1] += memberStart[l]
  const members = new Int32Array(labelIds.length)
  const fill = memberStart.slice(0, labelCount)
  for (let i = 0; i < count; i++) {
    for (let k = labelStart[i]; k < labelStart[i + 1]; k++) members[fill[labelIds[k]]++] = i
  }
  const parent = new Int32Array(count)
  for (let i = 0; i < count; i++) parent[i] = i
  for (let l = 0; l < labelCount; l++) {
    const first = members[memberStart[l]]
    for (let k = memberStart[l] + 1; k < memberStart[l + 1]; k++) {
      const a = find(parent, first)
      const b = find(parent, members[k])
      if (a !== b) parent[b] = a
    }
  }
  const component = new Int32Array(count)
  const rootComponent = new Int32Array(count).fill(-1)
  let componentCount = 0
  for (let i = 0; i < count; i++) {
    const r = find(parent, i)
    if (rootComponent[r] < 0) rootComponent[r] = componentCount++
    component[i] = rootComponent[r]
  }
  return {
    count,
    ids,
    indexOf,
    row: rows.slice(0, count),
    labelStart,
    labelIds,
    labelCount,
    memberStart,
    members,
    component,
    componentCount,
  }
}

/**
 * The smallest label index shared by labelled incidents i and j, or -1 when they share none.
 * O(labels(i) · labels(j)), a handful.
 */
export function firstSharedLabel(truth: Truth, i: number, j: number): number {
  let best = -1
  const { labelStart, labelIds } = truth
  for (let x = labelStart[i]; x < labelStart[i + 1]; x++) {
    const l = labelIds[x]
    if (best >= 0 && l >= best) continue
    for (let y = labelStart[j]; y < labelStart[j + 1]; y++) {
      if (labelIds[y] === l) {
        best = l
        break
      }
    }
  }
  return best
}

/**
 * Number of unordered pairs of labelled incidents that share at least one label, each counted once,
 * in O(Σ over labels of size²) (pairs inside label groups only, never n²).
 */
export function countLinkedPairs(truth: Truth): number {
  let total = 0
  const { memberStart, members } = truth
  for (let l = 0; l < truth.labelCount; l++) {
    const start = memberStart[l]
    const end = memberStart[l + 1]
    let multi = false
    for (let x = start; x < end && !multi; x++) {
      const i = members[x]
      multi = truth.labelStart[i + 1] - truth.labelStart[i] > 1
    }
    if (!multi) {
      total += ((end - start) * (end - start - 1)) / 2
      continue
    }
    for (let x = start; x < end; x++) {
      const i = members[x]
      const single = truth.labelStart[i + 1] - truth.labelStart[i] === 1
      for (let y = x + 1; y < end; y++) {
        const j = members[y]
        // A pair sharing several labels is counted at its smallest shared label only.
        if (single && truth.labelStart[j + 1] - truth.labelStart[j] === 1) total++
        else if (firstSharedLabel(truth, i, j) === l) total++
      }
    }
  }
  return total
}
