import { expectedAbsoluteDifference, expectedCircularDistance } from '../compare/expectedDistance'

/**
 * Inputs of {@link compileKernel}: a model compiled against a table by `createPairScorer` (its
 * packed row blocks and per-comparison tables). Internal.
 */
export interface KernelSpec {
  /** Comparison kind codes (0 distance … 8 narrative, as in pairScorer). */
  kinds: Int8Array
  thresholdStart: Int32Array
  weightStart: Int32Array
  groupBit: Uint32Array
  prior: number
  arrays: {
    rowF: Float64Array
    rowI: Int32Array
    moIds: Int32Array
    moValueWeight: Float64Array
    moValueBit: Int32Array
    evidenceIds: Uint32Array
    evidenceKind: Int32Array
    evidenceValueWeight: Float64Array
    evidenceValueLevel: Int8Array
    moTf: Float64Array
    categoryTf: Float64Array
    tfLayout: Int32Array
    background: Float64Array
    thresholds: Float64Array
    thresholdsLatLon: Float64Array
    weights: Float64Array
  }
  /** The mo comparison adds the term-frequency bits of the shared values (`moTf`, by `tfLayout`). */
  moTf: boolean
  /** Agreement on category outside the background neighbourhood adds `categoryTf[category]`. */
  categoryTf: boolean
  /** The model's background neighbourhood, when it has one (it decides the kind of a pair). */
  background: import('./pairScorer').CompiledBackground | null
  /** Add the background term (`background` holds the rows' halves). */
  backgroundTerm: boolean
  /** Bits added per kind of pair: near, sharing evidence, far (all 0: none). */
  classOffsets: Float64Array
  /** MO sets are bitmaps in block words 23-30 (vocabulary of at most 256 values). */
  moBitmap: boolean
  /** Words of the MO bitmap in use: ceil(vocabulary / 32). */
  moBitmapWords: number
  /**
   * Sum each row's MO rarity weights from its bitmap (or list) per pair, in ascending value order, instead of
   * reading the sum packed in block double 5 (same numbers; for scorers whose weights change over time).
   */
  moSumInline?: boolean
  /**
   * `scoreRange` first bounds each pair's weight from the first cache line of both blocks (distance, time
   * gap and category levels exactly, evidence from block word 11 = "row has evidence", every other
   * comparison at its largest weight) and skips the full kernel for pairs that cannot reach `minWeight`
   * (by more than 1e-6, far above rounding). Pairs it scores get the exact weight. Needs block word 11.
   * A shared evidence value never weighs more than its level's weight (the term-frequency adjustment only
   * lowers it; both are floored alike), so the largest level weight bounds the evidence comparison.
   */
  reachFilter?: boolean
  /**
   * `arrays` is a live holder: the generated functions read the arrays from it on every call, so its
   * owner may replace an array (grown) without generating new functions (whose re-optimization costs).
   */
  holder?: boolean
  /**
   * Write the level thresholds into the generated code as constants (printed exactly) instead of loading
   * them from `T` / `TL`: a threshold chain then has no element loads that optimized code reaches without
   * type feedback (each far level met for the first time would otherwise de-optimize the kernel). The
   * source then depends on the threshold values, so fewer models share one generated function.
   */
  inlineThresholds?: boolean
  /** Called by the filtered `scoreRange` with each pair that passes the filter, before its kernel. */
  beforeKernel?: (i: number, j: number) => void
  dayMs: number
  weekMs: number
}

/** The two specialised functions: total weight, and total weight with the levels written to `out`. */
export interface CompiledKernel {
  matchWeight(i: number, j: number): number
  levels(i: number, j: number, out: Int8Array): number
  /**
   * `scoreRange` over this kernel; every BATCH pairs it first reads the three cache lines of both rows
   * of the next batch's pairs, so their misses overlap instead of stalling one pair at a time.
   */
  scoreRange(
    a: Uint32Array,
    b: Uint32Array,
    start: number,
    end: number,
    minWeight: number,
    outA: Uint32Array,
    outB: Uint32Array,
    outWeight: Float64Array,
    outOffset: number,
  ): number
}

/**
 * Generated factories by source text: scorers of the same model layout (e.g. one per query in an
 * online index) reuse one function, so V8 parses it once and shares its optimized code.
 */
const factories = new Map<string, (...values: unknown[]) => unknown>()
const MAX_CACHED_FACTORIES = 64
const FACTORY_PARAMETERS = [
  'rowF',
  'rowI',
  'MO',
  'MOW',
  'MOB',
  'EID',
  'EKIND',
  'EVW',
  'EVL',
  'MOTF',
  'CTF',
  'TFL',
  'BGR',
  'T',
  'TL',
  'W',
  'EAD',
  'ECD',
  'PRIOR',
  'DAY',
  'WEEK',
  'BEFORE',
  'H',
]

/**
 * Pairs per prefetch batch. JavaScript has no prefetch instruction and a missed load blocks
 * retirement, so touching one pair ahead barely helps (a pair's kernel is longer than the reorder
 * window); touching a whole batch back to back lets ~100 misses overlap. Random pairs on 100k rows:
 * 430 -> 290 ns CPU per pair under load (batch 4 to 32 measured alike).
 */
const BATCH = 16

/**
 * Generates straight-line JavaScript for one model (no loop over comparisons, no dispatch, level
 * thresholds and offsets as constants), so V8 compiles each pair to a short branch sequence. Only
 * integers and finite numbers (printed by `toPrecision`) from the compiled model enter the source text
 * (no strings from the model or the data).
 * Levels and sums are computed exactly as the interpreted scorer does (same bounds, same order of
 * additions), so both give bit-identical weights. Returns null when code generation is unavailable
 * (a Content-Security-Policy forbidding `new Function`); the scorer then interprets.
 */
export function compileKernel(spec: KernelSpec): CompiledKernel | null {
  try {
    const { kernel: matchWeight, scoreRange } = build(spec, false) as {
      kernel: CompiledKernel['matchWeight']
      scoreRange: CompiledKernel['scoreRange']
    }
    const { kernel: levels } = build(spec, true) as { kernel: CompiledKernel['levels'] }
    return { matchWeight, levels, scoreRange }
  } catch {
    return null
  }
}

function int(value: number): string {
  if (!Number.isInteger(value)) throw new Error('caselink: internal: non-integer in generated kernel')
  return String(value)
}

/** `if (x <= T[k0]) l = base; else if (x <= T[k1]) l = base + 1; … else l = base + K` */
/**
 * Threshold tables whose values are written into the generated code as constants (see
 * {@link KernelSpec.inlineThresholds}); null: read from `T` / `TL`. Set while `build` runs.
 */
let inlined: { T: Float64Array; TL: Float64Array } | null = null

/** Threshold k of table `array` as source text: a constant when inlined, else an element load. */
function threshold(array: 'T' | 'TL', k: number): string {
  return inlined === null ? `${array}[${int(k)}]` : num(inlined[array][k])
}

/**
 * Inlined thresholds are compared without branches: model thresholds are strictly monotone, so the first
 * threshold a value passes is found by counting the ones it does not pass (NaN passes none, as in the
 * chains). Every comparison then runs on every pair, so none lacks type feedback when optimized code
 * first meets a far level.
 */
function countNot(x: string, op: '<=' | '>=', array: 'T' | 'TL', t0: number, t1: number): string {
  const terms: string[] = []
  for (let k = t0; k < t1; k++) terms.push(`(${x} ${op} ${threshold(array, k)} ? 0 : 1)`)
  return terms.length === 0 ? '0' : terms.join(' + ')
}

function ascending(x: string, t0: number, t1: number, base: number, array: 'T' | 'TL' = 'T'): string {
  if (inlined !== null) return `l = ${int(base)} + ${countNot(x, '<=', array, t0, t1)};`
  let code = ''
  for (let k = t0; k < t1; k++) code += `if (${x} <= ${threshold(array, k)}) l = ${int(base + k - t0)}; else `
  return `${code}l = ${int(base + t1 - t0)};`
}

function descending(x: string, t0: number, t1: number): string {
  if (inlined !== null) return `l = 1 + ${countNot(x, '>=', 'T', t0, t1)};`
  let code = ''
  for (let k = t0; k < t1; k++) code += `if (${x} >= ${threshold('T', k)}) l = ${int(1 + k - t0)}; else `
  return `${code}l = ${int(1 + t1 - t0)};`
}

/** Level from bounds [lo, hi] when no threshold falls inside, else -1 (see pairScorer's boundedLevel). */
function bounded(lo: string, hi: string, t0: number, t1: number, base: number): string {
  if (inlined !== null) {
    // exact when as many thresholds lie below lo as below hi (none inside), else -1
    return `{ const cHi = ${countNot(hi, '<=', 'T', t0, t1)}, cLo = ${countNot(lo, '<=', 'T', t0, t1)}; l = cHi === cLo ? ${int(base)} + cHi : -1; }`
  }
  let code = ''
  for (let k = t0; k < t1; k++) {
    const t = threshold('T', k)
    code += `if (${hi} <= ${t}) l = ${int(base + k - t0)}; else if (${t} >= ${lo}) l = -1; else `
  }
  return `${code}l = ${int(base + t1 - t0)};`
}

/**
 * Code adding to `bound` an upper bound of a pair's weight from block words 0-15 (see
 * {@link KernelSpec.reachFilter}); `rest` is the constant part (prior plus the largest weight of each
 * comparison not bounded from the first line).
 */
function reachBound(spec: KernelSpec): { code: string; rest: string } {
  const { kinds, thresholdStart, weightStart } = spec
  // term-frequency bits change with the data (an online index's every epoch): no constant bound, every
  // pair gets the kernel (the filter only refreshes its rows)
  if (spec.moTf || spec.categoryTf) return { code: '', rest: 'Infinity' }
  const W = spec.arrays.weights
  let rest = spec.prior
  if (spec.background !== null && spec.backgroundTerm) rest += spec.background.maxWeight
  rest += Math.max(0, spec.classOffsets[0], spec.classOffsets[1], spec.classOffsets[2])
  let code = ''
  for (let c = 0; c < kinds.length; c++) {
    const t0 = thresholdStart[c]
    const t1 = thresholdStart[c + 1]
    const w0 = weightStart[c]
    const w1 = weightStart[c + 1]
    let max = Number.NEGATIVE_INFINITY
    for (let k = w0; k < w1; k++) max = Math.max(max, W[k])
    switch (kinds[c]) {
      case 0:
        code += `l = 0;
${distanceLevel(t0, t1)}
bound += W[${int(w0)} + l];
`
        break
      case 1:
        code += `l = 0;
${timeGapLevel(t0, t1)}
bound += W[${int(w0)} + l];
`
        break
      case 7:
        // same category: level 1; different: level 2 or 3 (the parent is on the second line): the larger
        code += `{
  const ci = rowI[ri + 15], cj = rowI[rj + 15];
  bound += ci < 0 || cj < 0 ? W[${int(w0)}] : ci === cj ? W[${int(w0 + 1)}] : ${num(Math.max(W[w0 + 2], W[w0 + 3]))};
}
`
        break
      case 6:
        code += `bound += rowI[ri + 11] !== 0 && rowI[rj + 11] !== 0 ? ${num(max)} : W[${int(w0)}];
`
        break
      default:
        rest += max
    }
  }
  return { code, rest: num(rest) }
}

/** A finite number as source text (exact: 17 significant digits round-trip). */
function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error('caselink: internal: non-finite constant in generated kernel')
  return `(${value.toPrecision(17)})`
}

/**
 * Code of the test that rows i and j are background neighbours (as pairScorer's `inBackground`): located
 * in the same system, same category, within the distance and the window gap.
 */
function nearCode(b: import('./pairScorer').CompiledBackground): string {
  return `let near = false;
{
  const fl = rowI[ri + 14];
  if (fl !== 0 && fl === rowI[rj + 14] && rowI[ri + 15] === rowI[rj + 15]) {
    const dx = rowF[fj + 2] - rowF[fi + 2], dy = rowF[fj + 3] - rowF[fi + 3];
    let inside = true;
    if (fl === 3) { const dz = rowF[fj + 4] - rowF[fi + 4]; if ((dx * dx + dy * dy + dz * dz) * 0.25 > ${num(b.latLonLimit)}) inside = false; }
    else if (dx * dx + dy * dy > ${num(b.planarLimit)}) inside = false;
    if (inside) {
      const s = rowF[fi] > rowF[fj] ? rowF[fi] : rowF[fj], e = rowF[fi + 1] < rowF[fj + 1] ? rowF[fi + 1] : rowF[fj + 1];
      near = s - e <= ${num(b.gapMs)};
    }
  }
}`
}

/** Code setting `l` to the distance level (haversine via unit-vector chords, or planar distance). */
function distanceLevel(t0: number, t1: number): string {
  return `{
  const fl = rowI[ri + 14];
  if (fl !== 0 && fl === rowI[rj + 14]) {
    const dx = rowF[fj + 2] - rowF[fi + 2], dy = rowF[fj + 3] - rowF[fi + 3];
    if (fl === 3) {
      const dz = rowF[fj + 4] - rowF[fi + 4];
      const h = (dx * dx + dy * dy + dz * dz) * 0.25;
      ${ascending('h', t0, t1, 1, 'TL')}
    } else {
      const d2 = dx * dx + dy * dy;
      ${ascending('d2', t0, t1, 1)}
    }
  }
}`
}

/** Code setting `l` to the time-gap level: bounds first, the exact expected distance only when they straddle. */
function timeGapLevel(t0: number, t1: number): string {
  return `{
  const fI = rowF[fi], tI = rowF[fi + 1], fJ = rowF[fj], tJ = rowF[fj + 1];
  const gap = Math.abs(fI + tI - fJ - tJ) * 0.5;
  const gapHigh = gap + (tI - fI + tJ - fJ) * 0.25;
  ${bounded('gap', 'gapHigh', t0, t1, 1)}
  if (l < 0) {
    const e = EAD(fI, tI, fJ, tJ);
    ${ascending('e', t0, t1, 1)}
  }
}`
}

function build(spec: KernelSpec, writeLevels: boolean): unknown {
  inlined =
    spec.inlineThresholds === true ? { T: spec.arrays.thresholds, TL: spec.arrays.thresholdsLatLon } : null
  try {
    return buildSource(spec, writeLevels)
  } finally {
    inlined = null
  }
}

function buildSource(spec: KernelSpec, writeLevels: boolean): unknown {
  const { kinds, thresholdStart, weightStart, groupBit } = spec
  const C = kinds.length
  const lines: string[] = []
  const fromHolder =
    spec.holder === true
      ? 'const rowF = H.rowF, rowI = H.rowI, MO = H.moIds, MOW = H.moValueWeight, MOB = H.moValueBit, EID = H.evidenceIds, EKIND = H.evidenceKind, EVW = H.evidenceValueWeight, EVL = H.evidenceValueLevel, MOTF = H.moTf, CTF = H.categoryTf, TFL = H.tfLayout, BGR = H.background;'
      : ''
  if (fromHolder !== '') lines.push(fromHolder)
  lines.push('const fi = i * 24, fj = j * 24, ri = i * 48, rj = j * 48;')
  lines.push('let total = PRIOR;')
  lines.push('let l = 0;')
  const moTf = spec.moTf
  const categoryTf = spec.categoryTf
  const background = spec.background
  const backgroundTermOn = background !== null && spec.backgroundTerm
  if (moTf) {
    lines.push(`let moTf = 0;
const ci0 = rowI[ri + 15];
const tfBase = (ci0 === rowI[rj + 15] && ci0 >= 0 ? ci0 : TFL[1]) * TFL[0];`)
  }
  lines.push(background === null ? 'const near = false;' : nearCode(background))
  lines.push('let evidenceShared = false;')
  let moMerged = false
  for (let c = 0; c < C; c++) {
    const t0 = thresholdStart[c]
    const t1 = thresholdStart[c + 1]
    const w0 = weightStart[c]
    let weightExpression = `W[${int(w0)} + l]`
    lines.push(`// comparison ${int(c)}`)
    lines.push('l = 0;')
    switch (kinds[c]) {
      case 0:
        lines.push(distanceLevel(t0, t1))
        break
      case 1:
        lines.push(timeGapLevel(t0, t1))
        break
      case 2:
      case 3: {
        const day = kinds[c] === 2
        const period = day ? 'DAY' : 'WEEK'
        const word = day ? 12 : 13
        lines.push(`{
  const lI = rowF[fi + 1] - rowF[fi], lJ = rowF[fj + 1] - rowF[fj];
  if (lI >= ${period} || lJ >= ${period}) l = 1;
  else {
    const sI = rowI[ri + ${word}], sJ = rowI[rj + ${word}];
    let u = sI - sJ + (lI - lJ) * 0.5;
    u = u < 0 ? -u : u;
    if (u >= ${period}) u -= ${period};
    const mid = u < ${period} - u ? u : ${period} - u;
    const half = (lI + lJ) * 0.5;
    if (mid >= half && mid + half <= ${period} * 0.5) {
      // D's support on one linear piece: the expectation is mid, exactly (as in ECD)
      ${ascending('mid', t0, t1, 2)}
    } else {
      const spread = (lI + lJ) * 0.25;
      const lo = mid - spread, hi = mid + spread;
      ${bounded('lo', 'hi', t0, t1, 2)}
      if (l < 0) {
        const e = ECD(sI, sI + lI, sJ, sJ + lJ, ${period});
        ${ascending('e', t0, t1, 2)}
      }
    }
  }
}`)
        break
      }
      case 4:
      case 5: {
        if (!moMerged) {
          moMerged = true
          lines.push(`const msi = rowI[ri + 17], mei = rowI[ri + 18], msj = rowI[rj + 17], mej = rowI[rj + 18];
const moBoth = msi !== mei && msj !== mej;
const moGroupsBoth = moBoth ? rowI[ri + 21] & rowI[rj + 21] : 0;
let moShared = 0, moMask = 0;`)
          if (spec.moBitmap) {
            let unrolled = ''
            for (let k = 0; k < spec.moBitmapWords; k++) {
              unrolled += `  v = rowI[ri + ${23 + k}] & rowI[rj + ${23 + k}]; while (v !== 0) { const low = v & -v; const a = ${(k << 5) + 31} - Math.clz32(low); moShared += MOW[a]; moMask |= MOB[a]; ${moTf ? 'moTf += MOTF[tfBase + a]; ' : ''}v ^= low; }\n`
            }
            lines.push(`if (moBoth) {\n  let v = 0;\n${unrolled}}`)
          } else {
            lines.push(`if (moBoth) {
  let p = msi, q = msj;
  while (p < mei && q < mej) {
    const a = MO[p], b = MO[q];
    if (a === b) { moShared += MOW[a]; moMask |= MOB[a];${moTf ? ' moTf += MOTF[tfBase + a];' : ''} }
    p += a <= b ? 1 : 0;
    q += b <= a ? 1 : 0;
  }
}`)
          }
        }
        if (kinds[c] === 4) {
          let sums = 'const sI = rowF[fi + 5], sJ = rowF[fj + 5];'
          if (spec.moSumInline === true && spec.moBitmap) {
            sums = 'let sI = 0, sJ = 0, x = 0;\n'
            for (let k = 0; k < spec.moBitmapWords; k++) {
              for (const [row, sum] of [
                ['ri', 'sI'],
                ['rj', 'sJ'],
              ]) {
                sums += `  x = rowI[${row} + ${23 + k}]; while (x !== 0) { const low = x & -x; ${sum} += MOW[${(k << 5) + 31} - Math.clz32(low)]; x ^= low; }\n`
              }
            }
          } else if (spec.moSumInline === true) {
            sums = `let sI = 0, sJ = 0;
  for (let p = msi; p < mei; p++) sI += MOW[MO[p]];
  for (let q = msj; q < mej; q++) sJ += MOW[MO[q]];`
          }
          lines.push(`if (moBoth) {
  ${sums}
  const union = sI + sJ - moShared;
  const v = union > 0 ? moShared / union : 1;
  ${descending('v', t0, t1)}
}`)
          if (moTf) weightExpression = `(l > 0 ? W[${int(w0)} + l] + moTf : W[${int(w0)}])`
        } else {
          const bit = groupBit[c] | 0
          lines.push(`if ((moGroupsBoth & ${int(bit)}) !== 0) l = (moMask & ${int(bit)}) !== 0 ? 1 : 2;`)
        }
        break
      }
      case 6:
        weightExpression = `(l > 0 && l < 5 ? ew : W[${int(w0)} + l])`
        lines.push(`let ew = 0;
{
  const si = rowI[ri + 19], ei = rowI[ri + 20], sj = rowI[rj + 19], ej = rowI[rj + 20];
  if (si !== ei && sj !== ej) {
    let best = -Infinity, p = si, q = sj;
    while (p < ei && q < ej) {
      const a = EID[p], b = EID[q];
      if (a === b) {
        if (EVW[a] > best) { best = EVW[a]; l = EVL[a]; }
        p++; q++;
      } else if (a < b) p++;
      else q++;
    }
    if (l > 0) { ew = best; evidenceShared = true; }
    else {
      l = 6;
      if ((rowI[ri + 22] & rowI[rj + 22]) !== 0) {
        for (let p2 = si; p2 < ei && l === 6; p2++) {
          const kind = EKIND[EID[p2]];
          for (let q2 = sj; q2 < ej; q2++) if (EKIND[EID[q2]] === kind) { l = 5; break; }
        }
      }
    }
  }
}`)
        break
      case 7:
        lines.push(`{
  const ci = rowI[ri + 15], cj = rowI[rj + 15];
  if (ci >= 0 && cj >= 0) l = ci === cj ? 1 : rowI[ri + 16] === rowI[rj + 16] ? 2 : 3;
}`)
        // inside the background neighbourhood the background term weighs the category's commonness
        if (categoryTf)
          weightExpression = `(l === 1 && !near ? W[${int(w0 + 1)}] + CTF[rowI[ri + 15]] : W[${int(w0)} + l])`
        break
      case 8: {
        // popcount of 16 ANDed words: nibble counts of two words added (≤ 8), folded to bytes (≤ 16),
        // bytes accumulated over the 8 pairs (≤ 128), then the four bytes summed
        let popcount = ''
        for (let k = 32; k < 48; k += 2) {
          popcount += `x = rowI[ri + ${k}] & rowI[rj + ${k}]; y = rowI[ri + ${k + 1}] & rowI[rj + ${k + 1}];
x = x - ((x >>> 1) & 0x55555555); y = y - ((y >>> 1) & 0x55555555);
x = (x & 0x33333333) + ((x >>> 2) & 0x33333333) + (y & 0x33333333) + ((y >>> 2) & 0x33333333);
acc += (x & 0x0f0f0f0f) + ((x >>> 4) & 0x0f0f0f0f);\n`
        }
        lines.push(`{
  const bI = rowI[ri + 31], bJ = rowI[rj + 31];
  if (bI !== 0 && bJ !== 0) {
    let acc = 0, x = 0, y = 0;
    ${popcount}
    const common = (acc & 0xff) + ((acc >>> 8) & 0xff) + ((acc >>> 16) & 0xff) + (acc >>> 24);
    const dice = (2 * common) / (bI + bJ);
    ${descending('dice', t0, t1)}
  }
}`)
        break
      }
      default:
        throw new Error('caselink: internal: unknown comparison kind')
    }
    if (writeLevels) lines.push(`out[${int(c)}] = l;`)
    lines.push(`total += ${weightExpression};`)
  }
  if (background !== null && backgroundTermOn) {
    const max = num(background.maxWeight)
    lines.push(
      `if (near) { const bw = BGR[i] + BGR[j]; total += bw > ${max} ? ${max} : bw < -${max} ? -${max} : bw; }`,
    )
  }
  const offsets = spec.classOffsets
  if (offsets[0] !== 0 || offsets[1] !== 0 || offsets[2] !== 0) {
    lines.push(
      `total += near ? ${num(offsets[0])} : evidenceShared ? ${num(offsets[1])} : ${num(offsets[2])};`,
    )
  }
  lines.push('return total;')
  const parameters = writeLevels ? 'i, j, out' : 'i, j'
  const kernel = `function kernel(${parameters}) {\n${lines.join('\n')}\n}`
  // scoreRange's kernel stores the total instead of returning it: a returned double is boxed (the kernel
  // is too large to inline), one heap number per pair
  const kernelStore = writeLevels
    ? ''
    : `const RESULT = new Float64Array(1);
function kernelStore(i, j) {\n${lines.join('\n').replace(/return total;$/, 'RESULT[0] = total;')}\n}`
  // the batch loop lives in the same generated scope, so its call to kernel stays monomorphic
  const scoreRange = writeLevels
    ? 'undefined'
    : `function scoreRange(a, b, start, end, minWeight, outA, outB, outW, outOffset) {
  ${fromHolder}
  let at = outOffset, sink = 0;
  for (let k = start; k < end; k++) {
    if (((k - start) & ${BATCH - 1}) === 0) {
      // touch the rows of the batch after next all at once: their cache misses overlap
      const stop = Math.min(end, k + ${2 * BATCH});
      for (let q = k + ${BATCH}; q < stop; q++) {
        const pi = a[q] * 48, pj = b[q] * 48;
        sink += rowI[pi] + rowI[pj] + rowI[pi + 16] + rowI[pj + 16] + rowI[pi + 32] + rowI[pj + 32];
      }
    }
    const i = a[k], j = b[k];
    kernelStore(i, j);
    const w = RESULT[0];
    if (w >= minWeight) { outA[at] = i; outB[at] = j; outW[at] = w; at++; }
  }
  if (sink === 0.5) outW[outOffset] = outW[outOffset];
  return at - outOffset;
}`
  const filtered = writeLevels || spec.reachFilter !== true ? null : reachBound(spec)
  const rangeSource =
    filtered === null
      ? scoreRange
      : scoreRange
          .replace(
            'const i = a[k], j = b[k];',
            `const i = a[k], j = b[k];
    {
      const fi = i * 24, fj = j * 24, ri = i * 48, rj = j * 48;
      let bound = ${filtered.rest}, l = 0;
      ${filtered.code}
      if (bound < minWeight - 1e-6) continue;
    }
    if (BEFORE !== null) BEFORE(i, j);`,
          )
          .replace(
            'sink += rowI[pi] + rowI[pj] + rowI[pi + 16] + rowI[pj + 16] + rowI[pi + 32] + rowI[pj + 32];',
            'sink += rowI[pi] + rowI[pj];',
          )
  const source = `'use strict';\n${kernel}\n${kernelStore}\nreturn { kernel, scoreRange: ${writeLevels ? 'undefined' : rangeSource} };`
  let factory = factories.get(source)
  if (factory === undefined) {
    factory = new Function(...FACTORY_PARAMETERS, source) as (...values: unknown[]) => unknown
    if (factories.size >= MAX_CACHED_FACTORIES) factories.delete(factories.keys().next().value as string)
    factories.set(source, factory)
  }
  const a = spec.arrays
  return factory(
    a.rowF,
    a.rowI,
    a.moIds,
    a.moValueWeight,
    a.moValueBit,
    a.evidenceIds,
    a.evidenceKind,
    a.evidenceValueWeight,
    a.evidenceValueLevel,
    a.moTf,
    a.categoryTf,
    a.tfLayout,
    a.background,
    a.thresholds,
    a.thresholdsLatLon,
    a.weights,
    expectedAbsoluteDifference,
    expectedCircularDistance,
    spec.prior,
    spec.dayMs,
    spec.weekMs,
    spec.beforeKernel ?? null,
    spec.holder === true ? a : null,
  )
}
