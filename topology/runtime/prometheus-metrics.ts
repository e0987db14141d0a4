// The engine's metrics in Prometheus form (prom-client), named by Prometheus conventions: snake_case, base
// units (seconds, bytes), `_total` for counters. Per-record and per-operation counts are plain additions
// (scraped-counter.ts); histograms are observed per batch or per commit.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { TopicPartitionMap } from '../../kafka/index.js'
import type { StoreMetrics, StoreOperation } from '../../state/index.js'
import { ScrapedCounter, type CounterCell } from './scraped-counter.js'
import type { FailureStage } from './record-sink.js'
import type { StreamsMetrics } from './streams-metrics.js'

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export class PrometheusStreamsMetrics implements StreamsMetrics {
  readonly store: StoreMetrics
  private readonly consumed: ScrapedCounter<'topic' | 'partition'>
  private readonly produced: ScrapedCounter<'topic' | 'partition'>
  private readonly consumedCells = new TopicPartitionMap<CounterCell>()
  private readonly producedCells = new TopicPartitionMap<CounterCell>()
  private readonly processLatency: Histogram<'subtopology'>
  private readonly endToEndLatency: Histogram<'topic'>
  private readonly commits: Counter
  private readonly commitLatency: Histogram
  private readonly lagGauge: Gauge<'topic' | 'partition'>
  private readonly restoredRecords: Counter<'store'>
  private readonly restoreRemaining: Gauge<'store'>
  private readonly rebalances: Counter
  private readonly dlq: Counter<'stage'>
  private readonly dropped: Counter<'task'>
  private readonly tasks: Gauge
  private readonly storeBytes: Gauge<'store'>
  private readonly storeKeyCounts: Gauge<'store'>
  private readonly cacheBytes: Gauge<'cache'>

  constructor(registry: Registry) {
    const registers = [registry]
    this.consumed = new ScrapedCounter({
      name: 'streams_records_consumed_total',
      help: 'Records consumed, per input topic and partition',
      labelNames: ['topic', 'partition'],
      registers,
    })
    this.produced = new ScrapedCounter({
      name: 'streams_records_produced_total',
      help: 'Records produced (outputs, changelogs, dead letters), per topic and partition',
      labelNames: ['topic', 'partition'],
      registers,
    })
    this.processLatency = new Histogram({
      name: 'streams_process_latency_seconds',
      help: 'Processing time per record, averaged over each batch, per sub-topology',
      labelNames: ['subtopology'],
      buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01],
      registers,
    })
    this.endToEndLatency = new Histogram({
      name: 'streams_end_to_end_latency_seconds',
      help: 'Input record timestamp to acknowledged output, per output topic (oldest record of each produce batch)',
      labelNames: ['topic'],
      buckets: latencyBuckets,
      registers,
    })
    this.commits = new Counter({
      name: 'streams_commits_total',
      help: 'Commits (transactions under exactly-once)',
      registers,
    })
    this.commitLatency = new Histogram({
      name: 'streams_commit_latency_seconds',
      help: 'Time to flush stores, produce and commit',
      buckets: latencyBuckets,
      registers,
    })
    this.lagGauge = new Gauge({
      name: 'streams_consumer_lag_records',
      help: 'End offset minus committed offset, per input partition',
      labelNames: ['topic', 'partition'],
      registers,
    })
    this.restoredRecords = new Counter({
      name: 'streams_restore_records_total',
      help: 'Changelog records restored, per store',
      labelNames: ['store'],
      registers,
    })
    this.restoreRemaining = new Gauge({
      name: 'streams_restore_remaining_records',
      help: 'Changelog records left to restore, per store',
      labelNames: ['store'],
      registers,
    })
    this.rebalances = new Counter({
      name: 'streams_rebalances_total',
      help: 'Partition assignments received',
      registers,
    })
    this.dlq = new Counter({
      name: 'streams_dlq_records_total',
      help: 'Records sent to the dead-letter topic, per failure stage',
      labelNames: ['stage'],
      registers,
    })
    this.dropped = new Counter({
      name: 'streams_dropped_records_total',
      help: 'Records a processor skipped (null keys, windows already closed…), per task',
      labelNames: ['task'],
      registers,
    })
    this.tasks = new Gauge({
      name: 'streams_tasks_active',
      help: 'Tasks running on this instance',
      registers,
    })
    const ops = new ScrapedCounter({
      name: 'streams_store_operations_total',
      help: 'State store operations, per store and operation',
      labelNames: ['store', 'operation'],
      registers,
    })
    this.storeBytes = new Gauge({
      name: 'streams_store_size_bytes',
      help: 'Approximate size of each store on disk (all local tasks)',
      labelNames: ['store'],
      registers,
    })
    this.storeKeyCounts = new Gauge({
      name: 'streams_store_keys',
      help: 'Keys in each store (all local tasks): exact for stores held in memory; for LevelDB stores taken at most once a minute, exact up to 4,096 keys per store and estimated from on-disk sizes beyond',
      labelNames: ['store'],
      registers,
    })
    this.cacheBytes = new Gauge({
      name: 'streams_cache_size_bytes',
      help: 'Bytes the caches hold, counted as Kafka Streams counts its cache: the record cache (cacheMaxBytes) and the key-value caches of deserialized values (storeCacheMaxBytes)',
      labelNames: ['cache'],
      registers,
    })
    const cells = new Map<string, Partial<Record<StoreOperation, CounterCell>>>()
    this.store = {
      timed: false,
      recordOperation(store: string, operation: StoreOperation) {
        let byOperation = cells.get(store)
        if (!byOperation) cells.set(store, (byOperation = {}))
        ;(byOperation[operation] ??= ops.cell({ store, operation })).value += 1
      },
    }
  }

  recordsConsumed(topic: string, partition: number, count: number): void {
    this.cellOf(this.consumed, this.consumedCells, topic, partition).value += count
  }
  recordsProduced(topic: string, partition: number, count: number): void {
    this.cellOf(this.produced, this.producedCells, topic, partition).value += count
  }
  private cellOf(
    counter: ScrapedCounter<'topic' | 'partition'>,
    cells: TopicPartitionMap<CounterCell>,
    topic: string,
    partition: number,
  ): CounterCell {
    const tp = { topic, partition }
    let cell = cells.get(tp)
    if (!cell) cells.set(tp, (cell = counter.cell({ topic, partition: String(partition) })))
    return cell
  }
  processed(subtopology: number, seconds: number, count: number): void {
    if (count > 0) this.processLatency.labels(String(subtopology)).observe(seconds / count)
  }
  endToEnd(topic: string, seconds: number): void {
    this.endToEndLatency.labels(topic).observe(seconds)
  }
  committed(seconds: number): void {
    this.commits.inc()
    this.commitLatency.observe(seconds)
  }
  lag(topic: string, partition: number, records: number): void {
    this.lagGauge.labels(topic, String(partition)).set(records)
  }
  restored(store: string, records: number, remaining: number): void {
    if (records > 0) this.restoredRecords.labels(store).inc(records)
    this.restoreRemaining.labels(store).set(remaining)
  }
  rebalanced(): void {
    this.rebalances.inc()
  }
  deadLettered(stage: FailureStage): void {
    this.dlq.labels(stage).inc()
  }
  droppedRecord(task: string): void {
    this.dropped.labels(task).inc()
  }
  tasksActive(count: number): void {
    this.tasks.set(count)
  }
  storeSize(store: string, bytes: number): void {
    this.storeBytes.labels(store).set(bytes)
  }
  storeKeys(store: string, keys: number): void {
    this.storeKeyCounts.labels(store).set(keys)
  }
  cacheSize(cache: 'record' | 'store', bytes: number): void {
    this.cacheBytes.labels(cache).set(bytes)
  }
}
