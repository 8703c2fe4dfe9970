import type { LinkResult } from '../link/linkIncidents'
import type { NullTestResult } from '../link/nullTest'
import type { TextFileWriter } from './csv'

/** Run information stored in series.json next to the series. */
export interface SeriesJsonMeta {
  /** Input file, as given. */
  input?: string
  /** The options of the run (CLI flags or library options), as JSON. */
  options?: Record<string, unknown>
  /** Input counts: rows read, valid, rejected, warnings. */
  counts?: { rows: number; valid: number; rejected: number; warnings: number }
  /**
   * The permutation null test of the run (see `nullTest`), when made: what was permuted, the counts of
   * both runs and their shares.
   */
  nullTest?: Omit<NullTestResult, 'nullResult' | 'permutation'>
}

/**
 * The document written to series.json: tool and version, the run's input, options, counts and per-stage
 * stats, the priors estimated per kind of pair, the null test (when made), the model, the profile merges (pairs of detected series joined by their profiles, with the reason), then every
 * series (members by time, summaries, strongest links with reasons, priority).
 *
 * @example
 * const doc = seriesJsonDocument(result, { input: 'cases.csv', options: { timeZone: 'Asia/Shanghai' } })
 * doc.series[0].strongestLinks[0].reasons
 */
export function seriesJsonDocument(result: LinkResult, meta: SeriesJsonMeta = {}) {
  return {
    tool: 'caselink',
    version: 1,
    input: meta.input ?? null,
    options: meta.options ?? {},
    counts: meta.counts ?? null,
    stats: result.stats,
    priors: result.priors,
    nullTest: meta.nullTest ?? null,
    model: result.model,
    seriesCount: result.series.length,
    incidentsInSeries: result.series.reduce((sum, s) => sum + s.size, 0),
    profileLinks: result.profileLinks,
    attachments: result.attachments,
    series: result.series,
  }
}

/**
 * Writes series.json (see {@link seriesJsonDocument}), one series per line inside the array so a
 * few hundred thousand members never build one giant string. Returns the series written.
 *
 * @example
 * const out = createTextFileWriter('series.json')
 * writeSeriesJson(result, out, { input: 'cases.csv' })
 * out.close()
 */
export function writeSeriesJson(result: LinkResult, out: TextFileWriter, meta: SeriesJsonMeta = {}): number {
  const { series, ...head } = seriesJsonDocument(result, meta)
  const headText = JSON.stringify(head, null, 2)
  out.write(`${headText.slice(0, -2)},\n  "series": [`)
  for (let s = 0; s < series.length; s++)
    out.write(`${s === 0 ? '\n' : ',\n'}    ${JSON.stringify(series[s])}`)
  out.write(series.length > 0 ? '\n  ]\n}\n' : ']\n}\n')
  return series.length
}
