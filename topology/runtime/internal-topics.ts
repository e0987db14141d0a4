// Start-up checks and topic creation: source topics exist and are co-partitioned within each subtopology,
// and the internal topics (repartition and changelog, prefixed with the application id) exist with the
// partition count of the tasks that use them.
import { retrying, type KafkaAdmin, type TopicSpec } from '../../kafka/index.js'
import { StreamsError } from '../errors.js'
import type { Topology } from '../topology.js'
import { changelogTopic, internalTopic } from './topic-names.js'

const day = 24 * 3600_000

/** How long the creation of internal topics is retried while it fails with a retriable error, ms. */
export const topicCreationTimeoutMs = 60_000

export interface TopicLayout {
  /** Task count (= partition count of its inputs) per subtopology id. */
  readonly tasksPerSubtopology: ReadonlyMap<number, number>
  /** Partition count of every topic the application reads or writes, by run-time name. */
  readonly partitions: ReadonlyMap<string, number>
}

/**
 * 1. Describe every external source topic; a missing one is an error naming it.
 * 2. Per subtopology, its external sources must share one partition count (co-partitioning).
 * 3. A repartition topic gets the task count of the subtopology that writes it; a subtopology reading
 *    only repartition topics takes their count.
 * 4. Create missing internal topics; check output topics exist.
 */
export async function prepareTopics(
  admin: KafkaAdmin,
  topology: Topology,
  applicationId: string,
  replicationFactor: number,
  outputTopics: readonly string[],
  /** Kafka Streams' windowstore.changelog.additional.retention.ms: window changelogs keep records this much longer than their store. */
  windowChangelogAdditionalRetentionMs = day,
): Promise<TopicLayout> {
  const existing = new Set(await admin.listTopics())
  const external = [
    ...new Set(
      topology.subtopologies.flatMap((s) => s.sourceTopics.filter((t) => !s.internalSources.includes(t))),
    ),
  ]
  const globals = topology.globalTables.map((g) => g.topic)
  const missing = [...external, ...globals, ...outputTopics].filter((t) => !existing.has(t))
  if (missing.length > 0) {
    throw new StreamsError(
      'CONFIG_INVALID',
      `topics ${missing.join(', ')} do not exist; create them first (npm start creates the service's topics)`,
    )
  }
  const partitions = new Map<string, number>()
  const described = await admin.describeTopics([...new Set([...external, ...globals, ...outputTopics])])
  for (const d of described) partitions.set(d.topic, d.partitions.length)

  const tasks = new Map<number, number>()
  for (const sub of topology.subtopologies) {
    const counts = sub.sourceTopics
      .filter((t) => !sub.internalSources.includes(t))
      .map((t) => [t, partitions.get(t)!] as const)
    const distinct = new Set(counts.map(([, n]) => n))
    if (distinct.size > 1) {
      throw new StreamsError(
        'CO_PARTITIONING',
        `topics read by one task must have the same partition count: ${counts.map(([t, n]) => `${t}=${n}`).join(', ')} ` +
          `(sub-topology ${sub.id}); recreate them with equal partitions or repartition one side`,
      )
    }
    if (counts.length > 0) tasks.set(sub.id, counts[0]![1])
  }
  // repartition topics sized by the topology (KStream.repartition with a partition count)
  const sized = new Map<string, number>()
  for (const sub of topology.subtopologies) {
    for (const [topic, count] of sub.internalSinkPartitions)
      sized.set(internalTopic(applicationId, topic), count)
  }
  // an internal topic read by a task that also reads external topics must match them (co-partitioning)
  for (const sub of topology.subtopologies) {
    const count = tasks.get(sub.id)
    if (count === undefined) continue
    for (const topic of sub.internalSources) {
      const name = internalTopic(applicationId, topic)
      const asked = sized.get(name)
      if (asked !== undefined && asked !== count)
        throw new StreamsError(
          'CO_PARTITIONING',
          `repartition topic ${name} asks for ${asked} partitions, but sub-topology ${sub.id} reads it with topics of ${count}`,
        )
      partitions.set(name, count)
    }
  }
  for (const [name, count] of sized) if (!partitions.has(name)) partitions.set(name, count)
  // the other repartition topics take the task count of their writer, until stable (chains of repartitions)
  for (let changed = true; changed;) {
    changed = false
    for (const sub of topology.subtopologies) {
      for (const topic of sub.internalSinks) {
        const count = tasks.get(sub.id)
        const name = internalTopic(applicationId, topic)
        if (count !== undefined && !partitions.has(name)) {
          partitions.set(name, count)
          changed = true
        }
      }
      if (!tasks.has(sub.id)) {
        const counts = sub.internalSources.map((t) => partitions.get(internalTopic(applicationId, t)))
        if (counts.every((n) => n !== undefined) && counts.length > 0) {
          tasks.set(sub.id, Math.max(...counts))
          changed = true
        }
      }
    }
  }
  const specs: TopicSpec[] = []
  for (const sub of topology.subtopologies) {
    const count = tasks.get(sub.id)
    if (count === undefined)
      throw new StreamsError('TOPOLOGY_INVALID', `cannot tell how many tasks sub-topology ${sub.id} has`)
    for (const topic of sub.internalSinks) {
      const name = internalTopic(applicationId, topic)
      specs.push({ topic: name, partitions: partitions.get(name) ?? count, replicationFactor })
    }
    for (const store of sub.stores) {
      if (!store.logging) continue
      const name = changelogTopic(applicationId, store.name)
      partitions.set(name, count)
      const config: Record<string, string> =
        store.type === 'key-value'
          ? { 'cleanup.policy': 'compact' }
          : {
              'cleanup.policy': 'compact,delete',
              'retention.ms': String((store.retentionMs ?? 6 * day) + windowChangelogAdditionalRetentionMs),
            }
      specs.push({ topic: name, partitions: count, replicationFactor, config })
    }
  }
  // topics created a moment ago (by this call, or another instance's) may not be in every broker's
  // metadata yet: kafkajs's creation then fails with UNKNOWN_TOPIC_OR_PARTITION (seen on a 3-broker
  // cluster starting under load) — retried within a bound, as the retriable errors of a broker
  await retrying('create internal topics', () => admin.createTopics(specs), {
    timeoutMs: topicCreationTimeoutMs,
    alsoRetry: (error) => error.code === 'TOPIC_NOT_FOUND',
  })
  return { tasksPerSubtopology: tasks, partitions }
}
