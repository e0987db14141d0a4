// kafkajs' read_committed filter as the engine's consumers run it: kafkajs' own Batch (what its consumer
// builds from each fetched partition) after kafka/kafkajs.ts replaced the filter (kafka/kafkajs-aborted-filter.ts).
// kafkajs 2.2.4's filter delivered records of aborted transactions when aborted transactions interleave
// (issue 12): the first two cases fail with it.
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import '../../kafka/kafkajs.js'
import { assertAbortedFilterInstalled } from '../../kafka/kafkajs-aborted-filter.js'

interface Fetched {
  offset: string
  key: Buffer | null
  value: Buffer | null
  isControlRecord: boolean
  batchContext: { producerId: string; inTransaction: boolean }
}
type BatchClass = new (
  topic: string,
  fetchedOffset: string,
  partitionData: {
    partition: number
    highWatermark: string
    messages: Fetched[]
    abortedTransactions: { producerId: string; firstOffset: string }[]
  },
) => { messages: Fetched[] }

const Batch = createRequire(import.meta.url)('kafkajs/src/consumer/batch.js') as BatchClass

const data = (offset: number, producerId: number, inTransaction = true): Fetched => ({
  offset: String(offset),
  key: Buffer.from(`k${offset}`),
  value: Buffer.from(`v${offset}`),
  isControlRecord: false,
  batchContext: { producerId: String(producerId), inTransaction },
})
const marker = (offset: number, producerId: number, kind: 'abort' | 'commit'): Fetched => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, kind === 'abort' ? 0 : 1]),
  value: Buffer.alloc(6),
  isControlRecord: true,
  batchContext: { producerId: String(producerId), inTransaction: true },
})

/** The offsets kafkajs hands to `eachBatch` for one fetched partition. */
function delivered(
  fetchedOffset: number,
  messages: Fetched[],
  aborted: [producerId: number, firstOffset: number][],
): number[] {
  const batch = new Batch('t', String(fetchedOffset), {
    partition: 0,
    highWatermark: String(Number(messages.at(-1)!.offset) + 1),
    messages,
    abortedTransactions: aborted.map(([producerId, firstOffset]) => ({
      producerId: String(producerId),
      firstOffset: String(firstOffset),
    })),
  })
  return batch.messages.map((m) => Number(m.offset))
}

describe("kafkajs' read_committed filter", () => {
  it('drops a transaction that began before another but was aborted after it (the broker lists aborted transactions in marker order)', () => {
    // producer 1 begins at 0, producer 2 at 1; 2 is aborted first (marker 2), then 1 (marker 4); 3 commits
    const messages = [
      data(0, 1),
      data(1, 2),
      marker(2, 2, 'abort'),
      data(3, 1),
      marker(4, 1, 'abort'),
      data(5, 3),
      marker(6, 3, 'commit'),
      data(7, 4, false),
    ]
    expect(
      delivered(0, messages, [
        [2, 1],
        [1, 0],
      ]),
    ).toEqual([5, 7])
  })

  it('drops the records of every aborted transaction a fetch starts inside of', () => {
    // a consumer rewound to 2: transactions of producers 1 (from 0) and 2 (from 1) are both under way there
    const messages = [data(2, 2), data(3, 1), marker(4, 2, 'abort'), marker(5, 1, 'abort'), data(6, 3)]
    expect(
      delivered(2, messages, [
        [1, 0],
        [2, 1],
      ]),
    ).toEqual([6])
  })

  it("delivers a producer's committed transaction after its aborted one, while other aborted transactions are under way", () => {
    // from 3: producers 1, 2 and 3 each have an aborted transaction begun before; 3's marker comes first,
    // then 3 (its next epoch, same producer id) commits one of its own. kafkajs' filter passed this too:
    // it guards the replacement against dropping committed records
    const messages = [
      marker(3, 3, 'abort'),
      data(4, 3),
      data(5, 3),
      marker(6, 3, 'commit'),
      marker(7, 1, 'abort'),
      marker(8, 2, 'abort'),
    ]
    expect(
      delivered(3, messages, [
        [3, 2],
        [1, 0],
        [2, 1],
      ]),
    ).toEqual([4, 5])
  })

  it('is in place wherever kafkajs is imported through kafka/kafkajs.ts', () => {
    expect(() => assertAbortedFilterInstalled()).not.toThrow()
  })
})
