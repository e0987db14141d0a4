// The store cache budget (StreamsConfig.storeCacheMaxBytes) against the real broker: within the budget, a
// store's repeated updates of a key between two commits reach its changelog once; with a budget of 0 every
// update is written down (and logged) as it is made. Either way the values are exactly the same.
import { describe, expect, it } from 'vitest'
import { jsonSerde } from '../../state/index.js'
import { KafkaStreams } from '../../topology/index.js'
import type { ConsumedRecord } from '../../kafka/index.js'
import { client, collect, createTopic, uniqueName } from '../support/kafka.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { summingTopology } from '../support/summing-topology.js'

const cleanup = cleanupAfterAll()
const num = jsonSerde<number>()
const keys = ['k0', 'k1', 'k2', 'k3', 'k4']
const perKey = 120

/** Each key's last value; a changelog record of the aggregation's (timestamped) store has its timestamp first. */
function latest(records: readonly ConsumedRecord[], timestamped = false): Map<string, number> {
  return new Map(
    records.map((r) => [r.key!.toString(), num.deserialize(timestamped ? r.value!.subarray(8) : r.value!)]),
  )
}

const allSummed =
  (timestamped = false) =>
  (records: readonly ConsumedRecord[]) => {
    const sums = latest(records, timestamped)
    return keys.every((k) => sums.get(k) === perKey)
  }

async function run(storeCacheMaxBytes: number | undefined) {
  const app = uniqueName('store-cache')
  const [input, output] = [`${app}-in`, `${app}-out`]
  for (const topic of [input, output]) await createTopic(client(), topic, 1)
  // every input is there before the instance starts, so it processes many records per commit
  const producer = client().producer()
  await producer.connect()
  await producer.send(
    Array.from({ length: perKey * keys.length }, (_, i) => ({
      topic: input,
      key: Buffer.from(keys[i % keys.length]!),
      value: num.serialize(1),
    })),
  )
  await producer.disconnect()
  const streams = new KafkaStreams(summingTopology(input, output), {
    applicationId: app,
    client: client(),
    stateDir: await cleanup.tempDir('store-cache-'),
    processingGuarantee: 'at_least_once',
    commitIntervalMs: 1000,
    ...(storeCacheMaxBytes === undefined ? {} : { storeCacheMaxBytes }),
  })
  await streams.start()
  try {
    const sums = await collect(client(), [output], allSummed())
    const changelog = await collect(client(), [`${app}-sums-changelog`], allSummed(true), { settleMs: 1500 })
    return { sums: sums.length, finalSums: latest(sums), changelog: changelog.length }
  } finally {
    await streams.close()
  }
}

describe('the store cache budget against the broker', () => {
  it('logs a key once per commit within the budget, every update with a budget of 0, to the same values', async () => {
    const cached = await run(undefined)
    const uncached = await run(0)

    // the aggregation forwards every update either way (no record cache)
    expect([cached.sums, uncached.sums]).toEqual([perKey * keys.length, perKey * keys.length])
    expect(uncached.changelog).toBe(perKey * keys.length)
    expect(cached.changelog).toBeLessThan(uncached.changelog / 4)
    expect(cached.finalSums).toEqual(uncached.finalSums)
    expect([...cached.finalSums.values()]).toEqual(keys.map(() => perKey))
  })
})
