// The task manager's task lists without a broker (task-manager.ts): `running` and `owned` are rebuilt when
// tasks are created, start running or close — the processing pass and the commit read them, never copy them.
import { describe, expect, it } from 'vitest'
import { TopicPartitionMap, type KafkaAdmin, type PartitionReader } from '../../kafka/index.js'
import { CacheBudget } from '../../state/index.js'
import { resolveConfig } from '../../topology/runtime/streams-config.js'
import type { TaskProducers } from '../../topology/runtime/task-producers.js'
import { TaskManager } from '../../topology/runtime/task-manager.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { client } from '../support/kafka.js'
import { summingTopology } from '../support/summing-topology.js'

const cleanup = cleanupAfterAll()

describe('task manager', () => {
  it('keeps one running and one owned array until the tasks change', async () => {
    const config = resolveConfig({
      applicationId: 'tm',
      client: client(),
      stateDir: await cleanup.tempDir('tm-'),
    })
    const layout = {
      tasksPerSubtopology: new Map([[0, 2]]),
      partitions: new Map([
        ['in', 2],
        ['out', 2],
      ]),
    }
    const producers = {
      openTask: async () => {},
      closeTask: async () => {},
      sinkFor: () => ({ send: () => {} }),
    } as unknown as TaskProducers
    // empty changelogs: every restore ends at once
    const admin = { endOffsets: async () => [] } as unknown as KafkaAdmin
    const started: string[] = []
    const failures: unknown[] = []
    const manager = new TaskManager(
      summingTopology('in', 'out'),
      config,
      layout,
      producers,
      admin,
      { readAllToEnd: async () => new TopicPartitionMap<number>() } as unknown as PartitionReader,
      new Map(),
      new CacheBudget(0),
      {
        exclusive: (work) => work(),
        onRunning: (tasks) => void started.push(...tasks.map((t) => t.id)),
        onRestoreFailed: (error) => void failures.push(error),
      },
    )
    const none = manager.owned
    expect(none).toEqual([])
    expect(manager.owned).toBe(none)

    await manager.assigned([{ topic: 'in', partition: 0 }])
    const restoring = manager.owned
    expect(restoring.map((t) => t.id)).toEqual(['0_0'])
    expect(manager.running).toEqual([])
    expect(manager.owned).toBe(restoring)

    await manager.restored()
    expect(started).toEqual(['0_0'])
    expect(failures).toEqual([])
    const running = manager.running
    expect(running.map((t) => t.id)).toEqual(['0_0'])
    expect(manager.running).toBe(running)
    expect(manager.owned).not.toBe(restoring)
    expect(manager.owned.map((t) => t.id)).toEqual(['0_0'])

    await manager.closeAll()
    expect(manager.owned).toEqual([])
    expect(manager.running).toEqual([])
    // the arrays handed out before are never changed in place
    expect(running.map((t) => t.id)).toEqual(['0_0'])
  })
})
