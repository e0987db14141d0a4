// Runs a reference scenario (see tools/kafka-reference/KafkaReference.java) on our test driver and prints
// its outputs in the same format as the Kafka Streams run: `<topic> <key> <value> <timestamp>` per record,
// topics in name order, then `dropped <count>`.
import { readFileSync } from 'node:fs'
import { stringSerde } from '../../../state/index.js'
import { TopologyTestDriver } from '../../../topology/index.js'
import { topologies } from './topologies.js'

const token = (t: string): string | null => (t === '~' ? null : t)

export async function runScenario(file: string): Promise<string[]> {
  const lines = readFileSync(file, 'utf8').split('\n')
  const name = lines
    .find((l) => l.startsWith('topology '))
    ?.slice('topology '.length)
    .trim()
  const build = name === undefined ? undefined : topologies[name]
  if (!build) throw new Error(`${file}: unknown topology ${String(name)}`)
  const driver = new TopologyTestDriver(build(), { applicationId: 'reference', wallClockMs: 0 })
  const outputs = new Map<string, string[]>()
  try {
    for (const line of lines) {
      const [step, ...args] = line.trim().split(/\s+/)
      if (step === 'pipe') {
        const [topic, key, value, timestamp] = args as [string, string, string, string]
        await driver
          .createInputTopic(topic, stringSerde, stringSerde)
          .pipeInput(token(key), token(value), Number(timestamp))
      } else if (step === 'wall') {
        await driver.advanceWallClockTime(Number(args[0]))
      }
    }
    for (const topic of driver
      .producedTopics()
      .filter((t) => t.startsWith('out'))
      .sort()) {
      const out = driver.createOutputTopic(topic, stringSerde, stringSerde)
      outputs.set(
        topic,
        out.readRecordsToList().map((r) => `${topic} ${r.key ?? '~'} ${r.value ?? '~'} ${r.timestamp}`),
      )
    }
    return [...[...outputs.values()].flat(), `dropped ${driver.droppedRecordsTotal()}`]
  } finally {
    await driver.close()
  }
}
