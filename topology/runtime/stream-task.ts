// A task: one subtopology bound to one partition number. It owns its processors and stores, buffers what
// was fetched of its input partitions and chooses the next record by timestamp (partition-group.ts), keeps
// its stream time, runs punctuators and tracks what to commit (only what it processed, never what it
// merely buffers). The same class runs under the Kafka runtime and under the test driver; only its
// TaskEnv differs.
import type { ConsumedRecord, Headers, TopicPartitionOffset } from '../../kafka/index.js'
import {
  buildStore,
  isStateStoreError,
  type BuiltStore,
  type ForwardRunner,
  type KeyValueStore,
  type StoreEnv,
  type StoreRef,
} from '../../state/index.js'
import { DeserializationError, StreamsError, TaskCorruptedError, errorMessage } from '../errors.js'
import type {
  Cancellable,
  DeadLetterRecord,
  Processor,
  ProcessorContext,
  PunctuationType,
  RecordOrigin,
} from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { ProcessorNode, SinkNode, SourceNode, Subtopology, TopologyNode } from '../topology.js'
import { PartitionGroup, type PartitionGroupOptions, type Readiness } from './partition-group.js'
import { partitionForKey } from './partitioner.js'
import { taskIdOf } from './topic-names.js'
import { dlqHeaders, type FailureHandling, type FailureStage, type RecordSink } from './record-sink.js'

/** What a task needs from whoever runs it. */
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

interface Punctuator {
  readonly interval: number
  readonly type: PunctuationType
  readonly callback: (time: number) => void | Promise<void>
  next: number | undefined
  cancelled: boolean
}

type Work =
  | { readonly node: NodeRunner; readonly record: StreamRecord<unknown, unknown> }
  | (() => void | Promise<void>)

interface NodeRunner {
  readonly name: string
  process(record: StreamRecord<unknown, unknown>): void | Promise<void>
}

export class StreamTask {
  readonly id: string
  readonly stores = new Map<string, BuiltStore<unknown>>()
  private readonly sources = new Map<string, SourceNode>()
  private readonly runners = new Map<string, NodeRunner>()
  private readonly processors: Processor<unknown, unknown, unknown, unknown>[] = []
  private readonly punctuators: Punctuator[] = []
  private readonly queue: Work[] = []
  /** Next offset to commit per input partition, i.e. last processed + 1. */
  private readonly consumed = new Map<string, TopicPartitionOffset>()
  /** Highest timestamp processed per input topic (Kafka Streams' partition time). */
  private readonly partitionTimes = new Map<string, number>()
  /** What was fetched and not processed yet, per input topic. */
  private readonly group: PartitionGroup<ConsumedRecord>
  private current: ConsumedRecord | undefined
  /** The record time of an entry a record cache hands on, while it is processed downstream. */
  private cachedRecordTime: number | undefined
  /** The stores whose cache holds records (set once the processors registered their flush listeners). */
  private recordCaches: BuiltStore<unknown>[] = []
  private commitRequested = false
  private dirty = false
  streamTime = -1
  processedRecords = 0
  /** Records the processors of this task skipped (null keys, closed windows…). */
  droppedRecords = 0

  constructor(
    readonly subtopology: Subtopology,
    readonly partition: number,
    private readonly env: TaskEnv,
  ) {
    this.id = taskIdOf(subtopology.id, partition)
    for (const node of subtopology.nodes) {
      if (node.kind === 'source') {
        for (const topic of node.topics) this.sources.set(env.resolveTopic(topic, node.internal), node)
      }
    }
    this.group = new PartitionGroup([...this.sources.keys()], env.partitionGroup)
  }

  /** Tasks of this subtopology: the partition count of its (co-partitioned) inputs. */
  get taskCount(): number {
    const [first] = this.sources.keys()
    return first === undefined ? 1 : this.env.partitionsOf(first)
  }

  /** Input topic-partitions of this task. */
  get inputs(): { topic: string; partition: number }[] {
    return [...this.sources.keys()].map((topic) => ({ topic, partition: this.partition }))
  }

  /** Opens the stores (restore happens between this and `initProcessors`). */
  async openStores(): Promise<void> {
    for (const ref of this.subtopology.stores) {
      const env = this.env.storeEnv(ref, this.partition)
      // changelog records carry the timestamp of the record being processed (stream time in punctuations)
      const store = buildStore(ref, {
        ...env,
        timestamp: () => this.cachedRecordTime ?? this.current?.timestamp ?? Math.max(this.streamTime, 0),
      })
      await store.open()
      this.stores.set(ref.name, store)
    }
  }

  async initProcessors(): Promise<void> {
    for (const node of this.subtopology.nodes) this.runners.set(node.name, this.runnerFor(node))
    for (const processor of this.processors) await processor.init?.(this.contexts.get(processor)!)
    this.recordCaches = [...this.stores.values()].filter((store) => store.cachesRecords)
  }

  /**
   * Commit step 0: every record cache writes its dirty entries through and hands them downstream, store
   * after store in topological order, again until none has anything left (a flush downstream of another
   * fills the caches it writes). Returns how many entries were handed on.
   */
  async flushCaches(): Promise<number> {
    let total = 0
    for (;;) {
      let flushed = 0
      for (const store of this.recordCaches) flushed += await store.flushCache(this.forwardRunner)
      if (flushed === 0) return total
      total += flushed
    }
  }

  /** After a record or a punctuation: record caches over their size evict, handing dirty entries downstream. */
  private async evictCaches(): Promise<void> {
    for (const store of this.recordCaches)
      if (store.cacheOverflowing) await store.evictCache(this.forwardRunner)
  }

  private readonly forwardRunner: ForwardRunner = async (emit, timestamp) => {
    const outer = this.cachedRecordTime
    this.cachedRecordTime = timestamp
    try {
      await this.run(emit)
    } catch (error) {
      this.onFailure('processing', error)
    } finally {
      this.cachedRecordTime = outer
    }
  }

  /** True when records were processed since the last commit. */
  get needsCommit(): boolean {
    return this.dirty
  }

  takeCommitRequest(): boolean {
    const requested = this.commitRequested
    this.commitRequested = false
    return requested
  }

  /**
   * Buffers fetched records of one input partition (in offset order); returns how many that partition
   * now buffers. Offsets it already took are dropped (see partition-group.ts).
   */
  addRecords(topic: string, records: readonly ConsumedRecord[]): number {
    if (!this.sources.has(topic))
      throw new StreamsError(
        'TOPOLOGY_INVALID',
        `task ${this.id} got records of ${topic}, which it does not read`,
      )
    return this.group.add(topic, records)
  }

  /** Records buffered and not processed yet, of one input topic or of all. */
  buffered(topic?: string): number {
    return this.group.buffered(topic)
  }

  /** Whether a buffered record may be processed now; `lagOf` gives an input topic's lag (see partition-group.ts). */
  readiness(now: number, lagOf: (topic: string) => number | undefined): Readiness {
    return this.group.readiness(now, lagOf)
  }

  /**
   * The choose and process steps: while the task is ready, takes the buffered record with the smallest
   * timestamp and processes it, at most `limit` of them. Returns how many it processed.
   */
  async process(limit: number, now: number, lagOf: (topic: string) => number | undefined): Promise<number> {
    let processed = 0
    while (processed < limit && this.group.readiness(now, lagOf).ready) {
      const next = this.group.poll()
      if (!next) break
      await this.processRecord(next.record)
      processed += 1
    }
    this.current = undefined
    return processed
  }

  /** Drops what an input topic buffers: its consumer was sought, the records come again from there. */
  rewind(topic: string): void {
    this.group.reset(topic)
  }

  /** Highest timestamp processed from an input topic so far (undefined before the first). */
  partitionTime(topic: string): number | undefined {
    return this.partitionTimes.get(topic)
  }

  private async processRecord(raw: ConsumedRecord): Promise<void> {
    const source = this.sources.get(raw.topic)!
    this.current = raw
    this.dirty = true
    // e.g. fetch an unseen schema from the registry; a failure here stops the task rather than dead-letter a valid record
    const preparing = raw.value ? source.valueSerde.prepare?.(raw.value) : undefined
    if (preparing) await preparing
    const record = this.deserialize(source, raw)
    if (record) {
      if (raw.timestamp > this.streamTime) this.streamTime = raw.timestamp
      if (raw.timestamp > (this.partitionTimes.get(raw.topic) ?? -1))
        this.partitionTimes.set(raw.topic, raw.timestamp)
      try {
        await this.run(this.runners.get(source.name)!, record)
      } catch (error) {
        this.onFailure('processing', error)
      }
      if (this.streamTimePunctuationDue()) await this.punctuateStreamTime()
      if (this.recordCaches.length > 0) await this.evictCaches()
    }
    this.consumed.set(raw.topic, { topic: raw.topic, partition: raw.partition, offset: raw.offset + 1 })
    this.processedRecords += 1
  }

  /** Fires due wall-clock punctuators. */
  async punctuateWallClock(now: number): Promise<void> {
    for (const p of this.punctuators) {
      if (p.cancelled || p.type !== 'wall-clock' || p.next === undefined || now < p.next) continue
      p.next = now + p.interval
      this.dirty = true
      await this.run(p.callback.bind(undefined, now))
      if (this.recordCaches.length > 0) await this.evictCaches()
    }
  }

  /** Positions to commit for this task's inputs. */
  offsets(): TopicPartitionOffset[] {
    return [...this.consumed.values()]
  }

  /**
   * Commit step 1: caches → change-logging layer (→ changelog records in the sink), sealed as this
   * commit's writes. Records processed from here on belong to the next commit.
   */
  flushStores(): void {
    for (const store of this.stores.values()) store.flush()
    this.dirty = false
  }

  /**
   * Commit step 4: sealed writes → local store, with each changelog's next offset as checkpoint. A store
   * that finds its data corrupted fails it with TaskCorruptedError: the recovery wipes and restores it.
   */
  async commitStores(checkpointOf: (store: string) => number | undefined): Promise<void> {
    try {
      await Promise.all([...this.stores.values()].map((store) => store.commit(checkpointOf(store.name))))
    } catch (error) {
      if (!isStateStoreError(error, 'STORE_CORRUPTED')) throw error
      throw new TaskCorruptedError([this.id], `task ${this.id}: ${error.message}`, { cause: error })
    }
  }

  /** Drops writes the changelog did not commit (the transaction aborted). */
  discardPending(): void {
    for (const store of this.stores.values()) store.discardPending()
    this.consumed.clear()
    this.dirty = false
  }

  async close(): Promise<void> {
    for (const processor of this.processors) await processor.close?.()
    for (const store of this.stores.values()) await store.close()
    this.stores.clear()
  }

  private contexts = new Map<
    Processor<unknown, unknown, unknown, unknown>,
    ProcessorContext<unknown, unknown>
  >()

  private deserialize(source: SourceNode, raw: ConsumedRecord): StreamRecord<unknown, unknown> | undefined {
    try {
      const key = raw.key === null ? null : source.keySerde.deserialize(raw.key)
      if (raw.value === null && !source.acceptsTombstones)
        throw new DeserializationError('record has no value (a tombstone on a stream)')
      const value = raw.value === null ? null : source.valueSerde.deserialize(raw.value)
      return { key, value, timestamp: raw.timestamp, headers: raw.headers }
    } catch (error) {
      this.onFailure('deserialization', error)
      return undefined
    }
  }

  /** Applies the configured handling: dead-letter the current record and continue, or stop. */
  private onFailure(stage: FailureStage, error: unknown): void {
    if (this.env.handling[stage] === 'fail' || !this.current || !this.env.deadLetterTopic) {
      if (error instanceof StreamsError) throw error
      const code =
        stage === 'deserialization' ? 'DESERIALIZATION' : stage === 'processing' ? 'PROCESSING' : 'PRODUCTION'
      throw new StreamsError(code, `${stage} failed in task ${this.id}: ${errorMessage(error)}`, {
        cause: error,
      })
    }
    this.deadLetterCurrent(stage, errorMessage(error))
  }

  private deadLetterCurrent(stage: FailureStage, reason: string, record?: DeadLetterRecord): void {
    const raw = record ? { ...record, headers: {} } : this.current
    if (!raw)
      throw new StreamsError('PROCESSING', `deadLetter(${reason}) called outside of record processing`)
    if (!this.env.deadLetterTopic)
      throw new StreamsError(
        'CONFIG_INVALID',
        `no dead-letter topic configured; cannot dead-letter: ${reason}`,
      )
    const headers: Headers = {
      ...raw.headers,
      [dlqHeaders.reason]: Buffer.from(reason),
      [dlqHeaders.stage]: Buffer.from(stage),
      [dlqHeaders.topic]: Buffer.from(raw.topic),
      [dlqHeaders.partition]: Buffer.from(String(raw.partition)),
      [dlqHeaders.offset]: Buffer.from(String(raw.offset)),
      [dlqHeaders.task]: Buffer.from(this.id),
    }
    this.env.sink.send({
      topic: this.env.deadLetterTopic,
      key: raw.key,
      value: raw.value,
      headers,
      timestamp: raw.timestamp,
    })
    this.env.deadLettered?.(stage)
  }

  /** Runs `first` and everything it forwards, to completion, before the next input record. */
  private async run(
    first: NodeRunner | (() => void | Promise<void>),
    record?: StreamRecord<unknown, unknown>,
  ): Promise<void> {
    this.queue.length = 0
    this.queue.push(typeof first === 'function' ? first : { node: first, record: record! })
    for (let i = 0; i < this.queue.length; i++) {
      const work = this.queue[i]!
      const result = typeof work === 'function' ? work() : work.node.process(work.record)
      if (result) await result
    }
    this.queue.length = 0
  }

  /** Cheap check before `punctuateStreamTime`, which is async: most records make no punctuator due. */
  private streamTimePunctuationDue(): boolean {
    for (const p of this.punctuators) {
      if (p.cancelled || p.type !== 'stream-time') continue
      if (p.next === undefined || this.streamTime >= p.next) return true
    }
    return false
  }

  private async punctuateStreamTime(): Promise<void> {
    for (const p of this.punctuators) {
      if (p.cancelled || p.type !== 'stream-time') continue
      if (p.next === undefined) {
        p.next = this.streamTime + p.interval
        continue
      }
      if (this.streamTime < p.next) continue
      p.next = this.streamTime + p.interval
      const time = this.streamTime
      const origin = this.current
      this.current = undefined
      await this.run(() => p.callback(time))
      this.current = origin
    }
  }

  private runnerFor(node: TopologyNode): NodeRunner {
    switch (node.kind) {
      case 'source':
        return { name: node.name, process: (record) => this.forwardTo(node.children, record) }
      case 'processor':
        return this.processorRunner(node)
      case 'sink':
        return this.sinkRunner(node)
    }
  }

  private forwardTo(
    children: readonly string[],
    record: StreamRecord<unknown, unknown>,
    only?: string,
  ): void {
    for (const child of children) {
      if (only !== undefined && child !== only) continue
      this.queue.push({ node: this.runners.get(child)!, record })
    }
    if (only !== undefined && !children.includes(only))
      throw new StreamsError('TOPOLOGY_INVALID', `forward to unknown child ${only}`)
  }

  private processorRunner(node: ProcessorNode): NodeRunner {
    const streamTime = () => this.streamTime
    const env = this.env
    const origin = (): RecordOrigin | undefined => {
      const raw = this.current
      return raw ? { topic: raw.topic, partition: raw.partition, offset: raw.offset } : undefined
    }
    const context: ProcessorContext<unknown, unknown> = {
      taskId: this.id,
      partition: this.partition,
      taskCount: this.taskCount,
      applicationId: this.env.applicationId,
      get streamTime() {
        return streamTime()
      },
      get origin() {
        return origin()
      },
      get wallClockTime() {
        return env.now()
      },
      forward: (record, childName) => this.forwardTo(node.children, record, childName),
      store: (ref) => {
        const local = this.stores.get(ref.name)
        if (local && node.stores.includes(ref.name)) return local.store as never
        const global = this.env.globalStores.get(ref.name)
        if (global) return global as never
        throw new StreamsError(
          'TOPOLOGY_INVALID',
          `processor ${node.name} did not declare store ${ref.name} in its supplier`,
        )
      },
      schedule: (interval, type, callback) => this.schedule(interval, type, callback),
      deadLetter: (reason, record) => this.deadLetterCurrent('processing', reason, record),
      requestCommit: () => {
        this.commitRequested = true
      },
      droppedRecord: () => {
        this.droppedRecords += 1
        this.env.droppedRecord?.(this.id)
      },
    }
    const processor = node.supplier.create(context)
    this.processors.push(processor)
    this.contexts.set(processor, context)
    return { name: node.name, process: (record) => processor.process(record) }
  }

  private sinkRunner(node: SinkNode): NodeRunner {
    const topic = this.env.resolveTopic(node.topic, node.internal)
    return {
      name: node.name,
      process: (record) => {
        let key: Buffer | null
        let value: Buffer | null
        let partition: number | readonly number[] | undefined
        try {
          key = record.key === null || record.key === undefined ? null : node.keySerde.serialize(record.key)
          value =
            record.value === null || record.value === undefined
              ? null
              : node.valueSerde.serialize(record.value)
          const partitions = this.env.partitionsOf(topic)
          // a partitioner that does not choose leaves the record to the default, as in Kafka Streams
          partition =
            node.partitioner?.(key, record.value, partitions) ??
            (key === null ? undefined : partitionForKey(key, partitions))
        } catch (error) {
          this.onFailure('production', error)
          return
        }
        for (const one of typeof partition === 'object' ? partition : [partition]) {
          this.env.sink.send({
            topic,
            key,
            value,
            timestamp: record.timestamp,
            ...(one === undefined ? {} : { partition: one }),
            ...(record.headers ? { headers: record.headers } : {}),
          })
        }
      },
    }
  }

  private schedule(
    interval: number,
    type: PunctuationType,
    callback: (time: number) => void | Promise<void>,
  ): Cancellable {
    if (!(interval > 0))
      throw new StreamsError('CONFIG_INVALID', `punctuation interval must be > 0 ms, got ${interval}`)
    const punctuator: Punctuator = {
      interval,
      type,
      callback,
      next:
        type === 'wall-clock'
          ? this.env.now() + interval
          : this.streamTime >= 0
            ? this.streamTime + interval
            : undefined,
      cancelled: false,
    }
    this.punctuators.push(punctuator)
    return {
      cancel: () => {
        punctuator.cancelled = true
      },
    }
  }
}
