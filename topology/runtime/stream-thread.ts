// The processing loop of one instance (Kafka Streams' StreamThread: poll → choose → process → commit),
// run on the instance's queue one step at a time, so tasks never see concurrent calls.
//
// Processing loop:
//   1. Poll: the consumer delivers batches whenever it fetched them. Each is only buffered in its task
//      (`onBatch`), so that batches fetched together are all buffered before anything is chosen. A batch
//      that takes its partition over bufferedRecordsPerPartition is held back (its delivery call returns
//      only once the partition is down to that again), so the client delivers nothing more meanwhile
//      — backpressure without pausing, which on the confluent client drops what it prefetched.
//   2. Choose and process, in passes on the queue: every ready task processes up to 32 records, each the
//      buffered head with the smallest timestamp across its inputs (partition-group.ts: a task waits for
//      an empty input partition while its consumer reports lag, and up to maxTaskIdleMs when caught up;
//      the lags are asked once per task and pass, `lagsOfPass`).
//      A pass ends after 5 ms or when no task is ready; the event loop turns before the next.
//   3. Commit when due (the protocol in commit.ts), after each task's share of a pass.
//   4. Flow control: an input partition buffering more than bufferedRecordsPerPartition (and not held
//      back: its task waits for another input) is paused, and resumed once it is down to half.
//   A pass is scheduled when a batch arrives, after a pass that left a task ready, when a waiting task's
//   wait ends, and by the timer (every 100 ms) while anything is buffered. Buffered records are never
//   committed: offsets are those of processed records. A seek (recovery.ts) drops what its partition
//   buffers.
import type { ConsumedBatch, KafkaConsumer, TopicPartition } from '../../kafka/index.js'
import { TopicPartitionMap } from '../../kafka/index.js'
import type { Commit } from './commit.js'
import type { Recovery } from './recovery.js'
import type { StreamTask } from './stream-task.js'
import type { ResolvedConfig } from './streams-config.js'
import type { TaskManager } from './task-manager.js'
import type { TaskProducers } from './task-producers.js'

/** Records processed between checks for a due commit and for a turn of the event loop. */
const sliceRecords = 32
/** Processing time after which the event loop gets a turn. */
const sliceMs = 5

/**
 * An input's lag as the consumer reports it, asked once per task and pass: what the task's readiness
 * checks before each record see the lags of the pass's start, as Kafka Streams' PartitionGroup sees those
 * of its last poll (`updateLags` after each poll, never per record). Asking per record cost two native
 * calls per empty input for every record processed.
 */
export function lagsOfPass(
  consumer: Pick<KafkaConsumer, 'currentLag'>,
  partition: number,
): (topic: string) => number | undefined {
  const lags = new Map<string, number | undefined>()
  return (topic) => {
    if (lags.has(topic)) return lags.get(topic)
    const lag = consumer.currentLag({ topic, partition })
    lags.set(topic, lag)
    return lag
  }
}

/** What the loop works with: the instance's tasks, clients, commit and recovery, and its queue. */
export interface StreamThreadContext {
  readonly config: Pick<ResolvedConfig, 'bufferedRecordsPerPartition' | 'metrics'>
  readonly tasks: TaskManager
  readonly consumer: KafkaConsumer
  readonly collector: TaskProducers
  readonly commit: Commit
  readonly recovery: Recovery
  /** The instance is RUNNING or REBALANCING: batches are taken and passes run. */
  readonly processing: () => boolean
  /** The instance is RUNNING: the timer punctuates and commits. */
  readonly running: () => boolean
  /** Runs work on the instance's queue, after everything queued before it. */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>
  /** A processing failure: the instance goes to ERROR. */
  readonly fail: (error: unknown) => void
}

/** A consumed batch whose delivery call has not returned yet: the client delivers the next one after it. */
interface WaitingBatch {
  readonly task: StreamTask
  readonly topic: string
  readonly release: () => void
}

export class StreamThread {
  /** A processing pass is scheduled (see the loop at the top). */
  private processingScheduled = false
  /** Timer that schedules a pass when a waiting task's wait ends. */
  private wakeUp: { timer: NodeJS.Timeout; at: number } | undefined
  /** Where the next pass starts among the tasks, so that a pass cut short does not starve the last ones. */
  private nextTask = 0
  /** Input partitions paused because their task buffers too much (flow control). */
  private readonly paused = new TopicPartitionMap<TopicPartition>()
  /** Batches whose delivery waits until their partition is down to its bound (see `onBatch`). */
  private waiting: WaitingBatch[] = []
  /** Tasks the last pass found not ready (waiting for an input). */
  private readonly notReady = new Set<StreamTask>()

  constructor(private readonly context: StreamThreadContext) {}

  /** Step 1: buffers a fetched batch in its task, and schedules a pass. */
  onBatch({ topic, partition, records, isStale }: ConsumedBatch): Promise<void> {
    if (!this.context.processing()) return Promise.resolve()
    // fetched before a seek (a recovery rewinding its inputs): the consumer delivers these records again
    if (isStale() || records.length === 0) return Promise.resolve()
    // no task while a recovery rebuilds them: the recovery's seek rewinds this partition anyway
    const task = this.context.tasks.taskFor(topic, partition)
    if (!task) return Promise.resolve()
    task.addRecords(topic, records)
    this.context.config.metrics.recordsConsumed(topic, partition, records.length)
    this.scheduleProcessing()
    // backpressure: the client's next batch waits until this partition is down to its bound again
    if (task.buffered(topic) <= this.context.config.bufferedRecordsPerPartition) return Promise.resolve()
    return new Promise((release) => this.waiting.push({ task, topic, release }))
  }

  /**
   * After every pass: releases the batches whose partition is down to its bound, or that processing will
   * not drain now — the instance stopped processing, the task is gone (revoked, rebuilt, or restoring), or
   * it waits for another input (those partitions are paused by flow control instead).
   */
  private releaseWaiting(): void {
    if (this.waiting.length === 0) return
    const max = this.context.config.bufferedRecordsPerPartition
    const processing = this.context.processing()
    const still: WaitingBatch[] = []
    for (const batch of this.waiting) {
      const { task, topic } = batch
      const draining =
        processing &&
        this.context.tasks.tasks.get(task.id) === task &&
        !this.notReady.has(task) &&
        task.buffered(topic) > max
      if (draining) still.push(batch)
      else batch.release()
    }
    this.waiting = still
  }

  /** Timer: wall-clock punctuation and idle commits; held-back batches checked (see `onBatch`). */
  async tick(): Promise<void> {
    // a held-back batch never waits for a pass that nothing would schedule (a recovery or a rebalance may
    // have rewound its partition, or rebuilt its task, outside a pass)
    if (this.waiting.length > 0) {
      this.releaseWaiting()
      if (this.waiting.length > 0) this.scheduleProcessing()
    }
    if (!this.context.running()) return
    const { commit } = this.context
    const now = Date.now()
    let buffered = false
    for (const task of this.context.tasks.tasks.values()) {
      await task.punctuateWallClock(now)
      if (task.needsCommit) commit.markUncommitted()
      if (task.buffered() > 0) buffered = true
    }
    // a waiting task may have become ready without a batch: its consumer learnt of the lag in a fetch
    // that delivered nothing (control records only)
    if (buffered) this.scheduleProcessing()
    if (commit.hasUncommitted) await commit.commitIfDue()
  }

  /** Restored tasks are running: they may have records buffered while they restored. */
  tasksRunning(): void {
    this.scheduleProcessing()
  }

  /** After partitions are revoked: one paused for its buffer stays paused in the client when it comes back otherwise. */
  revoked(partitions: readonly TopicPartition[]): void {
    const resumed = partitions.filter((tp) => this.paused.delete(tp))
    if (resumed.length > 0) this.context.consumer.resume(resumed)
    this.releaseWaiting()
  }

  /** On close: no more passes woken by a timer; the consumer's batches are not held back any more. */
  stop(): void {
    for (const batch of this.waiting) batch.release()
    this.waiting = []
    if (this.wakeUp) clearTimeout(this.wakeUp.timer)
    this.wakeUp = undefined
  }

  private scheduleProcessing(): void {
    if (this.processingScheduled) return
    this.processingScheduled = true
    setImmediate(() => {
      void this.context
        .exclusive(() => {
          this.processingScheduled = false
          return this.processPass()
        })
        .catch(() => undefined) // a failure went to fail()
        .finally(() => this.releaseWaiting())
    })
  }

  /** Steps 2–4, for as long as tasks are ready and at most `sliceMs`. */
  private async processPass(): Promise<void> {
    const { config, consumer, collector, commit, recovery } = this.context
    if (!this.context.processing()) return
    // a commit that failed in the background rewinds the inputs: recover before anything else
    if (commit.failed) {
      await commit.settle()
      this.scheduleProcessing()
      return
    }
    const tasks = this.context.tasks.running
    this.notReady.clear()
    const started = Date.now()
    const recoveries = recovery.count
    let ready = false
    let wake: number | undefined
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[(this.nextTask + i) % tasks.length]!
      const lagOf = lagsOfPass(consumer, task.partition)
      const began = process.hrtime.bigint()
      let processed: number
      try {
        processed = await task.process(sliceRecords, Date.now(), lagOf) // 2
      } catch (error) {
        this.context.fail(error)
        throw error
      }
      if (processed > 0) {
        commit.markUncommitted()
        // outputs go to the producer as they are made (its linger batches them), so a commit finds most of
        // them acknowledged instead of sending them all then
        collector.flush()
        config.metrics.processed(
          task.subtopology.id,
          Number(process.hrtime.bigint() - began) / 1e9,
          processed,
        )
        // take the request either way, so a request honoured by an interval commit does not cause a second one
        if (task.takeCommitRequest()) commit.request()
        try {
          await commit.commitIfDue() // 3 (its first step forwards what the record caches hold)
        } catch (error) {
          this.context.fail(error)
          throw error
        }
        // starting that commit may have recovered from the previous one's failure: the tasks were rebuilt
        // and the inputs rewound
        if (recovery.count !== recoveries) return
        if (!this.context.processing()) return
      }
      const readiness = task.readiness(Date.now(), lagOf)
      if (readiness.ready) ready = true
      else {
        this.notReady.add(task)
        if (readiness.until !== undefined) wake = Math.min(wake ?? Number.POSITIVE_INFINITY, readiness.until)
      }
      if (Date.now() - started >= sliceMs && i + 1 < tasks.length) {
        this.nextTask = (this.nextTask + i + 1) % tasks.length
        ready = true
        break
      }
    }
    this.flowControl(this.context.tasks.owned) // 4
    if (ready) this.scheduleProcessing()
    else if (wake !== undefined) this.wakeAt(wake)
  }

  /** Step 4: pauses input partitions that buffer too much, resumes them once down to half. */
  private flowControl(tasks: readonly StreamTask[]): void {
    const max = this.context.config.bufferedRecordsPerPartition
    const pause: TopicPartition[] = []
    const resume: TopicPartition[] = []
    for (const task of tasks) {
      for (const input of task.inputs) {
        const buffered = task.buffered(input.topic)
        // a partition whose batch is held back (onBatch) gets nothing more meanwhile: no pause needed
        if (buffered > max && !this.paused.has(input) && !this.holdsBack(task, input.topic)) {
          this.paused.set(input, input)
          pause.push(input)
        } else if (buffered <= max / 2 && this.paused.delete(input)) resume.push(input)
      }
    }
    if (pause.length > 0) this.context.consumer.pause(pause)
    if (resume.length > 0) this.context.consumer.resume(resume)
  }

  private holdsBack(task: StreamTask, topic: string): boolean {
    return this.waiting.some((batch) => batch.task === task && batch.topic === topic)
  }

  /** Schedules a pass at `time`, when a waiting task stops waiting by itself. */
  private wakeAt(time: number): void {
    if (this.wakeUp && this.wakeUp.at <= time) return
    if (this.wakeUp) clearTimeout(this.wakeUp.timer)
    const timer = setTimeout(
      () => {
        this.wakeUp = undefined
        this.scheduleProcessing()
      },
      Math.max(0, time - Date.now()),
    )
    this.wakeUp = { timer, at: time }
  }
}
