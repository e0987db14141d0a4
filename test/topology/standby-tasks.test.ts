// The standby replicas' reconcile protocol without a broker: a failed broker call while a standby opens
// leaves no LevelDB store open, so the next attempt (or the task becoming active here) can open it.
import { describe, expect, it } from 'vitest'
import type { KafkaAdmin, PartitionReader } from '../../kafka/index.js'
import { StandbyTasks } from '../../topology/runtime/standby-tasks.js'
import { summingTopology } from '../support/summing-topology.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'

const cleanup = cleanupAfterAll()

describe('standby tasks', () => {
  it('closes what it opened when the changelog end cannot be fetched, and opens the standby on the next round', async () => {
    const stateDir = await cleanup.tempDir('standby-unit-')
    let brokerDown = true
    const admin = {
      endOffsets: async (topic: string) => {
        if (brokerDown) throw new Error('broker down')
        return [{ topic, partition: 0, offset: 0 }]
      },
    } as unknown as KafkaAdmin
    const standbys = new StandbyTasks({
      config: {
        applicationId: 'app',
        stateDir,
        instanceId: 'self',
        log: () => undefined,
        numStandbyReplicas: 1,
      },
      topology: summingTopology('in', 'out'),
      layout: { tasksPerSubtopology: new Map([[0, 1]]), partitions: new Map() },
      admin,
      reader: {} as PartitionReader,
      instances: () => ['self', 'other'],
      ownerOf: () => 'other',
      activeHere: () => new Set(),
    })
    await expect(standbys.reconcile()).rejects.toThrow('broker down')
    expect(await standbys.report()).toEqual([])
    brokerDown = false
    await standbys.reconcile()
    expect(await standbys.report()).toEqual([
      { taskId: '0_0', stores: [{ name: 'sums', position: undefined }] },
    ])
    await standbys.closeAll()
    expect(await standbys.report()).toEqual([])
  })
})
