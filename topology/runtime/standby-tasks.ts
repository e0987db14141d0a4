// Standby replicas (Kafka Streams' StandbyTask and num.standby.replicas): warm copies of the state of tasks
// that run on other instances, kept by reading their changelogs, so that a task moving here restores only
// what its copy lacks instead of its whole changelog.
//
// A standby's stores live in the directory the task's active stores would use here, with the same
// checkpoint, so when the task becomes active on this instance the restore (changelog-restorer.ts) starts
// at the standby's position. Only persistent (LevelDB) logged stores are kept: an in-memory store's copy
// would not survive the move from standby to active.
//
// Reconcile protocol (on the instance's queue, so that it never interleaves with a rebalance):
//   1. Place: the tasks this instance keeps a standby of (standby-placement.ts), never one active here.
//   2. Close the standbys no longer placed here (after the catch-up in progress, if any) — but not those of
//      a task nobody claims: its owner left, and until the task is claimed again its copies are where the
//      assignment sends it (task-assignor.ts step 4; each member lists its copies with its join). Closed
//      then, the copy would be missing from the join that follows the departure, and the task would go
//      to any member and restore from the beginning.
//   3. Open the stores of new standbys. A store without a checkpoint, or with one beyond its changelog's
//      end (a copy ahead of the committed changelog), is wiped, as a restore does.
// Catch-up protocol (off the queue, one pass at a time; processing goes on meanwhile):
//   1. Find each standby store's changelog end.
//   2. Read every store behind its end from its checkpoint (read_committed) and apply each batch with
//      its next offset, atomically with the checkpoint (the store's restore).
//   3. Move each checkpoint to where the reader stopped: past the transaction markers after the last
//      record, so a caught-up standby sits at its changelog's end and a takeover reads nothing.
// Release (task creation, task-manager.ts): a task about to become active here first closes its standby,
// after the catch-up in progress: LevelDB allows one open handle per directory.
import path from 'node:path'
import { TopicPartitionMap, type KafkaAdmin, type PartitionReader } from '../../kafka/index.js'
import { buildStore, type BuiltStore, type CacheBudget, type StoreRef } from '../../state/index.js'
import { StreamsError, errorMessage } from '../errors.js'
import type { Topology } from '../topology.js'
import type { TopicLayout } from './internal-topics.js'
import { standbyTasksOf } from './standby-placement.js'
import type { ResolvedConfig } from './streams-config.js'
import { changelogTopic, taskIdOf } from './topic-names.js'

/** A standby as tests and operators see it: each store's next changelog offset to read. */
export interface StandbyReport {
  readonly taskId: string
  readonly stores: readonly { readonly name: string; readonly position: number | undefined }[]
}

interface Standby {
  readonly taskId: string
  readonly partition: number
  readonly stores: BuiltStore<unknown>[]
  /** Set once it is being closed: a catch-up in progress writes no more to it. */
  closed: boolean
}

export interface StandbyContext {
  readonly config: Pick<ResolvedConfig, 'applicationId' | 'stateDir' | 'instanceId' | 'log'> & {
    readonly numStandbyReplicas: number
  }
  readonly topology: Topology
  readonly layout: TopicLayout
  readonly admin: KafkaAdmin
  readonly reader: PartitionReader
  /** The budget of the instance's key-value caches (a standby's caches fill on interactive queries' reads). */
  readonly storeCache?: CacheBudget | undefined
  /** Instance ids known to the registry, this one included. */
  readonly instances: () => readonly string[]
  /** The instance running a task, as the registry knows it. */
  readonly ownerOf: (taskId: string) => string | undefined
  /** Tasks active on this instance, or being created here. */
  readonly activeHere: () => ReadonlySet<string>
}

export class StandbyTasks {
  private readonly standbys = new Map<string, Standby>()
  /** The catch-up in progress, if any. */
  private catchingUp: Promise<void> = Promise.resolve()
  private catchUpRunning = false
  /** The stores of each standby-capable task: persistent and logged. */
  private readonly storesOf = new Map<string, { partition: number; refs: StoreRef[] }>()

  constructor(private readonly context: StandbyContext) {
    for (const sub of context.topology.subtopologies) {
      const refs = sub.stores.filter((ref) => ref.persistent && ref.logging)
      if (refs.length === 0) continue
      const count = context.layout.tasksPerSubtopology.get(sub.id) ?? 0
      for (let p = 0; p < count; p++) this.storesOf.set(taskIdOf(sub.id, p), { partition: p, refs })
    }
  }

  /** The tasks of the standbys kept here now. */
  get taskIds(): string[] {
    return [...this.standbys.keys()]
  }

  /** The standbys kept here now, with their positions. */
  async report(): Promise<StandbyReport[]> {
    const reports: StandbyReport[] = []
    for (const standby of this.standbys.values()) {
      const stores = []
      for (const store of standby.stores)
        stores.push({ name: store.name, position: store.isOpen ? await store.checkpoint() : undefined })
      reports.push({ taskId: standby.taskId, stores })
    }
    return reports.sort((a, b) => a.taskId.localeCompare(b.taskId))
  }

  /** The typed handle of one store of a standby copy kept here (for stale interactive queries). */
  store(taskId: string, storeName: string): unknown {
    const standby = this.standbys.get(taskId)
    return standby?.closed === false ? standby.stores.find((s) => s.name === storeName)?.store : undefined
  }

  /** The reconcile protocol (see the top of this file); run it on the instance's queue. */
  async reconcile(): Promise<void> {
    const { config } = this.context
    const active = this.context.activeHere()
    const placed = new Set(
      standbyTasksOf(
        config.instanceId,
        [...this.storesOf.keys()],
        this.context.instances(),
        this.context.ownerOf,
        config.numStandbyReplicas,
      ).filter((id) => !active.has(id)),
    ) // 1
    // a task nobody claims keeps its copies: its owner left (the registry holds its tombstone), and the
    // coming assignment gives it to a holder only if that holder still has it when it joins
    const unclaimed = (id: string) => !active.has(id) && this.context.ownerOf(id) === undefined
    const gone = [...this.standbys.keys()].filter((id) => !placed.has(id) && !unclaimed(id))
    if (gone.length > 0) await this.release(gone) // 2
    for (const taskId of placed) {
      if (this.standbys.has(taskId)) continue
      await this.open(taskId) // 3
    }
  }

  /** The catch-up protocol; a call while one runs returns at once. */
  catchUp(): Promise<void> {
    if (this.catchUpRunning) return Promise.resolve()
    this.catchUpRunning = true
    this.catchingUp = this.readToEnds()
      .catch((error: unknown) =>
        this.context.config.log('warn', `standby catch-up failed (retried): ${errorMessage(error)}`),
      )
      .finally(() => {
        this.catchUpRunning = false
      })
    return this.catchingUp
  }

  /** Closes the standbys of these tasks (about to become active here, or placed elsewhere). */
  async release(taskIds: readonly string[]): Promise<void> {
    const released: Standby[] = []
    for (const id of taskIds) {
      const standby = this.standbys.get(id)
      if (!standby) continue
      standby.closed = true
      this.standbys.delete(id)
      released.push(standby)
    }
    if (released.length === 0) return
    await this.catchingUp
    for (const standby of released) {
      for (const store of standby.stores) await store.close()
      this.context.config.log('info', `standby of task ${standby.taskId} closed`, {
        task: standby.taskId,
        partition: standby.partition,
      })
    }
  }

  async closeAll(): Promise<void> {
    await this.release([...this.standbys.keys()])
  }

  /** Reconcile step 3 for one task. */
  private async open(taskId: string): Promise<void> {
    const { config } = this.context
    const spec = this.storesOf.get(taskId)!
    // the ends first: a broker call that fails then leaves no store open (LevelDB's lock would stay held)
    const ends = await this.ends(spec.refs.map((ref) => ref.name))
    const stores: BuiltStore<unknown>[] = []
    try {
      await this.openStores(taskId, spec, ends, stores)
    } catch (error) {
      for (const store of stores) await store.close().catch(() => undefined)
      throw error
    }
    this.standbys.set(taskId, { taskId, partition: spec.partition, stores, closed: false })
    config.log('info', `standby of task ${taskId} opened`, { task: taskId, partition: spec.partition })
  }

  /** Reconcile step 3's stores, each pushed to `stores` once open (so that a failure can close them). */
  private async openStores(
    taskId: string,
    spec: { partition: number; refs: StoreRef[] },
    ends: Map<string, { partition: number; offset: number }[]>,
    stores: BuiltStore<unknown>[],
  ): Promise<void> {
    const { config } = this.context
    for (const ref of spec.refs) {
      const store = buildStore(ref, {
        dir: path.join(config.stateDir, config.applicationId, taskId),
        changelog: {
          log: () => {
            throw new StreamsError(
              'ILLEGAL_STATE',
              `standby store ${ref.name} of task ${taskId} was written to`,
            )
          },
        },
        storeCache: this.context.storeCache,
      }) as BuiltStore<unknown>
      await store.open()
      stores.push(store)
    }
    for (const store of stores) {
      // as a restore does: local data without a checkpoint, or ahead of the committed changelog, is wiped
      const checkpoint = await store.checkpoint()
      const end = ends.get(store.name)?.find((o) => o.partition === spec.partition)?.offset ?? 0
      if (checkpoint !== undefined && checkpoint > end)
        config.log(
          'warn',
          `standby of task ${taskId}: store ${store.name} is ahead of its changelog; wiping it`,
        )
      if (checkpoint === undefined || checkpoint > end) await store.wipe()
    }
  }

  private async ends(stores: readonly string[]) {
    const ends = new Map<string, { partition: number; offset: number }[]>()
    for (const name of new Set(stores))
      ends.set(
        name,
        await this.context.admin.endOffsets(changelogTopic(this.context.config.applicationId, name)),
      )
    return ends
  }

  /** Catch-up steps 1–2. */
  private async readToEnds(): Promise<void> {
    const standbys = [...this.standbys.values()]
    if (standbys.length === 0) return
    const ends = await this.ends(standbys.flatMap((s) => s.stores.map((store) => store.name))) // 1
    const targets = new TopicPartitionMap<{ standby: Standby; store: BuiltStore<unknown> }>()
    const requests = []
    for (const standby of standbys) {
      for (const store of standby.stores) {
        if (standby.closed) continue
        const end = ends.get(store.name)?.find((o) => o.partition === standby.partition)?.offset ?? 0
        const from = await store.checkpoint()
        if (end === 0 || (from !== undefined && from >= end)) continue
        const partition = {
          topic: changelogTopic(this.context.config.applicationId, store.name),
          partition: standby.partition,
        }
        targets.set(partition, { standby, store })
        requests.push({ partition, from: from ?? ('earliest' as const) })
      }
    }
    if (requests.length === 0) return
    const stopped = await this.context.reader.readAllToEnd(requests, async (tp, records) => {
      const target = targets.get(tp)
      if (!target || target.standby.closed) return
      const next = records[records.length - 1]!.offset + 1
      await target.store.restore(
        records.map((r) => ({ key: r.key ?? Buffer.alloc(0), value: r.value })),
        next,
      ) // 2
    })
    // 3. past the control records (transaction markers) after the last record read
    for (const [tp, { standby, store }] of targets) {
      const end = stopped.get(tp)
      if (standby.closed || end === undefined) continue
      const position = await store.checkpoint()
      if (position === undefined || position < end) await store.restore([], end)
    }
  }
}
