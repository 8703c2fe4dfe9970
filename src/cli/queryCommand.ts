import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { type IncidentFormat, loadIncidents } from '../io/readIncidents'
import { createLinkageIndex, type LinkageIndex, loadLinkageIndex } from '../online/linkageIndex'
import type { Incident, RecordIssue } from '../schema/incident'
import { parseIncidents } from '../schema/parseIncidents'
import { type InputFlags, parseNumber, readModelOption, withInputOptions } from './options'
import { EXIT, UserError } from './userError'

/** Options of `caselink query`. */
export interface QueryCommandOptions extends InputFlags {
  add?: string
  k: string
  timeZone: string
  model?: string
  maxDistanceMeters?: string
  maxGapDays?: string
  minProbability?: string
  resolution?: string
}

/**
 * Registers `caselink query INDEX [INCIDENTS]`: with `--add FILE`, adds the file's incidents to the index
 * file (creating it) and saves it; with INCIDENTS (a CSV/JSON/NDJSON file or one inline JSON record), prints
 * one JSON line per incident: its top-k similar indexed incidents and series with probabilities and reasons.
 * Exit 0, or 1 when input rows were rejected, 2 on usage errors or an unusable index file.
 *
 * @example
 * registerQueryCommand(new Command('caselink'))
 * // caselink query cases.clx --add today.csv --time-zone Asia/Shanghai
 * // caselink query cases.clx '{"id":"N1","time":"2024-05-01T02:00","lat":31.2,"lon":121.4,"mo":["entry:pry-door"]}'
 */
export function registerQueryCommand(program: Command): void {
  withInputOptions(
    program
      .command('query')
      .description(
        'online index: add incidents to an index file, or rank indexed incidents and series for new ones',
      )
      .argument('<index>', 'index file (created by --add when missing)')
      .argument(
        '[incidents]',
        'CSV, JSON or NDJSON file, or one inline JSON record, to rank against the index',
      )
      .option('--add <file>', 'add the incidents of this file to the index and save it')
      .option('--k <n>', 'incidents and series to return per query', '10')
      .option('--time-zone <zone>', 'IANA time zone for local time stamps (new index)', 'UTC'),
  )
    .option('--model <file>', 'linkage model JSON (new index)')
    .option('--max-distance-meters <m>', 'space horizon of blocking (new index)')
    .option('--max-gap-days <d>', 'time horizon of blocking (new index)')
    .option('--min-probability <p>', 'links below this are not series edges (new index)')
    .option('--resolution <gamma>', 'CPM resolution of the series (new index)')
    .action(async (indexPath: string, incidents: string | undefined, options: QueryCommandOptions) => {
      if (options.add === undefined && incidents === undefined) {
        throw new UserError('caselink: query needs INCIDENTS to rank, --add FILE, or both')
      }
      const k = parseNumber('--k', options.k, { min: 0, integer: true }) ?? 10
      let rejected = 0
      let index: LinkageIndex
      if (existsSync(indexPath)) index = await loadLinkageIndex(indexPath)
      else if (options.add !== undefined) {
        index = createLinkageIndex({
          timeZone: options.timeZone,
          model: await readModelOption(options.model),
          maxDistanceMeters: parseNumber('--max-distance-meters', options.maxDistanceMeters, { min: 0 }),
          maxGapDays: parseNumber('--max-gap-days', options.maxGapDays, { min: 0 }),
          minProbability: parseNumber('--min-probability', options.minProbability, { min: 0, max: 1 }),
          resolution: parseNumber('--resolution', options.resolution, { min: 0 }),
        })
      } else throw new UserError(`caselink: index ${indexPath} does not exist (create it with --add FILE)`)
      if (options.add !== undefined) {
        const started = performance.now()
        const loaded = await loadIncidents(options.add, {
          timeZone: index.options.timeZone,
          format: options.format,
          encoding: options.encoding,
          crs: options.crs,
          sheet: options.sheet,
        })
        const result = index.add(loaded.incidents)
        await index.save(indexPath)
        const issues = [...loaded.issues, ...result.issues].filter((i) => i.severity === 'error')
        rejected += issues.length
        const stats = index.stats()
        process.stderr.write(
          `${JSON.stringify({
            added: result.added,
            rejected: issues.length,
            incidents: stats.incidents,
            series: stats.series,
            links: stats.links,
            ms: Math.round(performance.now() - started),
          })}\n`,
        )
        for (const issue of issues.slice(0, 20)) process.stderr.write(`${formatIssueLine(issue)}\n`)
      }
      if (incidents !== undefined) {
        const { incidents: queries, issues } = await readQueries(
          incidents,
          index.options.timeZone,
          options.format,
        )
        rejected += issues.filter((i) => i.severity === 'error').length
        for (const issue of issues)
          if (issue.severity === 'error') process.stderr.write(`${formatIssueLine(issue)}\n`)
        for (const query of queries) {
          const started = performance.now()
          const result = index.query(query, { k })
          const ms = Math.round((performance.now() - started) * 1000) / 1000
          process.stdout.write(`${JSON.stringify({ id: query.id, ...result, ms })}\n`)
        }
      }
      process.exitCode = rejected > 0 ? EXIT.rejected : EXIT.ok
    })
}

async function readQueries(
  source: string,
  timeZone: string,
  format: IncidentFormat | undefined,
): Promise<{ incidents: Incident[]; issues: RecordIssue[] }> {
  const text = source.trimStart()
  if (text.startsWith('{') || text.startsWith('[')) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw new UserError(`caselink: the inline incident is not valid JSON (${(error as Error).message})`)
    }
    return parseIncidents(Array.isArray(value) ? value : [value], { timeZone })
  }
  return loadIncidents(source, { timeZone, format })
}

function formatIssueLine(issue: RecordIssue): string {
  return `caselink: row ${issue.index}${issue.id === undefined ? '' : ` (${issue.id})`}: ${issue.message} [${issue.code}]`
}
