// Which instance runs which task, for interactive queries (Kafka Streams carries this in the group's
// assignment metadata; our client-side assignors cannot, so instances announce themselves instead).
// Every instance writes its tasks and HTTP address to the compacted topic `<app-id>-instances` (key =
// instance id) whenever its assignment changes, and a tombstone when it stops; every instance reads the
// topic back. When two instances claim a task (one has not announced its loss yet), the newer claim wins.
import {
  retrying,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaProducer,
  type PartitionReader,
} from '../../kafka/index.js'
import { errorMessage } from '../errors.js'
import type { StreamsError } from '../../errors/index.js'
import { instancesTopic } from './topic-names.js'

export interface InstanceInfo {
  readonly instanceId: string
  /** Where the instance answers queries, e.g. http://host:8080 (may be empty when it has none). */
  readonly url: string
  readonly tasks: readonly string[]
  readonly announcedAt: number
}

/** How long the start retries reading the registry while its topic is not visible yet. */
const registryStartTimeoutMs = 30_000

export class InstanceRegistry {
  private producer: KafkaProducer | undefined
  private readonly instances = new Map<string, InstanceInfo>()
  private position: number | 'earliest' = 'earliest'
  /** This instance's latest announcement while it is not written yet. */
  private unpublished: InstanceInfo | undefined
  readonly topic: string

  constructor(
    private readonly client: KafkaClient,
    private readonly reader: PartitionReader,
    applicationId: string,
    private readonly self: { instanceId: string; url: string },
    private readonly log: (level: 'warn', message: string) => void = () => undefined,
  ) {
    this.topic = instancesTopic(applicationId)
  }

  async start(admin: KafkaAdmin, replicationFactor: number): Promise<void> {
    // the topic may have been created a moment ago (by this call or another instance's): until every
    // broker's metadata shows it, calls on it fail with UNKNOWN_TOPIC_OR_PARTITION (kafkajs) — retried,
    // within a bound, as the retriable errors of a broker
    const retry = {
      timeoutMs: registryStartTimeoutMs,
      alsoRetry: (error: StreamsError) => error.code === 'TOPIC_NOT_FOUND',
      onRetry: (error: StreamsError, attempt: number) => {
        if (attempt === 1) this.log('warn', `${error.message}; retrying`)
      },
    }
    await retrying(
      'create the instance registry',
      () =>
        admin.createTopics([
          { topic: this.topic, partitions: 1, replicationFactor, config: { 'cleanup.policy': 'compact' } },
        ]),
      retry,
    )
    this.producer = this.client.producer({ idempotent: true })
    await this.producer.connect()
    await retrying('read the instance registry', () => this.refresh(), retry)
  }

  /**
   * Publishes this instance's tasks. A failed send (e.g. a client whose metadata does not know the
   * just-created topic yet) does not fail the rebalance: the announcement is retried at every `refresh`
   * until it is written, and queries meanwhile know this instance's own tasks.
   */
  async announce(tasks: readonly string[]): Promise<void> {
    const info: InstanceInfo = { ...this.self, tasks: [...tasks].sort(), announcedAt: Date.now() }
    this.instances.set(info.instanceId, info)
    this.unpublished = info
    await this.publish()
  }

  private async publish(): Promise<void> {
    const info = this.unpublished
    if (!info || !this.producer) return
    try {
      await this.producer.send([
        {
          topic: this.topic,
          partition: 0,
          key: Buffer.from(info.instanceId),
          value: Buffer.from(JSON.stringify(info)),
        },
      ])
      if (this.unpublished === info) this.unpublished = undefined
    } catch (error) {
      this.log('warn', `announcing this instance's tasks failed (retried): ${errorMessage(error)}`)
    }
  }

  async withdraw(): Promise<void> {
    this.instances.delete(this.self.instanceId)
    this.unpublished = undefined
    await this.producer?.send([
      { topic: this.topic, partition: 0, key: Buffer.from(this.self.instanceId), value: null },
    ])
  }

  async refresh(): Promise<void> {
    await this.publish()
    this.position = await this.reader.readToEnd(
      { topic: this.topic, partition: 0 },
      this.position,
      (records) => {
        for (const record of records) {
          if (!record.key) continue
          const id = record.key.toString()
          if (record.value === null) this.instances.delete(id)
          else {
            try {
              this.instances.set(id, JSON.parse(record.value.toString()) as InstanceInfo)
            } catch {
              // not ours: ignore
            }
          }
        }
      },
    )
  }

  /** The instance with the newest claim on a task. */
  ownerOf(taskId: string): InstanceInfo | undefined {
    let owner: InstanceInfo | undefined
    for (const info of this.instances.values()) {
      if (info.tasks.includes(taskId) && (!owner || info.announcedAt > owner.announcedAt)) owner = info
    }
    return owner
  }

  all(): InstanceInfo[] {
    return [...this.instances.values()]
  }

  async close(): Promise<void> {
    await this.withdraw().catch(() => undefined)
    await this.producer?.disconnect().catch(() => undefined)
  }
}
