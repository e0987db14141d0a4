// The kafkajs adapter's split of a send into one `sendBatch` per partition (kafka/kafkajs-producer.ts): a
// kafkajs retry of a call spanning several leaders duplicated records in a committed transaction.
import { describe, expect, it } from 'vitest'
import type { OutgoingRecord } from '../../kafka/kafka-port.js'
import { sendPerPartition } from '../../kafka/kafkajs-producer.js'

const record = (topic: string, partition: number | undefined, n: number): OutgoingRecord => ({
  topic,
  key: Buffer.from(`k${n}`),
  value: Buffer.from(`v${n}`),
  ...(partition === undefined ? {} : { partition }),
})

describe('sendPerPartition', () => {
  it('sends each partition in a call of its own, in order, and the records without a partition last, together', async () => {
    const records = [
      record('echo', 0, 1),
      record('repartition', 3, 2),
      record('echo', 0, 3),
      record('repartition', 1, 4),
      record('dlq', undefined, 5),
      record('repartition', 3, 6),
      record('dlq', undefined, 7),
    ]
    const calls: string[][] = []
    const results = await sendPerPartition(records, (group) => {
      calls.push(group.map((r) => `${r.topic}/${r.partition ?? '-'}/${r.key?.toString() ?? ''}`))
      return Promise.resolve([group.length])
    })
    expect(calls).toEqual([
      ['echo/0/k1', 'echo/0/k3'],
      ['repartition/3/k2', 'repartition/3/k6'],
      ['repartition/1/k4'],
      ['dlq/-/k5', 'dlq/-/k7'],
    ])
    expect(results).toEqual([2, 2, 1, 2])
  })

  it('throws the first failure only once every call of the send has settled', async () => {
    let release!: () => void
    const slow = new Promise<void>((resolve) => (release = resolve))
    let slowSettled = false
    const sending = sendPerPartition([record('a', 0, 1), record('b', 0, 2)], async (group) => {
      if (group[0]!.topic === 'a') throw new Error('not the leader')
      await slow
      slowSettled = true
      return [1]
    })
    let outcome: unknown
    void sending.catch((error: unknown) => (outcome = error))
    await new Promise((resolve) => setImmediate(resolve))
    expect(outcome).toBeUndefined()
    release()
    await expect(sending).rejects.toThrow('not the leader')
    expect(slowSettled).toBe(true)
  })
})
