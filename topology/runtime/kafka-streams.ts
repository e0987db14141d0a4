// The runtime of a topology against Kafka (Kafka Streams' KafkaStreams): one consumer group member with one
// producer — or, under exactly-once on a client that cannot fence by group metadata (kafkajs), one
// producer per task (task-producers.ts) — executing every task assigned to this instance. All work —
// processing, punctuation, commits, rebalances — runs one step at a time on a single queue, so tasks
// never see concurrent calls.
//
// This file is the instance's lifecycle (the state machine below) and its public surface. The protocols
// it starts are each in a file of their own:
//   - stream-thread.ts: the processing loop (poll → choose → process → commit when due → flow control);
//   - commit.ts: the commit protocol, its steps and states;
//   - recovery.ts: the recovery from a failed commit (abort, replace the producer, drop every task's
//     uncommitted state, rebuild the tasks from their checkpoints, rewind the inputs);
//   - task-manager.ts: task creation and the changelog restore;
//   - background-refresh.ts: the periodic work (the processing tick, metrics, global tables, standbys).
import type { KafkaAdmin, KafkaConsumer, PartitionReader, TopicPartition } from '../../kafka/index.js'
import { StreamsError } from '../errors.js'
import type { Topology } from '../topology.js'
import { BackgroundRefresh } from './background-refresh.js'
import { Commit } from './commit.js'
import { GlobalTables } from './global-tables.js'
import { InstanceRegistry } from './instance-registry.js'
import { InteractiveQueries } from './interactive-queries.js'
import { prepareTopics, type TopicLayout } from './internal-topics.js'
import { Recovery, type RecoveryReport } from './recovery.js'
import { StreamThread } from './stream-thread.js'
import { sourceTopics, sourceTopicsOf, taskIdOf } from './topic-names.js'
import {
  needsProducerPerTask,
  ProducerPerTask,
  SharedProducer,
  type TaskProducers,
} from './task-producers.js'
import { StandbyTasks, type StandbyReport } from './standby-tasks.js'
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './streams-config.js'
import type { RestoreReport } from './changelog-restorer.js'
import { TaskManager } from './task-manager.js'
import type { StreamTask } from './stream-task.js'

/** How long `close` waits for replaced producers still under a transactional call to be destroyed. */
const producerSettleMs = 60_000

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

export class KafkaStreams {
  private readonly config: ResolvedConfig
  private stateValue: StreamsState = 'CREATED'
  private queue: Promise<unknown> = Promise.resolve()
  private admin: KafkaAdmin | undefined
  private consumer: KafkaConsumer | undefined
  private reader: PartitionReader | undefined
  /** Global tables and the instance registry read with their own reader, so restores never wait on them. */
  private backgroundReader: PartitionReader | undefined
  /** The producers of the tasks' output (one for the instance, or one per task: task-producers.ts). */
  private collector: TaskProducers | undefined
  private tasks: TaskManager | undefined
  private layout: TopicLayout | undefined
  private readonly globalTables: GlobalTables
  /** The periodic work: tick, metrics, global tables, standbys (background-refresh.ts). */
  private background: BackgroundRefresh | undefined
  /** The commit protocol (commit.ts); there once the consumer is. */
  private commit: Commit | undefined
  /** Recovery from a failed commit (recovery.ts); there once the consumer is. */
  private recovery: Recovery | undefined
  /** The processing loop (stream-thread.ts); there once the consumer is. */
  private thread: StreamThread | undefined
  private failure: Error | undefined
  private readonly listeners: ((state: StreamsState, previous: StreamsState) => void)[] = []
  private registry: InstanceRegistry | undefined
  /** Standby replicas kept here (standby-tasks.ts), with their own changelog reader; none when numStandbyReplicas is 0. */
  private standbys: StandbyTasks | undefined
  private standbyReader: PartitionReader | undefined
  /** Queries over this instance's local state (see interactive-queries.ts). */
  readonly queries: InteractiveQueries
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
      standbyStore: (taskId, storeName) => this.standbys?.store(taskId, storeName),
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

  /** Every recovery from a failed commit so far: the action its error named, and the error's code. */
  get recoveries(): readonly RecoveryReport[] {
    return this.recovery?.recoveries ?? []
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
      if (this.config.numStandbyReplicas > 0) {
        const registry = this.registry
        const tasks = this.tasks
        this.standbyReader = client.reader({ isolation: 'read_committed' })
        this.standbys = new StandbyTasks({
          config: this.config,
          topology: this.topology,
          layout: this.layout,
          admin: this.admin,
          reader: this.standbyReader,
          instances: () => registry.all().map((i) => i.instanceId),
          ownerOf: (taskId) => registry.ownerOf(taskId)?.instanceId,
          activeHere: () => new Set(tasks.tasks.keys()),
        })
        this.tasks.standbys = this.standbys
      }
      if (this.config.groupInstanceId && client.kind === 'kafkajs')
        this.config.log(
          'warn',
          `groupInstanceId '${this.config.groupInstanceId}' is ignored: kafkajs has no static membership (the confluent client has)`,
        )
      const singleSource = this.topology.subtopologies.every((s) => s.sourceTopics.length === 1)
      this.consumer = client.consumer({
        groupId: applicationId,
        isolation: this.config.processingGuarantee === 'exactly_once' ? 'read_committed' : 'read_uncommitted',
        autoOffsetReset: 'earliest',
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        ...(this.config.groupInstanceId ? { groupInstanceId: this.config.groupInstanceId } : {}),
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
      const thread = new StreamThread({
        config: this.config,
        tasks: this.tasks,
        consumer: this.consumer,
        collector: this.collector,
        commit,
        recovery,
        processing: () => this.stateValue === 'RUNNING' || this.stateValue === 'REBALANCING',
        running: () => this.stateValue === 'RUNNING',
        exclusive: (work) => this.exclusive(work),
        fail: (error) => this.fail(error),
      })
      this.commit = commit
      this.recovery = recovery
      this.thread = thread
      await this.consumer.connect()
      await this.consumer.subscribe(sourceTopics(applicationId, this.topology))
      await this.consumer.run({
        eachBatch: (batch) => thread.onBatch(batch),
        onAssigned: (partitions) => this.exclusive(() => this.onAssigned(partitions)),
        onRevoked: (partitions) => this.exclusive(() => this.onRevoked(partitions)),
      })
      this.background = new BackgroundRefresh({
        config: this.config,
        admin: this.admin,
        backgroundReader: this.backgroundReader,
        globalTables: this.globalTables,
        registry: this.registry,
        tasks: this.tasks,
        commit,
        thread,
        standbys: this.standbys,
        running: () => this.stateValue === 'RUNNING',
        stopping: () => this.stateValue === 'PENDING_SHUTDOWN' || this.stateValue === 'NOT_RUNNING',
        exclusive: (work) => this.exclusive(work),
        fail: (error) => this.fail(error),
      })
      this.background.start()
    } catch (error) {
      this.fail(error)
      throw error
    }
  }

  /** The standby replicas kept here, with each store's position in its changelog. */
  async standbyTasks(): Promise<StandbyReport[]> {
    return (await this.standbys?.report()) ?? []
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
    this.thread!.revoked(partitions)
    await this.registry?.announce([...this.tasks!.tasks.keys()])
  }

  private fail(error: unknown): void {
    if (this.stateValue === 'ERROR' || this.stateValue === 'NOT_RUNNING') return
    this.failure = error instanceof Error ? error : new Error(String(error))
    this.config.log('error', `stopping on error: ${this.failure.message}`)
    this.setState('ERROR')
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
    this.background?.stop()
    this.thread?.stop()
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
    await this.standbys?.closeAll()
    await this.standbyReader?.close().catch(() => undefined)
    await this.collector?.close()
    await this.registry?.close()
    await this.reader?.close().catch(() => undefined)
    await this.backgroundReader?.close().catch(() => undefined)
    await this.globalTables.close()
    await this.admin?.disconnect().catch(() => undefined)
    // a producer replaced under a transactional call that librdkafka had not answered is destroyed when it
    // answers (kafka/confluent-producer.ts): the process cannot exit before that
    const left = await this.config.client.settleProducers(producerSettleMs)
    if (left > 0)
      this.config.log(
        'error',
        `close: ${left} replaced producer(s) still wait for librdkafka to answer a transactional call after ${producerSettleMs} ms; the process cannot exit until it does`,
      )
    this.setState('NOT_RUNNING')
  }

  /** Throws NOT_RUNNING unless the instance is processing. */
  assertRunning(): void {
    if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') {
      throw new StreamsError('NOT_RUNNING', `the instance is ${this.stateValue}`)
    }
  }
}
