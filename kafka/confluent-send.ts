// Records into librdkafka's queue for ConfluentProducer: a send tracked by its delivery reports (one
// tracker per send: each report lowers its count and keeps the lowest offset per partition, and the send
// resolves once, when the last report arrives), or queued with no report but failures (a transaction, or a
// producer acknowledged by `flush`).
import type { DeliveryReport, LibrdKafkaError, MessageHeader } from '@confluentinc/kafka-javascript'
import type { StreamsError } from '../errors/index.js'
import { translateClientError } from './kafka-error.js'
import type { OutgoingRecord, RecordPosition } from './kafka-port.js'
import { librdkafkaCodeName } from './librdkafka-code-name.js'
import type { NativeClientModule } from './native-client.js'
import { TopicPartitionMap } from './topic-partition-map.js'

type NativeProducer = InstanceType<NativeClientModule['Producer']>

interface SendTracker {
  remaining: number
  failure: LibrdKafkaError | undefined
  /** The lowest offset written per partition. */
  readonly positions: TopicPartitionMap<RecordPosition>
  readonly resolve: (positions: RecordPosition[]) => void
  readonly reject: (error: unknown) => void
}

/** Sends records with a delivery report each: resolves with the lowest offset written per partition. */
export function sendTracked(
  producer: NativeProducer,
  records: readonly OutgoingRecord[],
): Promise<RecordPosition[]> {
  if (records.length === 0) return Promise.resolve([])
  return new Promise((resolve, reject) => {
    const tracker: SendTracker = {
      remaining: records.length,
      failure: undefined,
      positions: new TopicPartitionMap(),
      resolve,
      reject,
    }
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!
      try {
        produceOne(producer, record, tracker)
      } catch (error) {
        // the records before this one were queued and will report; this one and the rest never will
        tracker.failure ??= error as LibrdKafkaError
        tracker.remaining -= records.length - i
        if (tracker.remaining === 0) settle(tracker)
        return
      }
    }
  })
}

/**
 * Queues records into the open transaction, or for a producer acknowledged by `flush`, without a delivery
 * report per record (see confluent-producer.ts): resolves at once with no positions; a record the client
 * refuses outright rejects it.
 */
export function sendQueued(
  producer: NativeProducer,
  records: readonly OutgoingRecord[],
  what: string,
): Promise<RecordPosition[]> {
  try {
    for (let i = 0; i < records.length; i++) produceOne(producer, records[i]!, undefined)
  } catch (error) {
    return Promise.reject(producerError(error, what))
  }
  return Promise.resolve([])
}

/** One record into librdkafka's queue; `opaque` comes back with its delivery report. */
function produceOne(producer: NativeProducer, record: OutgoingRecord, opaque: SendTracker | undefined): void {
  producer.produce(
    record.topic,
    record.partition ?? -1,
    record.value,
    record.key,
    record.timestamp ?? 0,
    opaque,
    record.headers === undefined ? undefined : toNativeHeaders(record.headers),
  )
}

/** The producer's delivery-report handler for records sent by `sendTracked`. */
export function onDeliveryReport(error: LibrdKafkaError | null, report: DeliveryReport): void {
  const tracker = report.opaque as SendTracker | undefined
  if (!tracker) return
  if (error) tracker.failure ??= error
  else {
    const seen = tracker.positions.get(report)
    if (seen === undefined || report.offset < seen.offset)
      tracker.positions.set(report, {
        topic: report.topic,
        partition: report.partition,
        offset: report.offset,
      })
  }
  if (--tracker.remaining === 0) settle(tracker)
}

function settle(tracker: SendTracker): void {
  if (tracker.failure !== undefined) tracker.reject(producerError(tracker.failure, 'produce'))
  else tracker.resolve([...tracker.positions.values()])
}

function toNativeHeaders(headers: Readonly<Record<string, Buffer>>): MessageHeader[] | undefined {
  let native: MessageHeader[] | undefined
  // most records have none: no array made for them
  for (const key in headers) if (Object.hasOwn(headers, key)) (native ??= []).push({ [key]: headers[key]! })
  return native
}

/**
 * A fatal librdkafka error leaves the producer unusable (a newer producer with our transactional id
 * bumped the epoch, say): it is translated as a fenced producer, whose recovery is a new producer.
 */
export function producerError(error: unknown, what: string): StreamsError {
  return translateClientError(error, what, librdkafkaCodeName)
}
