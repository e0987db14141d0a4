// The benchmark's Kafka plumbing, through the project's Kafka port: one run's topics, preloading a backlog,
// and watching a consumer group drain it (its committed offsets reaching the end offsets).
import type {
  KafkaAdmin,
  KafkaClient,
  KafkaProducer,
  OutgoingRecord,
  PartitionReader,
} from '../kafka/index.js'
import { internalTopic } from '../topology/runtime/topic-names.js'

export interface RunTopics {
  readonly commands: string
  readonly payments: string
  readonly resources: string
  readonly promotions: string
  readonly events: string
  readonly notifications: string
  readonly dlq: string
  /** Output of the raw pipes. */
  readonly pipeOut: string
  /** The engine workloads' input stream, second stream (stream–stream join), table and output. */
  readonly source: string
  readonly other: string
  readonly table: string
  readonly sink: string
}

export type TopicRole = keyof RunTopics

export function runTopics(prefix: string): RunTopics {
  return {
    commands: `${prefix}-reservation-commands`,
    payments: `${prefix}-payments`,
    resources: `${prefix}-resources`,
    promotions: `${prefix}-promotions`,
    events: `${prefix}-reservation`,
    notifications: `${prefix}-reservation-notifications`,
    dlq: `${prefix}-reservation-dlq`,
    pipeOut: `${prefix}-pipe-out`,
    source: `${prefix}-source`,
    other: `${prefix}-other`,
    table: `${prefix}-table`,
    sink: `${prefix}-sink`,
  }
}

/** The repartition topics of the service (and of the Kafka Streams application, which names them alike). */
export function internalRepartitionTopics(applicationId: string): string[] {
  return [
    internalTopic(applicationId, 'reservation-routes-repartition'),
    internalTopic(applicationId, 'payments-by-resource-repartition'),
  ]
}

/** Tables (read whole by the systems) are compacted. */
const compactedRoles: ReadonlySet<TopicRole> = new Set(['resources', 'promotions', 'table'])

/** Creates the topics of `roles`, `partitions` each. */
export async function createRunTopics(
  admin: KafkaAdmin,
  topics: RunTopics,
  roles: readonly TopicRole[],
  partitions: number,
): Promise<void> {
  const compacted = { 'cleanup.policy': 'compact' }
  await admin.createTopics(
    roles.map((role) => ({
      topic: topics[role],
      partitions,
      ...(compactedRoles.has(role) ? { config: compacted } : {}),
    })),
  )
}

/** Produces every record (in chunks, a few in flight), calling `progress` with the count acknowledged. */
export async function produceAll(
  producer: KafkaProducer,
  records: readonly OutgoingRecord[],
  progress: (acknowledged: number) => void = () => {},
  chunkSize = 5000,
  concurrency = 4,
): Promise<void> {
  let next = 0
  let acknowledged = 0
  const worker = async () => {
    while (next < records.length) {
      const chunk = records.slice(next, next + chunkSize)
      next += chunk.length
      await producer.send(chunk)
      acknowledged += chunk.length
      progress(acknowledged)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

export async function totalEndOffset(admin: KafkaAdmin, topic: string): Promise<number> {
  return (await admin.endOffsets(topic)).reduce((sum, o) => sum + o.offset, 0)
}

export interface DrainWatch {
  readonly admin: KafkaAdmin
  readonly groupId: string
  /** Input topics with their (fixed) end offsets per partition. */
  readonly inputs: ReadonlyMap<string, ReadonlyMap<number, number>>
  /** Topics the application writes and reads itself; drained when the committed offsets reach their current end. */
  readonly internal: readonly string[]
  /** Under exactly-once the last offset of an internal partition is a transaction marker, never committed. */
  readonly markerSlack: number
  /**
   * Whether a partition holds a committed record at or after an offset (read_committed). When given, an
   * internal partition whose committed offset is further from its end than `markerSlack` counts as drained
   * if it holds none after that offset: only transaction markers (or aborted records) follow. With a producer
   * per task (kafkajs under exactly-once) each upstream task's last transaction leaves its own marker.
   */
  readonly recordsFrom?: (topic: string, partition: number, offset: number) => Promise<boolean>
  readonly timeoutMs: number
  /** Fails when the committed offsets do not move for this long. */
  readonly stallMs: number
  /** Throws (e.g. "the process exited") to abort the wait. */
  readonly check: () => void
  readonly progress?: (committed: number, total: number) => void
  readonly pollMs?: number
}

/** Resolves with the time (epoch ms) when every input and internal partition was fully committed. */
export async function waitDrained(watch: DrainWatch): Promise<number> {
  const started = Date.now()
  const total = [...watch.inputs.values()].reduce(
    (sum, ends) => sum + [...ends.values()].reduce((a, b) => a + b, 0),
    0,
  )
  let lastCommitted = -1
  let lastMove = started
  for (;;) {
    watch.check()
    const now = Date.now()
    let committedInputs = 0
    let done = true
    try {
      for (const [topic, ends] of watch.inputs) {
        const committed = new Map(
          (await watch.admin.committedOffsets(watch.groupId, topic)).map((o) => [o.partition, o.offset]),
        )
        for (const [partition, end] of ends) {
          const at = Math.min(end, committed.get(partition) ?? 0)
          committedInputs += at
          if (at < end) done = false
        }
      }
      if (done) {
        for (const topic of watch.internal) {
          const ends = await watch.admin.endOffsets(topic)
          const committed = new Map(
            (await watch.admin.committedOffsets(watch.groupId, topic)).map((o) => [o.partition, o.offset]),
          )
          for (const end of ends) {
            const at = committed.get(end.partition) ?? 0
            if (at >= end.offset - watch.markerSlack) continue
            if (!watch.recordsFrom || (await watch.recordsFrom(topic, end.partition, at))) done = false
          }
        }
      }
    } catch {
      done = false // e.g. an unstable offset while a transaction commits: ask again
    }
    if (done) return now
    if (committedInputs > lastCommitted) {
      lastCommitted = committedInputs
      lastMove = now
      watch.progress?.(committedInputs, total)
    }
    if (now - started > watch.timeoutMs)
      throw new Error(
        `not drained within ${Math.round(watch.timeoutMs / 1000)} s (${committedInputs}/${total} committed)`,
      )
    if (now - lastMove > watch.stallMs)
      throw new Error(
        `no progress for ${Math.round(watch.stallMs / 1000)} s (${committedInputs}/${total} committed)`,
      )
    await new Promise((resolve) => setTimeout(resolve, watch.pollMs ?? 100))
  }
}

export async function endOffsetsByPartition(admin: KafkaAdmin, topic: string): Promise<Map<number, number>> {
  return new Map((await admin.endOffsets(topic)).map((o) => [o.partition, o.offset]))
}

/**
 * `DrainWatch.recordsFrom` over a read_committed reader of `client`: whether any record is left from an
 * offset to the partition's current end (its last stable offset); the read stops at the first record.
 * `close` when the wait is over.
 */
export function recordsFromReader(client: KafkaClient): {
  readonly recordsFrom: (topic: string, partition: number, offset: number) => Promise<boolean>
  readonly close: () => Promise<void>
} {
  let reader: PartitionReader | undefined
  return {
    recordsFrom: async (topic, partition, offset) => {
      reader ??= client.reader({ isolation: 'read_committed' })
      try {
        // what onBatch throws ends the read, and the reader reads on (the port's contract)
        await reader.readToEnd({ topic, partition }, offset, (records) => {
          if (records.length > 0) throw new FoundRecord('a record follows')
        })
        return false
      } catch (error) {
        if (error instanceof FoundRecord) return true
        throw error
      }
    },
    close: async () => await reader?.close(),
  }
}

/** Thrown by `recordsFromReader` to end a read at its first record. */
class FoundRecord extends Error {}

/** Deletes every topic whose name starts with one of `prefixes`. */
export async function deleteTopicsWithPrefixes(
  admin: KafkaAdmin,
  prefixes: readonly string[],
): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)))
  if (topics.length > 0) await admin.deleteTopics(topics)
}

/** Counts the records of a topic by `classify` (read_committed), e.g. the event mix of a run by JSON type. */
export async function countRecords(
  client: KafkaClient,
  admin: KafkaAdmin,
  topic: string,
  classify: (value: Buffer | null) => string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  const reader = client.reader({ isolation: 'read_committed' })
  try {
    for (const { partition, offset } of await admin.endOffsets(topic)) {
      if (offset === 0) continue
      await reader.readToEnd({ topic, partition }, 'earliest', (records) => {
        for (const record of records) {
          const kind = classify(record.value)
          counts[kind] = (counts[kind] ?? 0) + 1
        }
      })
    }
  } finally {
    await reader.close()
  }
  return counts
}
