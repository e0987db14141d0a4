// What a task needs from whoever runs it, and the one function that builds it for the Kafka runtime
// (task-manager.ts) and the test driver alike: where its output and its stores' changelog records go,
// how topics are named (topic-names.ts) and partitioned, where its stores live, how failed records are
// handled. The two differ only in the options they pass: a producer's sink or a capturing one, the broker's
// partition counts or the driver's, a state directory or memory.
import path from 'node:path'
import type {
  CacheBudget,
  KeyValueStore,
  RecordCache,
  StoreEnv,
  StoreMetrics,
  StoreRef,
} from '../../state/index.js'
import type { PartitionGroupOptions } from './partition-group.js'
import type { FailureHandling, FailureStage, RecordSink } from './record-sink.js'
import { changelogTopic, runtimeTopic } from './topic-names.js'

export interface TaskEnv {
  readonly applicationId: string
  readonly sink: RecordSink
  /** The topic name at run time: internal topics get the application id as prefix. */
  resolveTopic(name: string, internal: boolean): string
  /** Partition count of an output topic (for key partitioning). */
  partitionsOf(topic: string): number
  storeEnv(store: StoreRef, partition: number): StoreEnv
  readonly globalStores: ReadonlyMap<string, KeyValueStore<unknown, unknown>>
  readonly deadLetterTopic: string | undefined
  readonly handling: Readonly<Record<FailureStage, FailureHandling>>
  /** How the task chooses between its input partitions (max.task.idle.ms). */
  readonly partitionGroup: PartitionGroupOptions
  now(): number
  deadLettered?(stage: FailureStage): void
  /** A processor of `task` skipped a record (Kafka Streams' dropped-records sensor). */
  droppedRecord?(task: string): void
}

/** What differs between the runtime's tasks and the test driver's. */
export interface TaskEnvOptions extends Pick<
  TaskEnv,
  | 'applicationId'
  | 'partitionsOf'
  | 'globalStores'
  | 'deadLetterTopic'
  | 'handling'
  | 'partitionGroup'
  | 'now'
  | 'deadLettered'
  | 'droppedRecord'
> {
  /** Where a task's output and its stores' changelog records go. */
  sinkFor(taskId: string): RecordSink
  /** Each task keeps its persistent stores under `<stateDir>/<applicationId>/<task id>`. */
  readonly stateDir: string
  readonly storeMetrics?: StoreMetrics | undefined
  /** The record cache every task's stores share (one per instance, Kafka Streams' ThreadCache). */
  readonly recordCache?: RecordCache | undefined
  /** The budget every task's key-value stores share for their caches of deserialized values (one per instance). */
  readonly storeCache?: CacheBudget | undefined
}

/** The environment of the task `taskId`. */
export function taskEnvironment(options: TaskEnvOptions, taskId: string): TaskEnv {
  const { applicationId } = options
  const sink = options.sinkFor(taskId)
  return {
    applicationId,
    sink,
    resolveTopic: (name, internal) => runtimeTopic(applicationId, name, internal),
    partitionsOf: (topic) => options.partitionsOf(topic),
    storeEnv: (ref, partition) => ({
      dir: path.join(options.stateDir, applicationId, taskId),
      changelog: {
        log: (key, value, timestamp) =>
          sink.send({ topic: changelogTopic(applicationId, ref.name), partition, key, value, timestamp }),
      },
      metrics: options.storeMetrics,
      recordCache: options.recordCache,
      storeCache: options.storeCache,
    }),
    globalStores: options.globalStores,
    deadLetterTopic: options.deadLetterTopic,
    handling: options.handling,
    partitionGroup: options.partitionGroup,
    now: () => options.now(),
    ...(options.deadLettered ? { deadLettered: options.deadLettered } : {}),
    ...(options.droppedRecord ? { droppedRecord: options.droppedRecord } : {}),
  }
}
