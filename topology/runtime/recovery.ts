// Recovery from a failed commit: back to the last commit, as if nothing since had happened (Kafka Streams
// closes its tasks dirty and revives them from their checkpoints after a TaskMigratedException or a
// TaskCorruptedException). The error says which recovery it needs by its class, thrown where the client or
// store error was translated (kafka/kafka-error.ts, stream-task.ts, changelog-restorer.ts); `recoveryFor`
// chooses by `instanceof`, never by message text:
//
//   error                      action               what differs
//   TaskCorruptedError         wipe-and-restore     the named tasks' stores are wiped and restored in full (4)
//   TaskMigratedError          rejoin               nothing here: the client rejoins the group by itself and
//                                                   reports the revocation and assignment that follow
//   ProducerFencedError        new-producer         nothing: every recovery makes new producers (3)
//   any other (a KafkaError)   retry-from-commit    nothing: abort, rebuild, process again
//
// Recovery protocol (when steps 2, 3 or 4 of a commit fail — commit.ts):
//   1. Count it and choose the action: a processing pass in progress stops when a recovery happened under
//      it (`count`); `recoveries` keeps each one (action and code) for tests and operators.
//   2. Abort the open transactions: nothing of the failed commit becomes visible.
//   3. Replace the producers — every time, not only when fenced: after a failed transaction a client can
//      be left in a state it does not leave (librdkafka's fatal errors; kafkajs's sequence numbers after an
//      abort, OUT_OF_ORDER_SEQUENCE_NUMBER on every later send).
//   4. Drop every task's uncommitted state and rebuild the tasks from their checkpoints: each store is
//      restored from its changelog, from its checkpoint up to the committed end (task-manager.ts); the
//      stores of corrupted tasks (wipe-and-restore) from the beginning, after wiping them.
//   5. Rewind the rebuilt tasks' inputs to the committed offsets, dropping what they buffered: the records
//      processed since the last commit are processed again.
// The commit protocol then starts its interval anew (commit.ts).
import type { KafkaAdmin, KafkaConsumer, TopicPartitionMap, TopicPartitionOffset } from '../../kafka/index.js'
import {
  ProducerFencedError,
  StreamsError,
  TaskCorruptedError,
  TaskMigratedError,
  errorMessage,
} from '../errors.js'
import { retryBroker } from './broker-retry.js'
import type { StreamTask } from './stream-task.js'
import type { ResolvedConfig } from './streams-config.js'
import type { TaskManager } from './task-manager.js'
import type { TaskProducers } from './task-producers.js'

/** The recovery an error names (see the table at the top of this file). */
export type RecoveryAction =
  | { readonly kind: 'wipe-and-restore'; readonly taskIds: readonly string[] }
  | { readonly kind: 'rejoin' }
  | { readonly kind: 'new-producer' }
  | { readonly kind: 'retry-from-commit' }

/** Step 1: the action by the error's class. */
export function recoveryFor(error: unknown): RecoveryAction {
  if (error instanceof TaskCorruptedError) return { kind: 'wipe-and-restore', taskIds: error.taskIds }
  if (error instanceof TaskMigratedError) return { kind: 'rejoin' }
  if (error instanceof ProducerFencedError) return { kind: 'new-producer' }
  return { kind: 'retry-from-commit' }
}

/** One recovery, as `Recovery.recoveries` keeps it. */
export interface RecoveryReport {
  readonly action: RecoveryAction
  /** The code of the error that caused it (`UNKNOWN` for an error that is not the project's). */
  readonly code: string
  readonly message: string
}

/** What a recovery works with. */
export interface RecoveryContext {
  readonly config: Pick<ResolvedConfig, 'applicationId' | 'taskTimeoutMs' | 'log'>
  readonly admin: KafkaAdmin
  readonly consumer: KafkaConsumer
  readonly collector: TaskProducers
  readonly tasks: TaskManager
  /** What this instance's own successful commits wrote (commit.ts). */
  readonly committedPositions: TopicPartitionMap<TopicPartitionOffset>
}

export class Recovery {
  private countValue = 0
  /** Every recovery so far, for tests and operators. */
  readonly recoveries: RecoveryReport[] = []

  constructor(private readonly context: RecoveryContext) {}

  /** Recoveries so far: a pass in progress compares it before and after a step that may recover. */
  get count(): number {
    return this.countValue
  }

  /** The recovery protocol (see the top of this file) after `error` failed a commit. */
  async recover(error: unknown): Promise<void> {
    const { config, collector, tasks } = this.context
    this.countValue += 1 // 1
    const action = recoveryFor(error)
    const code = error instanceof StreamsError ? error.code : 'UNKNOWN'
    this.recoveries.push({ action, code, message: errorMessage(error) })
    config.log(
      'warn',
      `commit failed (${code}: ${errorMessage(error)}); recovery ${action.kind}: aborting and rebuilding tasks from their checkpoints`,
    )
    await collector.abort() // 2
    await collector.replaceProducers() // 3
    const corrupted = action.kind === 'wipe-and-restore' ? action.taskIds : []
    const rebuilt = await tasks.reinitialize(corrupted) // 4
    await this.rewindToCommitted(rebuilt) // 5
  }

  /**
   * Step 5: seeks the inputs of `tasks` to their committed offsets, dropping what they buffered. Also
   * for tasks whose producer fenced the previous owner when they opened (task-producers.ts): the consumer
   * fetched their positions before that owner's last transaction was complete.
   */
  async rewindToCommitted(tasks: readonly StreamTask[]): Promise<void> {
    const { config, admin, consumer } = this.context
    for (const task of tasks) {
      for (const input of task.inputs) {
        const committed = (
          await retryBroker(config, 'committed offsets', () =>
            admin.committedOffsets(config.applicationId, input.topic),
          )
        ).find((o) => o.partition === input.partition)
        // what our own last successful commit wrote, when the broker does not show it yet: kafkajs cannot
        // ask for stable offsets, and right after a transaction it may return the ones before
        const ours = this.context.committedPositions.get(input)?.offset
        const known = Math.max(committed?.offset ?? -1, ours ?? -1)
        const start =
          known >= 0
            ? known
            : ((await retryBroker(config, 'start offsets', () => admin.startOffsets(input.topic))).find(
                (o) => o.partition === input.partition,
              )?.offset ?? 0)
        consumer.seek({ topic: input.topic, partition: input.partition, offset: start })
        // with the seek, at once: what the partition buffered came from the old position
        task.rewind(input.topic)
      }
    }
  }
}
