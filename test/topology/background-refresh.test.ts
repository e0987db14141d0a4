// The instance's periodic work (background-refresh.ts): a turn that falls due while the last one still
// runs is skipped — the metrics refresh included, whose store key counts and admin calls can take longer
// than its 5 s interval on a large state (overlapping turns then multiplied that work).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TopicPartitionMap } from '../../kafka/index.js'
import type { BackgroundContext } from '../../topology/runtime/background-refresh.js'
import { BackgroundRefresh } from '../../topology/runtime/background-refresh.js'

/** A promise the test resolves, and how many times the work it gates was started. */
function gate() {
  let open: () => void = () => {}
  const gated = { started: 0, promise: new Promise<void>((resolve) => (open = resolve)), open: () => open() }
  return gated
}

/** Just enough of a running instance: one task reading `orders` partition 0, no stores, no standbys. */
function context(endOffsets: () => Promise<void>, globalRefresh: () => Promise<void>) {
  const task = { inputs: [{ topic: 'orders', partition: 0 }], stores: new Map() }
  const warnings: string[] = []
  const parts = {
    config: {
      applicationId: 'app',
      commitIntervalMs: 1000,
      metricsRefreshMs: 50,
      metrics: { lag: () => {}, storeSize: () => {}, storeKeys: () => {} },
      log: (_level: string, message: string) => warnings.push(message),
    },
    admin: {
      endOffsets: async () => {
        await endOffsets()
        return [{ topic: 'orders', partition: 0, offset: 10 }]
      },
      committedOffsets: async () => [],
    },
    backgroundReader: {},
    globalTables: { refresh: globalRefresh },
    registry: { refresh: async () => {} },
    tasks: {
      tasks: new Map([['0_0', task]]),
      recordCache: { sizeBytes: 0 },
      storeCache: { sizeBytes: 0 },
    },
    commit: { committedPositions: new TopicPartitionMap() },
    thread: { tick: async () => {} },
    standbys: undefined,
    running: () => true,
    stopping: () => false,
    exclusive: <T>(work: () => Promise<T>) => work(),
    fail: () => {},
  }
  return { context: parts as unknown as BackgroundContext, warnings }
}

describe('background refresh', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('skips a metrics refresh that falls due while the last one still runs', async () => {
    const metrics = gate()
    const { context: parts, warnings } = context(
      () => {
        metrics.started++
        return metrics.promise
      },
      async () => {},
    )
    const refresh = new BackgroundRefresh(parts)
    refresh.start()
    await vi.advanceTimersByTimeAsync(50 * 10) // ten intervals while the first turn waits on the admin
    expect(metrics.started).toBe(1)
    metrics.open()
    await vi.advanceTimersByTimeAsync(50)
    expect(metrics.started).toBe(2) // the next turn after it ended runs
    refresh.stop()
    expect(warnings).toEqual([])
  })

  it('skips a global table refresh that falls due while the last one still runs', async () => {
    const tables = gate()
    const { context: parts } = context(
      async () => {},
      () => {
        tables.started++
        return tables.promise
      },
    )
    const refresh = new BackgroundRefresh(parts)
    refresh.start()
    await vi.advanceTimersByTimeAsync(200 * 5)
    expect(tables.started).toBe(1)
    tables.open()
    await vi.advanceTimersByTimeAsync(200)
    expect(tables.started).toBe(2)
    refresh.stop()
  })
})
