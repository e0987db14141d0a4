// The runtime of a topology against Kafka (Kafka Streams' KafkaStreams): one consumer group member with one
// producer — or, under exactly-once on a client that cannot fence by group metadata (kafkajs), one
// producer per task (task-producers.ts) — executing every task assigned to this instance. All work —
// processing, punctuation, commits, rebalances — runs one step at a time on a single queue, so tasks
// never see concurrent calls.
//
// Processing loop (Kafka Streams' StreamThread: poll → choose → process → commit):
//   1. Poll: the consumer delivers batches whenever it fetched them. Each is only buffered in its task
//      (`onBatch`), so that batches fetched together are all buffered before anything is chosen.
//   2. Choose and process, in passes on the queue: every ready task processes up to 32 records, each the
//      buffered head with the smallest timestamp across its inputs (partition-group.ts: a task waits for
//      an empty input partition while its consumer reports lag, and up to maxTaskIdleMs when caught up).
//      A pass ends after 5 ms or when no task is ready; the event loop turns before the next.
//   3. Commit when due (the protocol below), after each task's share of a pass.
//   4. Flow control: an input partition buffering more than bufferedRecordsPerPartition is paused, and
//      resumed once it is down to half.
//   A pass is scheduled when a batch arrives, after a pass that left a task ready, when a waiting task's
//   wait ends, and by the timer (every 100 ms) while anything is buffered. Buffered records are never
//   committed: offsets are those of processed records. A seek (recovery) drops what its partition buffers.
//
// The commit protocol, its steps and states, is in commit.ts; the recovery from a failed commit (abort,
// replace the producer, drop every task's uncommitted state, rebuild the tasks from their checkpoints and
// rewind the inputs to the committed offsets) in recovery.ts.
import type {
  ConsumedBatch,
  KafkaAdmin,
  KafkaConsumer,
  PartitionReader,
  TopicPartition,
} from '../../kafka/index.js'
import { TopicPartitionMap } from '../../kafka/index.js'
import { StreamsError, errorMessage } from '../errors.js'
import type { Topology } from '../topology.js'
import { Commit } from './commit.js'
import { GlobalTables } from './global-tables.js'
import { InstanceRegistry } from './instance-registry.js'
import { InteractiveQueries } from './interactive-queries.js'
import { refreshRuntimeMetrics } from './runtime-metrics.js'
import { prepareTopics, type TopicLayout } from './internal-topics.js'
import { Recovery } from './recovery.js'
import { sourceTopics, sourceTopicsOf, taskIdOf } from './topic-names.js'
import {
  needsProducerPerTask,
  ProducerPerTask,
  SharedProducer,
  type TaskProducers,
} from './task-producers.js'
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './streams-config.js'
import { TaskManager, type RestoreReport } from './task-manager.js'
import type { StreamTask } from './stream-task.js'

export const streamsStates = [
  'CREATED',
  'STARTING',
  'REBALANCING',
  'RUNNING',
  'PENDING_SHUTDOWN',
  'NOT_RUNNING',
  'ERROR',
] as const
export type StreamsState = (typeof streamsStates)[number]

/**
 *   CREATED ──start()──▶ STARTING ──assigned──▶ RUNNING ◀──▶ REBALANCING
 *      │                    │                      │
 *      └──────close()───────┴──────close()─────────┴──▶ PENDING_SHUTDOWN ──▶ NOT_RUNNING
 *   any state ──fatal error──▶ ERROR ──close()──▶ NOT_RUNNING
 */
const transitions: Readonly<Record<StreamsState, readonly StreamsState[]>> = {
  CREATED: ['STARTING', 'PENDING_SHUTDOWN', 'ERROR'],
  STARTING: ['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'ERROR'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  ERROR: ['PENDING_SHUTDOWN'],
}

/** Records processed between checks for a due commit and for a turn of the event loop. */
const sliceRecords = 32
/** Processing time after which the event loop gets a turn. */
const sliceMs = 5

export class KafkaStreams {
  private readonly config: ResolvedConfig
  private stateValue: StreamsState = 'CREATED'
  private queue: Promise<unknown> = Promise.resolve()
  private admin: KafkaAdmin | undefined
  private consumer: KafkaConsumer | undefined
  private reader: PartitionReader | undefined
  /** Global tables and the instance registry read with their own reader, so restores never wait on them. */
  private backgroundReader: PartitionReader | undefined
  private refreshing = false
  /** The producers of the tasks' output (one for the instance, or one per task: task-producers.ts). */
  private collector: TaskProducers | undefined
  private tasks: TaskManager | undefined
  private layout: TopicLayout | undefined
  private readonly globalTables: GlobalTables
  private timers: NodeJS.Timeout[] = []
  /** The commit protocol (commit.ts); there once the consumer is. */
  private commit: Commit | undefined
  /** Recovery from a failed commit (recovery.ts); there once the consumer is. */
  private recovery: Recovery | undefined
  private failure: Error | undefined
  private readonly listeners: ((state: StreamsState, previous: StreamsState) => void)[] = []
  private registry: InstanceRegistry | undefined
  /** Queries over this instance's local state (see interactive-queries.ts). */
  readonly queries: InteractiveQueries
  /** A processing pass is scheduled (see the loop at the top). */
  private processingScheduled = false
  /** Timer that schedules a pass when a waiting task's wait ends. */
  private wakeUp: { timer: NodeJS.Timeout; at: number } | undefined
  /** Where the next pass starts among the tasks, so that a pass cut short does not starve the last ones. */
  private nextTask = 0
  /** Input partitions paused because their task buffers too much (flow control). */
  private readonly paused = new TopicPartitionMap<TopicPartition>()

  constructor(
    readonly topology: Topology,
    config: StreamsConfig,
  ) {
    this.config = resolveConfig(config)
    this.queries = new InteractiveQueries({
      topology,
      instanceId: this.config.instanceId,
      layout: () => this.layout,
      tasks: () => this.tasks?.tasks ?? new Map(),
      registry: () => this.registry,
      running: () => this.stateValue === 'RUNNING',
      exclusive: (work) => this.exclusive(work),
    })
    this.globalTables = new GlobalTables(topology.globalTables, (level, message) =>
      this.config.log(level, message),
    )
  }

  get state(): StreamsState {
    return this.stateValue
  }

  /** Why the instance went to ERROR, if it did. */
  get error(): Error | undefined {
    return this.failure
  }

  onStateChange(listener: (state: StreamsState, previous: StreamsState) => void): void {
    this.listeners.push(listener)
  }

  /** Every changelog restore so far: which store, from where, how many records. */
  get restores(): readonly RestoreReport[] {
    return this.tasks?.restores ?? []
  }

  /** Tasks running here now. */
  get activeTasks(): StreamTask[] {
    return [...(this.tasks?.tasks.values() ?? [])]
  }

  private setState(next: StreamsState): void {
    const previous = this.stateValue
    if (previous === next) return
    if (!transitions[previous].includes(next)) return
    this.stateValue = next
    for (const listener of this.listeners) listener(next, previous)
  }

  /** Runs `work` after everything queued before it. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work)
    this.queue = result.catch(() => undefined)
    return result
  }

  async start(): Promise<void> {
    this.setState('STARTING')
    const { client, applicationId } = this.config
    try {
      this.admin = client.admin()
      await this.admin.connect()
      this.layout = await prepareTopics(
        this.admin,
        this.topology,
        applicationId,
        this.config.replicationFactor,
        this.outputTopics(),
        this.config.windowStoreChangelogAdditionalRetentionMs,
      )
      this.reader = client.reader({ isolation: 'read_committed' })
      this.backgroundReader = client.reader({ isolation: 'read_committed' })
      await this.globalTables.open(this.config.stateDir)
      await this.globalTables.refresh(this.admin, this.backgroundReader)
      this.registry = new InstanceRegistry(
        client,
        this.backgroundReader,
        applicationId,
        { instanceId: this.config.instanceId, url: this.config.advertisedUrl },
        (level, message) => this.config.log(level, message),
      )
      await this.registry.start(this.admin, this.config.replicationFactor)
      this.collector = needsProducerPerTask(this.config)
        ? new ProducerPerTask(this.config, (tp) => this.taskIdOfInput(tp))
        : await SharedProducer.create(this.config)
      this.tasks = new TaskManager(
        this.topology,
        this.config,
        this.layout,
        this.collector,
        this.admin,
        this.reader,
        this.globalTables.handles(),
      )
      const singleSource = this.topology.subtopologies.every((s) => s.sourceTopics.length === 1)
      this.consumer = client.consumer({
        groupId: applicationId,
        isolation: this.config.processingGuarantee === 'exactly_once' ? 'read_committed' : 'read_uncommitted',
        autoOffsetReset: 'earliest',
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        // co-partitioned inputs of one task must land on one member: the range assignor guarantees it,
        // cooperative-sticky does not (it knows nothing of tasks), so it is used only for single-input tasks
        rebalance: singleSource ? 'cooperative' : 'eager',
      })
      const tasks = this.tasks
      const commit: Commit = new Commit({
        config: this.config,
        tasks: () => [...tasks.tasks.values()],
        collector: this.collector,
        consumer: this.consumer,
        recover: (error) => recovery.recover(error),
      })
      const recovery: Recovery = new Recovery({
        config: this.config,
        admin: this.admin,
        consumer: this.consumer,
        collector: this.collector,
        tasks: this.tasks,
        committedPositions: commit.committedPositions,
      })
      this.commit = commit
      this.recovery = recovery
      await this.consumer.connect()
      await this.consumer.subscribe(sourceTopics(applicationId, this.topology))
      await this.consumer.run({
        eachBatch: (batch) => this.onBatch(batch),
        onAssigned: (partitions) => this.exclusive(() => this.onAssigned(partitions)),
        onRevoked: (partitions) => this.exclusive(() => this.onRevoked(partitions)),
      })
      this.timers.push(
        setInterval(
          () => void this.exclusive(() => this.tick()).catch((e: unknown) => this.fail(e)),
          Math.min(100, this.config.commitIntervalMs),
        ),
      )
      this.timers.push(
        setInterval(
          () =>
            void this.refreshMetrics().catch((e: unknown) => {
              if (this.stateValue !== 'PENDING_SHUTDOWN' && this.stateValue !== 'NOT_RUNNING')
                this.config.log('warn', `metrics refresh: ${errorMessage(e)}`)
            }),
          this.config.metricsRefreshMs,
        ),
      )
      this.timers.push(
        setInterval(
          () =>
            void this.refreshGlobalTables().catch((e: unknown) => {
              if (this.stateValue !== 'PENDING_SHUTDOWN' && this.stateValue !== 'NOT_RUNNING')
                this.config.log('warn', `global table refresh: ${errorMessage(e)}`)
            }),
          200,
        ),
      )
    } catch (error) {
      this.fail(error)
      throw error
    }
  }

  private outputTopics(): string[] {
    const topics = new Set<string>()
    for (const sub of this.topology.subtopologies)
      for (const node of sub.nodes) if (node.kind === 'sink' && !node.internal) topics.add(node.topic)
    if (this.config.deadLetterTopic) topics.add(this.config.deadLetterTopic)
    return [...topics]
  }

  /** The task that reads an input partition (co-partitioned inputs: partition p of each is task s_p). */
  private taskIdOfInput(tp: TopicPartition): string | undefined {
    const task = this.tasks?.taskFor(tp.topic, tp.partition)
    if (task) return task.id
    const sub = this.topology.subtopologies.find((s) =>
      sourceTopicsOf(this.config.applicationId, s).includes(tp.topic),
    )
    return sub ? taskIdOf(sub.id, tp.partition) : undefined
  }

  private async onAssigned(partitions: readonly TopicPartition[]): Promise<void> {
    await this.commit!.settle()
    // another instance may have committed these since we last did: the broker knows, we do not
    for (const tp of partitions) this.commit!.committedPositions.delete(tp)
    this.setState('REBALANCING')
    this.config.metrics.rebalanced()
    const created = await this.tasks!.assigned(partitions)
    // a producer per task: the consumer fetched its positions before the task's producer fenced the
    // previous owner and waited for its last transaction; what that committed is known only now
    if (this.collector!.fencesOnOpen) await this.recovery!.rewindToCommitted(created)
    this.setState('RUNNING')
    await this.registry?.announce([...this.tasks!.tasks.keys()])
  }

  private async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.setState('REBALANCING')
    await this.commit!.settle()
    if (this.tasks!.affectedBy(partitions).length > 0)
      await this.commit!.commitNow('commit before revocation', 'recover')
    // asked again: a failed commit is recovered by rebuilding the tasks, as new objects
    await this.tasks!.revoked(partitions, this.tasks!.affectedBy(partitions))
    // a partition paused for its buffer stays paused in the client after it comes back otherwise
    const resumed = partitions.filter((tp) => this.paused.delete(tp))
    if (resumed.length > 0) this.consumer!.resume(resumed)
    await this.registry?.announce([...this.tasks!.tasks.keys()])
  }

  /** Step 1 of the processing loop: buffers a fetched batch in its task, and schedules a pass. */
  private onBatch({ topic, partition, records, isStale }: ConsumedBatch): Promise<void> {
    if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') return Promise.resolve()
    // fetched before a seek (a recovery rewinding its inputs): the consumer delivers these records again
    if (isStale() || records.length === 0) return Promise.resolve()
    // no task while a recovery rebuilds them: the recovery's seek rewinds this partition anyway
    const task = this.tasks?.taskFor(topic, partition)
    if (!task) return Promise.resolve()
    task.addRecords(topic, records)
    this.config.metrics.recordsConsumed(topic, partition, records.length)
    this.scheduleProcessing()
    return Promise.resolve()
  }

  private scheduleProcessing(): void {
    if (this.processingScheduled) return
    this.processingScheduled = true
    setImmediate(() => {
      void this.exclusive(() => {
        this.processingScheduled = false
        return this.processPass()
      }).catch(() => undefined) // a failure went to fail()
    })
  }

  /** Steps 2–4 of the processing loop, for as long as tasks are ready and at most `sliceMs`. */
  private async processPass(): Promise<void> {
    if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') return
    // a commit that failed in the background rewinds the inputs: recover before anything else
    if (this.commit!.failed) {
      await this.commit!.settle()
      this.scheduleProcessing()
      return
    }
    const tasks = [...this.tasks!.tasks.values()]
    const started = Date.now()
    const recoveries = this.recovery!.count
    let ready = false
    let wake: number | undefined
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[(this.nextTask + i) % tasks.length]!
      const lagOf = (topic: string) => this.consumer!.currentLag({ topic, partition: task.partition })
      const began = process.hrtime.bigint()
      let processed: number
      try {
        processed = await task.process(sliceRecords, Date.now(), lagOf) // 2
      } catch (error) {
        this.fail(error)
        throw error
      }
      if (processed > 0) {
        this.commit!.markUncommitted()
        // outputs go to the producer as they are made (its linger batches them), so a commit finds most of
        // them acknowledged instead of sending them all then
        this.collector!.flush()
        this.config.metrics.processed(
          task.subtopology.id,
          Number(process.hrtime.bigint() - began) / 1e9,
          processed,
        )
        // take the request either way, so a request honoured by an interval commit does not cause a second one
        if (task.takeCommitRequest()) this.commit!.request()
        await this.commit!.commitIfDue() // 3
        // starting that commit may have recovered from the previous one's failure: the tasks were rebuilt
        // and the inputs rewound
        if (this.recovery!.count !== recoveries) return
        if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') return
      }
      const readiness = task.readiness(Date.now(), lagOf)
      if (readiness.ready) ready = true
      else if (readiness.until !== undefined)
        wake = Math.min(wake ?? Number.POSITIVE_INFINITY, readiness.until)
      if (Date.now() - started >= sliceMs && i + 1 < tasks.length) {
        this.nextTask = (this.nextTask + i + 1) % tasks.length
        ready = true
        break
      }
    }
    this.flowControl(tasks) // 4
    if (ready) this.scheduleProcessing()
    else if (wake !== undefined) this.wakeAt(wake)
  }

  /** Step 4: pauses input partitions that buffer too much, resumes them once down to half. */
  private flowControl(tasks: readonly StreamTask[]): void {
    const max = this.config.bufferedRecordsPerPartition
    const pause: TopicPartition[] = []
    const resume: TopicPartition[] = []
    for (const task of tasks) {
      for (const input of task.inputs) {
        const buffered = task.buffered(input.topic)
        if (buffered > max && !this.paused.has(input)) {
          this.paused.set(input, input)
          pause.push(input)
        } else if (buffered <= max / 2 && this.paused.delete(input)) resume.push(input)
      }
    }
    if (pause.length > 0) this.consumer!.pause(pause)
    if (resume.length > 0) this.consumer!.resume(resume)
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

  /** Timer: wall-clock punctuation and idle commits. */
  private async tick(): Promise<void> {
    if (this.stateValue !== 'RUNNING') return
    const now = Date.now()
    let buffered = false
    for (const task of this.tasks!.tasks.values()) {
      await task.punctuateWallClock(now)
      if (task.needsCommit) this.commit!.markUncommitted()
      if (task.buffered() > 0) buffered = true
    }
    // a waiting task may have become ready without a batch: its consumer learnt of the lag in a fetch
    // that delivered nothing (control records only)
    if (buffered) this.scheduleProcessing()
    if (this.commit!.hasUncommitted) await this.commit!.commitIfDue()
  }

  private fail(error: unknown): void {
    if (this.stateValue === 'ERROR' || this.stateValue === 'NOT_RUNNING') return
    this.failure = error instanceof Error ? error : new Error(String(error))
    this.config.log('error', `stopping on error: ${this.failure.message}`)
    this.setState('ERROR')
  }

  private async refreshMetrics(): Promise<void> {
    if (!this.admin || !this.tasks || !this.commit) return
    await refreshRuntimeMetrics(
      this.admin,
      this.config.applicationId,
      this.tasks.tasks.values(),
      this.commit.committedPositions,
      this.config.metrics,
    )
  }

  private async refreshGlobalTables(): Promise<void> {
    if (!this.admin || !this.backgroundReader || this.refreshing) return
    this.refreshing = true
    try {
      await this.globalTables.refresh(this.admin, this.backgroundReader)
      await this.registry?.refresh()
    } finally {
      this.refreshing = false
    }
  }

  /** True once every task assigned to this instance is restored and running. */
  get ready(): boolean {
    return this.stateValue === 'RUNNING'
  }

  get instanceId(): string {
    return this.config.instanceId
  }

  // ── shutdown ─────────────────────────────────────────────────────────────────────────────────────

  /** Finishes the records in flight, commits, leaves the group and closes every store. */
  async close(): Promise<void> {
    if (this.stateValue === 'NOT_RUNNING') return
    const failed = this.stateValue === 'ERROR'
    this.setState('PENDING_SHUTDOWN')
    for (const timer of this.timers) clearInterval(timer)
    this.timers = []
    if (this.wakeUp) clearTimeout(this.wakeUp.timer)
    this.wakeUp = undefined
    await this.exclusive(async () => {
      if (!failed && this.commit) {
        await this.commit.commitNow('final commit', 'abort')
      } else {
        await this.commit?.abandon()
        await this.collector?.abort()
      }
    })
    await this.consumer?.disconnect().catch(() => undefined)
    await this.exclusive(async () => this.tasks?.closeAll())
    await this.collector?.close()
    await this.registry?.close()
    await this.reader?.close().catch(() => undefined)
    await this.backgroundReader?.close().catch(() => undefined)
    await this.globalTables.close()
    await this.admin?.disconnect().catch(() => undefined)
    this.setState('NOT_RUNNING')
  }

  /** Throws NOT_RUNNING unless the instance is processing. */
  assertRunning(): void {
    if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') {
      throw new StreamsError('NOT_RUNNING', `the instance is ${this.stateValue}`)
    }
  }
}
