// Consumer lag on confluent under read_committed, against the real broker: counted to the last stable offset.
import { describe, it } from 'vitest'
import { client, createTopic, uniqueName } from '../support/kafka.js'
import { until } from '../support/until.js'

// kafkajs reports only the high watermark: there an open transaction's records count as lag (kafka-port.ts)
describe('Kafka port: confluent under read_committed', () => {
  it("counts lag to the last stable offset: an open transaction's records are not lag until committed", async () => {
    const kafka = client('confluent')
    const topic = uniqueName('stable-lag')
    await createTopic(kafka, topic, 1)
    const tp = { topic, partition: 0 }
    const plain = kafka.producer()
    await plain.connect()
    await plain.send(Array.from({ length: 5 }, () => ({ topic, key: null, value: Buffer.from('p') })))
    await plain.disconnect()
    const transactional = kafka.producer({ transactionalId: uniqueName('stable-lag-tx') })
    await transactional.connect()
    const txn = await transactional.beginTransaction()
    await txn.send(Array.from({ length: 3 }, () => ({ topic, key: null, value: Buffer.from('t') })))
    const consumer = kafka.consumer({ groupId: uniqueName('stable-lag-group'), isolation: 'read_committed' })
    await consumer.connect()
    await consumer.subscribe([topic])
    let delivered = 0
    await consumer.run({
      eachBatch: async (batch) => {
        if (!batch.isStale()) delivered += batch.records.length
      },
    })
    const waitFor = (what: string, condition: () => boolean) =>
      until(what, condition, {
        timeoutMs: 30_000,
        intervalMs: 20,
        observed: () => `delivered ${delivered}, lag ${consumer.currentLag(tp)}`,
      })
    try {
      await waitFor('the committed records delivered', () => delivered === 5)
      // the high watermark is 3 records further, in a transaction still open
      await waitFor('lag 0 with the transaction open', () => consumer.currentLag(tp) === 0)
      await txn.commit()
      await waitFor('the transaction delivered once committed', () => delivered === 8)
      await waitFor('lag 0 after it', () => consumer.currentLag(tp) === 0)
    } finally {
      await consumer.disconnect()
      await transactional.disconnect()
    }
  })
})
