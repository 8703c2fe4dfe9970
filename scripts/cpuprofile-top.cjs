// Prints the functions with the most self time in the newest .cpuprofile of a folder.
//   node scripts/cpuprofile-top.cjs DIR [N]
const fs = require('node:fs')
const dir = process.argv[2]
const top = Number(process.argv[3] ?? 25)
const file = fs
  .readdirSync(dir)
  .filter((name) => name.endsWith('.cpuprofile'))
  .map((name) => `${dir}/${name}`)
  .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]
const profile = JSON.parse(fs.readFileSync(file, 'utf8'))
const timeByNode = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]
  timeByNode.set(id, (timeByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
}
const self = new Map()
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame
  const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + (timeByNode.get(node.id) ?? 0))
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`)
for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}`)
}
