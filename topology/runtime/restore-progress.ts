// The progress line of a changelog restore: records restored, records left (the changelogs' end offsets
// less the positions reached: an upper bound, as compaction and transaction markers leave gaps) and the
// rate. `start` logs the plan, the timer one line every `everyMs` while the restore runs, `finish` the total.
import { TopicPartitionMap, type TopicPartition } from '../../kafka/index.js'
import type { StreamsLog } from './streams-config.js'

export interface RestoreProgressOptions {
  readonly everyMs?: number
  readonly now?: () => number
}

export class RestoreProgress {
  private readonly remainingByPartition = new TopicPartitionMap<number>()
  private done = 0
  private readonly startedAt: number
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number

  constructor(
    private readonly log: StreamsLog,
    private readonly fields: { readonly tasks: number; readonly partitions: number },
    options: RestoreProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.startedAt = this.now()
    const everyMs = options.everyMs ?? 5000
    if (everyMs > 0) {
      this.timer = setInterval(() => this.report(), everyMs)
      this.timer.unref()
    }
  }

  /** A changelog partition to read, with the records between its start and end offsets. */
  expect(partition: TopicPartition, records: number): void {
    this.remainingByPartition.set(partition, Math.max(0, records))
  }

  /** Records restored into a partition's store; `remaining` is its end offset less the next position. */
  restored(partition: TopicPartition, records: number, remaining: number): void {
    this.done += records
    this.remainingByPartition.set(partition, Math.max(0, remaining))
  }

  get remaining(): number {
    let sum = 0
    for (const n of this.remainingByPartition.values()) sum += n
    return sum
  }

  /** The numbers of a progress line. */
  snapshot(): { restored: number; remaining: number; perSecond: number; elapsedMs: number } {
    const elapsedMs = this.now() - this.startedAt
    const perSecond = elapsedMs > 0 ? Math.round((this.done * 1000) / elapsedMs) : 0
    return { restored: this.done, remaining: this.remaining, perSecond, elapsedMs }
  }

  start(): void {
    this.log('info', `restoring state: up to ${this.remaining} records`, {
      ...this.fields,
      remaining: this.remaining,
    })
  }

  report(): void {
    const s = this.snapshot()
    this.log(
      'info',
      `restoring state: ${s.restored} records restored, ${s.remaining} left, ${s.perSecond}/s`,
      {
        ...this.fields,
        ...s,
      },
    )
  }

  /** Stops the timer (a restore that failed ends here, without a total). */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  finish(): void {
    this.stop()
    const s = this.snapshot()
    this.log('info', `restored ${s.restored} records in ${s.elapsedMs} ms (${s.perSecond}/s)`, {
      ...this.fields,
      restored: s.restored,
      elapsedMs: s.elapsedMs,
      perSecond: s.perSecond,
    })
  }
}
