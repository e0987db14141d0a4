// What both adapters share: @confluentinc/kafka-javascript's promisified API is modelled on KafkaJS, so
// the admin calls, message shapes and offset shapes are the same for both. Each adapter passes its
// library's objects in; nothing here imports a client library.
import { KafkaError, translateClientError } from './kafka-error.js'
import type {
  Headers,
  KafkaAdmin,
  OutgoingRecord,
  RecordPosition,
  TopicDescription,
  TopicPartitionOffset,
  TopicSpec,
} from './kafka-port.js'

/** librdkafka's name of a numeric code (see translateClientError); kafkajs's errors carry their names. */
export type CodeName = (code: number) => string | undefined

/**
 * Runs a client call, translating whatever it throws into the project's error (the one translation
 * boundary). The confluent client's KafkaJS layer reports a broker's error by number only (`code: 14`,
 * no `type`): its adapter passes `codeName` to name it.
 */
export async function translate<T>(during: string, work: () => Promise<T>, codeName?: CodeName): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw translateClientError(error, during, codeName)
  }
}

export interface KafkajsStyleMessage {
  key: Buffer | null
  value: Buffer | null
  partition?: number
  headers?: Record<string, Buffer>
  timestamp?: string
}

/** Our records grouped per topic, as `sendBatch({ topicMessages })` takes them. */
export function toTopicMessages(
  records: readonly OutgoingRecord[],
): { topic: string; messages: KafkajsStyleMessage[] }[] {
  const byTopic = new Map<string, KafkajsStyleMessage[]>()
  for (const record of records) {
    let messages = byTopic.get(record.topic)
    if (!messages) byTopic.set(record.topic, (messages = []))
    messages.push({
      key: record.key,
      value: record.value,
      ...(record.partition === undefined ? {} : { partition: record.partition }),
      ...(record.headers === undefined ? {} : { headers: { ...record.headers } }),
      ...(record.timestamp === undefined ? {} : { timestamp: String(record.timestamp) }),
    })
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }))
}

/** Per partition, the lowest offset a send wrote (its base offset). */
export function toPositions(
  metadata: readonly { topicName: string; partition: number; baseOffset?: string; offset?: string }[],
): RecordPosition[] {
  return metadata.map((m) => ({
    topic: m.topicName,
    partition: m.partition,
    offset: Number(m.baseOffset ?? m.offset ?? -1),
  }))
}

/** Headers as Buffers (KafkaJS allows strings and arrays; we keep the first value). */
export function fromHeaders(headers: Record<string, unknown> | undefined): Headers {
  const out: Record<string, Buffer> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first: unknown = Array.isArray(value) ? value[0] : value
    if (Buffer.isBuffer(first)) out[name] = first
    else if (typeof first === 'string') out[name] = Buffer.from(first)
  }
  return out
}

export function toStringOffsets(
  offsets: readonly TopicPartitionOffset[],
): { topic: string; partition: number; offset: string }[] {
  return offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) }))
}

/** Offsets grouped per topic, as `sendOffsets({ topics })` takes them. */
export function offsetsByTopic(
  offsets: readonly TopicPartitionOffset[],
): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const topics = new Map<string, { partition: number; offset: string }[]>()
  for (const o of offsets) {
    let list = topics.get(o.topic)
    if (!list) topics.set(o.topic, (list = []))
    list.push({ partition: o.partition, offset: String(o.offset) })
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }))
}

/** The admin calls both libraries have, with the shapes both return. */
export interface KafkajsStyleAdminApi {
  connect(): Promise<void>
  disconnect(): Promise<void>
  listTopics(): Promise<string[]>
  createTopics(options: {
    topics: {
      topic: string
      numPartitions: number
      replicationFactor: number
      configEntries: { name: string; value: string }[]
    }[]
  }): Promise<unknown>
  deleteTopics(options: { topics: string[] }): Promise<unknown>
  fetchTopicOffsets(topic: string): Promise<{ partition: number; high: string; low: string }[]>
}

/** The parts that differ: topic metadata and group offsets. */
export interface AdminDifferences {
  describe(
    topics: string[],
  ): Promise<{ name: string; partitions: { partitionId: number; leader: number; replicas: number[] }[] }[]>
  fetchOffsets(
    groupId: string,
    topic: string,
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>
  /** Names the numeric codes of the library's errors, where they carry no name (confluent). */
  readonly codeName?: CodeName
}

export class KafkajsStyleAdmin implements KafkaAdmin {
  constructor(
    private readonly admin: KafkajsStyleAdminApi,
    private readonly differences: AdminDifferences,
  ) {}

  private readonly translate = <T>(during: string, work: () => Promise<T>): Promise<T> =>
    translate(during, work, this.differences.codeName)

  connect = () => this.translate('admin connect', () => this.admin.connect())
  disconnect = () => this.translate('admin disconnect', () => this.admin.disconnect())
  listTopics = () => this.translate('list topics', () => this.admin.listTopics())
  deleteTopics = (topics: readonly string[]) =>
    this.translate('delete topics', async () => void (await this.admin.deleteTopics({ topics: [...topics] })))

  async createTopics(topics: readonly TopicSpec[]): Promise<string[]> {
    return this.translate('create topics', async () => {
      const existing = new Set(await this.admin.listTopics())
      const missing = topics.filter((t) => !existing.has(t.topic))
      if (missing.length === 0) return []
      await this.admin.createTopics({
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      })
      // the controller has accepted them; wait until the brokers' metadata shows them too, so that a
      // describe or produce right after this call finds them
      const deadline = Date.now() + 15_000
      for (;;) {
        const listed = new Set(await this.admin.listTopics())
        if (missing.every((t) => listed.has(t.topic))) break
        if (Date.now() > deadline)
          throw new KafkaError(
            'TIMEOUT',
            `created topics not visible after 15 s: ${missing.map((t) => t.topic).join(', ')}`,
          )
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return missing.map((t) => t.topic)
    })
  }

  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    return this.translate('describe topics', async () =>
      (await this.differences.describe([...topics])).map((t) => ({
        topic: t.name,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas }))
          .sort((a, b) => a.partition - b.partition),
      })),
    )
  }

  async committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    return this.translate('fetch committed offsets', async () =>
      (await this.differences.fetchOffsets(groupId, topic)).flatMap((t) =>
        t.partitions
          .filter((p) => Number(p.offset) >= 0)
          .map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })),
      ),
    )
  }

  endOffsets = (topic: string) => this.offsets(topic, 'high')
  startOffsets = (topic: string) => this.offsets(topic, 'low')

  private async offsets(topic: string, bound: 'high' | 'low'): Promise<TopicPartitionOffset[]> {
    const during = `fetch ${bound === 'high' ? 'end' : 'start'} offsets`
    return this.translate(during, async () => {
      try {
        return (await this.admin.fetchTopicOffsets(topic))
          .map((p) => ({ topic, partition: p.partition, offset: Number(p[bound]) }))
          .sort((a, b) => a.partition - b.partition)
      } catch (error) {
        // kafkajs 2.2.4's fetchTopicOffsets takes the first answer of its ListOffsets without checking it:
        // while the metadata lists no partition (a topic created a moment ago, brokers starting) it throws a
        // TypeError ("Cannot destructure property 'partitions' of 'high.pop(...)'") — the leaderless
        // case, retriable like LEADER_NOT_AVAILABLE (seen in a broker-loss certification run)
        if (error instanceof TypeError)
          throw new KafkaError(
            'BROKER_UNAVAILABLE',
            `${during}: no partition of ${topic} has a leader in the metadata yet (${error.message})`,
            { cause: error },
          )
        throw error
      }
    })
  }
}
