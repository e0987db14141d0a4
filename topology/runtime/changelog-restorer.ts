// Rebuilds the logged stores of newly created tasks from their changelogs (Kafka Streams'
// StoreChangelogReader), called by the state updater (state-updater.ts) off the instance's queue: the tasks
// of one pass restore together, and no record of theirs is processed before every one of their stores is
// restored. A pass can be cancelled (a task of it revoked): it stops at its next batch, after the writes in
// flight, and every store keeps a checkpoint matching what it holds (each restore batch is atomic with it).
//
// Restore protocol:
//   1. Find each logged store's changelog end (one admin call per changelog topic).
//   2. Choose where to start: the store's checkpoint (a persistent store that has one), or the beginning
//      after wiping local data. A checkpoint beyond the changelog's end (local state ahead of the committed
//      changelog) or one that cannot be read is a TaskCorruptedError (`checkpointOf`), and so is a task a
//      recovery names as corrupted: its recovery, wipe and restore from the beginning, happens here.
//   3. A store already at the end (or with an empty changelog, which gets checkpoint 0) is reported with 0
//      records restored.
//   4. Read all the other changelog partitions to their ends in one reader pass (read_committed). Reading
//      goes on while the stores write their batches, each store in order; at most `maxUnwrittenRecords`
//      records wait to be written.
//   5. Report each restore: metrics and a log line as each store reaches its end; `restores` (for tests and
//      operators) once per store when its task is restored, so a pass cancelled and run again reports a
//      store once, not once per attempt.
import {
  TopicPartitionMap,
  type ConsumedRecord,
  type KafkaAdmin,
  type PartitionReader,
  type TopicPartitionOffset,
} from '../../kafka/index.js'
import { isStateStoreError, type BuiltStore, type BytesWrite } from '../../state/index.js'
import { TaskCorruptedError, errorMessage } from '../errors.js'
import { retryBroker } from './broker-retry.js'
import { RestoreProgress } from './restore-progress.js'
import type { StreamTask } from './stream-task.js'
import type { ResolvedConfig } from './streams-config.js'
import { changelogTopic } from './topic-names.js'

export interface RestoreReport {
  readonly store: string
  readonly taskId: string
  readonly from: number | 'earliest'
  readonly records: number
  /**
   * When reading its changelog began and when the store reached its end with every write done (epoch ms;
   * Kafka Streams' `onRestoreStart` / `onRestoreEnd`). Equal for a store with nothing to restore.
   */
  readonly startedAt: number
  readonly endedAt: number
}

interface RestoreTarget {
  readonly task: StreamTask
  readonly store: BuiltStore<unknown>
  readonly from: number | 'earliest'
  readonly end: number
  restored: number
  /** The reader reached the partition's end: later records (written since) are not restored. */
  done: boolean
  /** The store's writes so far, chained: each store applies its batches in order. */
  writing: Promise<void>
}

/** A restore pass stopped because its signal was aborted (a task of it was revoked or closed). */
export class RestoreCancelled extends Error {
  override readonly name = 'RestoreCancelled'
  constructor() {
    super('restore cancelled')
  }
}

function hasKey(record: ConsumedRecord): record is ConsumedRecord & BytesWrite {
  return record.key !== null
}

/** Changelog records read but not yet written to their stores, at most, during a restore. */
const maxUnwrittenRecords = 50_000

export class ChangelogRestorer {
  /** Every completed restore so far, one report per store of each restored task, for tests and operators. */
  readonly restores: RestoreReport[] = []

  constructor(
    private readonly config: ResolvedConfig,
    private readonly admin: KafkaAdmin,
    private readonly reader: PartitionReader,
  ) {}

  /**
   * The restore protocol (see the top of this file) for every new task at once; the stores of the tasks
   * in `corrupted` are wiped and restored from the beginning. `onRestored` is told of each task once all
   * its stores are restored — while the others may still be (a small task need not wait for a big one);
   * the task's reports join `restores` then. A cancelled pass reports nothing of the tasks it did not restore.
   */
  async restore(
    tasks: readonly StreamTask[],
    corrupted: ReadonlySet<string> = new Set(),
    signal?: AbortSignal,
    onRestored: (task: StreamTask) => void = () => {},
  ): Promise<void> {
    const cancelled = () => {
      if (signal?.aborted) throw new RestoreCancelled()
    }
    const ends = new Map<string, TopicPartitionOffset[]>()
    const endOf = async (topic: string, partition: number) => {
      if (!ends.has(topic))
        ends.set(
          topic,
          await retryBroker(this.config, 'changelog end offsets', () => this.admin.endOffsets(topic)),
        )
      return ends.get(topic)!.find((o) => o.partition === partition)?.offset ?? 0
    }
    const targets = new TopicPartitionMap<RestoreTarget>()
    const reports = new Map<StreamTask, RestoreReport[]>() // step 5, held until the task is restored
    const report = (
      task: StreamTask,
      store: string,
      from: number | 'earliest',
      records: number,
      startedAt = Date.now(),
    ) => {
      const ofTask = reports.get(task) ?? []
      ofTask.push({ store, taskId: task.id, from, records, startedAt, endedAt: Date.now() })
      reports.set(task, ofTask)
    }
    const restored = (task: StreamTask) => {
      this.restores.push(...(reports.get(task) ?? []))
      reports.delete(task)
      onRestored(task)
    }
    for (const task of tasks) {
      for (const store of task.stores.values()) {
        if (!store.logged) continue
        const topic = changelogTopic(this.config.applicationId, store.name)
        cancelled()
        const end = await endOf(topic, task.partition) // 1
        let checkpoint: number | undefined // 2
        if (corrupted.has(task.id))
          this.config.log('warn', `task ${task.id}: corrupted (a recovery says so); wiping ${store.name}`)
        else
          try {
            checkpoint = await this.checkpointOf(task, store, end)
          } catch (error) {
            if (!(error instanceof TaskCorruptedError)) throw error
            this.config.log('warn', `${error.message}; wiping it`)
          }
        if (checkpoint === undefined) await store.wipe()
        const from: number | 'earliest' = checkpoint ?? 'earliest'
        const target = { task, store, from, end, restored: 0, done: false, writing: Promise.resolve() }
        if (end > 0 && (checkpoint === undefined || checkpoint < end))
          targets.set({ topic, partition: task.partition }, target)
        else {
          // 3; an empty changelog gets its checkpoint, 0: commits whose changelog offsets are not reported
          // advance a store's checkpoint from the one it has (ChangelogAdvance)
          if (checkpoint === undefined && store.persistent) await store.restore([], 0)
          report(task, store.name, from, 0)
        }
      }
    }
    const pending = new Map<StreamTask, number>() // targets not yet at their end, per task
    for (const t of targets.values()) pending.set(t.task, (pending.get(t.task) ?? 0) + 1)
    for (const task of tasks) if (!pending.has(task)) restored(task)
    let readingSince = Date.now() // set again when step 4 begins: every changelog is read from then on
    /** Step 5 for a target at its end, once its writes are done; the task is restored with its last one. */
    const ended = (target: RestoreTarget) => {
      const { task, store, from, restored: records } = target
      this.config.metrics.restored(store.name, 0, 0)
      report(task, store.name, from, records, readingSince)
      if (records > 0)
        this.config.log(
          'info',
          `task ${task.id}: restored ${records} records of ${store.name} from ${from}`,
          {
            task: task.id,
            partition: task.partition,
            store: store.name,
          },
        )
      const left = pending.get(task)! - 1
      pending.set(task, left)
      if (left === 0) restored(task)
    }
    const progress =
      targets.size > 0
        ? new RestoreProgress(this.config.log, { tasks: tasks.length, partitions: targets.size })
        : undefined
    for (const [tp, t] of targets) progress?.expect(tp, t.end - (t.from === 'earliest' ? 0 : t.from))
    cancelled()
    readingSince = Date.now()
    progress?.start()
    try {
      await this.readAll(targets, progress, cancelled, ended) // 4
    } finally {
      progress?.stop()
    }
    // a reader that did not tell of every end: all are reached now
    for (const target of targets.values())
      if (!target.done) {
        target.done = true
        ended(target)
      }
    progress?.finish()
  }

  /**
   * Step 2: where a store's local state ends, if it has a checkpoint to start from; TaskCorruptedError
   * when local state cannot be trusted (ahead of the committed changelog, or an unreadable checkpoint).
   */
  private async checkpointOf(
    task: StreamTask,
    store: BuiltStore<unknown>,
    end: number,
  ): Promise<number | undefined> {
    if (!store.persistent) return undefined
    let checkpoint: number | undefined
    try {
      checkpoint = await store.checkpoint()
    } catch (error) {
      if (!isStateStoreError(error, 'STORE_CORRUPTED')) throw error
      throw new TaskCorruptedError(
        [task.id],
        `task ${task.id}: store ${store.name} has an unreadable checkpoint (${errorMessage(error)})`,
        { cause: error },
      )
    }
    if (checkpoint !== undefined && checkpoint > end)
      throw new TaskCorruptedError(
        [task.id],
        `task ${task.id}: store ${store.name} is ahead of its changelog (${checkpoint} > ${end})`,
      )
    return checkpoint
  }

  /**
   * Step 4; `cancelled` throws RestoreCancelled once the pass is cancelled; `ended` is called for each
   * target once the reader reached its end and its writes are done.
   */
  private async readAll(
    targets: TopicPartitionMap<RestoreTarget>,
    progress: RestoreProgress | undefined,
    cancelled: () => void,
    ended: (target: RestoreTarget) => void,
  ) {
    let unwritten = 0
    const writes = () => [...targets.values()].map((t) => t.writing)
    try {
      await this.reader.readAllToEnd(
        [...targets].map(([partition, t]) => ({ partition, from: t.from })),
        // reading goes on while the stores write (several stores write at once on the thread pool);
        // at most `maxUnwrittenRecords` records wait to be written
        async (tp, records) => {
          cancelled()
          const target = targets.get(tp)!
          // written after the end, by the task itself now that it runs: already in its store
          if (target.done) return
          const next = records[records.length - 1]!.offset + 1
          // the records themselves are the batch unless one has no key (no changelog record lacks one)
          const batch: readonly BytesWrite[] = records.every(hasKey)
            ? records
            : records.map((r) => ({ key: r.key ?? Buffer.alloc(0), value: r.value }))
          unwritten += batch.length
          target.writing = target.writing.then(async () => {
            await target.store.restore(batch, next)
            unwritten -= batch.length
            target.restored += batch.length
            progress?.restored(tp, batch.length, Math.max(0, target.end - next))
            this.config.metrics.restored(target.store.name, batch.length, Math.max(0, target.end - next))
          })
          target.writing.catch(() => undefined) // awaited below; a failure surfaces there
          if (unwritten > maxUnwrittenRecords) await Promise.all(writes())
        },
        (tp) => {
          const target = targets.get(tp)!
          target.done = true
          // a failed write surfaces below, where every write is awaited
          target.writing = target.writing.then(() => ended(target))
          target.writing.catch(() => undefined)
        },
      )
    } catch (error) {
      // the caller may close the stores once this returns: none of their writes may still be running
      await Promise.allSettled(writes())
      throw error
    }
    await Promise.all(writes())
  }
}
