// The instance's periodic work, each on a timer of its own, started at the end of `start()` and stopped
// first thing on close:
//   - the processing tick (wall-clock punctuation, the commit when due: stream-thread.ts), on the work
//     queue, every min(100 ms, commit interval); its failure stops the instance;
//   - the runtime metrics (lag, positions: runtime-metrics.ts; the caches' sizes), off the queue, every
//     `metricsRefreshMs`;
//   - the global tables and the instance registry, read to their ends off the queue, every 200 ms;
//   - the standby replicas (standby-tasks.ts, when `numStandbyReplicas` > 0): placed, opened and closed on
//     the queue (never during a rebalance), then caught up with their changelogs off it, every 500 ms.
// The last three log a failure as a warning (not while the instance stops) and try again at their next
// turn; a turn still running when the next falls due makes that one a no-op.
import type { KafkaAdmin, PartitionReader } from '../../kafka/index.js'
import { errorMessage } from '../errors.js'
import type { Commit } from './commit.js'
import type { GlobalTables } from './global-tables.js'
import type { InstanceRegistry } from './instance-registry.js'
import { refreshRuntimeMetrics } from './runtime-metrics.js'
import type { StandbyTasks } from './standby-tasks.js'
import type { StreamThread } from './stream-thread.js'
import type { ResolvedConfig } from './streams-config.js'
import type { TaskManager } from './task-manager.js'

/** How often standby replicas are placed and caught up with their changelogs. */
const standbyUpdateIntervalMs = 500
/** How often the global tables and the instance registry are read to their ends. */
const globalTablesRefreshMs = 200

/** What the periodic work works with: the running instance's parts, its work queue and its state. */
export interface BackgroundContext {
  readonly config: Pick<
    ResolvedConfig,
    'applicationId' | 'commitIntervalMs' | 'metricsRefreshMs' | 'metrics' | 'log'
  >
  readonly admin: KafkaAdmin
  /** The reader of the global tables and the registry, so that restores never wait on them. */
  readonly backgroundReader: PartitionReader
  readonly globalTables: GlobalTables
  readonly registry: InstanceRegistry
  readonly tasks: TaskManager
  readonly commit: Commit
  readonly thread: StreamThread
  readonly standbys: StandbyTasks | undefined
  /** The instance is RUNNING (not rebalancing, not stopping). */
  readonly running: () => boolean
  /** The instance is stopping or stopped: failures are expected then, and not logged. */
  readonly stopping: () => boolean
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>
  readonly fail: (error: unknown) => void
}

export class BackgroundRefresh {
  private timers: NodeJS.Timeout[] = []

  constructor(private readonly context: BackgroundContext) {}

  start(): void {
    const { config, thread, exclusive, fail, standbys } = this.context
    this.timers.push(
      setInterval(
        () => void exclusive(() => thread.tick()).catch((e: unknown) => fail(e)),
        Math.min(100, config.commitIntervalMs),
      ),
    )
    this.every('metrics refresh', config.metricsRefreshMs, () => this.refreshMetrics())
    this.every('global table refresh', globalTablesRefreshMs, () => this.refreshGlobalTables())
    if (standbys) this.every('standby update', standbyUpdateIntervalMs, () => this.updateStandbys(standbys))
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer)
    this.timers = []
  }

  /** Runs `work` every `intervalMs`; a turn that falls due while the last one still runs is skipped. */
  private every(what: string, intervalMs: number, work: () => Promise<void>): void {
    const { config, stopping } = this.context
    let busy = false
    this.timers.push(
      setInterval(() => {
        if (busy) return
        busy = true
        void work()
          .catch((e: unknown) => {
            if (!stopping()) config.log('warn', `${what}: ${errorMessage(e)}`)
          })
          .finally(() => (busy = false))
      }, intervalMs),
    )
  }

  private async refreshMetrics(): Promise<void> {
    const { admin, config, tasks, commit } = this.context
    await refreshRuntimeMetrics(
      admin,
      config.applicationId,
      tasks.tasks.values(),
      commit.committedPositions,
      config.metrics,
    )
    config.metrics.cacheSize?.('record', tasks.recordCache.sizeBytes)
    config.metrics.cacheSize?.('store', tasks.storeCache.sizeBytes)
  }

  private async refreshGlobalTables(): Promise<void> {
    await this.context.globalTables.refresh(this.context.admin, this.context.backgroundReader)
    await this.context.registry.refresh()
  }

  /** Places, opens and closes standbys on the queue (never during a rebalance), then catches them up off it. */
  private async updateStandbys(standbys: StandbyTasks): Promise<void> {
    const { running, exclusive } = this.context
    if (!running()) return
    // a close or a rebalance that began meanwhile: its own steps decide the tasks
    await exclusive(async () => (running() ? standbys.reconcile() : undefined))
    if (running()) await standbys.catchUp()
  }
}
