// Creates, restores and closes tasks as partitions are assigned and revoked.
//
// Task creation protocol (no record of a task is processed before step 4):
//   1. A task exists for sub-topology s and partition p once every input partition (topic, p) of s is ours.
//   2. Open its stores, after closing its standby replica here if there is one (standby-tasks.ts): the
//      restore then starts where the standby's copy is. From here the task buffers what the consumer
//      fetches for it (`taskFor`), and is `restoring`.
//   3. Hand it to the state updater (state-updater.ts), which restores it in the background while the
//      running tasks go on: each logged store from its checkpoint (persistent stores with a checkpoint) or
//      from the beginning after wiping local data; a task whose local state cannot be trusted
//      (TaskCorruptedError: a checkpoint beyond the changelog's end or unreadable, or a recovery naming it)
//      is wiped and restored from the beginning. The restore protocol is in changelog-restorer.ts.
//   4. Once restored (on the instance's queue): initialize the processors (they may schedule punctuators
//      and read the restored stores); the task is running (`tasks`) and `onRunning` is told.
// A restoring task that is revoked or closed is first removed from the state updater, which stops its
// restore before its stores close.
import {
  TopicPartitionMap,
  type KafkaAdmin,
  type PartitionReader,
  type TopicPartition,
} from '../../kafka/index.js'
import { RecordCache, type CacheBudget, type KeyValueStore } from '../../state/index.js'
import type { Topology } from '../topology.js'
import type { TopicLayout } from './internal-topics.js'
import { taskIdOf } from './topic-names.js'
import type { TaskProducers } from './task-producers.js'
import { ChangelogRestorer, type RestoreReport } from './changelog-restorer.js'
import type { ResolvedConfig } from './streams-config.js'
import { StateUpdater } from './state-updater.js'
import { StreamTask } from './stream-task.js'
import { taskEnvironment, type TaskEnvOptions } from './task-environment.js'

/**
 * How long a task waits for an input partition whose lag the consumer cannot tell yet (its first fetch
 * after an assignment or a seek) before it counts the partition as caught up (see partition-group.ts).
 */
const unknownLagWaitMs = 1000

/** What the task manager tells the instance. */
export interface TaskManagerEvents {
  /** Runs `work` on the instance's queue (step 4 runs there). */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>
  /** Step 4: restored tasks are running. */
  readonly onRunning: (tasks: readonly StreamTask[]) => void
  /** A restore failed (after its broker retries): the instance cannot go on. */
  readonly onRestoreFailed: (error: unknown) => void
}

export class TaskManager {
  /** Running tasks: restored, processing. Changed only here, each change followed by `tasksChanged`. */
  readonly tasks = new Map<string, StreamTask>()
  /** Tasks whose stores are being restored (steps 2–3). Changed only here, like `tasks`. */
  readonly restoring = new Map<string, StreamTask>()
  /** `tasks`' values, and those with `restoring`'s: rebuilt when the tasks change, not on every processing pass. */
  private runningList: readonly StreamTask[] = []
  private ownedList: readonly StreamTask[] = []
  private readonly byInput = new TopicPartitionMap<StreamTask>()
  private readonly ownedInputs = new TopicPartitionMap<TopicPartition>()
  /** The record cache every task's stores share (Kafka Streams' ThreadCache). */
  readonly recordCache: RecordCache
  /** The environment of every task (task-environment.ts), the test driver's but for these options. */
  private readonly envOptions: TaskEnvOptions
  private readonly restorer: ChangelogRestorer
  private readonly updater: StateUpdater
  /** The standby replicas kept here (standby-tasks.ts): a task's standby closes before the task opens its stores. */
  standbys: { release(taskIds: readonly string[]): Promise<void> } | undefined

  constructor(
    private readonly topology: Topology,
    private readonly config: ResolvedConfig,
    private readonly layout: TopicLayout,
    private readonly producers: TaskProducers,
    admin: KafkaAdmin,
    reader: PartitionReader,
    globalStores: ReadonlyMap<string, KeyValueStore<unknown, unknown>>,
    /** The budget of the instance's key-value caches, which its standby and global stores share too. */
    readonly storeCache: CacheBudget,
    private readonly events: TaskManagerEvents,
  ) {
    this.restorer = new ChangelogRestorer(config, admin, reader)
    this.updater = new StateUpdater({
      restorer: this.restorer,
      restored: (tasks) => events.exclusive(() => this.startRestored(tasks)),
      failed: (error) => events.onRestoreFailed(error),
    })
    const recordCache = (this.recordCache = new RecordCache(config.cacheMaxBytes))
    this.envOptions = {
      applicationId: config.applicationId,
      // each task gets its own (task-producers.ts): under a producer per task, its output goes to its producer
      sinkFor: (taskId) => producers.sinkFor(taskId),
      partitionsOf: (topic) => layout.partitions.get(topic) ?? 1,
      stateDir: config.stateDir,
      storeMetrics: config.metrics.store,
      recordCache,
      storeCache,
      globalStores,
      deadLetterTopic: config.deadLetterTopic,
      handling: config.handling,
      partitionGroup: { maxTaskIdleMs: config.maxTaskIdleMs, unknownLagWaitMs },
      now: () => Date.now(),
      deadLettered: (stage) => config.metrics.deadLettered(stage),
      droppedRecord: (task) => config.metrics.droppedRecord?.(task),
    }
  }

  /** Every restore so far, for tests and operators. */
  get restores(): readonly RestoreReport[] {
    return this.restorer.restores
  }

  taskFor(topic: string, partition: number): StreamTask | undefined {
    return this.byInput.get({ topic, partition })
  }

  /** Running tasks, in the order they started; the same array until the tasks change (never mutated). */
  get running(): readonly StreamTask[] {
    return this.runningList
  }

  /** Tasks of this instance, running or restoring; the same array until the tasks change (never mutated). */
  get owned(): readonly StreamTask[] {
    return this.ownedList
  }

  /** Resolves once no restore is in progress or handing its tasks over (for tests and operators). */
  restored(): Promise<void> {
    return this.updater.idle()
  }

  /**
   * Steps 1–3 for every task the new partitions complete; returns the new (restoring) tasks. The stores of
   * the tasks in `corrupted` (a recovery's TaskCorruptedError) are wiped and restored from the beginning.
   */
  async assigned(
    partitions: readonly TopicPartition[],
    corrupted: readonly string[] = [],
  ): Promise<StreamTask[]> {
    for (const tp of partitions) this.ownedInputs.set(tp, tp)
    const created: StreamTask[] = []
    for (const sub of this.topology.subtopologies) {
      const count = this.layout.tasksPerSubtopology.get(sub.id) ?? 0
      for (let p = 0; p < count; p++) {
        const id = taskIdOf(sub.id, p)
        if (this.tasks.has(id) || this.restoring.has(id)) continue
        const task = new StreamTask(sub, p, taskEnvironment(this.envOptions, id))
        if (!task.inputs.every((i) => this.ownedInputs.has(i))) continue // 1
        await this.standbys?.release([id]) // 2
        await this.producers.openTask(id)
        await task.openStores()
        this.restoring.set(id, task)
        this.tasksChanged()
        for (const input of task.inputs) this.byInput.set(input, task)
        created.push(task)
      }
    }
    if (created.length > 0) this.updater.add(created, corrupted) // 3
    return created
  }

  /** Step 4, on the instance's queue: restored tasks still ours start processing. */
  private async startRestored(restored: readonly StreamTask[]): Promise<void> {
    const started: StreamTask[] = []
    for (const task of restored) {
      if (this.restoring.get(task.id) !== task) continue // revoked or closed meanwhile
      await task.initProcessors()
      this.restoring.delete(task.id)
      this.tasks.set(task.id, task)
      started.push(task)
    }
    if (started.length > 0) this.tasksChanged()
    this.config.metrics.tasksActive(this.tasks.size)
    if (started.length > 0) this.events.onRunning(started)
  }

  /** Tasks (running or restoring) that lose an input partition; the caller commits before closing them. */
  affectedBy(partitions: readonly TopicPartition[]): StreamTask[] {
    const affected = new Set<StreamTask>()
    for (const tp of partitions) {
      const task = this.taskFor(tp.topic, tp.partition)
      if (task) affected.add(task)
    }
    return [...affected]
  }

  async revoked(partitions: readonly TopicPartition[], tasks: readonly StreamTask[]): Promise<void> {
    for (const tp of partitions) this.ownedInputs.delete(tp)
    for (const task of tasks) await this.close(task)
    this.config.metrics.tasksActive(this.tasks.size)
  }

  async close(task: StreamTask): Promise<void> {
    if (this.restoring.get(task.id) === task) {
      await this.updater.remove([task.id]) // its restore stops before its stores close
      this.restoring.delete(task.id)
    }
    if (this.tasks.get(task.id) === task) this.tasks.delete(task.id)
    this.tasksChanged()
    for (const input of task.inputs) this.byInput.delete(input)
    await task.close()
    await this.producers.closeTask(task.id)
  }

  async closeAll(): Promise<void> {
    await this.updater.close()
    for (const task of this.owned) await this.close(task)
  }

  /**
   * Drops every task's uncommitted state and rebuilds the tasks from their local checkpoints; those in
   * `corrupted` from their changelogs alone.
   */
  async reinitialize(corrupted: readonly string[] = []): Promise<StreamTask[]> {
    const owned = [...this.ownedInputs.values()]
    await this.updater.remove([...this.restoring.keys()])
    for (const task of this.owned) {
      task.discardPending()
      await this.close(task)
    }
    return this.assigned(owned, corrupted)
  }

  private tasksChanged(): void {
    this.runningList = [...this.tasks.values()]
    this.ownedList = [...this.runningList, ...this.restoring.values()]
  }
}
