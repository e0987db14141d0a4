// The runtime of a topology against Kafka (Kafka Streams' KafkaStreams): one consumer group member with one
// producer — or, under exactly-once on a client that cannot fence by group metadata (kafkajs), one
// producer per task (task-producers.ts) — executing every task assigned to this instance. All work —
// processing, punctuation, commits, rebalances — runs one step at a time on a single queue, so tasks
// never see concurrent calls.
//
// This file is the instance's lifecycle (the state machine below) and its public surface. The protocols
// it starts are each in a file of their own:
//   - instance-parts.ts: the instance's parts, built in order by start and taken down in order by close;
//   - stream-thread.ts: the processing loop (poll → choose → process → commit when due → flow control);
//   - commit.ts: the commit protocol, its steps and states;
//   - recovery.ts: the recovery from a failed commit (abort, replace the producer, drop every task's
//     uncommitted state, rebuild the tasks from their checkpoints, rewind the inputs);
//   - rebalance.ts: what a revocation and an assignment do, and when the instance is RUNNING again;
//   - task-manager.ts: task creation; state-updater.ts: the changelog restore of new tasks, in the
//     background while the running tasks go on;
//   - background-refresh.ts: the periodic work (the processing tick, metrics, global tables, standbys).
import { StreamsError } from '../errors.js'
import type { Topology } from '../topology.js'
import type { RestoreReport } from './changelog-restorer.js'
import { GlobalTables } from './global-tables.js'
import { buildParts, takeDownParts, type InstanceHooks, type InstanceParts } from './instance-parts.js'
import { InteractiveQueries } from './interactive-queries.js'
import type { RecoveryReport } from './recovery.js'
import type { StandbyReport } from './standby-tasks.js'
import type { StreamTask } from './stream-task.js'
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './streams-config.js'

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
  /** The instance's parts (instance-parts.ts), each there once start built it. */
  private readonly parts: InstanceParts = {}
  private readonly globalTables: GlobalTables
  private failure: Error | undefined
  private readonly listeners: ((state: StreamsState, previous: StreamsState) => void)[] = []
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
      layout: () => this.parts.layout,
      tasks: () => this.parts.tasks?.tasks ?? new Map(),
      registry: () => this.parts.registry,
      running: () => this.tasksRunning(),
      exclusive: (work) => this.exclusive(work),
      standbyStore: (taskId, storeName) => this.parts.standbys?.store(taskId, storeName),
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
    return this.parts.tasks?.restores ?? []
  }

  /** Every recovery from a failed commit so far: the action its error named, and the error's code. */
  get recoveries(): readonly RecoveryReport[] {
    return this.parts.recovery?.recoveries ?? []
  }

  /** Tasks running here now. */
  get activeTasks(): StreamTask[] {
    return [...(this.parts.tasks?.tasks.values() ?? [])]
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

  /** Builds the instance's parts (the start protocol in instance-parts.ts) and joins the group. */
  async start(): Promise<void> {
    this.setState('STARTING')
    try {
      await buildParts(this.parts, this.hooks())
    } catch (error) {
      // as described (`describeFailure`), unless the instance had failed or closed before
      throw this.fail(error) ?? error
    }
  }

  private hooks(): InstanceHooks {
    return {
      topology: this.topology,
      config: this.config,
      globalTables: this.globalTables,
      state: () => this.stateValue,
      toRebalancing: () => this.setState('REBALANCING'),
      toRunning: () => this.setState('RUNNING'),
      tasksRunning: () => this.tasksRunning(),
      exclusive: (work) => this.exclusive(work),
      fail: (error) => this.fail(error),
    }
  }

  /** The standby replicas kept here, with each store's position in its changelog. */
  async standbyTasks(): Promise<StandbyReport[]> {
    return (await this.parts.standbys?.report()) ?? []
  }

  /** To ERROR, with the error as `describeFailure` tells it, which it returns (nothing when already failed or closed). */
  private fail(error: unknown): Error | undefined {
    if (this.stateValue === 'ERROR' || this.stateValue === 'NOT_RUNNING') return undefined
    this.failure = this.config.describeFailure(error instanceof Error ? error : new Error(String(error)))
    this.config.log('error', `stopping on error: ${this.failure.message}`)
    this.setState('ERROR')
    return this.failure
  }

  /** True once every task assigned to this instance is restored and running. */
  get ready(): boolean {
    return this.stateValue === 'RUNNING'
  }

  /**
   * Running tasks process, commit, punctuate and answer queries: RUNNING, or REBALANCING once the
   * rebalance's callbacks are over and only restores are left (rebalance.ts).
   */
  private tasksRunning(): boolean {
    if (this.stateValue === 'RUNNING') return true
    return this.stateValue === 'REBALANCING' && this.parts.rebalance?.ongoing === false
  }

  /** Resolves once no task is restoring (tasks assigned before the call; for tests and operators). */
  async restored(): Promise<void> {
    await this.parts.tasks?.restored()
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
    await takeDownParts(this.parts, this.hooks(), failed)
    this.setState('NOT_RUNNING')
  }

  /** Throws NOT_RUNNING unless the instance is processing. */
  assertRunning(): void {
    if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') {
      throw new StreamsError('NOT_RUNNING', `the instance is ${this.stateValue}`)
    }
  }
}
