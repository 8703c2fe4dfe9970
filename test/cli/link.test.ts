import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import Graph from 'graphology'
import { parse as parseGexf } from 'graphology-gexf'
import { parse as parseGraphml } from 'graphology-graphml'
import { describe, expect, it } from 'vitest'
import { useCliSession } from './cliBuild'

const session = useCliSession('link')
const runCli = session.run
const oneLineError = session.oneLineError
const BOM = '\uFEFF'
const ALL_OUTPUTS = [
  'assignments.csv',
  'graph.gexf',
  'graph.graphml',
  'links.csv',
  'rejected.ndjson',
  'series.geojson',
  'series.json',
]

const read = (path: string) => readFileSync(path, 'utf8')
const csvRows = (path: string): Record<string, string>[] => {
  const text = read(path)
  expect(text.startsWith(BOM)).toBe(true)
  return parseCsv(text, { bom: true, columns: true })
}

describe('caselink link (built binary)', () => {
  it('links the Chinese-header CSV sample and writes every output, each of which parses', () => {
    const out = join(session.dir, 'csv')
    const run = runCli('link', 'fixtures/sample.csv', '--time-zone', 'Asia/Shanghai', '--out', out)
    expect(run.stderr).toBe('') // not a TTY: no progress bars
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^fixtures\/sample\.csv: 300 rows, 300 valid, 0 rejected/)
    expect(run.stdout).toMatch(/top \d+ series:\nS1 /)
    expect(readdirSync(out).sort()).toEqual(ALL_OUTPUTS)

    const doc = JSON.parse(read(join(out, 'series.json')))
    expect(doc.counts).toEqual({ rows: 300, valid: 300, rejected: 0, warnings: expect.any(Number) })
    expect(doc.options.timeZone).toBe('Asia/Shanghai')
    expect(doc.stats.stages.candidates.pairs).toBeGreaterThan(0)
    expect(doc.series.length).toBe(doc.seriesCount)
    expect(doc.series.length).toBeGreaterThan(0)
    const sizeOf = new Map<string, number>(
      doc.series.map((s: { id: string; size: number }) => [s.id, s.size]),
    )
    expect(doc.series[0].strongestLinks[0].reasons.length).toBeGreaterThan(0)

    const assignments = csvRows(join(out, 'assignments.csv'))
    expect(assignments).toHaveLength(300)
    expect(Object.keys(assignments[0])).toEqual(['id', 'seriesId', 'seriesSize', 'seriesRank', 'priority'])
    let inSeries = 0
    for (const row of assignments) {
      if (row.seriesId === '') continue
      inSeries++
      expect(Number(row.seriesSize)).toBe(sizeOf.get(row.seriesId))
    }
    expect(inSeries).toBe(doc.incidentsInSeries)

    const links = csvRows(join(out, 'links.csv'))
    expect(links).toHaveLength(doc.stats.stages.summaries.links)
    for (const link of links.slice(0, 20)) {
      expect(Number(link.probability)).toBeGreaterThanOrEqual(0.5)
      expect(link.reasons).toMatch(/\(\+\d/)
      expect(sizeOf.has(link.seriesId)).toBe(true)
    }

    const geo = JSON.parse(read(join(out, 'series.geojson')))
    expect(geo.type).toBe('FeatureCollection')
    const points = geo.features.filter(
      (f: { properties: { kind: string } }) => f.properties.kind === 'incident',
    )
    const shapes = geo.features.filter(
      (f: { properties: { kind: string } }) => f.properties.kind === 'series',
    )
    const located = read('fixtures/sample.ndjson')
      .trim()
      .split('\n')
      .filter((line) => JSON.parse(line).lat !== undefined).length
    expect(located).toBeGreaterThan(250)
    expect(points).toHaveLength(located)
    expect(shapes).toHaveLength(doc.series.length)
    for (const f of geo.features) {
      expect(f.type).toBe('Feature')
      const positions = f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates[0]
      if (f.geometry.type === 'Polygon') expect(positions[0]).toEqual(positions[positions.length - 1])
      else expect(f.geometry.type).toBe('Point')
      for (const [lon, lat] of positions) {
        expect(lon).toBeGreaterThan(118) // the sample is in Jiangsu
        expect(lon).toBeLessThan(121)
        expect(lat).toBeGreaterThan(31)
        expect(lat).toBeLessThan(33)
      }
    }

    const gexf = parseGexf(Graph, read(join(out, 'graph.gexf')))
    const graphml = parseGraphml(Graph, read(join(out, 'graph.graphml')))
    expect(gexf.size).toBe(doc.stats.stages.graph.edges)
    expect(graphml.size).toBe(gexf.size)
    expect(graphml.order).toBe(gexf.order)
    const first = links[0]
    expect(gexf.getNodeAttribute(first.id1, 'seriesId')).toBe(first.seriesId)
    expect(read(join(out, 'rejected.ndjson'))).toBe('')
  })

  it('--null-test reports what the time-permuted data link, in the summary and in series.json', () => {
    const out = join(session.dir, 'null')
    const run = runCli(
      'link',
      'fixtures/sample.csv',
      '--time-zone',
      'Asia/Shanghai',
      '-o',
      out,
      '-q',
      '--null-test',
      '--null-seed',
      '4',
      '--formats',
      'json',
    )
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/\npriors estimated on the data: near pairs [\d.]+% linked of \d+/)
    expect(run.stdout).toMatch(
      /\nnull test \(times permuted among 300 incidents, seed 4\): \d+ links \([\d.]+% of \d+\)/,
    )
    const doc = JSON.parse(read(join(out, 'series.json')))
    expect(doc.nullTest.permuted).toEqual({ fields: ['timeFrom', 'timeTo'], incidents: 300, seed: 4 })
    expect(doc.nullTest.observed.links).toBe(doc.stats.stages.summaries.links)
    expect(doc.nullTest.share.links).toBeCloseTo(
      doc.nullTest.permutedRun.links / doc.nullTest.observed.links,
      12,
    )
    expect(doc.priors.map((p: { kind: string }) => p.kind)).toEqual(['near', 'evidence', 'far'])
    expect(doc.options.prior).toBe('estimate')
  })

  it('gives the same series from the NDJSON twin of the sample; --json is alone on stdout', () => {
    const out = join(session.dir, 'ndjson')
    const run = runCli('link', 'fixtures/sample.ndjson', '--out', out, '--json', '--formats', 'csv')
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    const summary = JSON.parse(run.stdout)
    expect(summary.counts.valid).toBe(300)
    expect(summary.resources.maxRssBytes).toBeGreaterThan(10e6)
    expect(summary.timings.linkMs).toBeGreaterThan(0)
    expect(summary.outputs.map((f: { name: string }) => f.name)).toEqual([
      'assignments.csv',
      'links.csv',
      'rejected.ndjson',
    ])
    // Same records, same linkage: the sample.csv run above wrote the same assignments.
    expect(read(join(out, 'assignments.csv'))).toBe(read(join(session.dir, 'csv', 'assignments.csv')))
  })

  it('writes every rejected row of the hostile file with its issues; --strict exits 1', () => {
    const out = join(session.dir, 'hostile')
    const args = ['link', 'fixtures/hostile.ndjson', '--time-zone', 'America/Chicago', '--out', out, '--json']
    const run = runCli(...args)
    expect(run.status).toBe(0)
    const { counts } = JSON.parse(run.stdout)
    expect(counts.rejected).toBeGreaterThan(10)
    const rejected = read(join(out, 'rejected.ndjson'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(rejected).toHaveLength(counts.rejected)
    expect(csvRows(join(out, 'assignments.csv'))).toHaveLength(counts.valid)
    const reversed = rejected.find((r) => r.row?.id === 'REVERSED')
    expect(reversed.line).toBe(14)
    expect(reversed.issues[0]).toMatchObject({ code: 'time_range_reversed', path: [13, 'timeTo'] })
    const broken = rejected.find((r) => r.issues[0].code === 'malformed_json')
    expect(broken.row).toBeUndefined()
    expect(broken.line).toBe(22)
    expect(rejected.some((r) => r.row === 'just a string')).toBe(true)
    expect(runCli(...args, '--strict').status).toBe(1)
  })

  it('neutralizes formula injection in every CSV output, and keeps -87.6 a number', () => {
    const input = join(session.dir, 'inject.ndjson')
    const base = { time: '2024-03-05T22:10:00Z', lat: 41.8, lon: -87.6, category: 'theft', mo: ['entry:x'] }
    const ids = ['=HYPERLINK("http://x","y")', '@SUM(A1:A2)', '+cmd|calc', '-2+3', '-5']
    const rows = ids.map((id) => ({ ...base, id, evidence: ['fingerprint:FP-1'] }))
    writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n'))
    const out = join(session.dir, 'inject')
    expect(runCli('link', input, '--out', out, '--formats', 'csv,geojson').status).toBe(0)
    const assignments = read(join(out, 'assignments.csv'))
    const links = read(join(out, 'links.csv'))
    for (const text of [assignments, links]) {
      expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`)
      expect(text).toContain("'@SUM(A1:A2)")
      expect(text).toContain("'+cmd|calc")
      expect(text).toContain("'-2+3")
      expect(text).not.toMatch(/(^|,|\n)[=+@]/)
    }
    expect(assignments).toMatch(/\r\n-5,S\d+,\d+,\d+,/) // a plain number stays a number
    const geo = JSON.parse(read(join(out, 'series.geojson')))
    expect(geo.features[0].geometry.coordinates).toEqual([-87.6, 41.8])
  })

  it('exits 2 with one line and no stack trace for usage errors and unusable input', () => {
    oneLineError(runCli('link', 'missing.csv', '--out', join(session.dir, 'x')))
    oneLineError(
      runCli('link', 'fixtures/sample.csv', '--time-zone', 'Mars/Base', '--out', join(session.dir, 'x')),
    )
    oneLineError(
      runCli('link', 'fixtures/sample.csv', '--formats', 'json,xlsx', '--out', join(session.dir, 'x')),
    )
    oneLineError(
      runCli('link', 'fixtures/sample.csv', '--resolution', 'high', '--out', join(session.dir, 'x')),
    )
    oneLineError(
      runCli(
        'link',
        'fixtures/sample.csv',
        '--model',
        join(session.dir, 'nope.json'),
        '--out',
        join(session.dir, 'x'),
      ),
    )
    writeFileSync(join(session.dir, 'bad-model.json'), '{"comparisons": 3}')
    oneLineError(
      runCli(
        'link',
        'fixtures/sample.csv',
        '--model',
        join(session.dir, 'bad-model.json'),
        '--out',
        join(session.dir, 'x'),
      ),
    )
    const underFile = oneLineError(runCli('link', 'fixtures/sample.csv', '--out', 'package.json/out'))
    expect(underFile.stderr).toBe('caselink: cannot mkdir package.json/out: ENOTDIR\n')
    expect(runCli('link').status).toBe(2)
  })
})

describe('caselink link --profile-merge', () => {
  it('merges series whose profiles agree, prints why, and lists the merges in series.json', () => {
    const plainOut = join(session.dir, 'plain')
    const mergedOut = join(session.dir, 'merged')
    // a high edge floor leaves the sample's series in fragments for profile merging to join (at the
    // default floor the behaviour and clumped rare-MO candidates already join them)
    const floor = ['--min-probability', '0.99']
    const plain = runCli(
      'link',
      'fixtures/sample.csv',
      '--time-zone',
      'Asia/Shanghai',
      '-o',
      plainOut,
      '-q',
      ...floor,
      '--no-series-links',
    )
    const merged = runCli(
      'link',
      'fixtures/sample.csv',
      '--time-zone',
      'Asia/Shanghai',
      '-o',
      mergedOut,
      '-q',
      ...floor,
      '--profile-merge',
    )
    expect(plain.status).toBe(0)
    expect(merged.status).toBe(0)
    const before = JSON.parse(read(join(plainOut, 'series.json')))
    const after = JSON.parse(read(join(mergedOut, 'series.json')))
    expect(before.profileLinks).toEqual([])
    expect(before.options.seriesLinks).toBe(false)
    expect(after.profileLinks.length).toBeGreaterThan(0)
    // each link joins two of the plain run's series unless earlier links already joined them (a triangle)
    const plainAssignments = Object.fromEntries(
      csvRows(join(plainOut, 'assignments.csv')).map((row) => [row.id, row.seriesId]),
    )
    const parent = new Map<string, string>()
    const find = (s: string): string => {
      while (parent.has(s)) s = parent.get(s) as string
      return s
    }
    let joined = 0
    for (const link of after.profileLinks) {
      const a = find(plainAssignments[link.a])
      const b = find(plainAssignments[link.b])
      if (a === b) continue
      parent.set(b, a)
      joined++
    }
    expect(joined).toBeGreaterThan(0)
    expect(after.seriesCount).toBe(before.seriesCount - joined)
    expect(after.options.profileMerge).toBe(true)
    const assignments = Object.fromEntries(
      csvRows(join(mergedOut, 'assignments.csv')).map((row) => [row.id, row.seriesId]),
    )
    for (const link of after.profileLinks) {
      expect(assignments[link.a]).toBe(link.seriesId)
      expect(assignments[link.b]).toBe(link.seriesId)
    }
    expect(merged.stdout).toMatch(/~ \d+ {2}profiles agree 1\.00/)
  })

  it('links series by the built-in model by default, each link with its probability and reasons', () => {
    const out = join(session.dir, 'series-links')
    const run = runCli('link', 'fixtures/sample.csv', '--time-zone', 'Asia/Shanghai', '-o', out, '--top', '5')
    expect(run.status).toBe(0)
    const written = JSON.parse(read(join(out, 'series.json')))
    expect(written.options.seriesLinks).toBe(true)
    expect(written.profileLinks.length).toBeGreaterThan(0)
    for (const link of written.profileLinks) {
      expect(link.probability).toBeGreaterThanOrEqual(written.model.seriesLinks.minProbability)
      expect(link.reasons.length).toBeGreaterThan(0)
    }
    expect(run.stdout).toMatch(
      /~ \d+ {2}series link p=0\.\d{3}, profiles agree \d\.\d\d .*: [a-z ]+ \([+-]\d+\.\d\)/,
    )
  })
})
