import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LinkResult } from '../link/linkIncidents'
import { writeAssignmentsCsv } from './assignmentsCsv'
import { createTextFileWriter } from './csv'
import { linkResultToGraphology, toGexf, writeGraphml } from './graphExport'
import { writeLinksCsv } from './linksCsv'
import { type RejectedRecord, writeRejectedNdjson } from './rejectedNdjson'
import { writeSeriesGeoJson } from './seriesGeoJson'
import { type SeriesJsonMeta, writeSeriesJson } from './seriesJson'

/** The output formats of a link run; `csv` is assignments.csv and links.csv. */
export const OUTPUT_FORMATS = ['json', 'csv', 'geojson', 'gexf', 'graphml'] as const

/** One output format. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** Options of {@link writeLinkOutputs}. */
export interface WriteLinkOutputsOptions {
  /** Formats to write. Default all of {@link OUTPUT_FORMATS}. rejected.ndjson is written whenever `rejected` is given. */
  formats?: readonly OutputFormat[]
  /** Rejected input records, written to rejected.ndjson (an empty file when there are none). */
  rejected?: readonly RejectedRecord[]
  /** Run information for series.json. */
  meta?: SeriesJsonMeta
  /** Graph exports (GEXF, GraphML) are skipped, with a message, above this many links. Default 100,000 (GEXF costs about 5.5 kB of heap a link while written). */
  maxGraphEdges?: number
  /** Reasons per link in links.csv and on graph edges. Default 3. */
  maxReasons?: number
  /** Called after each file is written, for progress display. */
  onFile?: (file: OutputFile) => void
}

/** A file written (or skipped) by {@link writeLinkOutputs}. */
export interface OutputFile {
  /** File name inside the output directory. */
  name: string
  path: string
  /** Bytes written; 0 when skipped. */
  bytes: number
  /** Data records written (series, rows, features, nodes and links…). */
  records: number
  /** What the records are, for people (`'24 series'`, `'90 nodes, 174 links'`). */
  description: string
  /** Why the file was not written, when it was skipped. */
  skipped?: string
}

const DEFAULTS = { formats: OUTPUT_FORMATS, maxGraphEdges: 100_000, maxReasons: 3 }

/**
 * graphology-gexf builds the whole document as one string through xml-writer: measured ~560 characters
 * and ~5.5 kB of heap per link (220k links: a 123M-character string, 1.2 GB of heap). V8 strings stop at
 * about 2^29 characters, so GEXF is refused above this many links even when asked; GraphML is streamed.
 */
export const GEXF_MAX_EDGES = 400_000

/**
 * Writes the outputs of a link run into a directory (created if needed): series.json, assignments.csv,
 * links.csv, series.geojson, graph.gexf, graph.graphml and rejected.ndjson. CSV files are UTF-8 with BOM
 * and neutralize formula injection. Graph exports above `maxGraphEdges` links are skipped with a
 * message in the returned list (and a stale file of the same name is removed). Returns what was written.
 *
 * @example
 * const files = writeLinkOutputs(linkIncidents(rows), 'out', { formats: ['json', 'csv'] })
 * for (const f of files) console.log(f.name, f.bytes)
 */
export function writeLinkOutputs(
  result: LinkResult,
  dir: string,
  options: WriteLinkOutputsOptions = {},
): OutputFile[] {
  const formats = new Set(options.formats ?? DEFAULTS.formats)
  for (const format of formats) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new RangeError(
        `caselink: unknown output format '${format}' (expected ${OUTPUT_FORMATS.join(', ')})`,
      )
    }
  }
  const maxGraphEdges = options.maxGraphEdges ?? DEFAULTS.maxGraphEdges
  const maxReasons = options.maxReasons ?? DEFAULTS.maxReasons
  const onFile = options.onFile ?? (() => {})
  mkdirSync(dir, { recursive: true })
  const files: OutputFile[] = []
  /** Writes one file through a buffered writer; `write` returns the records, or the records and their description. */
  const emit = (
    name: string,
    unit: string,
    write: (
      out: ReturnType<typeof createTextFileWriter>,
    ) => number | { records: number; description: string },
  ): void => {
    const path = join(dir, name)
    const out = createTextFileWriter(path)
    let written: number | { records: number; description: string }
    try {
      written = write(out)
    } finally {
      out.close()
    }
    const records = typeof written === 'number' ? written : written.records
    const description = typeof written === 'number' ? `${written} ${unit}` : written.description
    const file: OutputFile = { name, path, bytes: out.close(), records, description }
    files.push(file)
    onFile(file)
  }
  if (formats.has('json')) emit('series.json', 'series', (out) => writeSeriesJson(result, out, options.meta))
  if (formats.has('csv')) {
    emit('assignments.csv', 'incidents', (out) => writeAssignmentsCsv(result, out))
    emit('links.csv', 'links', (out) => writeLinksCsv(result, out, { maxReasons }))
  }
  if (formats.has('geojson')) {
    emit('series.geojson', 'features', (out) => {
      const { incidents, series } = writeSeriesGeoJson(result, out)
      return incidents + series
    })
  }
  /** Records a skipped file and removes a stale one of the same name (from an earlier run) so it cannot mislead. */
  const skip = (name: string, skipped: string): void => {
    const path = join(dir, name)
    rmSync(path, { force: true })
    const file: OutputFile = { name, path, bytes: 0, records: 0, description: 'skipped', skipped }
    files.push(file)
    onFile(file)
  }
  if (formats.has('gexf') || formats.has('graphml')) {
    const names = [
      formats.has('gexf') ? 'graph.gexf' : '',
      formats.has('graphml') ? 'graph.graphml' : '',
    ].filter((name) => name !== '')
    if (result.graph.edgeCount > maxGraphEdges) {
      const skipped =
        `the graph has ${result.graph.edgeCount} links, more than ${maxGraphEdges}: ` +
        'skipped (raise maxGraphEdges, --max-graph-edges, to write it anyway; graphology needs ~1.3 kB a link)'
      for (const name of names) skip(name, skipped)
    } else {
      const graph = linkResultToGraphology(result, { maxEdges: maxGraphEdges, maxReasons })
      const records = graph.order + graph.size
      const description = `${graph.order} nodes, ${graph.size} links`
      for (const name of names) {
        const path = join(dir, name)
        if (name === 'graph.graphml') {
          emit(name, 'nodes and links', (out) => {
            writeGraphml(graph, (text) => out.write(text))
            return { records, description }
          })
          continue
        }
        if (graph.size > GEXF_MAX_EDGES) {
          const skipped =
            `the graph has ${graph.size} links; graphology-gexf builds the file as one string and cannot ` +
            `go beyond ${GEXF_MAX_EDGES}: skipped (graph.graphml is streamed and has the same content)`
          skip(name, skipped)
          continue
        }
        let text: string
        try {
          text = toGexf(graph)
        } catch (error) {
          // graphology-gexf builds one string; V8 strings stop at about 2^29 characters.
          if (!(error instanceof RangeError)) throw error
          const skipped = `the GEXF text of ${graph.size} links is longer than a JavaScript string can be: skipped`
          skip(name, skipped)
          continue
        }
        writeFileSync(path, text, 'utf8')
        const file: OutputFile = { name, path, bytes: Buffer.byteLength(text, 'utf8'), records, description }
        files.push(file)
        onFile(file)
      }
    }
  }
  if (options.rejected !== undefined) {
    const rejected = options.rejected
    emit('rejected.ndjson', 'rejected records', (out) => writeRejectedNdjson(rejected, out))
  }
  return files
}
