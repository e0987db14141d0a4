// The failover benchmark's live load and its answers: records of random keys (of the preloaded key space)
// at a constant rate, each sent to the input partition its key belongs to (key index mod partitions, as
// the preload) and stamped with its send time; a read_committed consumer of the counts reads the answers.
// A count for key k stamped t answers every input of k sent at or before t (one partition keeps a key's
// inputs in order; Kafka Streams' record cache may skip intermediate counts). Runs until stopped; every
// input becomes a ProbeSample (failover-timing.ts).
import type { KafkaClient, KafkaConsumer, KafkaProducer, OutgoingRecord } from '../kafka/index.js'
import type { ProbeSample } from './failover-timing.js'
import { prng } from './workload.js'

/** The key of index `i` of the failover benchmark's key space (`f0000000`…). */
export function failoverKey(index: number): string {
  return `f${String(index).padStart(7, '0')}`
}

/** The index of a failover key; NaN for any other key. */
export function failoverKeyIndex(key: string): number {
  return /^f\d{7}$/.test(key) ? Number(key.slice(1)) : Number.NaN
}

export interface FailoverProbeOptions {
  readonly client: KafkaClient
  readonly source: string
  readonly sink: string
  readonly keys: number
  readonly partitions: number
  readonly rate: number
  readonly seed: number
  readonly groupId: string
}

export class FailoverProbe {
  private readonly sentAt: number[] = []
  private readonly partitionOf: number[] = []
  private readonly answeredAt: number[] = []
  /** Inputs not answered yet, by key: their sample indexes in send order. */
  private readonly pending = new Map<string, number[]>()
  private producer: KafkaProducer | undefined
  private consumer: KafkaConsumer | undefined
  private running = false
  private sender: Promise<void> | undefined
  private failure: unknown

  constructor(private readonly options: FailoverProbeOptions) {}

  /** Subscribes to the counts and, once partitions are assigned, starts sending. */
  async start(): Promise<void> {
    const { client, sink } = this.options
    let assigned: () => void = () => {}
    const isAssigned = new Promise<void>((resolve) => (assigned = resolve))
    this.consumer = client.consumer({
      groupId: this.options.groupId,
      isolation: 'read_committed',
      autoOffsetReset: 'latest',
      rebalance: 'eager',
      maxBatchSize: 5000,
    })
    this.producer = client.producer({ idempotent: true, lingerMs: 1 })
    await this.consumer.connect()
    await this.producer.connect()
    await this.consumer.subscribe([sink])
    await this.consumer.run({
      eachBatch: async (batch) => {
        const now = Date.now()
        for (const record of batch.records) {
          const key = record.key?.toString('utf8')
          const queue = key === undefined ? undefined : this.pending.get(key)
          if (!queue || key === undefined) continue
          let answered = 0
          while (answered < queue.length && this.sentAt[queue[answered]!]! <= record.timestamp) {
            this.answeredAt[queue[answered]!] = now
            answered += 1
          }
          queue.splice(0, answered)
          if (queue.length === 0) this.pending.delete(key)
        }
      },
      onAssigned: async (partitions) => {
        if (partitions.length > 0) assigned()
      },
    })
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      isAssigned,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('failover probe: no partitions assigned in 30 s')), 30_000)
      }),
    ]).finally(() => clearTimeout(timer))
    await new Promise((resolve) => setTimeout(resolve, 1000)) // let 'latest' resolve before anything is sent
    this.running = true
    this.sender = this.send()
  }

  private async send(): Promise<void> {
    const { rate, keys, partitions, source } = this.options
    const random = prng(this.options.seed)
    const started = Date.now()
    let sent = 0
    const inflight = new Set<Promise<unknown>>()
    while (this.running) {
      if (this.failure !== undefined) break
      const now = Date.now()
      const due = Math.floor((rate * (now - started)) / 1000) - sent
      const batch: OutgoingRecord[] = []
      for (let i = 0; i < due; i++) {
        const index = Math.floor(random() * keys)
        const key = failoverKey(index)
        const partition = index % partitions
        const sample = this.sentAt.length
        this.sentAt.push(now)
        this.partitionOf.push(partition)
        this.answeredAt.push(Number.NaN)
        const queue = this.pending.get(key)
        if (queue) queue.push(sample)
        else this.pending.set(key, [sample])
        batch.push({
          topic: source,
          key: Buffer.from(key),
          value: Buffer.from(`#l${sample};`),
          partition,
          timestamp: now,
        })
      }
      if (batch.length > 0) {
        sent += batch.length
        const sending: Promise<unknown> = this.producer!.send(batch).then(
          (): unknown => inflight.delete(sending),
          (error: unknown): unknown => (this.failure ??= error),
        )
        inflight.add(sending)
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await Promise.all(inflight)
  }

  /** Throws when a send failed. */
  check(): void {
    if (this.failure !== undefined)
      throw this.failure instanceof Error
        ? this.failure
        : new Error('failover probe: a send failed', { cause: this.failure })
  }

  get sent(): number {
    return this.sentAt.length
  }

  get unanswered(): number {
    let count = 0
    for (const queue of this.pending.values()) count += queue.length
    return count
  }

  /** Every input so far, answered or not. */
  samples(): ProbeSample[] {
    return this.sentAt.map((sentAt, i) => ({
      sentAt,
      partition: this.partitionOf[i]!,
      answeredAt: this.answeredAt[i]!,
    }))
  }

  /** Stops sending (and waits for the sends in flight); the consumer goes on reading answers until `close`. */
  async stopSending(): Promise<void> {
    this.running = false
    await this.sender
  }

  async close(): Promise<void> {
    await this.stopSending().catch(() => undefined)
    await this.consumer?.disconnect().catch(() => undefined)
    await this.producer?.disconnect().catch(() => undefined)
  }
}
