// An admin that starts afresh after a call times out. librdkafka's admin client keeps its view of the
// partition leaders until a periodic refresh (minutes): when a broker dies, offset lookups go on waiting
// for the dead leader and time out, again and again, long after leadership has moved. A new client asks
// the cluster again; the caller's retry then reaches the new leader.
import type { KafkaAdmin, TopicPartitionOffset } from './kafka-port.js'
import { translateClientError } from './kafka-error.js'

export class RenewingAdmin implements KafkaAdmin {
  private current: KafkaAdmin
  /** Set between connect() and disconnect(): the current client's connection, made on first need. */
  private wanted = false
  private connection: Promise<void> | undefined
  /** Calls in progress per client: a replaced client is disconnected once its last call is over. */
  private readonly inFlight = new Map<KafkaAdmin, number>()
  private readonly retired = new Set<KafkaAdmin>()

  constructor(private readonly create: () => KafkaAdmin) {
    this.current = create()
  }

  async connect(): Promise<void> {
    this.wanted = true
    await this.connected()
  }

  async disconnect(): Promise<void> {
    this.wanted = false
    this.connection = undefined
    await this.current.disconnect()
  }

  createTopics = (...args: Parameters<KafkaAdmin['createTopics']>) =>
    this.call((a) => a.createTopics(...args))
  describeTopics = (topics: readonly string[]) => this.call((a) => a.describeTopics(topics))
  listTopics = () => this.call((a) => a.listTopics())
  deleteTopics = (topics: readonly string[]) => this.call((a) => a.deleteTopics(topics))
  committedOffsets = (groupId: string, topic: string): Promise<TopicPartitionOffset[]> =>
    this.call((a) => a.committedOffsets(groupId, topic))
  endOffsets = (topic: string) => this.call((a) => a.endOffsets(topic))
  startOffsets = (topic: string) => this.call((a) => a.startOffsets(topic))

  /** The current client's connection; a failed attempt is forgotten, so the next call tries again. */
  private connected(): Promise<void> {
    this.connection ??= this.current.connect().catch((error: unknown) => {
      this.connection = undefined
      throw error
    })
    return this.connection
  }

  private async call<T>(work: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.wanted) await this.connected()
      const admin = this.current
      this.inFlight.set(admin, (this.inFlight.get(admin) ?? 0) + 1)
      try {
        return await work(admin)
      } catch (error) {
        // another call renewed the client under this one: once more, on the new client
        if (admin !== this.current && attempt === 1) continue
        if (
          this.wanted &&
          admin === this.current &&
          translateClientError(error, 'admin').code === 'TIMEOUT'
        ) {
          this.current = this.create()
          this.connection = undefined
          this.retired.add(admin)
        }
        throw error
      } finally {
        const left = this.inFlight.get(admin)! - 1
        if (left > 0) this.inFlight.set(admin, left)
        else {
          this.inFlight.delete(admin)
          // a call still running on a disconnected client fails (ERR__STATE): disconnect it once idle
          if (this.retired.delete(admin)) void admin.disconnect().catch(() => undefined)
        }
      }
    }
  }
}
