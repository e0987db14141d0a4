// A task: one subtopology bound to one partition number. It owns its stores and its processor graph
// (processor-graph.ts), buffers what was fetched of its input partitions and chooses the next record by
// timestamp (partition-group.ts), keeps its stream time, fires its punctuators (punctuation-queue.ts) and
// tracks what to commit (only what it processed, never what it merely buffers). The same class runs under
// the Kafka runtime and under the test driver; only its TaskEnv (task-environment.ts) differs.
import type { ConsumedRecord, TopicPartitionOffset } from '../../kafka/index.js'
import {
  buildStore,
  isStateStoreError,
  type BuiltStore,
  type ChangelogAdvance,
  type ForwardRunner,
} from '../../state/index.js'
import { DeserializationError, StreamsError, TaskCorruptedError } from '../errors.js'
import type { Cancellable, PunctuationType } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { SourceNode, Subtopology } from '../topology.js'
import { handleFailure } from './dead-letter.js'
import { PartitionGroup, type Readiness } from './partition-group.js'
import { ProcessorGraph } from './processor-graph.js'
import { PunctuationQueue } from './punctuation-queue.js'
import type { TaskEnv } from './task-environment.js'
import { taskIdOf } from './topic-names.js'

export type { TaskEnv } from './task-environment.js'

export class StreamTask {
  readonly id: string
  readonly stores = new Map<string, BuiltStore<unknown>>()
  private readonly sources = new Map<string, SourceNode>()
  private readonly graph: ProcessorGraph
  private readonly punctuation = new PunctuationQueue()
  /** The last record processed of each input topic: its offset + 1 is committed (no object per record). */
  private readonly consumed = new Map<string, ConsumedRecord>()
  /** Highest timestamp processed per input topic (Kafka Streams' partition time). */
  private readonly partitionTimes = new Map<string, number>()
  /** What was fetched and not processed yet, per input topic. */
  private readonly group: PartitionGroup<ConsumedRecord>
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
    this.graph = new ProcessorGraph(subtopology, {
      id: this.id,
      partition,
      taskCount: this.taskCount,
      env,
      stores: this.stores,
      streamTime: () => this.streamTime,
      schedule: (interval, type, callback) => this.schedule(interval, type, callback),
      requestCommit: () => {
        this.commitRequested = true
      },
      droppedRecord: () => {
        this.droppedRecords += 1
        this.env.droppedRecord?.(this.id)
      },
    })
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
        timestamp: () => this.graph.recordTime ?? Math.max(this.streamTime, 0),
      })
      await store.open()
      this.stores.set(ref.name, store)
    }
  }

  async initProcessors(): Promise<void> {
    await this.graph.init()
    this.recordCaches = [...this.stores.values()].filter((store) => store.cachesRecords)
  }

  /**
   * Commit step 0: every record cache writes its dirty entries through and hands them downstream, store
   * after store in topological order, again until none has anything left (a flush downstream of another
   * fills the caches it writes). Returns how many entries were handed on.
   */
  async flushCaches(): Promise<number> {
    const run = this.forwardRunner(undefined)
    let total = 0
    for (;;) {
      let flushed = 0
      for (const store of this.recordCaches) flushed += await store.flushCache(run)
      if (flushed === 0) return total
      total += flushed
    }
  }

  /**
   * After a record (`input`) or a punctuation (none): record caches over their size evict, handing dirty
   * entries downstream.
   */
  private async evictCaches(input: ConsumedRecord | undefined): Promise<void> {
    if (this.recordCaches.length === 0) return
    const run = this.forwardRunner(input)
    for (const store of this.recordCaches) if (store.cacheOverflowing) await store.evictCache(run)
  }

  /** Runs what a record cache hands on, at its record time, as part of `input`'s processing if any. */
  private forwardRunner(input: ConsumedRecord | undefined): ForwardRunner {
    const failed = (error: unknown) => handleFailure(this.env, this.id, 'processing', error, input)
    return (emit, timestamp) => {
      try {
        const running = this.graph.runCached(emit, { input, cachedRecordTime: timestamp })
        if (running) return running.catch(failed)
      } catch (error) {
        failed(error)
      }
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
      const pending = this.processRecord(next)
      if (pending) await pending
      processed += 1
    }
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

  /**
   * Processes one record. Synchronous unless something on its way is (a serde's preparation, a processor,
   * a stream-time punctuation, a cache eviction): then it returns a promise — none per record otherwise.
   */
  private processRecord(raw: ConsumedRecord): void | Promise<void> {
    const source = this.sources.get(raw.topic)!
    this.dirty = true
    // e.g. fetch an unseen schema from the registry; a failure here stops the task rather than dead-letter a valid record
    const preparing = raw.value ? source.valueSerde.prepare?.(raw.value) : undefined
    if (preparing) return preparing.then(() => this.processPrepared(source, raw))
    return this.processPrepared(source, raw)
  }

  private processPrepared(source: SourceNode, raw: ConsumedRecord): void | Promise<void> {
    const record = this.deserialize(source, raw)
    if (!record) return this.recordDone(raw)
    if (raw.timestamp > this.streamTime) this.streamTime = raw.timestamp
    if (raw.timestamp > (this.partitionTimes.get(raw.topic) ?? -1))
      this.partitionTimes.set(raw.topic, raw.timestamp)
    let running: void | Promise<void> = undefined
    try {
      running = this.graph.runRecord(source.name, record, raw)
    } catch (error) {
      handleFailure(this.env, this.id, 'processing', error, raw)
    }
    if (running)
      return running.then(
        () => this.afterRecord(raw),
        (error: unknown) => {
          handleFailure(this.env, this.id, 'processing', error, raw)
          return this.afterRecord(raw)
        },
      )
    return this.afterRecord(raw)
  }

  /** After a record ran: stream-time punctuation when due, then the record caches over their size evict. */
  private afterRecord(raw: ConsumedRecord): void | Promise<void> {
    if (this.punctuation.streamTimeDue(this.streamTime))
      return this.punctuation
        .punctuateStreamTime(this.streamTime, (run) => this.graph.runPunctuation(run))
        .then(() => this.evictThenDone(raw))
    return this.evictThenDone(raw)
  }

  private evictThenDone(raw: ConsumedRecord): void | Promise<void> {
    for (const store of this.recordCaches)
      if (store.cacheOverflowing) return this.evictCaches(raw).then(() => this.recordDone(raw))
    this.recordDone(raw)
  }

  private recordDone(raw: ConsumedRecord): void {
    this.consumed.set(raw.topic, raw)
    this.processedRecords += 1
  }

  /** Fires due wall-clock punctuators. */
  async punctuateWallClock(now: number): Promise<void> {
    await this.punctuation.punctuateWallClock(now, async (run) => {
      this.dirty = true
      await this.graph.runPunctuation(run)
      await this.evictCaches(undefined)
    })
  }

  /** Positions to commit for this task's inputs. */
  offsets(): TopicPartitionOffset[] {
    return [...this.consumed.values()].map((r) => ({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset + 1,
    }))
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
  async commitStores(checkpointOf: (store: string) => number | ChangelogAdvance | undefined): Promise<void> {
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
    await this.graph.close()
    for (const store of this.stores.values()) await store.close()
    this.stores.clear()
  }

  private deserialize(source: SourceNode, raw: ConsumedRecord): StreamRecord<unknown, unknown> | undefined {
    try {
      const key = raw.key === null ? null : source.keySerde.deserialize(raw.key)
      if (raw.value === null && !source.acceptsTombstones)
        throw new DeserializationError('record has no value (a tombstone on a stream)')
      const value = raw.value === null ? null : source.valueSerde.deserialize(raw.value)
      return { key, value, timestamp: raw.timestamp, headers: raw.headers }
    } catch (error) {
      handleFailure(this.env, this.id, 'deserialization', error, raw)
      return undefined
    }
  }

  private schedule(
    interval: number,
    type: PunctuationType,
    callback: (time: number) => void | Promise<void>,
  ): Cancellable {
    return this.punctuation.schedule(interval, type, callback, this.streamTime, this.env.now())
  }
}
