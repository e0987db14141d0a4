// The kafkajs adapter's producer and its transactions (kafkajs-client.ts makes them).
import type { Kafka as KjsKafka, Producer as KjsProducer, Transaction as KjsTransaction } from 'kafkajs'
import { KafkaError, translateClientError } from './kafka-error.js'
import { KafkajsConsumer } from './kafkajs-consumer.js'
import { isCoordinatorNotFound, type CoordinatorProbe } from './kafkajs-coordinator-probe.js'
import { offsetsByTopic, toPositions, toTopicMessages, translate } from './kafkajs-style.js'
import type {
  KafkaConsumer,
  KafkaProducer,
  KafkaTransaction,
  OutgoingRecord,
  ProducerOptions,
  RecordPosition,
  TopicPartitionOffset,
} from './kafka-port.js'

/**
 * The records of one send split into `sendBatch` calls of one partition each. kafkajs 2.2.4 keeps the
 * progress of a `sendBatch` that spans several partitions per broker object, and a retry after a metadata
 * refresh (a leader change, a broker leaving or rejoining the metadata) can send a partition again, with
 * new sequence numbers the broker cannot de-duplicate, when its leader counts as not yet answered — or
 * leave it out when it moved to a broker already answered. Kafka's EosTestDriver found 42 records of
 * `echo-0` twice in one committed transaction (same producer epoch, consecutive sequence numbers) during
 * a rolling broker restart (issue 10). With one partition per call a retry re-sends that partition alone,
 * with the sequence numbers it had. The calls run concurrently (a partition's sequence numbers are never
 * shared); every call is settled before the first failure is thrown, so that no call of this send outlives
 * it. Records without a partition (null keys, dead letters: the runtime partitions every keyed record) go
 * last, in one call that kafkajs partitions — still exposed to that retry.
 */
export async function sendPerPartition<T>(
  records: readonly OutgoingRecord[],
  sendBatch: (group: readonly OutgoingRecord[]) => Promise<readonly T[]>,
): Promise<T[]> {
  const groups = new Map<string, OutgoingRecord[]>()
  const unpartitioned: OutgoingRecord[] = []
  for (const record of records) {
    if (record.partition === undefined) {
      unpartitioned.push(record)
      continue
    }
    const key = `${record.partition}:${record.topic}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = []))
    group.push(record)
  }
  const sent = await Promise.allSettled([...groups.values()].map((group) => sendBatch(group)))
  const failed = sent.find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
  const results = sent.flatMap((result) => (result.status === 'fulfilled' ? result.value : []))
  // after the others: kafkajs may put them on a partition a call above was sending to
  if (unpartitioned.length > 0) results.push(...(await sendBatch(unpartitioned)))
  return results
}

/**
 * Sends of one producer, one after the other. kafkajs runs concurrent `sendBatch` calls independently, so
 * a call that is retried (e.g. on CONCURRENT_TRANSACTIONS) can land after a later one: records of one
 * partition would be written out of order. librdkafka keeps the order itself.
 */
class SendQueue {
  private tail: Promise<unknown> = Promise.resolve()
  run<T>(send: () => Promise<T>): Promise<T> {
    const result = this.tail.then(send)
    this.tail = result.catch(() => undefined)
    return result
  }
  /** Resolves once every send so far has ended. */
  async idle(): Promise<void> {
    await this.tail
  }
}

/**
 * A transactional producer's retries. The first send of a transaction right after the last one committed
 * meets the coordinator still writing that one's markers, and is refused with CONCURRENT_TRANSACTIONS until
 * it is done (milliseconds); Java's producer retries that after 20 ms (`ADD_PARTITIONS_RETRY_BACKOFF_MS`).
 * kafkajs retries every send, the idempotent producer's forever, after the client's backoff (100 ms,
 * doubling). Forever still here, from 20 ms, doubling up to 5 s.
 */
const transactionalRetry = { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 20, maxRetryTime: 5000 }

export class KafkajsProducer implements KafkaProducer {
  private readonly producer: KjsProducer
  private readonly sends = new SendQueue()
  /** The first failure of a send outside a transaction since the last `flush`. */
  private unflushedFailure: Error | undefined
  constructor(
    kafka: KjsKafka,
    private readonly options: ProducerOptions,
    private readonly probe: CoordinatorProbe,
  ) {
    const transactional = options.transactionalId !== undefined
    this.producer = kafka.producer({
      idempotent: transactional || (options.idempotent ?? true),
      maxInFlightRequests: transactional || (options.idempotent ?? true) ? 1 : 5,
      ...(transactional ? { transactionalId: options.transactionalId, retry: transactionalRetry } : {}),
      transactionTimeout: options.transactionTimeoutMs ?? 60_000,
      allowAutoTopicCreation: false,
    })
  }
  /**
   * A transactional producer takes its transactional id over here (InitProducerId: fences the id's previous
   * producer and waits for that one's transaction in flight to complete), as Java's `initTransactions` and
   * the confluent adapter do. kafkajs itself does it only at the first `transaction()`, which made a task's
   * new owner restore its stores while the previous owner's last commit was still completing (issue 10:
   * Kafka's EosTestDriver found a wrong running `min` after a rebalance, the update committed by the old
   * owner missing from the new owner's restored store); an empty transaction, ended at once, makes kafkajs
   * do it now (it sends no EndTxn for one).
   */
  connect = async (): Promise<void> => {
    const id = this.options.transactionalId
    const during = id === undefined ? 'producer connect' : `producer connect (transactional id ${id})`
    try {
      await translate(during, async () => {
        await this.producer.connect()
        if (id !== undefined) await (await this.producer.transaction()).abort()
      })
    } catch (error) {
      // "Failed to find group coordinator" for the transactional id may be the id's ACL missing, which
      // kafkajs does not tell (kafkajs-coordinator-probe.ts): asked once, a refusal is not retried
      const refused =
        id !== undefined && isCoordinatorNotFound(error) ? await this.probe('transaction', id) : undefined
      throw refused === undefined ? error : translateClientError(refused, during)
    }
  }
  disconnect = () => translate('producer disconnect', () => this.producer.disconnect())
  /** Every send is acknowledged by its own promise too (`acknowledgedBy` changes nothing here). */
  async flush(): Promise<void> {
    await this.sends.idle()
    const failure = this.unflushedFailure
    this.unflushedFailure = undefined
    if (failure !== undefined) throw failure
  }

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return []
    try {
      return await this.sends.run(() =>
        translate('produce', async () =>
          toPositions(
            await sendPerPartition(records, (group) =>
              this.producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(group) }),
            ),
          ),
        ),
      )
    } catch (error) {
      this.unflushedFailure ??= error instanceof Error ? error : new Error(String(error))
      throw error
    }
  }

  async beginTransaction(): Promise<KafkaTransaction> {
    if (this.options.transactionalId === undefined) {
      throw new KafkaError('INVALID_ARGUMENT', 'begin transaction: the producer has no transactionalId')
    }
    return new KafkajsTransaction(
      await translate('begin transaction', () => this.producer.transaction()),
      this.sends,
    )
  }
}

class KafkajsTransaction implements KafkaTransaction {
  constructor(
    private readonly txn: KjsTransaction,
    private readonly sends: SendQueue,
  ) {}

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return []
    return this.sends.run(() =>
      translate('transactional produce', async () =>
        toPositions(
          await sendPerPartition(records, (group) =>
            this.txn.sendBatch({ acks: -1, topicMessages: toTopicMessages(group) }),
          ),
        ),
      ),
    )
  }

  async sendOffsets(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (!(consumer instanceof KafkajsConsumer))
      throw new TypeError('sendOffsets needs a consumer of the same client')
    if (offsets.length === 0) return
    await translate('send offsets to transaction', () =>
      this.txn.sendOffsets({ consumerGroupId: consumer.groupId, topics: offsetsByTopic(offsets) }),
    )
  }

  commit = () => translate('commit transaction', () => this.txn.commit())
  abort = () => translate('abort transaction', () => this.txn.abort())
}
