// The DSL against the real broker, in one application: a tumbling-window count suppressed until its window
// closes, a session count, a foreign-key join and a table re-grouping. A second instance with an empty state
// directory takes over half-way, so windows, sessions, the suppression buffer and the join's subscriptions
// must come back from their changelogs; the final results prove they did.
import { describe, expect, it } from 'vitest'
import { int32Serde, int64Serde, stringSerde as str } from '../../state/index.js'
import {
  BufferConfig,
  KafkaStreams,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  noopStreamsMetrics,
  sessionWindowedSerde,
  timeWindowedSerde,
  type StreamsMetrics,
  type Topology,
} from '../../topology/index.js'
import type { ConsumedRecord } from '../../kafka/index.js'
import { client, collect, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'

const cleanup = cleanupAfterAll()

const stateDir = () => cleanup.tempDir('dsl-broker-')

function topology(t: Record<string, string>): Topology {
  const b = new StreamsBuilder()
  const events = b.stream(t.events!, { keySerde: str, valueSerde: int32Serde }).groupByKey()
  events
    .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
    .count({ storeName: 'minute-counts' })
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final-counts'))
    .toStream()
    .to(t.finalCounts!)
  events
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(100))
    .count({ storeName: 'sessions' })
    .toStream()
    .to(t.sessions!)
  const players = b.table(t.players!, { keySerde: str, valueSerde: str, storeName: 'players' })
  const teams = b.table(t.teams!, { keySerde: str, valueSerde: str, storeName: 'teams' })
  players
    .join(
      teams,
      (team) => team,
      (team, name) => `${team}:${name}`,
      { name: 'player-team' },
    )
    .toStream()
    .to(t.playerTeams!)
  players
    .groupBy((player, team) => ({ key: team, value: player }), { name: 'by-team' })
    .count({ storeName: 'team-sizes' })
    .toStream()
    .to(t.teamSizes!, { valueSerde: int64Serde })
  return b.build()
}

/** The last value per key of a topic, keys and values decoded. */
function latest<K, V>(records: readonly ConsumedRecord[], key: (b: Buffer) => K, value: (b: Buffer) => V) {
  const out = new Map<string, V | null>()
  for (const r of records) out.set(String(key(r.key!)), r.value === null ? null : value(r.value))
  return out
}

/** Reads `topic` until the latest value of each expected key is the expected one; fails saying what it saw. */
async function latestUntil<V>(
  topic: string,
  value: (b: Buffer) => V,
  expected: [string, V][],
): Promise<boolean> {
  const want = JSON.stringify(expected)
  let seen = ''
  const done = (records: readonly ConsumedRecord[]) => {
    const last = latest(records, (k) => k.toString(), value)
    seen = JSON.stringify(expected.map(([k]) => [k, last.get(k)]))
    return seen === want
  }
  await collect(client(), [topic], done).catch((error: unknown) => {
    throw new Error(`${String(error)}; latest values ${seen}, expected ${want}`)
  })
  return true
}

describe('DSL operators against the broker', () => {
  it('keeps windows, sessions, suppression and foreign-key subscriptions across a takeover with empty local state', async () => {
    const app = uniqueName('dsl')
    const t = Object.fromEntries(
      ['events', 'players', 'teams', 'finalCounts', 'sessions', 'playerTeams', 'teamSizes'].map((n) => [
        n,
        `${app}-${n}`,
      ]),
    )
    for (const topic of Object.values(t)) await createTopic(client(), topic, 2)
    let dropped = 0
    const metrics: StreamsMetrics = { ...noopStreamsMetrics, droppedRecord: () => (dropped += 1) }
    const start = async () => {
      const streams = new KafkaStreams(topology(t), {
        applicationId: app,
        client: client(),
        stateDir: await stateDir(),
        commitIntervalMs: 100,
        metrics,
      })
      await streams.start()
      return streams
    }
    const producer = client().producer()
    await producer.connect()
    // events all go to partition 0, so one task sees them in order; tables are partitioned by key, as a
    // foreign-key join requires of the table it looks up
    const send = (topic: string, key: string, value: Buffer | null, timestamp: number) =>
      producer.send([
        { topic, key: Buffer.from(key), value, timestamp, ...(topic === t.events ? { partition: 0 } : {}) },
      ])
    const int = (n: number) => int32Serde.serialize(n)
    const t0 = recentTimestamp()
    try {
      const first = await start()
      try {
        for (const [i, at] of [0, 100, 200, 300, 400].entries()) await send(t.events!, 'k1', int(i), t0 + at)
        await send(t.events!, 'k2', int(9), t0 + 350)
        await send(t.teams!, 't1', Buffer.from('Reds'), t0)
        await send(t.teams!, 't2', Buffer.from('Blues'), t0)
        await send(t.players!, 'p1', Buffer.from('t1'), t0)
        await send(t.players!, 'p2', Buffer.from('t1'), t0)
        await collect(client(), [t.playerTeams!], (r) => r.length >= 2, { timeoutMs: 30_000 })
        await collect(client(), [t.sessions!], (r) =>
          r.some((x) => x.key!.subarray(0, 2).toString() === 'k2'),
        )
      } catch (error) {
        throw new Error(`${String(error)}; state ${first.state}, error: ${String(first.error?.stack)}`)
      } finally {
        await first.close()
      }

      const second = await start()
      try {
        await send(t.events!, 'k1', int(5), t0 + 450) // same window, same session as before the takeover
        await send(t.players!, 'p1', Buffer.from('t2'), t0 + 1)
        await send(t.events!, 'k1', int(6), t0 + 2500) // closes the first window: its final count goes out
        await send(t.events!, 'k1', int(7), t0 + 50) // too late for its window: dropped and counted
        const finals = await collect(client(), [t.finalCounts!], (r) => r.length >= 2, { settleMs: 1500 })
        const windowed = timeWindowedSerde(str, 1000)
        expect(
          finals
            .map((r) => [windowed.deserialize(r.key!).toString(), int64Serde.deserialize(r.value!)])
            .sort(),
        ).toEqual([
          [`[k1@${t0}/${t0 + 1000}]`, 6],
          [`[k2@${t0}/${t0 + 1000}]`, 1],
        ])
        // Kafka Streams' TimeWindowedSerializer layout: the key, then the window start as 8 bytes
        expect(finals[0]!.key!.length).toBe(2 + 8)

        const sessions = await collect(client(), [t.sessions!], (r) =>
          r.some((x) => x.timestamp === t0 + 2500),
        )
        const sessionKeys = sessionWindowedSerde(str)
        const lastSessions = latest(
          sessions,
          (k) => sessionKeys.deserialize(k).toString(),
          (v) => int64Serde.deserialize(v),
        )
        expect(lastSessions.get(`[k1@${t0}/${t0 + 400}]`)).toBeNull() // merged into the next one
        expect(lastSessions.get(`[k1@${t0}/${t0 + 450}]`)).toBe(6)
        expect(lastSessions.get(`[k1@${t0 + 2500}/${t0 + 2500}]`)).toBe(1)

        // partitions arrive in any order: read until each key's latest value is the final one
        expect(
          await latestUntil(t.playerTeams!, (v) => v.toString(), [
            ['p1', 't2:Blues'],
            ['p2', 't1:Reds'],
          ]),
        ).toBe(true)
        expect(
          await latestUntil(t.teamSizes!, (v) => int64Serde.deserialize(v), [
            ['t1', 1],
            ['t2', 1],
          ]),
        ).toBe(true)
        expect(dropped).toBeGreaterThanOrEqual(1)
      } finally {
        await second.close()
      }
    } finally {
      await producer.disconnect()
    }
  })
})
