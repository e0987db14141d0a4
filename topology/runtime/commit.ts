// The commit protocol of one instance: when a commit is due, its steps, and the one commit in progress.
//
// Commit protocol (every commit interval, on request, before partitions are revoked, and on close):
//   0. Flush every task's record caches: each cached update is written through to its store and changelog
//      and forwarded downstream (its output joins this commit), until no cache holds any.
//   1. Flush every task's stores: dirty cache entries become changelog records in the collector; the
//      stores' pending writes and the tasks' consumed offsets so far are sealed as this commit's.
//   2. Produce everything buffered and wait for the acknowledgements.
//   3. exactly_once: add the sealed offsets to the transaction and commit it (output, changelogs and
//      offsets become visible atomically). at_least_once: commit the sealed offsets.
//   4. Only then write each store's sealed changes locally, with its changelog position as checkpoint:
//      local state is never ahead of the committed changelog. Where the client reported no positions
//      (confluent: transactions, and the at-least-once producer), the checkpoint advances by the records
//      written (a lower bound: a restore replays a little more), and at least every
//      `changelogEndRefreshMs`, and in every commit waited for (close, revocation), by the changelogs' end
//      offsets read now (`changelogEnds`). Once every checkpoint is taken, the collector is unsealed: the
//      next transaction's output goes while the stores write.
//   If 2, 3 or 4 fails: abort, replace the producer, drop every task's uncommitted state, rebuild the
//   tasks from their checkpoints and rewind the inputs to the committed offsets (the runtime's recovery).
// Steps 2–4 run in the background: batches keep being processed meanwhile, their output held back by the
// collector for the next transaction. One commit at a time: one that falls due meanwhile starts when the
// previous one is done, and processing waits for that only when it has run 3 commit intervals ahead;
// rebalances and close always wait.
//
// States of the commit in progress (`Commit.state`):
//
//   idle ──start──▶ flushing ──1──▶ producing ──2──▶ committing ──3──▶ writing-local ──4──▶ idle
//                       (exactly_once: flushing ──1──▶ committing, whose transaction commit does 2 and 3)
//   producing / committing / writing-local ──fails──▶ failed ──settle: recover──▶ idle
//
// A commit waited for at once (`commitNow`) handles its own failure: it goes back to idle, never to failed.
import type { KafkaAdmin, KafkaConsumer, TopicPartitionOffset } from '../../kafka/index.js'
import { TopicPartitionMap } from '../../kafka/index.js'
import { errorMessage } from '../errors.js'
import type { ChangelogAdvance } from '../../state/index.js'
import type { StreamTask } from './stream-task.js'
import type { ResolvedConfig } from './streams-config.js'
import type { TaskProducers } from './task-producers.js'
import { changelogTopic } from './topic-names.js'

export const commitStates = [
  'idle',
  'flushing',
  'producing',
  'committing',
  'writing-local',
  'failed',
] as const
export type CommitState = (typeof commitStates)[number]

/** Commit intervals that processing may run ahead of a commit in progress before it waits for it. */
const commitBacklogIntervals = 3

/**
 * How often, at most, a commit's checkpoints go by records counted instead of the changelogs' end offsets
 * when the client reports no positions (step 4). Each commit that writes a changelog partition adds a
 * commit marker the count does not see, so a checkpoint by count falls behind by one offset per commit:
 * reading the ends bounds what a restart after a crash replays to what was written in this long.
 */
const changelogEndRefreshMs = 30_000

/** What a commit works with: the instance's tasks, producers and consumer, and its recovery. */
export interface CommitContext {
  readonly config: Pick<
    ResolvedConfig,
    'applicationId' | 'processingGuarantee' | 'commitIntervalMs' | 'metrics' | 'log'
  >
  readonly tasks: () => readonly StreamTask[]
  readonly collector: TaskProducers
  readonly consumer: KafkaConsumer
  /** Changelog end offsets for step 4 (when the client reports no positions). */
  readonly admin: Pick<KafkaAdmin, 'endOffsets'>
  /** After a failed commit: rebuilds the tasks from their checkpoints and rewinds their inputs. */
  readonly recover: (error: unknown) => Promise<void>
}

export class Commit {
  private stateValue: CommitState = 'idle'
  /** Steps 2–4 of the commit started last, until it is settled (see `settle`). */
  private inFlight: Promise<void> | undefined
  private lastCommit = Date.now()
  /** When step 4 last read the changelogs' end offsets. */
  private lastChangelogEnds = Date.now()
  /** Records were processed, or a punctuation wrote, since the last commit started. */
  private uncommitted = false
  /** A processor asked for a commit while one was in progress. */
  private requested = false
  /** Last committed position per input partition (for the lag metric, and for rewinding after a failure). */
  readonly committedPositions = new TopicPartitionMap<TopicPartitionOffset>()

  constructor(private readonly context: CommitContext) {}

  get state(): CommitState {
    return this.stateValue
  }

  /** Steps 2–4 of a commit started in the background failed, and nothing has recovered from it yet. */
  get failed(): boolean {
    return this.stateValue === 'failed'
  }

  /** Steps 2–4 have not finished yet (successfully or not). */
  private get inProgress(): boolean {
    return (
      this.stateValue === 'producing' ||
      this.stateValue === 'committing' ||
      this.stateValue === 'writing-local'
    )
  }

  /** Something since the last commit needs committing. */
  get hasUncommitted(): boolean {
    return this.uncommitted
  }

  markUncommitted(): void {
    this.uncommitted = true
  }

  /** A processor asked for a commit: the next check starts one, due or not. */
  request(): void {
    this.requested = true
  }

  /**
   * Starts a commit when the interval has passed or a processor asked for one — unless one is still in
   * progress and started less than `commitBacklogIntervals` intervals ago: processing then goes on, and
   * the next commit starts at the first check after it is done.
   */
  async commitIfDue(): Promise<void> {
    const { commitIntervalMs } = this.context.config
    const sinceLast = Date.now() - this.lastCommit
    if (!this.requested && sinceLast < commitIntervalMs) return
    // a commit that runs long (a slow broker) is waited for after all, so that what the next one must
    // carry, and the output held back meanwhile, stay bounded
    if (this.inProgress && sinceLast < commitBacklogIntervals * commitIntervalMs) return
    this.requested = false
    await this.start()
  }

  /** Step 1, then steps 2–4 in the background. Waits for the previous commit first: one at a time. */
  private async start(readEnds = false): Promise<void> {
    await this.settle()
    const { collector } = this.context
    const tasks = this.context.tasks()
    const started = process.hrtime.bigint()
    this.stateValue = 'flushing'
    for (const task of tasks) await task.flushCaches() // 0
    for (const task of tasks) task.flushStores() // 1
    const offsets = tasks.flatMap((t) => t.offsets())
    collector.seal()
    this.lastCommit = Date.now()
    this.uncommitted = false
    const committing = this.finish(tasks, offsets, started, readEnds)
    this.inFlight = committing
    committing.then(
      () => {
        this.stateValue = 'idle'
      },
      () => {
        // failed only while it is still the commit to settle: a commit waited for at once (commitNow) has
        // been handled by then, and a failed state left behind would stop processing for good (every pass
        // would settle a commit that is no longer there)
        this.stateValue = this.inFlight === committing ? 'failed' : 'idle'
      },
    )
  }

  /** Steps 2–4. */
  private async finish(
    tasks: readonly StreamTask[],
    offsets: readonly TopicPartitionOffset[],
    started: bigint,
    readEnds: boolean,
  ): Promise<void> {
    const { config, collector, consumer } = this.context
    if (config.processingGuarantee === 'exactly_once') {
      this.stateValue = 'committing'
      await collector.commitTransaction(consumer, offsets) // 2 + 3
    } else {
      this.stateValue = 'producing'
      await collector.drain() // 2
      this.stateValue = 'committing'
      await consumer.commitOffsets(offsets) // 3
    }
    this.stateValue = 'writing-local'
    const ends = await this.changelogEnds(tasks, readEnds) // 4
    // every store's checkpoint, taken from what this commit wrote before anything more is sent
    const checkpointOf = (task: StreamTask, store: string): number | ChangelogAdvance | undefined => {
      const tp = { topic: changelogTopic(config.applicationId, store), partition: task.partition }
      const reported = collector.position(tp.topic, tp.partition)
      if (reported !== undefined) return reported
      const written = collector.unreportedWrites(tp.topic, tp.partition)
      const end = ends.get(tp)
      return written === 0 && end === undefined ? undefined : { written, end }
    }
    const checkpoints = tasks.map(
      (task) => new Map([...task.stores.keys()].map((store) => [store, checkpointOf(task, store)])),
    )
    // the transaction is committed and every checkpoint taken: what was held back goes into the next
    // transaction while the stores write (a failed write recovers, which aborts that one too)
    collector.clearPositions()
    collector.unseal()
    await Promise.all(tasks.map((task, i) => task.commitStores((store) => checkpoints[i]!.get(store))))
    for (const o of offsets) this.committedPositions.set(o, o)
    config.metrics.committed(Number(process.hrtime.bigint() - started) / 1e9)
  }

  /**
   * Step 4, for the changelog partitions whose checkpoints went by count (writes of this commit or an
   * earlier one whose offsets went unreported): their end offsets, read after the commit and before the
   * collector sends anything more — when asked, or when the last read is `changelogEndRefreshMs` old. A
   * failed read costs only precision: the checkpoints then go by count.
   */
  private async changelogEnds(
    tasks: readonly StreamTask[],
    always: boolean,
  ): Promise<TopicPartitionMap<number>> {
    const ends = new TopicPartitionMap<number>()
    if (!always && Date.now() - this.lastChangelogEnds < changelogEndRefreshMs) return ends
    const { config, collector, admin } = this.context
    const topics = new Set<string>()
    for (const task of tasks)
      for (const store of task.stores.values()) {
        const topic = changelogTopic(config.applicationId, store.name)
        if (store.checkpointByCount || collector.unreportedWrites(topic, task.partition) > 0)
          topics.add(topic)
      }
    if (topics.size === 0) return ends
    this.lastChangelogEnds = Date.now()
    try {
      for (const offsets of await Promise.all([...topics].map((topic) => admin.endOffsets(topic))))
        for (const o of offsets) ends.set(o, o.offset)
    } catch (error) {
      config.log('info', `changelog end offsets not read (checkpoints go by count): ${errorMessage(error)}`)
    }
    return ends
  }

  /** Waits for the commit in progress; if it failed, recovers (abort, rebuild the tasks, rewind). */
  async settle(): Promise<void> {
    const committing = this.inFlight
    if (!committing) {
      if (this.stateValue === 'failed') this.stateValue = 'idle'
      return
    }
    try {
      await committing
    } catch (error) {
      await this.recover(error)
    } finally {
      this.inFlight = undefined
      if (this.stateValue === 'failed') this.stateValue = 'idle'
    }
  }

  /**
   * A whole commit, waited for. A failure is logged under `what`, then the tasks are recovered — or, when
   * the instance is closing, the transaction is only aborted.
   */
  async commitNow(what: string, onFailure: 'recover' | 'abort'): Promise<void> {
    await this.start(true)
    const committing = this.inFlight
    this.inFlight = undefined
    if (this.stateValue === 'failed') this.stateValue = 'idle'
    try {
      await committing
    } catch (error) {
      this.context.config.log('warn', `${what} failed: ${errorMessage(error)}`)
      if (onFailure === 'recover') await this.recover(error)
      else await this.context.collector.abort()
    }
  }

  /** On close after a failure: waits for the commit in progress without recovering from it. */
  async abandon(): Promise<void> {
    await this.inFlight?.catch(() => undefined)
  }

  private async recover(error: unknown): Promise<void> {
    await this.context.recover(error)
    this.lastCommit = Date.now()
    this.uncommitted = false
  }
}
