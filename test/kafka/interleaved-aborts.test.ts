// read_committed against the broker when aborted transactions interleave on a partition, as they do under
// exactly-once with a producer per task after an instance is SIGKILLed (its tasks' transactions are
// aborted in the order their new owners fence them). The broker lists a fetch's aborted transactions in
// the order of their abort markers; kafkajs 2.2.4 took that list for one in first-offset order and
// delivered the records of a transaction begun before another but aborted after it (issue 12;
// kafka/kafkajs-aborted-filter.ts). Both adapters, the group consumer and the partition reader.
import { describe, expect, it } from 'vitest'
import { clientKinds, type KafkaClient } from '../../kafka/index.js'
import { client, collect, createTopic, onBroker, uniqueName } from '../support/kafka.js'

const value = (text: string) => Buffer.from(text)

/** `first` begins, `second` begins, `second` aborts, `first` aborts, then `committed` commits. */
async function interleave(kafka: KafkaClient, topic: string): Promise<void> {
  const [first, second, committed] = ['first', 'second', 'committed'].map((name) =>
    kafka.producer({ transactionalId: uniqueName(`interleaved-${name}`) }),
  )
  for (const producer of [first!, second!, committed!]) await producer.connect()
  try {
    // each record on the broker before the next step (see onBroker), so that the aborts interleave there
    const a = await first!.beginTransaction()
    await a.send([{ topic, partition: 0, key: value('k'), value: value('aborted-first-1') }])
    await onBroker(kafka, topic, 0, 1)
    const b = await second!.beginTransaction()
    await b.send([{ topic, partition: 0, key: value('k'), value: value('aborted-second') }])
    await onBroker(kafka, topic, 0, 2)
    await b.abort()
    await a.send([{ topic, partition: 0, key: value('k'), value: value('aborted-first-2') }])
    await onBroker(kafka, topic, 0, 4) // b's abort marker, then a's second record
    await a.abort()
    const c = await committed!.beginTransaction()
    await c.send([{ topic, partition: 0, key: value('k'), value: value('committed') }])
    await c.commit()
  } finally {
    for (const producer of [first!, second!, committed!]) await producer.disconnect()
  }
}

describe.each(clientKinds)('interleaved aborted transactions: %s', (kind) => {
  it('a read_committed consumer and reader deliver the committed record alone', async () => {
    const kafka = client(kind)
    const topic = uniqueName(`interleaved-aborts-${kind}`)
    await createTopic(kafka, topic, 1)
    await interleave(kafka, topic)

    const consumed = await collect(kafka, [topic], (records) =>
      records.some((r) => r.value?.toString() === 'committed'),
    )
    expect(consumed.map((r) => r.value?.toString())).toEqual(['committed'])

    const reader = kafka.reader({ isolation: 'read_committed' })
    try {
      const read: string[] = []
      await reader.readToEnd({ topic, partition: 0 }, 'earliest', (records) => {
        read.push(...records.map((r) => r.value!.toString()))
      })
      expect(read).toEqual(['committed'])
    } finally {
      await reader.close()
    }
  })
})
