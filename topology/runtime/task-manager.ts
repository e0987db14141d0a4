// Creates, restores and closes tasks as partitions are assigned and revoked.
//
// Task creation protocol (no record of a task is processed before step 4):
//   1. A task exists for sub-topology s and partition p once every input partition (topic, p) of s is ours.
//      The new tasks of one assignment go through steps 2–4 together: one reader pass restores them all.
//   2. Open its stores, after closing its standby replica here if there is one (standby-tasks.ts): the
//      restore then starts where the standby's copy is.
//   3. Restore each logged store: from its checkpoint (persistent stores with a checkpoint) or from the
//      beginning after wiping local data; a task whose local state cannot be trusted (TaskCorruptedError:
//      a checkpoint beyond the changelog's end or unreadable, or a recovery naming it) is wiped and
//      restored from the beginning. The restore protocol is in changelog-restorer.ts.
//   4. Initialize the processors (they may schedule punctuators and read the restored stores).
import {
  TopicPartitionMap,
  type KafkaAdmin,
  type PartitionReader,
  type TopicPartition,
} from '../../kafka/index.js'
import { RecordCache, type KeyValueStore } from '../../state/index.js'
import type { Topology } from '../topology.js'
import type { TopicLayout } from './internal-topics.js'
import { taskIdOf } from './topic-names.js'
import type { TaskProducers } from './task-producers.js'
import { ChangelogRestorer, type RestoreReport } from './changelog-restorer.js'
import type { ResolvedConfig } from './streams-config.js'
import { StreamTask } from './stream-task.js'
import { taskEnvironment, type TaskEnvOptions } from './task-environment.js'

/**
 * How long a task waits for an input partition whose lag the consumer cannot tell yet (its first fetch
 * after an assignment or a seek) before it counts the partition as caught up (see partition-group.ts).
 */
const unknownLagWaitMs = 1000

export class TaskManager {
  readonly tasks = new Map<string, StreamTask>()
  private readonly byInput = new TopicPartitionMap<StreamTask>()
  private readonly owned = new TopicPartitionMap<TopicPartition>()
  /** The environment of every task (task-environment.ts), the test driver's but for these options. */
  private readonly envOptions: TaskEnvOptions
  private readonly restorer: ChangelogRestorer
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
  ) {
    this.restorer = new ChangelogRestorer(config, admin, reader)
    const recordCache = new RecordCache(config.cacheMaxBytes)
    this.envOptions = {
      applicationId: config.applicationId,
      // each task gets its own (task-producers.ts): under a producer per task, its output goes to its producer
      sinkFor: (taskId) => producers.sinkFor(taskId),
      partitionsOf: (topic) => layout.partitions.get(topic) ?? 1,
      stateDir: config.stateDir,
      storeMetrics: config.metrics.store,
      recordCache,
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

  /**
   * Steps 1–4 for every task the new partitions complete. The stores of the tasks in `corrupted` (a
   * recovery's TaskCorruptedError) are wiped and restored from the beginning.
   */
  async assigned(
    partitions: readonly TopicPartition[],
    corrupted: readonly string[] = [],
  ): Promise<StreamTask[]> {
    for (const tp of partitions) this.owned.set(tp, tp)
    const created: StreamTask[] = []
    for (const sub of this.topology.subtopologies) {
      const count = this.layout.tasksPerSubtopology.get(sub.id) ?? 0
      for (let p = 0; p < count; p++) {
        if (this.tasks.has(taskIdOf(sub.id, p))) continue
        const id = taskIdOf(sub.id, p)
        const task = new StreamTask(sub, p, taskEnvironment(this.envOptions, id))
        if (!task.inputs.every((i) => this.owned.has(i))) continue
        await this.standbys?.release([id])
        await this.producers.openTask(id)
        await task.openStores()
        created.push(task)
      }
    }
    await this.restorer.restore(created, new Set(corrupted)) // 3
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

  /**
   * Drops every task's uncommitted state and rebuilds the tasks from their local checkpoints; those in
   * `corrupted` from their changelogs alone.
   */
  async reinitialize(corrupted: readonly string[] = []): Promise<StreamTask[]> {
    const owned = [...this.owned.values()]
    for (const task of [...this.tasks.values()]) {
      task.discardPending()
      await this.close(task)
    }
    return this.assigned(owned, corrupted)
  }
}
