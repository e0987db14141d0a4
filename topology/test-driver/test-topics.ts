// Typed input and output topics of the test driver (Kafka Streams' TestInputTopic and TestOutputTopic):
// pipe keys and values with event times that advance on their own, read back what the topology wrote.
import type { Headers } from '../../kafka/index.js'
import type { Serde } from '../../state/index.js'
import { StreamsError } from '../errors.js'
import type { CapturedRecord } from './test-driver-options.js'

/** A record as the test topics give and take it. */
export interface TestRecord<K, V> {
  readonly key: K | null
  readonly value: V | null
  readonly timestamp?: number
  readonly headers?: Headers
}

export interface KeyValuePair<K, V> {
  readonly key: K | null
  readonly value: V | null
}

/** What the input topic needs from the driver. */
export interface RawPipe {
  pipeRaw(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    options: { timestamp: number; headers?: Headers; partition?: number },
  ): Promise<void>
}

export interface InputTopicOptions {
  /** Timestamp of the first record piped without one (default: the driver's wall-clock time at creation). */
  readonly startTimestamp?: number
  /** How much each record piped without a timestamp advances the next one (default 0). */
  readonly autoAdvanceMs?: number
}

/**
 * Pipes typed records into a topic of the topology. Each record is processed, with everything it causes
 * (repartition topics included), and committed before the call returns. Records without a timestamp get
 * the topic's current time, which then advances by `autoAdvanceMs`.
 */
export class TestInputTopic<K, V> {
  private currentTime: number

  constructor(
    private readonly driver: RawPipe,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestamp: number,
    private readonly autoAdvanceMs: number,
  ) {
    if (autoAdvanceMs < 0) throw new StreamsError('CONFIG_INVALID', 'autoAdvanceMs must be >= 0')
    this.currentTime = startTimestamp
  }

  /** Moves the time of the next records without a timestamp forward. */
  advanceTime(ms: number): void {
    if (ms < 0) throw new StreamsError('CONFIG_INVALID', 'time cannot go backwards')
    this.currentTime += ms
  }

  async pipeInput(key: K | null, value: V | null, timestamp?: number, headers?: Headers): Promise<void> {
    await this.pipeRecord({
      key,
      value,
      ...(timestamp === undefined ? {} : { timestamp }),
      ...(headers ? { headers } : {}),
    })
  }

  /** A record with a null key. */
  async pipeValue(value: V | null, timestamp?: number): Promise<void> {
    await this.pipeInput(null, value, timestamp)
  }

  async pipeRecord(record: TestRecord<K, V>, partition?: number): Promise<void> {
    const timestamp = record.timestamp ?? this.nextTime()
    await this.driver.pipeRaw(
      this.topic,
      record.key === null ? null : this.keySerde.serialize(record.key),
      record.value === null ? null : this.valueSerde.serialize(record.value),
      {
        timestamp,
        ...(record.headers ? { headers: record.headers } : {}),
        ...(partition === undefined ? {} : { partition }),
      },
    )
  }

  async pipeKeyValueList(pairs: readonly KeyValuePair<K, V>[]): Promise<void> {
    for (const { key, value } of pairs) await this.pipeInput(key, value)
  }

  async pipeValueList(values: readonly (V | null)[]): Promise<void> {
    for (const value of values) await this.pipeValue(value)
  }

  async pipeRecordList(records: readonly TestRecord<K, V>[]): Promise<void> {
    for (const record of records) await this.pipeRecord(record)
  }

  private nextTime(): number {
    const time = this.currentTime
    this.currentTime += this.autoAdvanceMs
    return time
  }
}

/** What the output topic needs from the driver. */
export interface RawReader {
  readRawOutput(topic: string): CapturedRecord[]
}

/** Reads what the topology wrote to a topic, deserialized, each record once, in order. */
export class TestOutputTopic<K, V> {
  private readonly queue: CapturedRecord[] = []

  constructor(
    private readonly driver: RawReader,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  /** Records written and not read yet. */
  get queueSize(): number {
    this.fill()
    return this.queue.length
  }

  isEmpty(): boolean {
    return this.queueSize === 0
  }

  readRecord(): Required<Omit<TestRecord<K, V>, 'headers'>> & { readonly headers: Headers } {
    this.fill()
    const raw = this.queue.shift()
    if (!raw) throw new StreamsError('NOT_RUNNING', `no more records in output topic ${this.topic}`)
    return {
      key: raw.key === null ? null : this.keySerde.deserialize(raw.key),
      value: raw.value === null ? null : this.valueSerde.deserialize(raw.value),
      timestamp: raw.timestamp ?? 0,
      headers: raw.headers ?? {},
    }
  }

  readValue(): V | null {
    return this.readRecord().value
  }

  readKeyValue(): KeyValuePair<K, V> {
    const { key, value } = this.readRecord()
    return { key, value }
  }

  readRecordsToList(): ReturnType<TestOutputTopic<K, V>['readRecord']>[] {
    const records = []
    while (!this.isEmpty()) records.push(this.readRecord())
    return records
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value)
  }

  readKeyValuesToList(): KeyValuePair<K, V>[] {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }))
  }

  /** The latest value per key; a null value removes the key (as a table would). */
  readKeyValuesToMap(): Map<K | null, V> {
    const map = new Map<K | null, V>()
    for (const { key, value } of this.readRecordsToList()) {
      if (value === null) map.delete(key)
      else map.set(key, value)
    }
    return map
  }

  private fill(): void {
    this.queue.push(...this.driver.readRawOutput(this.topic))
  }
}
