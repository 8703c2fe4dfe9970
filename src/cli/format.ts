import type { LinkResult } from '../link/linkIncidents'

/** Columns a character takes in a terminal: 2 for East Asian wide and full-width characters. */
function charWidth(code: number): number {
  return (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd)
    ? 2
    : 1
}

/**
 * Display width of a string in a terminal (Chinese characters count 2).
 *
 * @example
 * displayWidth('苏K12345') // 8
 */
export function displayWidth(text: string): number {
  let width = 0
  for (const ch of text) width += charWidth(ch.codePointAt(0) ?? 0)
  return width
}

/**
 * Formats rows as an aligned text table; `align` gives 'l' or 'r' per column (default left).
 *
 * @example
 * formatTable([['comparison', 'weight'], ['distance', '+7.20']], 'lr')
 */
export function formatTable(rows: readonly (readonly string[])[], align = ''): string {
  const widths: number[] = []
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) widths[c] = Math.max(widths[c] ?? 0, displayWidth(row[c]))
  }
  return rows
    .map((row) =>
      row
        .map((cell, c) => {
          const pad = ' '.repeat(widths[c] - displayWidth(cell))
          return align[c] === 'r' ? pad + cell : c === row.length - 1 ? cell : cell + pad
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/**
 * Formats a number with a sign (`+7.20`, `-3.10`).
 *
 * @example
 * signed(7.2) // '+7.20'
 */
export function signed(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`
}

/**
 * The top series of a link run as text: rank, size, time span, cohesion and priority, what the members
 * share, the strongest links with their reasons, and the profile merges that joined parts of the series.
 *
 * @example
 * console.log(formatTopSeries(result, 10))
 */
export function formatTopSeries(result: LinkResult, count: number): string {
  const lines: string[] = []
  const merges = new Map<string, LinkResult['profileLinks']>()
  for (const link of result.profileLinks)
    merges.set(link.seriesId, [...(merges.get(link.seriesId) ?? []), link])
  const joined = new Map<string, LinkResult['attachments']>()
  for (const attachment of result.attachments)
    joined.set(attachment.seriesId, [...(joined.get(attachment.seriesId) ?? []), attachment])
  for (const s of result.series.slice(0, count)) {
    const span = `${s.firstTimeIso.slice(0, 10)} → ${s.lastTimeIso.slice(0, 10)}`
    const radius = s.radiusMeters === null ? '' : `, radius ${formatMeters(s.radiusMeters)}`
    lines.push(
      `${s.id.padEnd(5)} ${String(s.size).padStart(3)} incidents  ${span}${radius}  cohesion ${s.cohesion.toFixed(2)}  priority ${s.priority.toFixed(2)}`,
    )
    const shared: string[] = []
    if (s.categories.length > 0) shared.push(`category ${s.categories[0].value} ×${s.categories[0].count}`)
    for (const e of s.sharedEvidence.slice(0, 2)) shared.push(`${e.value} ×${e.count}`)
    for (const m of s.dominantMo.slice(0, 3)) shared.push(`${m.value} ×${m.count}`)
    if (shared.length > 0) lines.push(`      shared: ${shared.join(', ')}`)
    for (const link of s.strongestLinks.slice(0, 2)) {
      lines.push(`      ${link.a} – ${link.b}  p=${link.probability.toFixed(3)}: ${link.reasons.join('; ')}`)
    }
    for (const merge of (merges.get(s.id) ?? []).slice(0, 2)) {
      const learned = merge.probability === undefined ? '' : `series link p=${merge.probability.toFixed(3)}, `
      const reasons = merge.reasons === undefined ? '' : `: ${merge.reasons.join('; ')}`
      lines.push(
        `      ${merge.a} ~ ${merge.b}  ${learned}profiles agree ${merge.similarity.toFixed(2)} (${merge.sharedMo.slice(0, 3).join(', ')}), ` +
          `${formatMeters(merge.distanceMeters)}, ${merge.gapDays.toFixed(0)} d apart${reasons}`,
      )
    }
    const lone = joined.get(s.id) ?? []
    if (lone.length > 0) {
      const first = lone[0]
      lines.push(
        `      joined alone: ${lone.length} incident${lone.length === 1 ? '' : 's'} by links below the floor, e.g. ${first.id} (${first.links.length} links, ${first.links
          .slice(0, 3)
          .map((link) => `p=${link.probability.toFixed(2)}`)
          .join(', ')}; ${first.evidenceBits.toFixed(1)} bits)`,
      )
    }
  }
  if (result.series.length > count) lines.push(`… ${result.series.length - count} more series`)
  return lines.join('\n')
}

/**
 * Metres as `850 m` or `12.3 km`.
 *
 * @example
 * formatMeters(12345) // '12.3 km'
 */
export function formatMeters(meters: number): string {
  return meters < 1000 ? `${Math.round(meters)} m` : `${(meters / 1000).toFixed(1)} km`
}

/**
 * Bytes as `812 B`, `23.4 kB`, `5.1 MB`.
 *
 * @example
 * formatBytes(23400) // '23.4 kB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`
  return `${(bytes / 1e6).toFixed(1)} MB`
}
