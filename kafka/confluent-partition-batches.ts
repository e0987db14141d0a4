// librdkafka's consumed messages as the port's records, one batch per partition in offset order.
import type { Message as NativeMessage } from '@confluentinc/kafka-javascript'
import type { ConsumedRecord, Headers } from './kafka-port.js'
import { TopicPartitionMap } from './topic-partition-map.js'

const noHeaders: Headers = Object.freeze({})

/** `messages` (one `consume`) grouped by partition; each partition's records keep their fetch order. */
export function partitionBatches(messages: readonly NativeMessage[]): TopicPartitionMap<ConsumedRecord[]> {
  const batches = new TopicPartitionMap<ConsumedRecord[]>()
  for (const m of messages) {
    const tp = { topic: m.topic, partition: m.partition }
    let records = batches.get(tp)
    if (!records) batches.set(tp, (records = []))
    records.push({
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      key: typeof m.key === 'string' ? Buffer.from(m.key) : (m.key ?? null),
      value: m.value ?? null,
      headers: m.headers ? headersOf(m.headers) : noHeaders,
      timestamp: m.timestamp ?? 0,
    })
  }
  return batches
}

/** librdkafka's headers (one object per header, a name may repeat): the first value of each name. */
function headersOf(headers: readonly Record<string, unknown>[]): Headers {
  const out: Record<string, Buffer> = {}
  for (const header of headers)
    for (const [name, value] of Object.entries(header)) {
      if (name in out) continue
      if (Buffer.isBuffer(value)) out[name] = value
      else if (typeof value === 'string') out[name] = Buffer.from(value)
    }
  return out
}
