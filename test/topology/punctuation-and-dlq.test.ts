// Punctuation and dead-lettering against the real broker.
import { describe, expect, it } from 'vitest'
import { jsonSerde, stringSerde } from '../../state/index.js'
import { KafkaStreams, StreamsBuilder, dlqHeaders } from '../../topology/index.js'
import { client, collect, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'

const cleanup = cleanupAfterAll()
const tempDir = () => cleanup.tempDir('punct-')

async function send(topic: string, records: { key: string; value: Buffer; timestamp?: number }[]) {
  const producer = client().producer()
  await producer.connect()
  await producer.send(
    records.map((r) => ({
      topic,
      key: Buffer.from(r.key),
      value: r.value,
      ...(r.timestamp ? { timestamp: r.timestamp } : {}),
    })),
  )
  await producer.disconnect()
}

describe('punctuation against the broker', () => {
  it('fires stream-time punctuators as record time passes the schedule, and wall-clock punctuators on the clock', async () => {
    const app = uniqueName('punct')
    const [input, output] = [`${app}-in`, `${app}-out`]
    await createTopic(client(), input, 1)
    await createTopic(client(), output, 1)
    const builder = new StreamsBuilder()
    builder
      .stream(input, { keySerde: stringSerde, valueSerde: stringSerde })
      .process<string, string>({
        create: (ctx) => ({
          init: () => {
            ctx.schedule(60_000, 'stream-time', (t) =>
              ctx.forward({ key: 'stream', value: String(t), timestamp: t }),
            )
            ctx.schedule(300, 'wall-clock', (t) =>
              ctx.forward({ key: 'wall', value: String(t), timestamp: t }),
            )
          },
          process: () => {},
        }),
      })
      .to(output)
    const streams = new KafkaStreams(builder.build(), {
      applicationId: app,
      client: client(),
      stateDir: await tempDir(),
      commitIntervalMs: 100,
    })
    await streams.start()
    try {
      const t0 = recentTimestamp()
      // stream time: 0 s (schedules 60 s), 30 s, 61 s (fires), 90 s, 125 s (fires)
      await send(
        input,
        [0, 30, 61, 90, 125].map((s) => ({ key: 'k', value: Buffer.from('x'), timestamp: t0 + s * 1000 })),
      )
      const out = await collect(
        client(),
        [output],
        (r) =>
          r.filter((x) => x.key!.toString() === 'stream').length >= 2 &&
          r.some((x) => x.key!.toString() === 'wall'),
        {
          settleMs: 1000,
        },
      )
      const streamFires = out
        .filter((r) => r.key!.toString() === 'stream')
        .map((r) => Number(r.value!.toString()) - t0)
      expect(streamFires).toEqual([61_000, 125_000])
      const wallFires = out
        .filter((r) => r.key!.toString() === 'wall')
        .map((r) => Number(r.value!.toString()))
      expect(wallFires.length).toBeGreaterThanOrEqual(1)
      for (let i = 1; i < wallFires.length; i++)
        expect(wallFires[i]! - wallFires[i - 1]!).toBeGreaterThanOrEqual(300)
    } finally {
      await streams.close()
    }
  })
})

describe('dead-letter queue against the broker', () => {
  it('sends an undecodable record to the DLQ with its reason and source coordinates, and processes the next records', async () => {
    const app = uniqueName('dlq')
    const [input, output, dlq] = [`${app}-in`, `${app}-out`, `${app}-dlq`]
    for (const t of [input, output, dlq]) await createTopic(client(), t, 1)
    const builder = new StreamsBuilder()
    builder
      .stream(input, { keySerde: stringSerde, valueSerde: jsonSerde<{ n: number }>() })
      .mapValues((v) => ({ n: v.n * 2 }))
      .to(output)
    const streams = new KafkaStreams(builder.build(), {
      applicationId: app,
      client: client(),
      stateDir: await tempDir(),
      deadLetterTopic: dlq,
    })
    await streams.start()
    try {
      await send(input, [
        { key: 'a', value: Buffer.from('{"n":1}') },
        { key: 'poison', value: Buffer.from([0xff, 0x00, 0x13]) },
        { key: 'b', value: Buffer.from('{"n":2}') },
      ])
      const out = await collect(client(), [output], (r) => r.length >= 2)
      expect(out.map((r) => r.value!.toString())).toEqual(['{"n":2}', '{"n":4}'])
      const [dead] = await collect(client(), [dlq], (r) => r.length >= 1, { settleMs: 500 })
      expect(dead!.key!.toString()).toBe('poison')
      expect(dead!.value).toEqual(Buffer.from([0xff, 0x00, 0x13]))
      expect(dead!.headers[dlqHeaders.stage]!.toString()).toBe('deserialization')
      expect(dead!.headers[dlqHeaders.topic]!.toString()).toBe(input)
      expect(dead!.headers[dlqHeaders.partition]!.toString()).toBe('0')
      expect(dead!.headers[dlqHeaders.offset]!.toString()).toBe('1')
      expect(dead!.headers[dlqHeaders.reason]!.toString()).toMatch(/JSON|Unexpected token/)
      expect(streams.state).toBe('RUNNING')
    } finally {
      await streams.close()
    }
  })
})

describe('start-up checks against the broker', () => {
  it('refuses to start when the topics of one task are not co-partitioned, naming them and their counts', async () => {
    const app = uniqueName('copart')
    const [a, b, out] = [`${app}-a`, `${app}-b`, `${app}-out`]
    await createTopic(client(), a, 2)
    await createTopic(client(), b, 3)
    await createTopic(client(), out, 1)
    const builder = new StreamsBuilder()
    const table = builder.table(b, { keySerde: stringSerde, valueSerde: stringSerde, storeName: 'b-table' })
    builder
      .stream(a, { keySerde: stringSerde, valueSerde: stringSerde })
      .join(table, (x, y) => x + y)
      .to(out)
    const streams = new KafkaStreams(builder.build(), {
      applicationId: app,
      client: client(),
      stateDir: await tempDir(),
    })
    const error = await streams.start().then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(error?.message).toMatch(/must have the same partition count/)
    expect(error?.message).toContain(`${a}=2`)
    expect(error?.message).toContain(`${b}=3`)
    expect(streams.state).toBe('ERROR')
    await streams.close()
  })
})
