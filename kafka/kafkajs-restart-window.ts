// kafkajs restarts its consumer after a crash on a retriable error (a broker gone for longer than its
// retries, as in a rolling restart): it stops the consumer group, waits, and builds a new one that joins
// again. In between, `seek`, `pause` and `resume` throw ("Consumer group was not initialized") — a recovery
// that rewound its tasks then, stopped the instance (broker-loss certification) — and the new group forgets
// the pauses. This keeps what was asked for meanwhile and applies it when the new group has joined
// (GROUP_JOIN, before its first fetch): to the caller, the consumer never went away, as Java's never does.
import type { Consumer as KjsConsumer } from 'kafkajs'
import type { TopicPartition, TopicPartitionOffset } from './kafka-port.js'
import { TopicPartitionMap } from './topic-partition-map.js'

type Controls = Pick<KjsConsumer, 'seek' | 'pause' | 'resume'>

export class KafkajsRestartWindow {
  private restarting = false
  /** The last position sought per partition while restarting. */
  private readonly seeks = new TopicPartitionMap<TopicPartitionOffset>()
  /** Every partition paused and not resumed since, restarting or not: the new group must pause them again. */
  private readonly paused = new TopicPartitionMap<TopicPartition>()

  constructor(private readonly consumer: Controls) {}

  /** The consumer group stopped without our asking (kafkajs's STOP during a crash): calls wait for the join. */
  stopped(): void {
    this.restarting = true
  }

  /** A group joined with this assignment: after a restart, what was asked for meanwhile is applied now. */
  joined(assigned: TopicPartitionMap<TopicPartition>): void {
    if (!this.restarting) return
    this.restarting = false
    for (const position of this.seeks.values()) if (assigned.has(position)) this.seekNow(position)
    this.seeks.clear()
    const paused = [...this.paused.values()].filter((tp) => assigned.has(tp))
    if (paused.length > 0) this.consumer.pause(byTopic(paused))
  }

  seek(position: TopicPartitionOffset): void {
    if (this.restarting) this.seeks.set(position, position)
    else this.seekNow(position)
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.set(tp, tp)
    if (!this.restarting) this.consumer.pause(byTopic(partitions))
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tp)
    if (!this.restarting) this.consumer.resume(byTopic(partitions))
  }

  private seekNow(position: TopicPartitionOffset): void {
    this.consumer.seek({
      topic: position.topic,
      partition: position.partition,
      offset: String(position.offset),
    })
  }
}

function byTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  return partitions.map((p) => ({ topic: p.topic, partitions: [p.partition] }))
}
