// Metrics refreshed off the hot path, on a timer: consumer lag (end offset minus committed position) of
// every input partition this instance runs, and the size and key count of its stores.
import type { KafkaAdmin, TopicPartitionMap, TopicPartitionOffset } from '../../kafka/index.js'
import type { StreamTask } from './stream-task.js'
import type { StreamsMetrics } from './streams-metrics.js'

export async function refreshRuntimeMetrics(
  admin: KafkaAdmin,
  groupId: string,
  tasks: Iterable<StreamTask>,
  committed: TopicPartitionMap<TopicPartitionOffset>,
  metrics: StreamsMetrics,
): Promise<void> {
  const running = [...tasks]
  const inputs = running.flatMap((t) => t.inputs)
  for (const topic of new Set(inputs.map((i) => i.topic))) {
    const ends = await admin.endOffsets(topic)
    let groupOffsets: TopicPartitionOffset[] | undefined
    for (const input of inputs.filter((i) => i.topic === topic)) {
      const end = ends.find((e) => e.partition === input.partition)?.offset ?? 0
      let position = committed.get(input)?.offset
      if (position === undefined) {
        groupOffsets ??= await admin.committedOffsets(groupId, topic)
        position = groupOffsets.find((c) => c.partition === input.partition)?.offset ?? 0
      }
      metrics.lag(topic, input.partition, Math.max(0, end - position))
    }
  }
  const sizes = new Map<string, number>()
  const keys = new Map<string, number>()
  for (const task of running) {
    for (const store of task.stores.values()) {
      sizes.set(store.name, (sizes.get(store.name) ?? 0) + (await store.approximateBytes()))
      keys.set(store.name, (keys.get(store.name) ?? 0) + (await store.keyCount()))
    }
  }
  for (const [store, bytes] of sizes) metrics.storeSize(store, bytes)
  for (const [store, count] of keys) metrics.storeKeys(store, count)
}
