// Regenerates the expected outputs of test/topology/reference: runs every scenario on Kafka Streams' own
// TopologyTestDriver (KafkaReference.java, Kafka Streams 4.1.2 from Maven Central) and writes
// `<scenario>.expected` next to each `<scenario>.scenario`. Needs Java 17+ and Maven.
//   npm run reference:kafka [-- <scenario name>...]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const scenarios = path.resolve(here, '../../test/topology/reference')

const only = process.argv.slice(2)
const files = readdirSync(scenarios)
  .filter((f) => f.endsWith('.scenario'))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.scenario$/, '')))
  .map((f) => path.join(scenarios, f))

const cpFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'kafka-reference-')), 'classpath.txt')
execFileSync(
  'mvn',
  [
    '-q',
    '-B',
    '-ntp',
    '-f',
    path.join(here, 'pom.xml'),
    'dependency:build-classpath',
    `-Dmdep.outputFile=${cpFile}`,
  ],
  {
    stdio: 'inherit',
  },
)
const classPath = readFileSync(cpFile, 'utf8').trim()
const output = execFileSync('java', ['-cp', classPath, path.join(here, 'KafkaReference.java'), ...files], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
})
for (const block of output.split(/^== /m).filter((b) => b.trim())) {
  const [name, ...lines] = block.split('\n')
  const target = path.join(scenarios, name!.trim().replace(/\.scenario$/, '.expected'))
  writeFileSync(target, lines.filter((l) => l.trim()).join('\n') + '\n')
  console.log(`${path.relative(process.cwd(), target)}: ${lines.filter((l) => l.trim()).length} lines`)
}
