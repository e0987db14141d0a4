// The record cache of window and session stores: reads merge cached writes over the store, a flush writes
// each cached window (session) through once and hands it on with its old value, and dropped writes leave
// nothing behind in the cache or its budget.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type {
  BuiltStore,
  CachedSessionChange,
  CachedWindowChange,
  ForwardRunner,
  SessionStore,
  TimeWindowStore,
} from '../../state/index.js'
import {
  buildSessionStore,
  buildTimeWindowStore,
  jsonSerde,
  RecordCache,
  sessionStoreRef,
  stringSerde,
  timeWindowStoreRef,
} from '../../state/index.js'
import { RecordingWriter, tempDir } from './helpers.js'

const MiB = 1024 * 1024
const run: ForwardRunner = async (emit) => emit()

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

function env(writer: RecordingWriter, recordCache: RecordCache) {
  return { dir: dir.path, changelog: writer, recordCache, timestamp: () => 7 }
}

async function openWindows(retentionMs = 1000, cacheMaxEntries?: number) {
  const writer = new RecordingWriter()
  const recordCache = new RecordCache(MiB)
  const ref = timeWindowStoreRef({
    name: 'windows',
    keySerde: stringSerde,
    valueSerde: jsonSerde<number>(),
    retentionMs,
    cacheMaxEntries,
  })
  const stack: BuiltStore<TimeWindowStore<string, number>> = buildTimeWindowStore(
    ref,
    env(writer, recordCache),
  )
  built.push(stack)
  await stack.open()
  const changes: CachedWindowChange<string, number>[] = []
  const caching = stack.store.setFlushListener!((change) => changes.push(change), true)
  return { stack, store: stack.store, writer, recordCache, changes, caching }
}

async function openSessions() {
  const writer = new RecordingWriter()
  const recordCache = new RecordCache(MiB)
  const ref = sessionStoreRef({
    name: 'sessions',
    keySerde: stringSerde,
    valueSerde: jsonSerde<number>(),
    retentionMs: 1000,
  })
  const stack: BuiltStore<SessionStore<string, number>> = buildSessionStore(ref, env(writer, recordCache))
  built.push(stack)
  await stack.open()
  const changes: CachedSessionChange<string, number>[] = []
  expect(stack.store.setFlushListener!((change) => changes.push(change), true)).toBe(true)
  return { stack, store: stack.store, writer, recordCache, changes }
}

async function commit(stack: BuiltStore<unknown>): Promise<void> {
  await stack.flushCache(run)
  stack.flush()
  await stack.commit()
}

describe('the record cache of a window store', () => {
  it('serves cached windows to fetch, fetchRange and fetchAll, and writes each through once per flush', async () => {
    const { stack, store, writer, recordCache, changes, caching } = await openWindows()
    expect(caching).toBe(true)
    store.put('a', 1, 0)
    await commit(stack)
    changes.length = 0
    store.put('a', 2, 0)
    store.put('a', 3, 0)
    store.put('a', 4, 10)
    store.put('b', 5, 10)
    expect(writer.records).toHaveLength(1)
    expect(recordCache.sizeBytes).toBeGreaterThan(0)
    expect(await store.fetch('a', 0)).toBe(3)
    expect(await store.fetchRange('a', 0, 20)).toEqual([
      { windowStart: 0, value: 3 },
      { windowStart: 10, value: 4 },
    ])
    expect(await store.fetchRange('a', 0, 20, true)).toEqual([
      { windowStart: 10, value: 4 },
      { windowStart: 0, value: 3 },
    ])
    expect(await store.fetchAll(0, 20)).toEqual([
      { key: 'a', windowStart: 0, value: 3 },
      { key: 'a', windowStart: 10, value: 4 },
      { key: 'b', windowStart: 10, value: 5 },
    ])
    expect(await stack.flushCache(run)).toBe(3)
    expect(changes).toEqual([
      { key: 'a', windowStart: 0, newValue: 3, oldValue: 1, timestamp: 7 },
      { key: 'a', windowStart: 10, newValue: 4, oldValue: undefined, timestamp: 7 },
      { key: 'b', windowStart: 10, newValue: 5, oldValue: undefined, timestamp: 7 },
    ])
    expect(writer.records).toHaveLength(4)
    expect(recordCache.sizeBytes).toBe(0)
    expect(await store.fetchRange('a', 0, 20)).toHaveLength(2)
  })

  it('hands on a window past retention at its flush but writes it nowhere', async () => {
    const { stack, store, writer, changes } = await openWindows(100)
    store.put('a', 1, 0)
    store.put('a', 2, 500)
    await stack.flushCache(run)
    expect(changes.map((c) => [c.windowStart, c.newValue])).toEqual([
      [0, 1],
      [500, 2],
    ])
    expect(writer.records).toHaveLength(1)
    expect(await store.fetchRange('a', 0, 1000)).toEqual([{ windowStart: 500, value: 2 }])
  })

  it('drops cached writes with the pending ones, and gives their bytes back to the budget', async () => {
    const { stack, store, writer, recordCache, changes } = await openWindows()
    store.put('a', 1, 0)
    stack.discardPending()
    expect(recordCache.sizeBytes).toBe(0)
    expect(await store.fetch('a', 0)).toBeUndefined()
    expect(await stack.flushCache(run)).toBe(0)
    expect(changes).toEqual([])
    expect(writer.records).toEqual([])
  })

  it('does not cache records with cacheMaxEntries 0 or without an enabled record cache', async () => {
    const { store, writer, caching } = await openWindows(1000, 0)
    expect(caching).toBe(false)
    store.put('a', 1, 0)
    expect(writer.records).toHaveLength(1)
    const ref = timeWindowStoreRef({
      name: 'plain',
      keySerde: stringSerde,
      valueSerde: stringSerde,
      retentionMs: 10,
    })
    const plain = buildTimeWindowStore(ref, env(new RecordingWriter(), new RecordCache(0)))
    built.push(plain)
    await plain.open()
    expect(plain.store.setFlushListener!(() => undefined, false)).toBe(false)
    expect(plain.cachesRecords).toBe(false)
  })
})

describe('the record cache of a session store', () => {
  it('hides a cached removal from findSessions and fetchSession, and hands it on with the old value', async () => {
    const { stack, store, writer, changes } = await openSessions()
    store.put('a', { start: 1, end: 5 }, 1)
    await commit(stack)
    changes.length = 0
    store.remove('a', { start: 1, end: 5 })
    store.put('a', { start: 1, end: 8 }, 2)
    // a session created and removed before any flush is never handed on
    store.put('a', { start: 20, end: 20 }, 1)
    store.remove('a', { start: 20, end: 20 })
    expect(await store.findSessions('a', 0, 100)).toEqual([
      { key: 'a', window: { start: 1, end: 8 }, value: 2 },
    ])
    expect(await store.fetchSession('a', 1, 5)).toBeUndefined()
    expect(await store.fetchSession('a', 1, 8)).toBe(2)
    expect(writer.records).toHaveLength(1)
    await stack.flushCache(run)
    expect(changes).toEqual([
      { key: 'a', window: { start: 1, end: 5 }, newValue: undefined, oldValue: 1, timestamp: 7 },
      { key: 'a', window: { start: 1, end: 8 }, newValue: 2, oldValue: undefined, timestamp: 7 },
    ])
    expect(writer.records.map((r) => r.value === null)).toEqual([false, true, false])
    expect(await store.findSessions('a', 0, 100)).toEqual([
      { key: 'a', window: { start: 1, end: 8 }, value: 2 },
    ])
  })
})
