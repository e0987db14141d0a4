// Runs a topology in process, without a broker (Kafka Streams' TopologyTestDriver): pipe input records,
// read output records, read stores, advance wall-clock time. Deterministic: piped records are buffered in
// their tasks and processed at once, chosen as the runtime chooses (partition-group.ts; every partition's
// lag is 0, since the driver holds every record there is), repartition topics are fed back at once, and
// each pipe is followed by a commit. `pipeRawRecords` pipes several records as one fetch delivers them:
// all buffered before the first is chosen, so across partitions they are processed in timestamp order.
import os from 'node:os'
import type { OutgoingRecord } from '../../kafka/index.js'
import {
  buildStore,
  CacheBudget,
  defaultStoreCacheMaxBytes,
  RecordCache,
  type KeyValueStore,
  type Serde,
  type SessionStore,
  type StoreHandle,
  type StoreRef,
  type TimeWindowStore,
} from '../../state/index.js'
import { isValueAndTimestampSerde, type ValueAndTimestamp } from '../dsl/change.js'
import { StreamsError } from '../errors.js'
import type { StreamRecord } from '../record.js'
import { partitionForKey } from '../runtime/partitioner.js'
import { StreamTask } from '../runtime/stream-task.js'
import { taskEnvironment, type TaskEnvOptions } from '../runtime/task-environment.js'
import { internalSourceTopics, isInternalTopic, taskIdOf } from '../runtime/topic-names.js'
import { TestInputTopic, TestOutputTopic, type InputTopicOptions } from './test-topics.js'
import {
  plainView,
  readOnlyView,
  type CapturedRecord,
  type PipeOptions,
  type RawInput,
  type ReadOnlyKeyValueStore,
  type TestDriverOptions,
} from './test-driver-options.js'

export type { CapturedRecord, PipeOptions, RawInput, ReadOnlyKeyValueStore, TestDriverOptions }
import type { Topology } from '../topology.js'

export class TopologyTestDriver {
  readonly applicationId: string
  private readonly partitions: number
  private readonly tasks: StreamTask[] = []
  private readonly globalStores = new Map<string, KeyValueStore<unknown, unknown>>()
  private readonly globalBuilt: {
    topic: string
    table: Topology['globalTables'][number]
    store: ReturnType<typeof buildStore>
  }[] = []
  private readonly topics = new Map<string, CapturedRecord[]>()
  private readonly readPositions = new Map<string, number>()
  private readonly internalInputs: OutgoingRecord[] = []
  /** Internal topics the topology reads back (repartition, foreign-key join topics): fed back at once. */
  private readonly internalTopics: ReadonlySet<string>
  private wallClock: number
  private started: Promise<void>
  private readonly recordCache: RecordCache
  private readonly storeCache: CacheBudget

  constructor(
    private readonly topology: Topology,
    private readonly options: TestDriverOptions = {},
  ) {
    this.applicationId = options.applicationId ?? 'test-driver'
    this.partitions = options.partitions ?? 1
    this.wallClock = options.wallClockMs ?? 0
    this.recordCache = new RecordCache(options.cacheMaxBytes ?? 0)
    this.storeCache = new CacheBudget(options.storeCacheMaxBytes ?? defaultStoreCacheMaxBytes)
    this.internalTopics = internalSourceTopics(this.applicationId, topology)
    this.started = this.start()
  }

  /** The tasks' environment: the runtime's (task-environment.ts), with the driver's sink, partitions and clock. */
  private envOptions(): TaskEnvOptions {
    return {
      applicationId: this.applicationId,
      sinkFor: () => ({ send: (record) => this.capture(record) }),
      partitionsOf: () => this.partitions,
      // every store is kept in memory (memoryOnly): nothing is written there
      stateDir: os.tmpdir(),
      recordCache: this.recordCache,
      storeCache: this.storeCache,
      globalStores: this.globalStores,
      deadLetterTopic: this.options.deadLetterTopic,
      handling: {
        deserialization: this.options.deadLetterTopic ? 'dead-letter' : 'fail',
        processing: 'fail',
        production: 'fail',
        ...this.options.handling,
      },
      partitionGroup: { maxTaskIdleMs: this.options.maxTaskIdleMs ?? 0, unknownLagWaitMs: 0 },
      now: () => this.wallClock,
    }
  }

  private async start(): Promise<void> {
    const options = this.envOptions()
    for (const table of this.topology.globalTables) {
      const store = buildStore(table.store, taskEnvironment(options, 'global').storeEnv(table.store, 0))
      await store.open()
      this.globalStores.set(table.store.name, store.store)
      this.globalBuilt.push({ topic: table.topic, table, store })
    }
    for (const sub of this.topology.subtopologies) {
      for (let p = 0; p < this.partitions; p++) {
        const task = new StreamTask(memoryOnly(sub), p, taskEnvironment(options, taskIdOf(sub.id, p)))
        await task.openStores()
        await task.initProcessors()
        this.tasks.push(task)
      }
    }
  }

  /** Pipes one record given as values, serialized with the serdes of the topic's source. */
  async pipe<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    key: K | null,
    value: V,
    options: PipeOptions = {},
  ) {
    await this.pipeRaw(
      topic,
      key === null ? null : keySerde.serialize(key),
      valueSerde.serialize(value),
      options,
    )
  }

  /** Pipes one record as bytes (e.g. an undecodable record). */
  async pipeRaw(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    options: PipeOptions = {},
  ): Promise<void> {
    await this.pipeRawRecords([{ topic, key, value, ...options }])
  }

  /**
   * Pipes records as one fetch would deliver them: every record is buffered in its task before any is
   * processed, so a task chooses among them by timestamp (a backlog). Then processes and commits.
   */
  async pipeRawRecords(records: readonly RawInput[]): Promise<void> {
    await this.started
    for (const { topic, key, value, ...options } of records) {
      const global = this.globalBuilt.find((g) => g.topic === topic)
      if (global) {
        const store = global.store.store as KeyValueStore<unknown, unknown>
        if (key === null) continue
        const k = global.table.keySerde.deserialize(key)
        if (value === null) store.delete(k)
        else store.put(k, global.table.valueSerde.deserialize(value))
        global.store.flush()
        await global.store.commit()
        continue
      }
      this.deliver({
        topic,
        key,
        value,
        timestamp: options.timestamp ?? this.wallClock,
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.partition === undefined ? {} : { partition: options.partition }),
      })
    }
    await this.processReady()
    await this.commit()
  }

  /**
   * Processes what the tasks buffer, one record per ready task in turn, feeding repartition records back
   * after each turn, until no task is ready (with maxTaskIdleMs > 0 one may wait for wall-clock time).
   */
  private async processReady(): Promise<void> {
    for (;;) {
      while (this.internalInputs.length > 0) this.deliver(this.internalInputs.shift()!)
      let processed = 0
      for (const task of this.tasks) processed += await task.process(1, this.wallClock, () => 0)
      if (processed === 0 && this.internalInputs.length === 0) return
    }
  }

  /** Buffers a record in every task that reads its topic and partition. */
  private deliver(record: OutgoingRecord): void {
    const partition = record.partition ?? (record.key ? partitionForKey(record.key, this.partitions) : 0)
    const readers = this.tasks.filter(
      (t) => t.partition === partition && t.inputs.some((i) => i.topic === record.topic),
    )
    if (readers.length === 0 && !isInternalTopic(this.applicationId, record.topic)) {
      throw new StreamsError('TOPOLOGY_INVALID', `no source reads topic ${record.topic}`)
    }
    const offset = this.inputOffsets.get(`${record.topic}/${partition}`) ?? 0
    this.inputOffsets.set(`${record.topic}/${partition}`, offset + 1)
    for (const task of readers) {
      task.addRecords(record.topic, [
        {
          topic: record.topic,
          partition,
          offset,
          key: record.key,
          value: record.value,
          headers: record.headers ?? {},
          timestamp: record.timestamp ?? this.wallClock,
        },
      ])
    }
  }

  private readonly inputOffsets = new Map<string, number>()

  private capture(record: OutgoingRecord): void {
    let list = this.topics.get(record.topic)
    if (!list) this.topics.set(record.topic, (list = []))
    list.push({ ...record, offset: list.length })
    const internal = this.internalTopics.has(record.topic)
    if (internal) this.internalInputs.push(record)
  }

  /** The runtime's commit: record caches flushed (what they forward processed, repartitions included), then stores. */
  private async commit(): Promise<void> {
    for (;;) {
      let flushed = 0
      for (const task of this.tasks) flushed += await task.flushCaches()
      if (flushed === 0 && this.internalInputs.length === 0) break
      await this.processReady()
    }
    for (const task of this.tasks) task.flushStores()
    for (const task of this.tasks) await task.commitStores(() => undefined)
  }

  /** Advances wall-clock time and fires due wall-clock punctuators. */
  async advanceWallClockTime(ms: number): Promise<void> {
    await this.started
    this.wallClock += ms
    for (const task of this.tasks) await task.punctuateWallClock(this.wallClock)
    await this.processReady()
    await this.commit()
  }

  /** A typed input topic (Kafka Streams' TestInputTopic): records get event times that advance by themselves. */
  createInputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: InputTopicOptions = {},
  ): TestInputTopic<K, V> {
    return new TestInputTopic(
      this,
      topic,
      keySerde,
      valueSerde,
      options.startTimestamp ?? this.wallClock,
      options.autoAdvanceMs ?? 0,
    )
  }

  /** A typed output topic (Kafka Streams' TestOutputTopic); reading from it consumes what `readOutput` would. */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keySerde, valueSerde)
  }

  /** The wall-clock time of the driver (starts at `wallClockMs`, moves only with `advanceWallClockTime`). */
  get wallClockTime(): number {
    return this.wallClock
  }

  /** Output records of a topic not read yet, deserialized; each call returns only new ones. */
  readOutput<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StreamRecord<K | null, V | null>[] {
    return this.readRawOutput(topic).map((r) => ({
      key: r.key === null ? null : keySerde.deserialize(r.key),
      value: r.value === null ? null : valueSerde.deserialize(r.value),
      timestamp: r.timestamp ?? 0,
      ...(r.headers ? { headers: r.headers } : {}),
    }))
  }

  /** Topics the topology wrote to so far (outputs, changelogs and repartition topics). */
  producedTopics(): string[] {
    return [...this.topics.keys()]
  }

  /** Output records of a topic not read yet, as bytes. */
  readRawOutput(topic: string): CapturedRecord[] {
    const all = this.topics.get(topic) ?? []
    const from = this.readPositions.get(topic) ?? 0
    this.readPositions.set(topic, all.length)
    return all.slice(from)
  }

  /** The store of one task (default: partition 0), typed by its ref. */
  async store<R extends StoreRef>(ref: R, partition = 0): Promise<StoreHandle<R>> {
    return (await this.storeByName(ref.name, partition)) as StoreHandle<R>
  }

  /**
   * A key-value store by name, with plain values: a DSL table's store keeps each value with its timestamp,
   * and this view shows the value alone (Kafka Streams' getKeyValueStore).
   */
  async keyValueStore<K, V>(name: string, partition = 0): Promise<ReadOnlyKeyValueStore<K, V>> {
    const store = (await this.storeByName(name, partition)) as KeyValueStore<K, unknown>
    const ref = this.refOf(name)
    return plainView(name, store, ref?.type === 'key-value' && isValueAndTimestampSerde(ref.valueSerde))
  }

  /** A DSL table's store by name, values with their timestamps (Kafka Streams' getTimestampedKeyValueStore). */
  async timestampedKeyValueStore<K, V>(
    name: string,
    partition = 0,
  ): Promise<ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>> {
    return readOnlyView(
      name,
      (await this.storeByName(name, partition)) as KeyValueStore<K, ValueAndTimestamp<V>>,
    )
  }

  /** A windowed aggregation's store by name (values with their timestamps). */
  async windowStore<K, V>(name: string, partition = 0): Promise<TimeWindowStore<K, ValueAndTimestamp<V>>> {
    return (await this.storeByName(name, partition)) as TimeWindowStore<K, ValueAndTimestamp<V>>
  }

  /** A session aggregation's store by name. */
  async sessionStore<K, V>(name: string, partition = 0): Promise<SessionStore<K, V>> {
    return (await this.storeByName(name, partition)) as SessionStore<K, V>
  }

  /** Records the processors skipped (Kafka Streams' dropped-records-total of all tasks). */
  droppedRecordsTotal(): number {
    return this.tasks.reduce((sum, task) => sum + task.droppedRecords, 0)
  }

  private refOf(name: string): StoreRef | undefined {
    return this.topology.stores.find((r) => r.name === name)
  }

  private async storeByName(name: string, partition: number): Promise<unknown> {
    await this.started
    const global = this.globalStores.get(name)
    if (global) return global
    const task = this.tasks.find((t) => t.partition === partition && t.stores.has(name))
    if (!task)
      throw new StreamsError('TOPOLOGY_INVALID', `no task has store ${name} for partition ${partition}`)
    return task.stores.get(name)!.store
  }

  async close(): Promise<void> {
    await this.started
    for (const task of this.tasks) await task.close()
    for (const g of this.globalBuilt) await g.store.close()
  }
}

/** The driver keeps every store in memory, whatever the topology asks for. */
function memoryOnly(sub: Topology['subtopologies'][number]): Topology['subtopologies'][number] {
  return { ...sub, stores: sub.stores.map((ref) => ({ ...ref, persistent: false })) }
}
