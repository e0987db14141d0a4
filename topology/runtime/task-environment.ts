// What a task needs from whoever runs it — the Kafka runtime (task-manager.ts) or the test driver: where
// its output goes, how topics are named and partitioned, where its stores live, and how failed records
// are handled.
import type { KeyValueStore, StoreEnv, StoreRef } from '../../state/index.js'
import type { PartitionGroupOptions } from './partition-group.js'
import type { FailureHandling, FailureStage, RecordSink } from './record-sink.js'

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
