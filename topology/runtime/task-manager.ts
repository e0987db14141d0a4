// Creates, restores and closes tasks as partitions are assigned and revoked.
//
// Task creation protocol (no record of a task is processed before step 4):
//   1. A task exists for sub-topology s and partition p once every input partition (topic, p) of s is ours.
//      The new tasks of one assignment go through steps 2–4 together: one reader pass restores them all.
//   2. Open its stores.
//   3. Restore each logged store: from its checkpoint (persistent stores with a checkpoint) or from the
//      beginning after wiping local data; a checkpoint beyond the changelog's end means the local state
//      is ahead of the committed changelog (TASK_CORRUPTED): wipe and restore from the beginning.
//   4. Initialize the processors (they may schedule punctuators and read the restored stores).
import path from 'node:path'
import {
  TopicPartitionMap,
  type KafkaAdmin,
  type PartitionReader,
  type TopicPartition,
  type TopicPartitionOffset,
} from '../../kafka/index.js'
import type { BuiltStore, KeyValueStore, StoreRef } from '../../state/index.js'
import { StreamsError } from '../errors.js'
import type { Topology } from '../topology.js'
import type { TopicLayout } from './internal-topics.js'
import { changelogTopic, runtimeTopic, subtopologyOfStore, taskIdOf } from './topic-names.js'
import { retryBroker } from './broker-retry.js'
import type { TaskProducers } from './task-producers.js'
import { RestoreProgress } from './restore-progress.js'
import type { ResolvedConfig } from './streams-config.js'
import { StreamTask, type TaskEnv } from './stream-task.js'

export interface RestoreReport {
  readonly store: string
  readonly taskId: string
  readonly from: number | 'earliest'
  readonly records: number
}

interface RestoreTarget {
  readonly task: StreamTask
  readonly store: BuiltStore<unknown>
  readonly from: number | 'earliest'
  readonly end: number
  restored: number
  /** The store's writes so far, chained: each store applies its batches in order. */
  writing: Promise<void>
}

/** Changelog records read but not yet written to their stores, at most, during a restore. */
const maxUnwrittenRecords = 50_000
/**
 * How long a task waits for an input partition whose lag the consumer cannot tell yet (its first fetch
 * after an assignment or a seek) before it counts the partition as caught up (see partition-group.ts).
 */
const unknownLagWaitMs = 1000

export class TaskManager {
  readonly tasks = new Map<string, StreamTask>()
  private readonly byInput = new TopicPartitionMap<StreamTask>()
  private readonly owned = new TopicPartitionMap<TopicPartition>()
  /** Every restore so far, for tests and operators. */
  readonly restores: RestoreReport[] = []
  readonly env: TaskEnv

  constructor(
    private readonly topology: Topology,
    private readonly config: ResolvedConfig,
    private readonly layout: TopicLayout,
    private readonly producers: TaskProducers,
    private readonly admin: KafkaAdmin,
    private readonly reader: PartitionReader,
    globalStores: ReadonlyMap<string, KeyValueStore<unknown, unknown>>,
  ) {
    this.env = {
      applicationId: config.applicationId,
      // each task gets its own (assigned): under a producer per task, its output goes to its producer
      sink: { send: () => undefined },
      resolveTopic: (name, internal) => runtimeTopic(config.applicationId, name, internal),
      partitionsOf: (topic) => layout.partitions.get(topic) ?? 1,
      storeEnv: (ref: StoreRef, partition: number) => {
        const taskId = taskIdOf(this.subtopologyOf(ref.name), partition)
        const sink = producers.sinkFor(taskId)
        return {
          dir: path.join(config.stateDir, config.applicationId, taskId),
          changelog: {
            log: (key, value, timestamp) =>
              sink.send({
                topic: changelogTopic(config.applicationId, ref.name),
                partition,
                key,
                value,
                timestamp,
              }),
          },
          metrics: config.metrics.store,
        }
      },
      globalStores,
      deadLetterTopic: config.deadLetterTopic,
      handling: config.handling,
      partitionGroup: { maxTaskIdleMs: config.maxTaskIdleMs, unknownLagWaitMs },
      now: () => Date.now(),
      deadLettered: (stage) => config.metrics.deadLettered(stage),
      droppedRecord: (task) => config.metrics.droppedRecord?.(task),
    }
  }

  taskFor(topic: string, partition: number): StreamTask | undefined {
    return this.byInput.get({ topic, partition })
  }

  /** Steps 1–4 for every task the new partitions complete. */
  async assigned(partitions: readonly TopicPartition[]): Promise<StreamTask[]> {
    for (const tp of partitions) this.owned.set(tp, tp)
    const created: StreamTask[] = []
    for (const sub of this.topology.subtopologies) {
      const count = this.layout.tasksPerSubtopology.get(sub.id) ?? 0
      for (let p = 0; p < count; p++) {
        if (this.tasks.has(taskIdOf(sub.id, p))) continue
        const id = taskIdOf(sub.id, p)
        const task = new StreamTask(sub, p, { ...this.env, sink: this.producers.sinkFor(id) })
        if (!task.inputs.every((i) => this.owned.has(i))) continue
        await this.producers.openTask(id)
        await task.openStores()
        created.push(task)
      }
    }
    await this.restore(created)
    for (const task of created) {
      await task.initProcessors()
      this.tasks.set(task.id, task)
      for (const input of task.inputs) this.byInput.set(input, task)
    }
    this.config.metrics.tasksActive(this.tasks.size)
    return created
  }

  /** Tasks that lose an input partition; the caller commits before closing them. */
  affectedBy(partitions: readonly TopicPartition[]): StreamTask[] {
    const affected = new Set<StreamTask>()
    for (const tp of partitions) {
      const task = this.taskFor(tp.topic, tp.partition)
      if (task) affected.add(task)
    }
    return [...affected]
  }

  async revoked(partitions: readonly TopicPartition[], tasks: readonly StreamTask[]): Promise<void> {
    for (const tp of partitions) this.owned.delete(tp)
    for (const task of tasks) await this.close(task)
    this.config.metrics.tasksActive(this.tasks.size)
  }

  async close(task: StreamTask): Promise<void> {
    this.tasks.delete(task.id)
    for (const input of task.inputs) this.byInput.delete(input)
    await task.close()
    await this.producers.closeTask(task.id)
  }

  async closeAll(): Promise<void> {
    for (const task of [...this.tasks.values()]) await this.close(task)
  }

  /** Drops every task's uncommitted state and rebuilds the tasks from their local checkpoints. */
  async reinitialize(): Promise<StreamTask[]> {
    const owned = [...this.owned.values()]
    for (const task of [...this.tasks.values()]) {
      task.discardPending()
      await this.close(task)
    }
    return this.assigned(owned)
  }

  private subtopologyOf(store: string): number {
    const sub = subtopologyOfStore(this.topology, store)
    if (!sub) throw new StreamsError('TOPOLOGY_INVALID', `no subtopology has store ${store}`)
    return sub.id
  }

  /** Step 3 for every new task at once: one reader pass over all their changelog partitions. */
  private async restore(tasks: readonly StreamTask[]): Promise<void> {
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
    for (const task of tasks) {
      for (const store of task.stores.values()) {
        if (!store.logged) continue
        const topic = changelogTopic(this.config.applicationId, store.name)
        const end = await endOf(topic, task.partition)
        let checkpoint = store.persistent ? await store.checkpoint() : undefined
        if (checkpoint === undefined || checkpoint > end) {
          if (checkpoint !== undefined) {
            this.config.log(
              'warn',
              `task ${task.id}: store ${store.name} is ahead of its changelog (${checkpoint} > ${end}); wiping it`,
            )
          }
          await store.wipe()
          checkpoint = undefined
        }
        const from: number | 'earliest' = checkpoint ?? 'earliest'
        const target = { task, store, from, end, restored: 0, writing: Promise.resolve() }
        if (end > 0 && (checkpoint === undefined || checkpoint < end))
          targets.set({ topic, partition: task.partition }, target)
        else this.restores.push({ store: store.name, taskId: task.id, from, records: 0 })
      }
    }
    const progress =
      targets.size > 0
        ? new RestoreProgress(this.config.log, { tasks: tasks.length, partitions: targets.size })
        : undefined
    for (const [tp, t] of targets) progress?.expect(tp, t.end - (t.from === 'earliest' ? 0 : t.from))
    progress?.start()
    try {
      await this.readAll(targets, progress)
    } finally {
      progress?.stop()
    }
    progress?.finish()
    for (const { task, store, from, restored } of targets.values()) {
      this.config.metrics.restored(store.name, 0, 0)
      this.restores.push({ store: store.name, taskId: task.id, from, records: restored })
      if (restored > 0)
        this.config.log(
          'info',
          `task ${task.id}: restored ${restored} records of ${store.name} from ${from}`,
          {
            task: task.id,
            partition: task.partition,
            store: store.name,
          },
        )
    }
  }

  private async readAll(targets: TopicPartitionMap<RestoreTarget>, progress: RestoreProgress | undefined) {
    let unwritten = 0
    await this.reader.readAllToEnd(
      [...targets].map(([partition, t]) => ({ partition, from: t.from })),
      // reading goes on while the stores write (several stores write at once on the thread pool);
      // at most `maxUnwrittenRecords` records wait to be written
      async (tp, records) => {
        const target = targets.get(tp)!
        const next = records[records.length - 1]!.offset + 1
        const batch = records.map((r) => ({ key: r.key ?? Buffer.alloc(0), value: r.value }))
        unwritten += batch.length
        target.writing = target.writing.then(async () => {
          await target.store.restore(batch, next)
          unwritten -= batch.length
          target.restored += batch.length
          progress?.restored(tp, batch.length, Math.max(0, target.end - next))
          this.config.metrics.restored(target.store.name, batch.length, Math.max(0, target.end - next))
        })
        target.writing.catch(() => undefined) // awaited below; a failure surfaces there
        if (unwritten > maxUnwrittenRecords) await Promise.all([...targets.values()].map((t) => t.writing))
      },
    )
    await Promise.all([...targets.values()].map((t) => t.writing))
  }
}
