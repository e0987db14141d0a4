// A map keyed by topic-partition (Kafka's Map<TopicPartition, V>): one value per (topic, partition), with
// the pair handed back as a TopicPartition, so that no caller builds or parses string keys.
import type { TopicPartition } from './kafka-port.js'

export class TopicPartitionMap<V> implements Iterable<[TopicPartition, V]> {
  private readonly topics = new Map<string, Map<number, V>>()
  private count = 0

  constructor(entries: Iterable<readonly [TopicPartition, V]> = []) {
    for (const [tp, value] of entries) this.set(tp, value)
  }

  get size(): number {
    return this.count
  }

  get(tp: TopicPartition): V | undefined {
    return this.topics.get(tp.topic)?.get(tp.partition)
  }

  /** `get` without a TopicPartition object (for per-record callers). */
  getAt(topic: string, partition: number): V | undefined {
    return this.topics.get(topic)?.get(partition)
  }

  has(tp: TopicPartition): boolean {
    return this.topics.get(tp.topic)?.has(tp.partition) ?? false
  }

  set(tp: TopicPartition, value: V): this {
    return this.setAt(tp.topic, tp.partition, value)
  }

  /** `set` without a TopicPartition object (for per-record callers). */
  setAt(topic: string, partition: number, value: V): this {
    let partitions = this.topics.get(topic)
    if (!partitions) this.topics.set(topic, (partitions = new Map<number, V>()))
    if (!partitions.has(partition)) this.count += 1
    partitions.set(partition, value)
    return this
  }

  /** Deletes the entry; true if there was one. */
  delete(tp: TopicPartition): boolean {
    const partitions = this.topics.get(tp.topic)
    if (!partitions?.delete(tp.partition)) return false
    if (partitions.size === 0) this.topics.delete(tp.topic)
    this.count -= 1
    return true
  }

  clear(): void {
    this.topics.clear()
    this.count = 0
  }

  *[Symbol.iterator](): IterableIterator<[TopicPartition, V]> {
    for (const [topic, partitions] of this.topics)
      for (const [partition, value] of partitions) yield [{ topic, partition }, value]
  }

  entries(): IterableIterator<[TopicPartition, V]> {
    return this[Symbol.iterator]()
  }

  *keys(): IterableIterator<TopicPartition> {
    for (const [tp] of this) yield tp
  }

  *values(): IterableIterator<V> {
    for (const partitions of this.topics.values()) yield* partitions.values()
  }
}
