// A group consumer's lag per partition on the confluent client (`KafkaConsumer.currentLag`), from
// librdkafka's own bookkeeping, no broker call: the high watermark of the partition's last fetch (under
// read_committed the last stable offset, as Java's consumer counts it) minus the position after the last
// record delivered to `eachBatch`.
import type { NativeClientModule } from './native-client.js'
import { TopicPartitionMap } from './topic-partition-map.js'
import type { TopicPartition } from './kafka-port.js'

type NativeKafkaConsumer = InstanceType<NativeClientModule['KafkaConsumer']>

/**
 * How long librdkafka's position may stay ahead of what was delivered before the difference counts as
 * control records rather than messages on their way to `eachBatch` (see `currentLag`).
 */
const gapGraceMs = 200

/** How often librdkafka reports the last stable offsets (its statistics have a 1 s granularity). */
export const stableOffsetsIntervalMs = 1000

/** The part of librdkafka's statistics JSON (STATISTICS.md) that `currentLag` reads. */
interface LibrdkafkaStatistics {
  readonly topics?: Record<string, { readonly partitions?: Record<string, { readonly ls_offset: number }> }>
}

interface PartitionView {
  /** Offset after the last record delivered since the last assignment or seek. */
  readonly delivered?: number
  /** librdkafka's position when a seek was asked for: until it changes, the seek has not run. */
  readonly soughtAt?: number | 'none'
  /** The position ahead of `delivered`, and since when it is. */
  readonly gap?: { readonly position: number; readonly since: number }
}

export class ConfluentLag {
  /** What `currentLag` needs to know of each partition, beyond librdkafka's own bookkeeping. */
  private readonly views = new TopicPartitionMap<PartitionView>()
  /** Last stable offset per partition as of librdkafka's last statistics (read_committed only). */
  private readonly stableOffsets = new TopicPartitionMap<number>()

  constructor(
    private readonly native: () => NativeKafkaConsumer,
    private readonly readCommitted: boolean,
  ) {}

  /** librdkafka's statistics (JSON): each fetched partition's last stable offset (`ls_offset`). */
  onStatistics(json: string): void {
    let stats: LibrdkafkaStatistics
    try {
      stats = JSON.parse(json) as LibrdkafkaStatistics
    } catch {
      return
    }
    for (const [topic, { partitions }] of Object.entries(stats.topics ?? {})) {
      for (const [id, { ls_offset }] of Object.entries(partitions ?? {})) {
        const partition = Number(id)
        if (partition >= 0 && ls_offset >= 0) this.stableOffsets.set({ topic, partition }, ls_offset)
      }
    }
  }

  /** The partition was assigned or revoked: nothing known of it. */
  forget(tp: TopicPartition): void {
    this.views.delete(tp)
    this.stableOffsets.delete(tp)
  }

  /** Records up to `next` (exclusive) were delivered. */
  delivered(tp: TopicPartition, next: number): void {
    this.views.set(tp, { delivered: next })
  }

  /** A seek was asked for: the lag is unknown until librdkafka's position moves. */
  sought(tp: TopicPartition): void {
    this.views.set(tp, { soughtAt: this.position(tp) ?? 'none' })
  }

  /**
   * librdkafka's position runs ahead of what was delivered by messages the consumer holds or has in
   * transit (delivered within moments) and by control records (never delivered): a position ahead is
   * trusted once it stayed so for `gapGraceMs`. Under read_committed the end is the last stable offset:
   * records of a transaction still open are not on their way yet, and counted as lag they would keep a
   * task waiting for as long as producers keep a transaction open there (always, for a repartition topic
   * written under exactly-once). librdkafka reports that offset only in its statistics, every
   * `stableOffsetsIntervalMs`: until the first, the high watermark stands in; between two, the lag may be
   * short by what was committed since.
   */
  currentLag(tp: TopicPartition): number | undefined {
    let marks: { highOffset: number; lowOffset: number }
    try {
      marks = this.native().getWatermarkOffsets(tp.topic, tp.partition)
    } catch {
      return undefined
    }
    const stable = this.readCommitted ? this.stableOffsets.get(tp) : undefined
    const high = stable === undefined ? marks.highOffset : Math.min(marks.highOffset, stable)
    if (!(high >= 0)) return undefined
    const view = this.views.get(tp) ?? {}
    const position = this.position(tp)
    // a seek not run yet: the position is still the old one
    if (view.soughtAt !== undefined && (position ?? 'none') === view.soughtAt) return undefined
    const delivered = view.delivered
    if (position === undefined || (delivered !== undefined && position <= delivered)) {
      if (delivered !== undefined) return Math.max(0, high - delivered)
      return high === marks.lowOffset ? 0 : undefined
    }
    const now = Date.now()
    if (view.gap?.position !== position) this.views.set(tp, { ...view, gap: { position, since: now } })
    const since = view.gap?.position === position ? view.gap.since : now
    if (now - since >= gapGraceMs) return Math.max(0, high - position)
    return delivered === undefined ? undefined : Math.max(0, high - delivered)
  }

  /** librdkafka's position of a partition (the offset after the last message consumed), if it has one. */
  private position(tp: TopicPartition): number | undefined {
    try {
      const [found] = this.native().position([{ topic: tp.topic, partition: tp.partition }])
      const offset = Number(found?.offset)
      return offset >= 0 ? offset : undefined
    } catch {
      return undefined
    }
  }
}
