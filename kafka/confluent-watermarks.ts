// The first and end offsets of partitions on librdkafka, read through a consumer's
// `rd_kafka_query_watermark_offsets` — never through the admin `ListOffsets`, which kills the process.
//
// Why: librdkafka 2.15.1's admin `rd_kafka_ListOffsets` looks the leaders up with
// `rd_kafka_topic_partition_list_query_leaders_async`, which arms the request's timeout timer and then
// runs the first lookup on the caller's thread (the binding's libuv worker), over a partition list owned
// by an op that the timer's path, on rdk:main, also runs and destroys: a timeout that fires before the
// caller's lookup is done frees the list (or the op) under it — `strdup` of a freed topic name in
// `rd_kafka_topic_partition_list_add_copy`, `double free or corruption`, heap corruption; the cores of the
// broker-loss runs. The binding's `fetchTopicOffsets` makes that likely: it gives `ListOffsets` what is
// left of 5 s after its metadata call, truncated to whole ms, so a metadata call that was slow (a broker
// restarting) leaves 0 ms (`tools/librdkafka-repro/list-offsets-timeout.ts`: a 0 ms `ListOffsets`
// corrupts the heap within the first rounds).
// `rd_kafka_query_watermark_offsets` runs wholly on the caller's thread (a synchronous leader lookup,
// two ListOffsets requests to the leader answered on a queue the call owns, bounded by its timeout; a late
// answer finds the queue gone) and the binding holds the handle's connection lock meanwhile, so a
// disconnect waits for it. Its requests carry the handle's `isolation.level`
// (`rd_kafka_ListOffsetsRequest` takes `rk_conf.isolation_level`): under read_committed the end offset
// is the last stable offset (test/kafka/confluent-watermarks.test.ts shows it with an open transaction).
// Each call first fetches the topic's metadata, which also refreshes the handle's view of the leaders.
//
// Committed offsets the same way (`committed`): a consumer with the group's id that never subscribes asks
// with `rd_kafka_committed` (OffsetFetch to the group coordinator, require-stable under read_committed) —
// never the admin's `ListConsumerGroupOffsets`, whose NOT_COORDINATOR answer (the coordinator moved: a
// broker restarted) makes librdkafka ask the handle's consumer group to look the coordinator up again,
// and an admin handle has none: `rd_kafka_cgrp_op(rkcg=NULL)`, SIGSEGV (a broker-loss core;
// confluent-kafka-javascript #374). A consumer handle has its group, which looks the coordinator up.
import type { IsolationLevel } from './kafka-port.js'
import { librdkafkaCodeName } from './librdkafka-code-name.js'
import { KafkaError, translateClientError } from './kafka-error.js'
import { nativeClient, type NativeClientModule } from './native-client.js'

type NativeConsumer = InstanceType<NativeClientModule['KafkaConsumer']>

export interface Watermarks {
  readonly partition: number
  /** The first offset. */
  readonly low: number
  /** The end: the high watermark, or under read_committed the last stable offset. */
  readonly high: number
}

export class ConfluentWatermarks {
  private consumer: NativeConsumer | undefined
  private connecting: Promise<NativeConsumer> | undefined
  private closed = false

  /**
   * @param consumer a connected consumer whose `isolation.level` the offsets follow (the partition
   *   reader's own), or the properties of one to create on first use and disconnect on `close()`.
   */
  constructor(
    private readonly source:
      | { readonly consumer: () => Promise<NativeConsumer> }
      | { readonly properties: Readonly<Record<string, string | number | boolean>> },
    /** Each native call's bound (librdkafka's own timeout; the callers retry a TIMEOUT). */
    private readonly timeoutMs = 5_000,
  ) {}

  /** A consumer made here, with only what a watermark query needs. */
  static ownConsumer(
    brokers: readonly string[],
    clientId: string,
    isolation: IsolationLevel,
    security: Readonly<Record<string, string>> = {},
    timeoutMs?: number,
  ): ConfluentWatermarks {
    return new ConfluentWatermarks(
      {
        properties: {
          ...security,
          'bootstrap.servers': brokers.join(','),
          'client.id': clientId,
          // never joins: no subscription, no commits
          'group.id': `${clientId}-offsets`,
          'enable.auto.commit': false,
          'isolation.level': isolation,
        },
      },
      timeoutMs,
    )
  }

  /** Allows `topic()` again after `close()` (an admin connected anew). */
  open(): void {
    this.closed = false
  }

  /** Every partition of the topic, in partition order. */
  async topic(topic: string): Promise<Watermarks[]> {
    const consumer = await this.connected()
    const partitions = await this.partitionsOf(consumer, topic)
    const out: Watermarks[] = []
    for (const partition of partitions) out.push(await this.query(consumer, topic, partition))
    return out
  }

  /** The given partitions of the topic (their leaders looked up afresh first). */
  async partitions(topic: string, partitions: readonly number[]): Promise<Watermarks[]> {
    const consumer = await this.connected()
    await this.partitionsOf(consumer, topic)
    const out: Watermarks[] = []
    for (const partition of partitions) out.push(await this.query(consumer, topic, partition))
    return out
  }

  /**
   * The offsets the consumer's group (its `group.id`) committed for each partition of the topic; a
   * partition with none is left out.
   */
  async committed(topic: string): Promise<{ partition: number; offset: number }[]> {
    const consumer = await this.connected()
    const partitions = await this.partitionsOf(consumer, topic)
    const answer = await new Promise<{ partition: number; offset: number; error?: unknown }[]>(
      (resolve, reject) => {
        consumer.committed(
          partitions.map((partition) => ({ topic, partition })),
          this.timeoutMs,
          (error, offsets) => {
            if (error)
              reject(translateClientError(error, `committed offsets of ${topic}`, librdkafkaCodeName))
            else resolve(offsets)
          },
        )
      },
    )
    const failed = answer.find((p) => p.error)
    if (failed)
      throw translateClientError(
        failed.error,
        `committed offset of ${topic}-${failed.partition}`,
        librdkafkaCodeName,
      )
    return answer
      .filter((p) => typeof p.offset === 'number' && p.offset >= 0)
      .map((p) => ({ partition: p.partition, offset: p.offset }))
      .sort((a, b) => a.partition - b.partition)
  }

  /** Disconnects the consumer made here (a lent one is its owner's to close). */
  async close(): Promise<void> {
    this.closed = true
    const pending = this.connecting
    this.connecting = undefined
    const consumer = this.consumer ?? (await pending?.catch(() => undefined))
    this.consumer = undefined
    if (!consumer || !('properties' in this.source)) return
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()))
  }

  private async connected(): Promise<NativeConsumer> {
    if (this.closed) throw new KafkaError('INVALID_ARGUMENT', 'offsets asked of a closed client')
    if ('consumer' in this.source) return this.source.consumer()
    if (this.consumer) return this.consumer
    this.connecting ??= this.connect(this.source.properties).finally(() => (this.connecting = undefined))
    return this.connecting
  }

  private async connect(properties: Readonly<Record<string, string | number | boolean>>) {
    const consumer = new (nativeClient().KafkaConsumer)({ ...properties }, {})
    await new Promise<void>((resolve, reject) =>
      consumer.connect({ timeout: 30_000 }, (error) =>
        error ? reject(translateClientError(error, 'offsets connect', librdkafkaCodeName)) : resolve(),
      ),
    )
    if (this.closed) {
      await new Promise<void>((resolve) => consumer.disconnect(() => resolve()))
      throw new KafkaError('INVALID_ARGUMENT', 'offsets asked of a closed client')
    }
    this.consumer = consumer
    return consumer
  }

  private async partitionsOf(consumer: NativeConsumer, topic: string): Promise<number[]> {
    const metadata = await new Promise<{ topics: { name: string; partitions: { id: number }[] }[] }>(
      (resolve, reject) => {
        consumer.getMetadata({ topic, timeout: this.timeoutMs }, (error, data) => {
          if (error) reject(translateClientError(error, 'topic metadata', librdkafkaCodeName))
          else resolve(data)
        })
      },
    )
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? []
    // a topic without partitions is unknown (or not yet known to this broker): never "empty, end 0"
    if (partitions.length === 0)
      throw new KafkaError('TOPIC_NOT_FOUND', `topic ${topic}: no partitions in the metadata`)
    return partitions.sort((a, b) => a - b)
  }

  private query(consumer: NativeConsumer, topic: string, partition: number): Promise<Watermarks> {
    return new Promise((resolve, reject) => {
      consumer.queryWatermarkOffsets(topic, partition, this.timeoutMs, (error, offsets) => {
        if (error) reject(translateClientError(error, `offsets of ${topic}-${partition}`, librdkafkaCodeName))
        else resolve({ partition, low: offsets.lowOffset, high: offsets.highOffset })
      })
    })
  }
}
