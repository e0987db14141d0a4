// A restore read (reading a changelog partition by offset to its end) goes on when the partition's leader
// stops — just before the read, so that it starts against a newly elected leader, or in the middle of it —
// with both clients, on a 3-node cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientKinds, createKafkaClient, type KafkaClient } from '../../kafka/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../../tools/local-kafka/local-kafka-cluster.js'
import { uniqueName } from '../support/kafka.js'

let cluster: LocalKafkaCluster
beforeAll(async () => {
  cluster = await startLocalKafka({ nodes: 3 })
})
afterAll(async () => cluster?.stop())

const records = 20_000

async function replicatedTopic(kafka: KafkaClient, topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics([
      { topic, partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': '2' } },
    ])
    const producer = kafka.producer()
    await producer.connect()
    for (let from = 0; from < records; from += 2_000)
      await producer.send(
        Array.from({ length: 2_000 }, (_, i) => ({
          topic,
          key: Buffer.from(`k${(from + i) % 500}`),
          value: Buffer.from(`value-${from + i}`.padEnd(200, '.')),
        })),
      )
    await producer.disconnect()
    const [description] = await admin.describeTopics([topic])
    return description!.partitions[0]!.leader
  } finally {
    await admin.disconnect()
  }
}

describe.each(clientKinds)('restore read across a leader change: %s', (kind) => {
  it.each(['before', 'during'] as const)(
    'reads every record once, in order, when the leader stops %s the read',
    async (when) => {
      const kafka = createKafkaClient({ kind, brokers: cluster.bootstrapServers.split(','), clientId: kind })
      const topic = uniqueName(`leader-${kind}`)
      const leader = await replicatedTopic(kafka, topic)
      const reader = kafka.reader({ isolation: 'read_committed' })
      const offsets: number[] = []
      let killed = when === 'before' ? cluster.killNode(leader) : undefined
      try {
        await killed
        const end = await reader.readToEnd({ topic, partition: 0 }, 'earliest', async (batch) => {
          for (const r of batch) offsets.push(r.offset)
          killed ??= cluster.killNode(leader)
          await killed
        })
        expect(end).toBe(records)
        expect(offsets).toEqual(Array.from({ length: records }, (_, i) => i))
      } finally {
        await reader.close()
        await killed
        await cluster.restartNode(leader)
      }
    },
  )
})
