// Under the eager protocol every rebalance revokes a member's partitions and assigns them again, and the
// member starts over at the committed offsets. A consume that was waiting when the new assignment came
// returns its first messages: they must reach the member (or be fetched again), never be dropped while the
// client's position moves past them (found by Kafka's RelationalSmokeTest, `relational crash`, 2026-12-04).
import { describe, expect, it } from 'vitest'
import { clientKinds, type KafkaConsumer } from '../../kafka/index.js'
import { client, createTopic, uniqueName } from '../support/kafka.js'
import { until } from '../support/until.js'

const partitions = 2

describe.each(clientKinds)('eager rebalancing on %s', (kind) => {
  it('loses no message while members join and leave under live traffic: the members, committing what they processed, see every offset', async () => {
    const kafka = client(kind)
    const topic = uniqueName(`eager-delivery-${kind}`)
    await createTopic(kafka, topic, partitions)
    const groupId = uniqueName(`eager-delivery-group-${kind}`)
    const seen = Array.from({ length: partitions }, () => new Set<number>())
    const members: KafkaConsumer[] = []
    const join = async (): Promise<KafkaConsumer> => {
      const consumer = kafka.consumer({
        groupId,
        rebalance: 'eager',
        autoOffsetReset: 'earliest',
        maxBatchSize: 50,
      })
      members.push(consumer)
      await consumer.connect()
      await consumer.subscribe([topic])
      await consumer.run({
        eachBatch: async ({ partition, records, isStale }) => {
          if (isStale()) return
          for (const record of records) seen[partition]!.add(record.offset)
          const next = records[records.length - 1]!.offset + 1
          await consumer.commitOffsets([{ topic, partition, offset: next }])
        },
      })
      return consumer
    }

    const producer = kafka.producer()
    await producer.connect()
    const produced = Array.from({ length: partitions }, () => 0)
    let producing = true
    const traffic = (async () => {
      while (producing) {
        for (let partition = 0; partition < partitions; partition++) {
          await producer.send(
            Array.from({ length: 10 }, (_, i) => ({
              topic,
              partition,
              key: null,
              value: Buffer.from(`${produced[partition]! + i}`),
            })),
          )
          produced[partition]! += 10
        }
        // paced (~1,000 records/s), so that the members keep up between rebalances
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()

    const hasAll = (consumer: KafkaConsumer) => () => consumer.assignment().length === partitions
    try {
      const first = await join()
      await until('the first member holding every partition', hasAll(first))
      for (let round = 0; round < 3; round++) {
        // a second member joins (both are revoked and assigned) and leaves (the first is assigned again)
        const second = await join()
        await until(`round ${round}: both members assigned`, () =>
          [first, second].every((member) => member.assignment().length > 0),
        )
        await second.disconnect()
        members.splice(members.indexOf(second), 1)
        await until(`round ${round}: the first member holding every partition again`, hasAll(first))
      }
    } finally {
      producing = false
      await traffic
      await producer.disconnect()
    }

    const missing = () =>
      produced.map((count, partition) =>
        Array.from({ length: count }, (_, offset) => offset).filter((o) => !seen[partition]!.has(o)),
      )
    try {
      await until('every produced offset seen by a member', () => missing().every((m) => m.length === 0), {
        timeoutMs: 30_000,
        observed: () => JSON.stringify(missing().map((m) => m.slice(0, 20))),
      })
    } finally {
      for (const member of members) await member.disconnect()
    }
    expect(missing()).toEqual(produced.map(() => []))
    expect(produced.every((count) => count > 0)).toBe(true)
  })
})
