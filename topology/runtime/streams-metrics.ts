// What the runtime reports as it works. The Prometheus implementation lives in prometheus-metrics.ts;
// the default does nothing. Calls on the hot path are per batch, not per record.
import type { StoreMetrics } from '../../state/index.js'
import type { FailureStage } from './record-sink.js'

export interface StreamsMetrics {
  readonly store: StoreMetrics
  recordsConsumed(topic: string, partition: number, count: number): void
  recordsProduced(topic: string, partition: number, count: number): void
  /** Time to process one batch of `count` records, per subtopology. */
  processed(subtopology: number, seconds: number, count: number): void
  /** Record timestamp to output, in seconds, for each produced record of a topic (sampled per batch). */
  endToEnd(topic: string, seconds: number): void
  committed(seconds: number): void
  lag(topic: string, partition: number, records: number): void
  restored(store: string, records: number, remaining: number): void
  rebalanced(): void
  deadLettered(stage: FailureStage): void
  /** A processor of a task skipped a record (Kafka Streams' dropped-records sensor). */
  droppedRecord?(task: string): void
  tasksActive(count: number): void
  storeSize(store: string, bytes: number): void
  storeKeys(store: string, keys: number): void
  /** Bytes the record cache or the store cache budget's caches hold (all local tasks, standbys, global tables). */
  cacheSize?(cache: 'record' | 'store', bytes: number): void
}

export const noopStreamsMetrics: StreamsMetrics = {
  store: { timed: false, recordOperation: () => undefined },
  recordsConsumed: () => undefined,
  recordsProduced: () => undefined,
  processed: () => undefined,
  endToEnd: () => undefined,
  committed: () => undefined,
  lag: () => undefined,
  restored: () => undefined,
  rebalanced: () => undefined,
  deadLettered: () => undefined,
  tasksActive: () => undefined,
  storeSize: () => undefined,
  storeKeys: () => undefined,
}
