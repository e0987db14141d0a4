// The records a task has fetched but not processed yet, one queue per input partition, and the choice of
// the record to process next (Kafka Streams' PartitionGroup and RecordQueue; KIP-353, KIP-695). This is the
// "choose" step of a stream thread's poll → choose → process → commit loop. Pure: no I/O and no clock —
// the caller passes wall-clock time and each partition's lag as its Kafka client last reported it.
//
// The choice, per record:
//   1. The task is ready when every input partition has a buffered record, or when each partition without
//      one is known to have nothing more on the broker (lag 0) and has been waited for `maxTaskIdleMs` of
//      wall-clock time (default 0: not at all). A partition whose lag is > 0 is waited for, however long
//      it takes: its records are on their way. `maxTaskIdleMs` = -1 never waits.
//   2. A partition whose lag the client cannot tell yet (nothing fetched since it was assigned or sought)
//      is waited for `unknownLagWaitMs`, then counts as lag 0. Kafka Streams waits for the first fetch's
//      metadata instead; our clients report no lag for a fetch that returned nothing.
//   3. The next record is the head with the smallest timestamp across the partitions; on a tie, the
//      partition listed first among the task's inputs. Within a partition, records stay in offset order.
// A record whose offset is below what the queue already took (a client delivering a batch again) is
// dropped: every offset is processed at most once between two resets (a seek rewinds a queue).
import { StreamsError } from '../errors.js'

/** What the group needs of a record. */
export interface QueuedRecord {
  readonly offset: number
  readonly timestamp: number
}

export interface PartitionGroupOptions {
  /** Kafka Streams' max.task.idle.ms: -1 never waits, 0 (default) waits only for known lag. */
  readonly maxTaskIdleMs: number
  /** How long a partition of unknown lag is waited for before it counts as caught up. */
  readonly unknownLagWaitMs: number
}

export const waitReasons = ['empty', 'lag', 'unknown-lag', 'idle'] as const
/** Why a task is not ready: nothing buffered, or an empty partition it waits for. */
export type WaitReason = (typeof waitReasons)[number]

export type Readiness =
  | {
      readonly ready: true
      /** Empty partitions given up on (lag 0 and idle time over): processing may be out of order. */
      readonly enforced: readonly string[]
    }
  | {
      readonly ready: false
      readonly reason: WaitReason
      /** The partition waited for (absent when nothing is buffered at all). */
      readonly partition?: string
      /** Wall-clock time at which waiting ends, when it ends by itself. */
      readonly until?: number
    }

interface Queue<R> {
  readonly name: string
  records: R[]
  head: number
  /** The offset after the last record taken; lower offsets are dropped. */
  next: number | undefined
  /** Set while the partition is empty with lag 0: when waiting for it ends (maxTaskIdleMs). */
  idleDeadline: number | undefined
  /** Set while the partition is empty with unknown lag: since when. */
  unknownSince: number | undefined
}

/** The readiness answers with nothing of their own, shared: asked before every record, none is made per record. */
const readyAll: Readiness = Object.freeze({ ready: true, enforced: Object.freeze([]) })
const notReadyEmpty: Readiness = Object.freeze({ ready: false, reason: 'empty' })

export class PartitionGroup<R extends QueuedRecord> {
  private readonly queues: Queue<R>[]
  private readonly byName = new Map<string, Queue<R>>()
  private total = 0

  /** `partitions`: the task's input partitions, in the order that breaks timestamp ties. */
  constructor(
    partitions: readonly string[],
    private readonly options: PartitionGroupOptions,
  ) {
    this.queues = partitions.map((name) => ({
      name,
      records: [],
      head: 0,
      next: undefined,
      idleDeadline: undefined,
      unknownSince: undefined,
    }))
    for (const queue of this.queues) this.byName.set(queue.name, queue)
  }

  get partitions(): string[] {
    return this.queues.map((q) => q.name)
  }

  /** Buffers records of one partition (in offset order); returns how many that partition now buffers. */
  add(partition: string, records: readonly R[]): number {
    const queue = this.queue(partition)
    for (const record of records) {
      if (queue.next !== undefined && record.offset < queue.next) continue
      queue.records.push(record)
      queue.next = record.offset + 1
      this.total += 1
    }
    return queue.records.length - queue.head
  }

  /** Records buffered, of one partition or of all. */
  buffered(partition?: string): number {
    if (partition === undefined) return this.total
    const queue = this.queue(partition)
    return queue.records.length - queue.head
  }

  /** Step 1 and 2 of the choice (see the top of this file). `lagOf` is asked only for empty partitions. */
  readiness(now: number, lagOf: (partition: string) => number | undefined): Readiness {
    if (this.total === 0) return notReadyEmpty
    if (this.options.maxTaskIdleMs < 0) return readyAll
    let enforced: string[] | undefined
    for (const queue of this.queues) {
      if (queue.head < queue.records.length) {
        queue.idleDeadline = undefined
        queue.unknownSince = undefined
        continue
      }
      const lag = lagOf(queue.name)
      if (lag === undefined) {
        queue.unknownSince ??= now
        const until = queue.unknownSince + this.options.unknownLagWaitMs
        if (now < until) {
          queue.idleDeadline = undefined
          return { ready: false, reason: 'unknown-lag', partition: queue.name, until }
        }
      } else {
        queue.unknownSince = undefined
        if (lag > 0) {
          queue.idleDeadline = undefined
          return { ready: false, reason: 'lag', partition: queue.name }
        }
      }
      queue.idleDeadline ??= now + this.options.maxTaskIdleMs
      if (now < queue.idleDeadline)
        return { ready: false, reason: 'idle', partition: queue.name, until: queue.idleDeadline }
      enforced ??= []
      enforced.push(queue.name)
    }
    return enforced ? { ready: true, enforced } : readyAll
  }

  /** Step 3: takes the buffered head with the smallest timestamp. */
  poll(): R | undefined {
    let chosen: Queue<R> | undefined
    for (const queue of this.queues) {
      if (queue.head >= queue.records.length) continue
      if (!chosen || queue.records[queue.head]!.timestamp < chosen.records[chosen.head]!.timestamp)
        chosen = queue
    }
    if (!chosen) return undefined
    const record = chosen.records[chosen.head]!
    chosen.head += 1
    this.total -= 1
    if (chosen.head === chosen.records.length) {
      chosen.records = []
      chosen.head = 0
    } else if (chosen.head >= 1024 && chosen.head * 2 >= chosen.records.length) {
      chosen.records = chosen.records.slice(chosen.head)
      chosen.head = 0
    }
    return record
  }

  /** Drops what one partition buffers (its consumer was sought): the next record may have any offset. */
  reset(partition: string): void {
    const queue = this.queue(partition)
    this.total -= queue.records.length - queue.head
    queue.records = []
    queue.head = 0
    queue.next = undefined
    queue.idleDeadline = undefined
    queue.unknownSince = undefined
  }

  private queue(partition: string): Queue<R> {
    const queue = this.byName.get(partition)
    if (!queue) throw new StreamsError('TOPOLOGY_INVALID', `${partition} is not an input of this task`)
    return queue
  }
}
