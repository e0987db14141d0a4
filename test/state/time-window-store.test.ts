// The stores of windowed aggregations: one value per key and window, one per key and session, with
// Kafka Streams' retention rule; on LevelDB and in memory.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { BuiltStore, SessionStore, TimeWindowStore } from '../../state/index.js'
import {
  buildSessionStore,
  buildTimeWindowStore,
  jsonSerde,
  sessionStoreRef,
  stringSerde,
  timeWindowStoreRef,
} from '../../state/index.js'
import { RecordingWriter, tempDir } from './helpers.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let built: BuiltStore<unknown>[]
beforeEach(async () => {
  dir = await tempDir()
  built = []
})
afterEach(async () => {
  for (const store of built) await store.close()
  await dir.remove()
})

async function openWindows(persistent: boolean, retentionMs = 1000, writer = new RecordingWriter()) {
  const ref = timeWindowStoreRef({
    name: 'windows',
    keySerde: stringSerde,
    valueSerde: jsonSerde<number>(),
    retentionMs,
    persistent,
  })
  const stack: BuiltStore<TimeWindowStore<string, number>> = buildTimeWindowStore(ref, {
    dir: dir.path,
    changelog: writer,
  })
  built.push(stack)
  await stack.open()
  return { stack, store: stack.store, writer }
}

async function openSessions(persistent: boolean, retentionMs = 1000, writer = new RecordingWriter()) {
  const ref = sessionStoreRef({
    name: 'sessions',
    keySerde: stringSerde,
    valueSerde: jsonSerde<number>(),
    retentionMs,
    persistent,
  })
  const stack: BuiltStore<SessionStore<string, number>> = buildSessionStore(ref, {
    dir: dir.path,
    changelog: writer,
  })
  built.push(stack)
  await stack.open()
  return { stack, store: stack.store, writer }
}

describe.each([
  ['LevelDB', true],
  ['memory', false],
])('time window store on %s', (_name, persistent) => {
  it('keeps one value per key and window start: a put replaces, undefined deletes', async () => {
    const { store, stack } = await openWindows(persistent)
    store.put('k', 1, 100)
    store.put('k', 2, 100)
    store.put('k', 7, 200)
    expect(await store.fetch('k', 100)).toBe(2)
    await stack.commit(1)
    store.put('k', undefined, 200)
    expect(await store.fetch('k', 200)).toBeUndefined()
    expect(await store.fetch('k', 100)).toBe(2)
    expect(await store.fetch('other', 100)).toBeUndefined()
  })

  it('fetches one key’s windows in start order, backward on request, without longer keys', async () => {
    const { store, stack } = await openWindows(persistent)
    store.put('k', 3, 300)
    store.put('k', 1, 100)
    await stack.commit(1)
    store.put('k', 2, 200)
    store.put('k\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0001', 9, 200)
    expect(await store.fetchRange('k', 0, 1000)).toEqual([
      { windowStart: 100, value: 1 },
      { windowStart: 200, value: 2 },
      { windowStart: 300, value: 3 },
    ])
    expect(await store.fetchRange('k', 150, 300, true)).toEqual([
      { windowStart: 300, value: 3 },
      { windowStart: 200, value: 2 },
    ])
  })

  it('fetches every key’s windows of a time range, by window start then key', async () => {
    const { store, stack } = await openWindows(persistent)
    store.put('b', 1, 100)
    store.put('a', 2, 200)
    await stack.commit(1)
    store.put('a', 3, 100)
    store.put('c', 4, 300)
    store.put('b', undefined, 100)
    expect(await store.fetchAll(0, 250)).toEqual([
      { key: 'a', windowStart: 100, value: 3 },
      { key: 'a', windowStart: 200, value: 2 },
    ])
  })

  it('drops a put at or before stream time minus retention, and never returns expired windows', async () => {
    const { store, writer } = await openWindows(persistent, 1000)
    expect(store.put('k', 1, 100)).toBe(true)
    expect(store.put('k', 2, 1100)).toBe(true)
    expect(store.streamTime).toBe(1100)
    expect(store.put('k', 3, 100)).toBe(false)
    expect(store.put('k', 4, 101)).toBe(true)
    expect(writer.records).toHaveLength(3)
    expect(await store.fetch('k', 100)).toBeUndefined()
    expect(await store.fetchRange('k', 0, 2000)).toEqual([
      { windowStart: 101, value: 4 },
      { windowStart: 1100, value: 2 },
    ])
  })

  it('answers fetchNow at once from pending writes and committed data, and not while an expiry sweep is due', async () => {
    const { store, stack } = await openWindows(persistent, 60_000)
    store.put('k', 1, 0)
    expect(store.fetchNow!('k', 0)).toEqual({ value: 1 }) // a write not committed yet
    await stack.commit(1)
    expect(store.fetchNow!('k', 0)).toEqual({ value: 1 }) // committed: read synchronously
    expect(store.fetchNow!('k', 500)).toEqual({ value: undefined }) // no such window: answered too
    store.put('k', 2, 200_000) // the horizon moves past window 0 by more than a sweep step
    expect(store.fetchNow!('k', 200_000)).toBeUndefined() // the sweep only fetch runs comes first
    expect(await store.fetch('k', 200_000)).toBe(2)
    expect(store.fetchNow!('k', 200_000)).toEqual({ value: 2 })
    expect(store.fetchNow!('k', 0)).toEqual({ value: undefined }) // expired
  })

  it('keys every put and fetch by the key and window it is given: repeated, alternating, an object key changed in place', async () => {
    const { store, stack, writer } = await openWindows(persistent)
    // the same key and window twice, another window of it, another key, then back to the first
    store.put('a', 1, 100)
    store.put('a', 2, 100)
    store.put('a', 3, 200)
    store.put('b', 4, 200)
    store.put('a', 5, 100)
    expect(store.fetchNow!('a', 100)).toEqual({ value: 5 })
    expect(store.fetchNow!('b', 100)).toEqual({ value: undefined })
    expect(store.fetchNow!('a', 200)).toEqual({ value: 3 })
    expect(store.fetchNow!('b', 200)).toEqual({ value: 4 })
    await stack.commit(1)
    expect(store.fetchNow!('a', 100)).toEqual({ value: 5 })
    expect(store.fetchNow!('b', 200)).toEqual({ value: 4 })
    expect(writer.records.map((r) => r.key.slice(0, 1))).toEqual(['a', 'a', 'a', 'b', 'a'])

    const ref = timeWindowStoreRef({
      name: 'by-object',
      keySerde: jsonSerde<{ id: string }>(),
      valueSerde: jsonSerde<number>(),
      retentionMs: 1000,
      persistent,
    })
    const objects = buildTimeWindowStore(ref, { dir: dir.path, changelog: new RecordingWriter() })
    built.push(objects)
    await objects.open()
    const key = { id: 'x' }
    objects.store.put(key, 1, 100)
    key.id = 'y' // the same object, now another key
    objects.store.put(key, 2, 100)
    expect(await objects.store.fetch({ id: 'x' }, 100)).toBe(1)
    expect(await objects.store.fetch({ id: 'y' }, 100)).toBe(2)
  })
  it('restores values, and its stream time, from changelog records', async () => {
    const source = await openWindows(persistent, 1000)
    source.store.put('k', 1, 100)
    source.store.put('k', 2, 2000)
    await source.stack.close()
    await dir.remove()

    const { store, stack } = await openWindows(persistent, 1000)
    await stack.restore(source.writer.raw, 2)
    expect(store.streamTime).toBe(2000)
    expect(await store.fetch('k', 2000)).toBe(2)
    expect(store.put('k', 5, 500)).toBe(false)
  })
})

describe('persistent time window store', () => {
  it('deletes expired windows locally, without tombstones, once the horizon moved a segment', async () => {
    const first = await openWindows(true, 60_000)
    first.store.put('k', 1, 0)
    first.store.put('k', 2, 30_000)
    await first.stack.commit(1)
    first.store.put('k', 3, 200_000)
    expect(await first.store.fetch('k', 200_000)).toBe(3)
    const logged = first.writer.records.length
    await first.stack.commit(2)
    expect(first.writer.records).toHaveLength(logged)
    await first.stack.close()
    // a longer retention would show the old windows again, had they not been deleted
    const { store } = await openWindows(true, 1_000_000)
    expect(await store.fetchAll(0, Number.MAX_SAFE_INTEGER)).toEqual([
      { key: 'k', windowStart: 200_000, value: 3 },
    ])
  })

  it('keeps its stream time across a restart', async () => {
    const first = await openWindows(true, 1000)
    first.store.put('k', 1, 5000)
    await first.stack.commit(1)
    await first.stack.close()
    const { store } = await openWindows(true, 1000)
    expect(store.streamTime).toBe(5000)
    expect(store.put('k', 2, 3000)).toBe(false)
  })
})

describe.each([
  ['LevelDB', true],
  ['memory', false],
])('session store on %s', (_name, persistent) => {
  it('finds the sessions that end at or after a time and start at or before another, by end then start', async () => {
    const { store, stack } = await openSessions(persistent, 10_000)
    store.put('k', { start: 100, end: 200 }, 1)
    store.put('k', { start: 300, end: 300 }, 2)
    await stack.commit(1)
    store.put('k', { start: 50, end: 300 }, 3)
    store.put('k', { start: 900, end: 1000 }, 4)
    store.put('j', { start: 100, end: 200 }, 5)
    expect(await store.findSessions('k', 150, 400)).toEqual([
      { key: 'k', window: { start: 100, end: 200 }, value: 1 },
      { key: 'k', window: { start: 50, end: 300 }, value: 3 },
      { key: 'k', window: { start: 300, end: 300 }, value: 2 },
    ])
    expect(await store.fetchSession('k', 900, 1000)).toBe(4)
    store.remove('k', { start: 100, end: 200 })
    expect(await store.findSessions('k', 0, 400)).toHaveLength(2)
  })

  it('drops sessions that end at or before stream time minus retention', async () => {
    const { store } = await openSessions(persistent, 1000)
    expect(store.put('k', { start: 0, end: 2000 }, 1)).toBe(true)
    expect(store.put('k', { start: 500, end: 1000 }, 2)).toBe(false)
    expect(store.put('k', { start: 500, end: 1001 }, 3)).toBe(true)
    expect(await store.findSessions('k', 0, 5000)).toEqual([
      { key: 'k', window: { start: 500, end: 1001 }, value: 3 },
      { key: 'k', window: { start: 0, end: 2000 }, value: 1 },
    ])
  })

  it('logs sessions under Kafka Streams’ session key layout: key, end, start', async () => {
    const { store, writer } = await openSessions(persistent)
    store.put('k', { start: 10, end: 20 }, 1)
    const key = writer.raw[0]!.key
    expect(key.length).toBe(1 + 16)
    expect(Number(key.readBigUInt64BE(1))).toBe(20)
    expect(Number(key.readBigUInt64BE(9))).toBe(10)
  })
})
