import type { Command } from 'commander'
import { loadIncidents } from '../io/readIncidents'
import type { RecordIssue } from '../schema/incident'
import { formatPath, type ParseResult } from '../schema/parseIncidents'
import { withEncoding } from './linkCommand'
import { type InputFlags, withInputOptions } from './options'
import { EXIT } from './userError'

/** Options of `caselink validate`. */
export interface ValidateCommandOptions extends InputFlags {
  json?: boolean
  timeZone?: string
  maxIssues?: string
}

/**
 * Formats one issue for a terminal, like zod's prettifyError: the message, then where.
 *
 * @example
 * formatIssue({ index: 3, id: 'A', code: 'time_range_reversed', severity: 'error', path: [3, 'timeTo'], message: 'timeTo is before timeFrom', line: 4 })
 * // '✖ timeTo is before timeFrom [time_range_reversed] (row 3, id A, line 4)\n  → at [3].timeTo'
 */
export function formatIssue(issue: RecordIssue): string {
  const mark = issue.severity === 'error' ? '✖' : '⚠'
  const where = [`row ${issue.index}`]
  if (issue.id !== undefined) where.push(`id ${issue.id}`)
  if (issue.line !== undefined) where.push(`line ${issue.line}`)
  return `${mark} ${issue.message} [${issue.code}] (${where.join(', ')})\n  → at ${formatPath(issue.path)}`
}

/**
 * The summary of a validation run as text: counts, then issues (errors first).
 *
 * @example
 * console.log(formatValidationReport('cases.csv', result, 50))
 */
export function formatValidationReport(
  file: string,
  result: ParseResult & { encoding?: string | null },
  maxIssues: number,
): string {
  const { rows, valid, rejected, warnings } = result.counts
  const lines = [
    `${withEncoding(file, result.encoding)}: ${rows} rows, ${valid} valid, ${rejected} rejected, ${warnings} warnings`,
  ]
  const ordered = [...result.issues].sort((a, b) =>
    a.severity === b.severity ? a.index - b.index : a.severity === 'error' ? -1 : 1,
  )
  for (const issue of ordered.slice(0, maxIssues)) lines.push(formatIssue(issue))
  if (ordered.length > maxIssues)
    lines.push(`… ${ordered.length - maxIssues} more issues (use --json for all)`)
  return lines.join('\n')
}

/**
 * Registers `caselink validate FILE`: exit 0 when no row was rejected, 1 when rows were, 2 when the
 * input cannot be used at all.
 *
 * @example
 * registerValidateCommand(new Command('caselink'))
 */
export function registerValidateCommand(program: Command): void {
  withInputOptions(
    program
      .command('validate')
      .description('validate incident records and report every bad row with its field and reason')
      .argument('<file>', 'CSV, JSON or NDJSON file')
      .option('--json', 'print the full report as JSON on stdout')
      .option('--time-zone <zone>', 'IANA time zone for local time stamps', 'UTC'),
  )
    .option('--max-issues <n>', 'issues to print in the text report', '50')
    .action(async (file: string, options: ValidateCommandOptions) => {
      const result = await loadIncidents(file, {
        timeZone: options.timeZone,
        format: options.format,
        encoding: options.encoding,
        crs: options.crs,
        sheet: options.sheet,
      })
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ file, counts: result.counts, issues: result.issues }, null, 2)}\n`,
        )
      } else {
        process.stdout.write(`${formatValidationReport(file, result, Number(options.maxIssues ?? 50))}\n`)
      }
      process.exitCode = result.counts.rejected > 0 ? EXIT.rejected : EXIT.ok
    })
}
