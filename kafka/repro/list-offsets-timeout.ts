// Reproduces the librdkafka 2.15.1 crash that confluent-watermarks.ts avoids: admin ListOffsets calls with
// a 0 ms timeout (what the binding's fetchTopicOffsets passes when its metadata call used up its 5 s) on a
// one-broker cluster. The timeout path on rdk:main frees the leader lookup's partition list while the
// caller's thread still reads it; the process dies with heap corruption (`malloc(): unsorted double linked
// list corrupted`, SIGABRT) within the first rounds.
//   npx tsx kafka/repro/list-offsets-timeout.ts [timeoutMs=0] [rounds=1000]
import { startLocalKafka } from '../../tools/local-kafka/local-kafka-cluster.js'
import { nativeClient } from '../native-client.js'

const timeoutMs = Number(process.argv[2] ?? '0')
const rounds = Number(process.argv[3] ?? '1000')
const cluster = await startLocalKafka({ nodes: 1 })
try {
  const { AdminClient, KafkaJS } = nativeClient()
  const admin = AdminClient.create({ 'bootstrap.servers': cluster.bootstrapServers })
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: cluster.bootstrapServers.split(',') } })
  const setup = kafka.admin()
  await setup.connect()
  const topics = ['a', 'b', 'c', 'd'].map((t) => `list-offsets-${t}`)
  await setup.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 5 })) })
  await setup.disconnect()
  const outcomes: Record<string, number> = {}
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      topics.map(
        (topic) =>
          new Promise<void>((resolve) =>
            admin.listOffsets(
              [0, 1, 2, 3, 4].map((partition) => ({ topic, partition, offset: { timestamp: -1 } })),
              { timeout: timeoutMs },
              (error) => {
                const outcome = error ? error.message : 'answered'
                outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
                resolve()
              },
            ),
          ),
      ),
    )
    if (round % 100 === 0) console.log(`round ${round}: ${JSON.stringify(outcomes)}`)
  }
  console.log(`no crash in ${rounds} rounds: ${JSON.stringify(outcomes)}`)
  admin.disconnect()
} finally {
  await cluster.stop()
}
