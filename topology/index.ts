// The public surface of the engine: describe topologies, run them against Kafka or the test driver.
export * from './errors.js'
export * from './processor.js'
export * from './fixed-key-processor.js'
export type { StreamRecord } from './record.js'
export * from './topology.js'
export { TopologyBuilder } from './topology-builder.js'
export type { GlobalTableSpec, ProcessorSpec, SinkSpec, SourceSpec } from './topology-builder.js'
export { StreamsBuilder } from './dsl/streams-builder.js'
export type { TableConsumed } from './dsl/streams-builder.js'
export type {
  Consumed,
  Grouped,
  Materialized,
  Named,
  Produced,
  Repartitioned,
  Serdes,
} from './dsl/options.js'
export { KStream } from './dsl/kstream.js'
export type { KeyValue, ValueJoiner } from './dsl/kstream.js'
export { Branched, BranchedKStream } from './dsl/branched-kstream.js'
export type { Predicate } from './dsl/branched-kstream.js'
export { Printed } from './dsl/printed.js'
export { KTable } from './dsl/ktable.js'
export type { TableOptions } from './dsl/ktable.js'
export type {
  ValueTransformerWithKey,
  ValueTransformerWithKeySupplier,
} from './dsl/table-transform-values.js'
export { KGroupedStream } from './dsl/kgrouped-stream.js'
export { KGroupedTable } from './dsl/kgrouped-table.js'
export type { GroupedTableOptions } from './dsl/kgrouped-table.js'
export type { AggregateOptions } from './dsl/kgrouped-stream.js'
export { SessionWindowedKStream, TimeWindowedKStream } from './dsl/windowed-kstream.js'
export {
  CogroupedKStream,
  SessionWindowedCogroupedKStream,
  TimeWindowedCogroupedKStream,
} from './dsl/cogrouped-kstream.js'
export type { Aggregator, Initializer, Reducer } from './dsl/stream-aggregate.js'
export type { Merger } from './dsl/session-window-aggregate.js'
export { JoinWindows, SessionWindows, SlidingWindows, TimeWindows, joinWindows } from './dsl/windows.js'
export type { StreamJoined } from './dsl/stream-stream-join.js'
export type { GlobalKTable } from './dsl/stream-global-table-join.js'
export { BufferConfig, Suppressed } from './dsl/suppress.js'
export {
  Windowed,
  isWindowedSerde,
  sessionWindowedSerde,
  timeWindowedSerde,
  windowedPartitioner,
} from './dsl/windowed.js'
export type { WindowedSerde } from './dsl/windowed.js'
export { changeSerde, isValueAndTimestampSerde, valueAndTimestampSerde } from './dsl/change.js'
export type { Change, ValueAndTimestamp, ValueAndTimestampSerde } from './dsl/change.js'
export { KafkaStreams, streamsStates } from './runtime/kafka-streams.js'
export type { StreamsState } from './runtime/kafka-streams.js'
export type { RecoveryAction, RecoveryReport } from './runtime/recovery.js'
export { processingGuarantees } from './runtime/streams-config.js'
export type { ProcessingGuarantee, StreamsConfig } from './runtime/streams-config.js'
export type { StreamsMetrics } from './runtime/streams-metrics.js'
export { noopStreamsMetrics } from './runtime/streams-metrics.js'
export { ScrapedCounter } from './runtime/scraped-counter.js'
export type { CounterCell } from './runtime/scraped-counter.js'
export { dlqHeaders } from './runtime/record-sink.js'
export type { FailureHandling, FailureStage } from './runtime/record-sink.js'
export { partitionForKey, murmur2 } from './runtime/partitioner.js'
export { changelogTopic } from './runtime/topic-names.js'
export { TopologyTestDriver } from './test-driver/topology-test-driver.js'
export type {
  CapturedRecord,
  PipeOptions,
  ReadOnlyKeyValueStore,
  TestDriverOptions,
} from './test-driver/test-driver-options.js'
export { TestInputTopic, TestOutputTopic } from './test-driver/test-topics.js'
export type { InputTopicOptions, KeyValuePair, TestRecord } from './test-driver/test-topics.js'
export { InteractiveQueries } from './runtime/interactive-queries.js'
export type { KeyQueryResult } from './runtime/interactive-queries.js'
export type { InstanceInfo } from './runtime/instance-registry.js'
