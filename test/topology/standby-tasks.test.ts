// The standby replicas' reconcile protocol without a broker: a failed broker call while a standby opens
// leaves no LevelDB store open, so the next attempt (or the task becoming active here) can open it; the copy
// of a task whose owner left is kept until the task is claimed again; a standby's cached reads count in the
// instance's store cache budget.
import { describe, expect, it } from 'vitest'
import type { KafkaAdmin, PartitionReader } from '../../kafka/index.js'
import { CacheBudget, cacheEntryOverheadBytes, type KeyValueStore } from '../../state/index.js'
import { StandbyTasks } from '../../topology/runtime/standby-tasks.js'
import { summingTopology } from '../support/summing-topology.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'

const cleanup = cleanupAfterAll()

/** Standbys of this instance ('self') for the one-partition summing topology; `admin` and the registry as given. */
async function standbyTasks(context: {
  readonly admin: KafkaAdmin
  readonly instances: () => readonly string[]
  readonly ownerOf: () => string | undefined
  readonly activeHere: () => ReadonlySet<string>
  readonly storeCache?: CacheBudget
}): Promise<StandbyTasks> {
  return new StandbyTasks({
    config: {
      applicationId: 'app',
      stateDir: await cleanup.tempDir('standby-unit-'),
      instanceId: 'self',
      log: () => undefined,
      numStandbyReplicas: 1,
    },
    topology: summingTopology('in', 'out'),
    layout: { tasksPerSubtopology: new Map([[0, 1]]), partitions: new Map() },
    reader: {} as PartitionReader,
    ...context,
  })
}

describe('standby tasks', () => {
  it('closes what it opened when the changelog end cannot be fetched, and opens the standby on the next round', async () => {
    let brokerDown = true
    const admin = {
      endOffsets: async (topic: string) => {
        if (brokerDown) throw new Error('broker down')
        return [{ topic, partition: 0, offset: 0 }]
      },
    } as unknown as KafkaAdmin
    const standbys = await standbyTasks({
      admin,
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

  it('keeps the copy of a task whose owner left until the task is claimed again', async () => {
    let instances = ['self', 'other']
    let owner: string | undefined = 'other'
    const activeHere = new Set<string>()
    const standbys = await standbyTasks({
      admin: {
        endOffsets: async (topic: string) => [{ topic, partition: 0, offset: 0 }],
      } as unknown as KafkaAdmin,
      instances: () => instances,
      ownerOf: () => owner,
      activeHere: () => activeHere,
    })
    const kept = async () => (await standbys.report()).map((r) => r.taskId)
    await standbys.reconcile()
    expect(await kept()).toEqual(['0_0'])
    // the owner withdrew from the registry (its tombstone): nobody claims 0_0, and the copy stays for the
    // join that follows, where the assignor gives 0_0 to this instance
    ;[instances, owner] = [['self'], undefined]
    await standbys.reconcile()
    expect(await kept()).toEqual(['0_0'])
    // claimed again, here: placement decides, and a task active here has no standby
    activeHere.add('0_0')
    owner = 'self'
    await standbys.reconcile()
    expect(await kept()).toEqual([])
    await standbys.closeAll()
  })

  it("counts a standby store's cached reads in the store cache budget and takes them back on close", async () => {
    const budget = new CacheBudget(1_000_000)
    const standbys = await standbyTasks({
      admin: {
        endOffsets: async (topic: string) => [{ topic, partition: 0, offset: 0 }],
      } as unknown as KafkaAdmin,
      instances: () => ['self', 'other'],
      ownerOf: () => 'other',
      activeHere: () => new Set(),
      storeCache: budget,
    })
    await standbys.reconcile()
    // interactive queries' reads of the standby (stale reads) fill its cache: two absent keys here
    const sums = standbys.store('0_0', 'sums') as KeyValueStore<string, number>
    expect(await sums.get('alpha')).toBeUndefined()
    expect(await sums.get('be')).toBeUndefined()
    expect(budget.sizeBytes).toBe('alpha'.length + 'be'.length + 2 * cacheEntryOverheadBytes)
    await standbys.closeAll()
    expect(budget.sizeBytes).toBe(0)
  })
})
