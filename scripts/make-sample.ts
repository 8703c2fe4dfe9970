/**
 * Writes the bundled sample (fixtures/sample.csv with Chinese police-export headers, and the same
 * records as fixtures/sample.ndjson): ~300 incidents in one county, with planted series.
 * Deterministic: `npx tsx scripts/make-sample.ts` rewrites byte-identical files.
 */
import { writeFileSync } from 'node:fs'
import { stringify } from 'csv-stringify/sync'
import { createRandom, type Random } from '../src/util/random'

const random = createRandom(20210513)
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]

const towns = [
  { name: '城关镇', lat: 32.012, lon: 119.412 },
  { name: '新桥镇', lat: 32.081, lon: 119.305 },
  { name: '白马镇', lat: 31.954, lon: 119.522 },
  { name: '东湖乡', lat: 32.125, lon: 119.478 },
  { name: '柳塘村', lat: 31.902, lon: 119.361 },
  { name: '三河镇', lat: 32.047, lon: 119.611 },
]
const categories = [
  'burglary.residential',
  'burglary.shop',
  'theft.ebike',
  'theft.parcel',
  'theft.vehicle',
  'theft.livestock',
  'fraud.telecom',
] as const
const commonMo = [
  'entry:window',
  'entry:door-unlocked',
  'time:night',
  'target:cash',
  'target:phone',
  'exit:same-way',
]
const rareMo = [
  'entry:pry-door',
  'entry:cut-lock',
  'tool:screwdriver',
  'target:elderly',
  'pretext:official',
  'pretext:relative-in-trouble',
  'entry:climb-balcony',
  'target:copper-cable',
]
const narratives: Record<string, string[]> = {
  'burglary.residential': [
    '事主{t}家中被盗，嫌疑人{m}入室，盗走现金及首饰。',
    '{t}一户民宅夜间被撬，屋内现金被盗。',
  ],
  'burglary.shop': ['{t}路边小卖部夜间被盗，嫌疑人{m}进入，盗走现金及香烟。', '{t}一超市收银台现金被盗。'],
  'theft.ebike': ['事主将电动车停放于{t}楼下，次日发现被盗。', '{t}菜场门口一辆电动自行车被盗。'],
  'theft.parcel': ['事主放在{t}快递柜旁的包裹被人取走。', '{t}驿站门口多个快递包裹丢失。'],
  'theft.vehicle': ['停放在{t}路边的轿车车窗被砸，车内财物被盗。'],
  'theft.livestock': ['{t}村民家中羊圈内两只羊被盗。', '{t}养殖户的鸡鸭夜间被盗。'],
  'fraud.telecom': [
    '{t}一老人接到自称公安人员电话，被骗转账。',
    '嫌疑人冒充{t}干部上门，以办理补贴为名骗取老人现金。',
  ],
}
const entryWords: Record<string, string> = {
  'entry:pry-door': '撬门',
  'entry:window': '翻窗',
  'entry:cut-lock': '剪锁',
  'entry:climb-balcony': '攀爬阳台',
}

interface Row {
  id: string
  timeFrom: string
  timeTo: string
  lat: number | ''
  lon: number | ''
  category: string
  mo: string[]
  evidence: string[]
  narrative: string
  series: string
  county: string
}

const pad = (n: number) => String(n).padStart(2, '0')
const stamp = (ms: number) => {
  const d = new Date(ms + 8 * 3600_000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00`
}
const start = Date.UTC(2024, 0, 1) - 8 * 3600_000
const rows: Row[] = []
let caseNo = 1
const jitter = (r: Random, km: number) => (r() - 0.5) * 2 * (km / 111)

function makeIncident(
  series: string,
  town: (typeof towns)[number],
  radiusKm: number,
  day: number,
  hour: number,
  category: string,
  mo: string[],
  evidence: string[],
): Row {
  const windowed =
    category.startsWith('burglary') || category === 'theft.ebike' || category === 'theft.livestock'
  const from = start + day * 86_400_000 + hour * 3_600_000 + Math.floor(random() * 60) * 60_000
  const to = windowed ? from + Math.floor(2 + random() * 9) * 3_600_000 : from
  const t = town.name
  const entry = mo.find((m) => entryWords[m] !== undefined)
  const narrative = pick(random, narratives[category])
    .replace('{t}', t)
    .replace('{m}', entry ? entryWords[entry] : '')
  const missingLocation = random() < 0.03
  return {
    id: `320${String(100000 + caseNo++)}`,
    timeFrom: stamp(from),
    timeTo: stamp(to),
    lat: missingLocation ? '' : Number((town.lat + jitter(random, radiusKm)).toFixed(5)),
    lon: missingLocation ? '' : Number((town.lon + jitter(random, radiusKm)).toFixed(5)),
    category,
    mo,
    evidence,
    narrative,
    series,
    county: '某县',
  }
}

// Planted series: each an offender with a home town, a category, a stable MO signature and bursts.
const plan = [
  {
    size: 14,
    category: 'burglary.shop',
    mo: ['entry:pry-door', 'time:night', 'target:cash', 'tool:screwdriver'],
    evidence: 'shoeprint:SP-4471',
    travel: 0,
  },
  { size: 11, category: 'theft.ebike', mo: ['entry:cut-lock', 'time:night'], evidence: '', travel: 0 },
  {
    size: 9,
    category: 'fraud.telecom',
    mo: ['pretext:official', 'target:elderly', 'target:cash'],
    evidence: 'phone:13912345678',
    travel: 1,
  },
  {
    size: 8,
    category: 'burglary.residential',
    mo: ['entry:climb-balcony', 'time:night', 'target:cash'],
    evidence: 'fingerprint:FP-88231',
    travel: 0,
  },
  {
    size: 7,
    category: 'theft.livestock',
    mo: ['time:night', 'target:sheep'],
    evidence: 'plate:苏K12345',
    travel: 1,
  },
  { size: 6, category: 'theft.parcel', mo: ['target:parcel'], evidence: '', travel: 0 },
  {
    size: 5,
    category: 'burglary.residential',
    mo: ['entry:window', 'target:phone', 'exit:same-way'],
    evidence: 'dna:DNA-2024-017',
    travel: 0,
  },
  {
    size: 4,
    category: 'theft.vehicle',
    mo: ['entry:smash-window', 'target:copper-cable'],
    evidence: '',
    travel: 0,
  },
]
plan.forEach((p, s) => {
  const home = towns[s % towns.length]
  const firstDay = Math.floor(random() * 250)
  const hour = p.category === 'fraud.telecom' ? 10 : 1
  for (let k = 0; k < p.size; k++) {
    const town = p.travel && random() < 0.5 ? pick(random, towns) : home
    const mo = p.mo.filter(() => random() < 0.85)
    const evidence = p.evidence !== '' && random() < 0.3 ? [p.evidence] : []
    rows.push(
      makeIncident(
        `S${s + 1}`,
        town,
        2.5,
        firstDay + Math.floor(random() * 60),
        hour + Math.floor(random() * 3),
        p.category,
        mo,
        evidence,
      ),
    )
  }
})
while (rows.length < 300) {
  const category = pick(random, categories)
  const mo = [pick(random, commonMo)]
  if (random() < 0.5) mo.push(pick(random, commonMo))
  if (random() < 0.1) mo.push(pick(random, rareMo))
  const evidence = random() < 0.05 ? [`fingerprint:FP-${10000 + Math.floor(random() * 90000)}`] : []
  rows.push(
    makeIncident(
      '',
      pick(random, towns),
      4,
      Math.floor(random() * 365),
      Math.floor(random() * 24),
      category,
      [...new Set(mo)],
      evidence,
    ),
  )
}
// Shuffle deterministically so series are not contiguous.
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1))
  ;[rows[i], rows[j]] = [rows[j], rows[i]]
}

const header = [
  '案件编号',
  '发案开始时间',
  '发案结束时间',
  '经度',
  '纬度',
  '案件类别',
  '作案手段',
  '物证',
  '简要案情',
  '串并案编号',
  '所属区县',
]
const csv = stringify(
  rows.map((r) => [
    r.id,
    r.timeFrom,
    r.timeTo,
    r.lon,
    r.lat,
    r.category,
    r.mo.join(';'),
    r.evidence.join(';'),
    r.narrative,
    r.series,
    r.county,
  ]),
  { header: true, columns: header, bom: true },
)
writeFileSync('fixtures/sample.csv', csv)
const ndjson = rows
  .map((r) => {
    const record: Record<string, unknown> = {
      id: r.id,
      timeFrom: `${r.timeFrom.replace(' ', 'T')}+08:00`,
      timeTo: `${r.timeTo.replace(' ', 'T')}+08:00`,
    }
    if (r.lat !== '') {
      record.lat = r.lat
      record.lon = r.lon
    }
    Object.assign(record, { category: r.category, mo: r.mo, evidence: r.evidence, narrative: r.narrative })
    if (r.series !== '') record.series = r.series
    record.county = r.county
    return JSON.stringify(record)
  })
  .join('\n')
writeFileSync('fixtures/sample.ndjson', `${ndjson}\n`)
console.log(`wrote ${rows.length} incidents to fixtures/sample.csv and fixtures/sample.ndjson`)
