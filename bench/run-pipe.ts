// Child process of the benchmark: the raw consume → produce pipe through the Kafka port, with the same
// commit protocol as the engine (records produced as they come without awaiting each send; every commit
// interval: wait for the acknowledgements, then commit the consumed offsets — in the transaction under
// exactly-once). The practical limit of one Node process with that client. Configured by environment:
// KAFKA_BROKERS, KAFKA_CLIENT, APPLICATION_ID, PROCESSING_GUARANTEE, COMMIT_INTERVAL_MS, PIPE_INPUTS
// (comma-separated topics), PIPE_OUTPUT.
import {
  clientKindFromEnv,
  createKafkaClient,
  type KafkaTransaction,
  type OutgoingRecord,
  type TopicPartitionOffset,
} from '../kafka/index.js'
import { emit, exitWithParent, onTermination } from './child-protocol.js'

exitWithParent()
const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback
  if (value === undefined || value === '') throw new Error(`${name} must be set`)
  return value
}
const brokers = env('KAFKA_BROKERS').split(',')
const applicationId = env('APPLICATION_ID')
const exactlyOnce = env('PROCESSING_GUARANTEE', 'exactly_once') === 'exactly_once'
const commitIntervalMs = Number(env('COMMIT_INTERVAL_MS', exactlyOnce ? '100' : '30000'))
const inputs = env('PIPE_INPUTS').split(',')
const output = env('PIPE_OUTPUT')

const client = createKafkaClient({ kind: clientKindFromEnv(), brokers, clientId: `${applicationId}-pipe` })
const producer = client.producer(
  exactlyOnce
    ? { transactionalId: `${applicationId}-pipe`, transactionTimeoutMs: 10_000 }
    : { idempotent: true },
)
const consumer = client.consumer({
  groupId: applicationId,
  isolation: exactlyOnce ? 'read_committed' : 'read_uncommitted',
  autoOffsetReset: 'earliest',
  rebalance: 'eager',
})

let transaction: Promise<KafkaTransaction> | undefined
let inflight: Promise<unknown>[] = []
const positions = new Map<string, TopicPartitionOffset>()
let lastCommit = Date.now()
let queue: Promise<unknown> = Promise.resolve()
let state = 'CREATED'
const setState = (next: string) => {
  emit({ event: 'state', state: next, previous: state, at: Date.now() })
  state = next
}

/** One step at a time, as the engine runs its work. */
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(work)
  queue = result.catch(() => undefined)
  return result
}

/** Records per produce call: kafkajs does not split a request, and a whole fetched batch can pass 1 MB. */
const maxRecordsPerSend = 1000

function send(records: OutgoingRecord[]): void {
  for (let from = 0; from < records.length; from += maxRecordsPerSend) {
    const chunk = records.slice(from, from + maxRecordsPerSend)
    const sent = exactlyOnce
      ? (transaction ??= producer.beginTransaction()).then((txn) => txn.send(chunk))
      : producer.send(chunk)
    inflight.push(sent)
  }
}

async function commit(): Promise<void> {
  const offsets = [...positions.values()]
  const waiting = inflight
  inflight = []
  await Promise.all(waiting)
  if (exactlyOnce) {
    if (transaction || offsets.length > 0) {
      const txn = await (transaction ??= producer.beginTransaction())
      transaction = undefined
      await txn.sendOffsets(consumer, offsets)
      await txn.commit()
    }
  } else if (offsets.length > 0) {
    await consumer.commitOffsets(offsets)
  }
  positions.clear()
  lastCommit = Date.now()
}

const fail = (error: unknown) => {
  emit({ event: 'error', message: error instanceof Error ? error.message : String(error) })
  process.exit(2)
}

setState('STARTING')
await producer.connect()
await consumer.connect()
await consumer.subscribe(inputs)
await consumer.run({
  eachBatch: (batch) =>
    exclusive(async () => {
      const last = batch.records[batch.records.length - 1]
      if (!last) return
      send(
        batch.records.map((r) => ({
          topic: output,
          key: r.key,
          value: r.value,
          headers: r.headers,
          timestamp: r.timestamp,
        })),
      )
      positions.set(`${batch.topic}\u0000${batch.partition}`, {
        topic: batch.topic,
        partition: batch.partition,
        offset: last.offset + 1,
      })
      if (Date.now() - lastCommit >= commitIntervalMs) await commit()
    }).catch(fail),
  onAssigned: async (partitions) => {
    if (partitions.length > 0 && state !== 'RUNNING') setState('RUNNING')
  },
  onRevoked: (partitions) =>
    exclusive(async () => {
      if (partitions.length > 0) await commit()
    }),
})
const timer = setInterval(
  () => {
    if (positions.size > 0 && Date.now() - lastCommit >= commitIntervalMs) void exclusive(commit).catch(fail)
  },
  Math.min(100, commitIntervalMs),
)
onTermination(async () => {
  clearInterval(timer)
  await exclusive(commit)
  await consumer.disconnect()
  await producer.disconnect()
})
