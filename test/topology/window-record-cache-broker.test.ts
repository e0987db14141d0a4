// Record caching of windowed aggregations against the real broker: with a record cache an instance forwards
// far fewer updates of a tumbling-window count and of a session count than without one (cacheMaxBytes 0:
// one update per input record, and two more per session merge), and ends at exactly the same windows.
import { describe, expect, it } from 'vitest'
import { int64Serde, stringSerde as str } from '../../state/index.js'
import { KafkaStreams, StreamsBuilder, type Topology } from '../../topology/index.js'
import { sessionWindowedSerde, timeWindowedSerde } from '../../topology/dsl/windowed.js'
import { SessionWindows, TimeWindows } from '../../topology/dsl/windows.js'
import type { ConsumedRecord } from '../../kafka/index.js'
import { client, collect, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'

const cleanup = cleanupAfterAll()

const keys = ['k0', 'k1', 'k2', 'k3', 'k4']
const perKey = 60
const sizeMs = 20
const windowed = timeWindowedSerde(str, sizeMs)
const sessioned = sessionWindowedSerde(str)

function topology(t: Record<string, string>): Topology {
  const b = new StreamsBuilder()
  const grouped = b.stream(t.clicks!, { keySerde: str, valueSerde: str }).groupByKey()
  grouped
    .windowedBy(TimeWindows.ofSizeAndGrace(sizeMs, 60_000))
    .count({ storeName: 'window-counts' })
    .toStream()
    .to(t.windowCounts!, { valueSerde: int64Serde })
  grouped
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 60_000))
    .count({ storeName: 'session-counts' })
    .toStream()
    .to(t.sessionCounts!, { valueSerde: int64Serde })
  return b.build()
}

/** The latest value per windowed key (a null deletes it), as `key@start-end`. */
function latest(records: readonly ConsumedRecord[], serde: typeof windowed): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of records) {
    const key = serde.deserialize(r.key!)
    const id = `${key.key}@${key.window.start}-${key.window.end}`
    if (r.value === null) out.delete(id)
    else out.set(id, int64Serde.deserialize(r.value))
  }
  return out
}

async function run(cacheMaxBytes: number, t0: number) {
  const app = uniqueName('window-cache')
  const t = { clicks: `${app}-clicks`, windowCounts: `${app}-windows`, sessionCounts: `${app}-sessions` }
  for (const topic of Object.values(t)) await createTopic(client(), topic, 1)
  // every input is there before the instance starts, so it processes many records per commit
  const producer = client().producer()
  await producer.connect()
  const records = []
  for (let i = 1; i <= perKey; i++)
    for (const key of keys)
      records.push({ topic: t.clicks, key: Buffer.from(key), value: Buffer.from('x'), timestamp: t0 + i })
  await producer.send(records)
  await producer.disconnect()
  const expectedWindows = new Map<string, number>()
  for (let i = 1; i <= perKey; i++)
    for (const key of keys) {
      const start = Math.floor((t0 + i) / sizeMs) * sizeMs
      const id = `${key}@${start}-${start + sizeMs}`
      expectedWindows.set(id, (expectedWindows.get(id) ?? 0) + 1)
    }
  const streams = new KafkaStreams(topology(t), {
    applicationId: app,
    client: client(),
    stateDir: await cleanup.tempDir('window-cache-'),
    commitIntervalMs: 1000,
    cacheMaxBytes,
  })
  await streams.start()
  const same = (a: Map<string, number>, b: Map<string, number>) =>
    a.size === b.size && [...a].every(([k, v]) => b.get(k) === v)
  try {
    const windows = await collect(
      client(),
      [t.windowCounts],
      (r) => same(latest(r, windowed), expectedWindows),
      {
        settleMs: 1500,
      },
    )
    const sessions = await collect(
      client(),
      [t.sessionCounts],
      (r) => [...latest(r, sessioned).values()].filter((n) => n === perKey).length === keys.length,
      { settleMs: 1500 },
    )
    return {
      windows: windows.length,
      finalWindows: latest(windows, windowed),
      sessions: sessions.length,
      finalSessions: latest(sessions, sessioned),
      expectedWindows,
    }
  } finally {
    await streams.close()
  }
}

describe('record caching of windowed aggregations against the broker', () => {
  it('forwards fewer window and session updates with a cache and ends at the same windows without one', async () => {
    const t0 = recentTimestamp()
    const cached = await run(10 * 1024 * 1024, t0)
    const uncached = await run(0, t0)
    expect(uncached.windows).toBe(keys.length * perKey)
    expect(cached.windows).toBeLessThan(uncached.windows / 2)
    expect(cached.sessions).toBeLessThan(uncached.sessions / 2)
    expect(cached.finalWindows).toEqual(cached.expectedWindows)
    expect(uncached.finalWindows).toEqual(uncached.expectedWindows)
    // one session per key, from its first record to its last
    const sessions = new Map(keys.map((k) => [`${k}@${t0 + 1}-${t0 + perKey}`, perKey]))
    expect(cached.finalSessions).toEqual(sessions)
    expect(uncached.finalSessions).toEqual(sessions)
  })
})
