// The instance's side of a consumer-group rebalance (Kafka Streams' StreamsRebalanceListener and the
// thread state around it). The consumer calls these on the instance's queue, between processing passes.
//
// Revocation protocol (partitions taken away):
//   1. The instance is REBALANCING, in a rebalance: nothing commits on the timer until it ends.
//   2. Settle the commit in flight; if a task (running or restoring) loses an input, commit now (a failed
//      commit recovers, rebuilding the tasks as new objects: they are asked for again in 3).
//   3. Close the tasks that lost an input (a restoring one stops restoring first: task-manager.ts).
//   4. Resume the revoked partitions that flow control paused; announce the tasks left here.
// Assignment protocol (partitions given — also none, after a revocation):
//   1. Settle the commit in flight; forget this instance's committed positions of the new partitions:
//      another instance may have committed them since we last did, the broker knows, we do not.
//   2. REBALANCING; create the tasks the new partitions complete: their stores open and they restore in
//      the background (task-manager.ts, state-updater.ts) while the running tasks go on.
//   3. A producer per task: rewind the new tasks' inputs to the committed offsets — the consumer fetched
//      their positions before the task's producer fenced the previous owner and waited for its last
//      transaction; what that committed is known only now.
//   4. The rebalance is over: running tasks process and commit again. The instance is RUNNING at once if
//      nothing restores, else when its last restoring task runs (`tasksRunning`) — readiness reports
//      restoring until then, as Kafka Streams stays REBALANCING.
//   5. Announce the tasks here (running and restoring) in the instance registry.
import type { TopicPartition } from '../../kafka/index.js'
import type { Commit } from './commit.js'
import type { InstanceRegistry } from './instance-registry.js'
import type { Recovery } from './recovery.js'
import type { StreamTask } from './stream-task.js'
import type { StreamThread } from './stream-thread.js'
import type { ResolvedConfig } from './streams-config.js'
import type { TaskManager } from './task-manager.js'
import type { TaskProducers } from './task-producers.js'

export interface RebalanceContext {
  readonly config: Pick<ResolvedConfig, 'metrics'>
  readonly tasks: TaskManager
  readonly commit: Commit
  readonly recovery: Recovery
  readonly collector: TaskProducers
  readonly thread: StreamThread
  readonly registry: InstanceRegistry | undefined
  /** The instance's state machine (kafka-streams.ts): the transitions it does not allow are ignored. */
  readonly toRebalancing: () => void
  readonly toRunning: () => void
}

export class Rebalance {
  private inProgress = false

  constructor(private readonly context: RebalanceContext) {}

  /** Between a revocation and the assignment that ends it: tasks do not commit on the timer. */
  get ongoing(): boolean {
    return this.inProgress
  }

  /** The revocation protocol (see the top of this file). */
  async revoked(partitions: readonly TopicPartition[]): Promise<void> {
    const { tasks, commit, thread } = this.context
    this.inProgress = true // 1
    this.context.toRebalancing()
    await commit.settle() // 2
    if (tasks.affectedBy(partitions).length > 0) await commit.commitNow('commit before revocation', 'recover')
    await tasks.revoked(partitions, tasks.affectedBy(partitions)) // 3
    thread.revoked(partitions) // 4
    await this.announce()
  }

  /** The assignment protocol (see the top of this file). */
  async assigned(partitions: readonly TopicPartition[]): Promise<void> {
    const { tasks, commit, recovery, collector, config } = this.context
    this.inProgress = true
    await commit.settle() // 1
    for (const tp of partitions) commit.committedPositions.delete(tp)
    this.context.toRebalancing() // 2
    config.metrics.rebalanced()
    const created = await tasks.assigned(partitions)
    if (collector.fencesOnOpen) await recovery.rewindToCommitted(created) // 3
    this.inProgress = false // 4
    if (tasks.restoring.size === 0) this.context.toRunning()
    await this.announce() // 5
  }

  /** Step 4 of the assignment, later: restored tasks run; RUNNING once none restores. */
  tasksRunning(started: readonly StreamTask[]): void {
    if (started.length === 0) return
    this.context.thread.tasksRunning()
    if (!this.inProgress && this.context.tasks.restoring.size === 0) this.context.toRunning()
  }

  private async announce(): Promise<void> {
    await this.context.registry?.announce(this.context.tasks.owned.map((t) => t.id))
  }
}
