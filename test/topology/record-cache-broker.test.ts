// Record caching against the real broker: an instance with a record cache forwards far fewer updates of a
// sum and of a re-grouped table count than one without, and ends at exactly the same values; without a
// cache (cacheMaxBytes 0) every input record makes one update downstream.
import { describe, expect, it } from 'vitest'
import { int32Serde, int64Serde, stringSerde as str } from '../../state/index.js'
import { KafkaStreams, StreamsBuilder, type Topology } from '../../topology/index.js'
import type { ConsumedRecord } from '../../kafka/index.js'
import { client, collect, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'

const cleanup = cleanupAfterAll()

const keys = ['k0', 'k1', 'k2', 'k3', 'k4']
const perKey = 60

function topology(t: Record<string, string>): Topology {
  const b = new StreamsBuilder()
  b.stream(t.amounts!, { keySerde: str, valueSerde: int32Serde })
    .groupByKey()
    .aggregate(
      () => 0,
      (_k, v, sum) => sum + v,
      { storeName: 'sums', valueSerde: int32Serde },
    )
    .toStream()
    .to(t.sums!)
  // each key's latest amount (the same records as a table), counted per amount: needs the old value of every update it forwards
  b.table(t.latest!, { keySerde: str, valueSerde: int32Serde, storeName: 'latest' })
    .groupBy((_k, v) => ({ key: String(v), value: v }), { name: 'by-amount' })
    .count({ storeName: 'amount-counts' })
    .toStream()
    .to(t.amountCounts!, { valueSerde: int64Serde })
  return b.build()
}

function latest(records: readonly ConsumedRecord[], value: (b: Buffer) => number): Map<string, number> {
  return new Map(records.map((r) => [r.key!.toString(), value(r.value!)]))
}

async function run(cacheMaxBytes: number) {
  const app = uniqueName('record-cache')
  const t = {
    amounts: `${app}-amounts`,
    latest: `${app}-latest`,
    sums: `${app}-sums`,
    amountCounts: `${app}-amount-counts`,
  }
  for (const topic of Object.values(t)) await createTopic(client(), topic, 1)
  // every input is there before the instance starts, so it processes many records per commit
  const producer = client().producer()
  await producer.connect()
  const t0 = recentTimestamp()
  const records = []
  for (let i = 1; i <= perKey; i++)
    for (const key of keys)
      for (const topic of [t.amounts, t.latest])
        records.push({
          topic,
          key: Buffer.from(key),
          value: int32Serde.serialize(i),
          timestamp: t0 + i,
        })
  await producer.send(records)
  await producer.disconnect()
  const streams = new KafkaStreams(topology(t), {
    applicationId: app,
    client: client(),
    stateDir: await cleanup.tempDir('record-cache-'),
    commitIntervalMs: 1000,
    cacheMaxBytes,
  })
  await streams.start()
  const finalSum = (perKey * (perKey + 1)) / 2
  try {
    const sums = await collect(
      client(),
      [t.sums],
      (r) => keys.every((k) => latest(r, (v) => int32Serde.deserialize(v)).get(k) === finalSum),
      { settleMs: 1500 },
    )
    // every key's latest amount is the last one: all five keys end in that group (the one group that has
    // any then; without a cache the others were forwarded at 0, with one most were never forwarded)
    const counts = await collect(
      client(),
      [t.amountCounts],
      (r) => latest(r, (v) => int64Serde.deserialize(v)).get(String(perKey)) === keys.length,
      { settleMs: 1500 },
    )
    return {
      sums: sums.length,
      finalSums: latest(sums, (v) => int32Serde.deserialize(v)),
      counts: counts.length,
      nonZeroCounts: [...latest(counts, (v) => int64Serde.deserialize(v))].filter(([, n]) => n !== 0),
    }
  } finally {
    await streams.close()
  }
}

describe('record caching against the broker', () => {
  it('forwards fewer updates with a cache and ends at exactly the values it ends at without one', async () => {
    const cached = await run(10 * 1024 * 1024)
    const uncached = await run(0)
    // without a cache: one sum per input record
    expect(uncached.sums).toBe(keys.length * perKey)
    expect(cached.sums).toBeLessThan(uncached.sums / 2)
    expect(cached.counts).toBeLessThan(uncached.counts / 2)
    expect(cached.finalSums).toEqual(uncached.finalSums)
    expect(cached.nonZeroCounts).toEqual(uncached.nonZeroCounts)
    expect(cached.nonZeroCounts).toEqual([[String(perKey), keys.length]])
  })
})
