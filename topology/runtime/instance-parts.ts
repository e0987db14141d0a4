// The parts of a running instance (kafka-streams.ts), the order start builds them in and the order close
// takes them down in. `parts` is filled as each is built, so a start that fails half-way is closed by the
// same take-down: each step takes down only what exists.
//
// Start protocol:
//   1. The admin client; the internal topics (repartition, changelogs) created or checked.
//   2. The changelog reader of restores, and the background reader of global tables and the registry;
//      the global tables opened and read to their ends.
//   3. The instance registry (`<app>-instances`): this instance announced.
//   4. The producers of the tasks' output: one, or one per task (task-producers.ts).
//   5. The task manager (with its state updater) and, with numStandbyReplicas > 0, the standby replicas.
//   6. The consumer (on kafkajs with the engine's assignment by task: task-assignor.ts), and the
//      protocols that use it: commit, recovery, the processing loop, rebalance.
//   7. Subscribe and run: from here the group's assignments create tasks (rebalance.ts).
//   8. The periodic work (background-refresh.ts).
// Take-down protocol (close):
//   1. Stop the periodic work and the processing loop's timer.
//   2. On the queue: the final commit — or, after a fatal error, abandon the commit and abort.
//   3. Leave the group (the consumer disconnects).
//   4. On the queue: close every task (a restoring one stops restoring first).
//   5. Close the standbys, the producers, the registry, the readers, the global tables, the admin.
//   6. Wait for replaced producers still under a transactional call librdkafka has not answered
//      (kafka/confluent-producer.ts): the process cannot exit before they are destroyed.
import type { KafkaAdmin, KafkaConsumer, PartitionReader, TopicPartition } from '../../kafka/index.js'
import { CacheBudget } from '../../state/index.js'
import type { Topology } from '../topology.js'
import { BackgroundRefresh } from './background-refresh.js'
import { Commit } from './commit.js'
import type { GlobalTables } from './global-tables.js'
import { InstanceRegistry } from './instance-registry.js'
import { prepareTopics, type TopicLayout } from './internal-topics.js'
import { Rebalance } from './rebalance.js'
import { Recovery } from './recovery.js'
import { StandbyTasks } from './standby-tasks.js'
import { StreamThread } from './stream-thread.js'
import type { ResolvedConfig } from './streams-config.js'
import {
  needsProducerPerTask,
  ProducerPerTask,
  SharedProducer,
  type TaskProducers,
} from './task-producers.js'
import { taskAssignor } from './task-assignor.js'
import { TaskManager } from './task-manager.js'
import { sourceTopics, sourceTopicsOf, taskIdOf } from './topic-names.js'

/** How long `close` waits for replaced producers still under a transactional call to be destroyed. */
const producerSettleMs = 60_000

/** Each part exists once its start step has run. */
export interface InstanceParts {
  admin?: KafkaAdmin
  layout?: TopicLayout
  reader?: PartitionReader
  /** Global tables and the instance registry read with their own reader, so restores never wait on them. */
  backgroundReader?: PartitionReader
  registry?: InstanceRegistry
  /** The producers of the tasks' output (one for the instance, or one per task: task-producers.ts). */
  collector?: TaskProducers
  tasks?: TaskManager
  /** Standby replicas kept here, with their own changelog reader; none when numStandbyReplicas is 0. */
  standbys?: StandbyTasks
  standbyReader?: PartitionReader
  consumer?: KafkaConsumer
  commit?: Commit
  recovery?: Recovery
  thread?: StreamThread
  rebalance?: Rebalance
  background?: BackgroundRefresh
}

/** What the parts need from the instance: its state machine, its queue and its failure path. */
export interface InstanceHooks {
  readonly topology: Topology
  readonly config: ResolvedConfig
  readonly globalTables: GlobalTables
  readonly state: () => string
  readonly toRebalancing: () => void
  readonly toRunning: () => void
  /** Running tasks process, commit, punctuate (kafka-streams.ts `tasksRunning`). */
  readonly tasksRunning: () => boolean
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>
  readonly fail: (error: unknown) => void
}

/** The start protocol (see the top of this file). */
export async function buildParts(parts: InstanceParts, hooks: InstanceHooks): Promise<void> {
  const { topology, config, globalTables, exclusive, fail } = hooks
  const { client, applicationId } = config
  const admin = (parts.admin = client.admin()) // 1
  await admin.connect()
  const layout = (parts.layout = await prepareTopics(
    admin,
    topology,
    applicationId,
    config.replicationFactor,
    outputTopics(topology, config),
    config.windowStoreChangelogAdditionalRetentionMs,
  ))
  const reader = (parts.reader = client.reader({ isolation: 'read_committed' })) // 2
  const backgroundReader = (parts.backgroundReader = client.reader({ isolation: 'read_committed' }))
  // the one budget of every key-value cache here: the active tasks', the standbys' and the global tables'
  const storeCache = new CacheBudget(config.storeCacheMaxBytes)
  await globalTables.open(config.stateDir, storeCache)
  await globalTables.refresh(admin, backgroundReader)
  const registry = (parts.registry = new InstanceRegistry(
    // 3
    client,
    backgroundReader,
    applicationId,
    { instanceId: config.instanceId, url: config.advertisedUrl },
    (level, message) => config.log(level, message),
  ))
  await registry.start(admin, config.replicationFactor)
  const collector = (parts.collector = needsProducerPerTask(config) // 4
    ? new ProducerPerTask(config, (tp) => taskIdOfInput(topology, config, parts.tasks, tp))
    : await SharedProducer.create(config))
  const tasks = (parts.tasks = new TaskManager(
    // 5
    topology,
    config,
    layout,
    collector,
    admin,
    reader,
    globalTables.handles(),
    storeCache,
    {
      exclusive,
      onRunning: (started) => parts.rebalance?.tasksRunning(started),
      onRestoreFailed: fail,
    },
  ))
  if (config.numStandbyReplicas > 0) {
    const standbyReader = (parts.standbyReader = client.reader({ isolation: 'read_committed' }))
    tasks.standbys = parts.standbys = new StandbyTasks({
      config,
      topology,
      layout,
      admin,
      reader: standbyReader,
      storeCache,
      instances: () => registry.all().map((i) => i.instanceId),
      ownerOf: (taskId) => registry.ownerOf(taskId)?.instanceId,
      activeHere: () => new Set(tasks.owned.map((t) => t.id)),
    })
  }
  if (config.groupInstanceId && client.kind === 'kafkajs')
    config.log(
      'warn',
      `groupInstanceId '${config.groupInstanceId}' is ignored: kafkajs has no static membership (the confluent client has)`,
    )
  const singleSource = topology.subtopologies.every((s) => s.sourceTopics.length === 1)
  const consumer = (parts.consumer = client.consumer({
    // 6
    groupId: applicationId,
    isolation: config.processingGuarantee === 'exactly_once' ? 'read_committed' : 'read_uncommitted',
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: config.sessionTimeoutMs,
    ...(config.groupInstanceId ? { groupInstanceId: config.groupInstanceId } : {}),
    // co-partitioned inputs of one task must land on one member: the range assignor guarantees it,
    // cooperative-sticky does not (it knows nothing of tasks), so it is used only for single-input tasks
    rebalance: singleSource ? 'cooperative' : 'eager',
    // where the client lets the engine choose (kafkajs): tasks stay where they run or go to a standby copy
    taskAssignor: taskAssignor(
      (topic, partition) => taskIdOfInput(topology, config, undefined, { topic, partition }),
      () => ({ active: tasks.owned.map((t) => t.id), standby: parts.standbys?.taskIds ?? [] }),
    ),
  }))
  const commit: Commit = (parts.commit = new Commit({
    config,
    tasks: () => tasks.running,
    collector,
    consumer,
    admin,
    recover: (error) => recovery.recover(error),
  }))
  const recovery: Recovery = (parts.recovery = new Recovery({
    config,
    admin,
    consumer,
    collector,
    tasks,
    committedPositions: commit.committedPositions,
  }))
  const thread = (parts.thread = new StreamThread({
    config,
    tasks,
    consumer,
    collector,
    commit,
    recovery,
    processing: () => hooks.state() === 'RUNNING' || hooks.state() === 'REBALANCING',
    running: hooks.tasksRunning,
    exclusive,
    fail,
  }))
  const rebalance = (parts.rebalance = new Rebalance({
    config,
    tasks,
    commit,
    recovery,
    collector,
    thread,
    registry,
    toRebalancing: hooks.toRebalancing,
    toRunning: hooks.toRunning,
  }))
  await consumer.connect() // 7
  await consumer.subscribe(sourceTopics(applicationId, topology))
  const stopping = (): boolean => hooks.state() === 'PENDING_SHUTDOWN' || hooks.state() === 'NOT_RUNNING'
  await consumer.run({
    eachBatch: (batch) => thread.onBatch(batch),
    // an assignment whose tasks cannot open (their producers' transactional id refused, with kafkajs's
    // producer per task; a broker away for longer than taskTimeoutMs) stops the instance: neither client
    // does more with a failed callback than log it (confluent) or leave its promise rejected (kafkajs)
    onAssigned: (partitions) =>
      exclusive(() => rebalance.assigned(partitions)).catch((error: unknown) => {
        if (!stopping()) fail(error)
      }),
    onRevoked: (partitions) => exclusive(() => rebalance.revoked(partitions)),
    // an error its client would retry for ever though that cannot help (the group's ACL missing)
    onFatal: fail,
  })
  parts.background = new BackgroundRefresh({
    // 8
    config,
    admin,
    backgroundReader,
    globalTables,
    registry,
    tasks,
    commit,
    thread,
    standbys: parts.standbys,
    running: () => hooks.state() === 'RUNNING',
    stopping,
    exclusive,
    fail,
  })
  parts.background.start()
}

/** The take-down protocol (see the top of this file); `failed`: the instance is in ERROR. */
export async function takeDownParts(
  parts: InstanceParts,
  hooks: Pick<InstanceHooks, 'config' | 'globalTables' | 'exclusive'>,
  failed: boolean,
): Promise<void> {
  const { config, exclusive } = hooks
  parts.background?.stop() // 1
  parts.thread?.stop()
  await exclusive(async () => {
    if (!failed && parts.commit) {
      await parts.commit.commitNow('final commit', 'abort') // 2
    } else {
      await parts.commit?.abandon()
      await parts.collector?.abort()
    }
  })
  await parts.consumer?.disconnect().catch(() => undefined) // 3
  await exclusive(async () => parts.tasks?.closeAll()) // 4
  await parts.standbys?.closeAll() // 5
  await parts.standbyReader?.close().catch(() => undefined)
  await parts.collector?.close()
  await parts.registry?.close()
  await parts.reader?.close().catch(() => undefined)
  await parts.backgroundReader?.close().catch(() => undefined)
  await hooks.globalTables.close()
  await parts.admin?.disconnect().catch(() => undefined)
  const left = await config.client.settleProducers(producerSettleMs) // 6
  if (left > 0)
    config.log(
      'error',
      `close: ${left} replaced producer(s) still wait for librdkafka to answer a transactional call after ${producerSettleMs} ms; the process cannot exit until it does`,
    )
}

function outputTopics(topology: Topology, config: ResolvedConfig): string[] {
  const topics = new Set<string>()
  for (const sub of topology.subtopologies)
    for (const node of sub.nodes) if (node.kind === 'sink' && !node.internal) topics.add(node.topic)
  if (config.deadLetterTopic) topics.add(config.deadLetterTopic)
  return [...topics]
}

/** The task that reads an input partition (co-partitioned inputs: partition p of each is task s_p). */
function taskIdOfInput(
  topology: Topology,
  config: ResolvedConfig,
  tasks: TaskManager | undefined,
  tp: TopicPartition,
): string | undefined {
  const task = tasks?.taskFor(tp.topic, tp.partition)
  if (task) return task.id
  const sub = topology.subtopologies.find((s) => sourceTopicsOf(config.applicationId, s).includes(tp.topic))
  return sub ? taskIdOf(sub.id, tp.partition) : undefined
}
