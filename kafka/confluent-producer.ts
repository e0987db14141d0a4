// KafkaProducer on librdkafka's own producer API (the node-rdkafka API of @confluentinc/kafka-javascript),
// not its KafkaJS-style layer: that layer makes a promise and a metadata object per record and resolves
// them one by one from the delivery reports, which cost the stream thread more than the produce call
// itself. Here a send is one tracker: each delivery report lowers its count and keeps the lowest offset
// per partition, and the send resolves once, when the last report arrives (confluent-send.ts).
//
// A transactional producer asks for no delivery report but failures (`delivery.report.only.error`): its
// records are acknowledged as a whole by the transaction's commit, which librdkafka completes only once
// every record of the transaction is written (`rd_kafka_commit_transaction` flushes first, and a record
// that failed puts the transaction into an abortable error, so the commit fails). A report per record cost
// the stream thread a JavaScript object, a copied key Buffer and a persistent handle per record, and the
// binding hands reports over at most 100 per turn of the event loop (`DeliveryReportDispatcher::Flush`),
// so a commit waited for them while processing filled the turns: measured side by side, the count drain
// went from 25–28k to 37–45k records/s and the windowed count's commits from ~90% to ~30% of its drain.
// Such a send resolves once its records are queued, with no positions (`KafkaTransaction.send`); the
// commit's error names a record that failed ("ProduceRequest for <topic> [0] with 2 message(s) failed:
// Broker: Message size too large"), and the failure reports, which carry no tracker, are left unread.
//
// A producer made with `acknowledgedBy: 'flush'` (the runtime's at-least-once producer) asks for reports of
// failures only too, for the same reasons (at-least-once, the reports took 29% of a pipe drain's main
// thread): its sends resolve once queued, and `flush` is their acknowledgement. What makes that safe is
// the order in which a failure reaches JavaScript, argued step by step at `flush`.
import type { LibrdKafkaError } from '@confluentinc/kafka-javascript'
import { ProducerFencedError } from '../errors/index.js'
import type { ClientLog, LibrdkafkaLogEvent } from './client-logs.js'
import { onDeliveryReport, producerError, sendQueued, sendTracked } from './confluent-send.js'
import { deferDestroy } from './deferred-destroys.js'
import { KafkaError } from './kafka-error.js'
import { nativeClient, type NativeClientModule } from './native-client.js'
import type {
  KafkaConsumer,
  KafkaProducer,
  KafkaTransaction,
  OutgoingRecord,
  ProducerOptions,
  RecordPosition,
  TopicPartitionOffset,
} from './kafka-port.js'

type NativeProducer = InstanceType<NativeClientModule['Producer']>
type NativeConsumer = InstanceType<NativeClientModule['KafkaConsumer']>

/** What a consumer of this client must offer for `sendOffsets`: its librdkafka handle. */
export interface NativeConsumerSource {
  nativeConsumer(): NativeConsumer
}

/** Transaction operations wait at most this long (librdkafka retries inside it). */
const transactionOpTimeoutMs = 30_000
/**
 * How long past its own timeout a transactional call may take before it counts as lost: its promise is
 * rejected as fatal for the producer (the runtime then aborts, makes a new producer and rebuilds its
 * tasks) — a call librdkafka never answers must not hang the stream thread.
 */
const transactionOpGraceMs = 10_000
/**
 * `connections.max.idle.ms` of a transactional producer: past it librdkafka closes a connection nothing
 * was sent or received on, which re-runs its coordinator requests — and that is what answers a
 * `send_offsets_to_transaction` librdkafka would otherwise never answer. librdkafka 2.15 sends the
 * transactional offset commit through `rd_kafka_coord_req`, whose timeout is never checked (librdkafka
 * #5456) and whose coordinator lookup waits for a broker state change (a connection going up or down):
 * after a broker restart the cached group coordinator can be a decommissioned broker whose thread is gone
 * (#5511), so when no other connection changes state the call waits forever — seen in broker-loss on
 * confluent (issue 10): calls unanswered for minutes, and at exit `process.exit` joining the libuv worker
 * the call holds. An abandoned producer sends nothing, so its connections go idle and close; each close
 * re-runs the lookup. Above the 30 s a produce request may wait on the broker for acks=all (librdkafka's
 * request.timeout.ms), so a busy connection is never cut.
 */
const transactionalIdleMs = 45_000

/**
 * How long a `flush` waits for librdkafka to write what is queued: past librdkafka's own bound on a
 * record's delivery (`message.timeout.ms`, 300 s), after which every record has been written or failed.
 */
const flushTimeoutMs = 310_000

export class ConfluentProducer implements KafkaProducer {
  private readonly producer: NativeProducer
  private readonly transactional: boolean
  /**
   * Transactional calls librdkafka has not answered yet. The handle is not destroyed under them:
   * librdkafka can deadlock or abort the process (`rd_kafka_enq_once_del_source_return: Assertion
   * 'eonce->refcnt > 0'`) when a transactional call it still serves loses its handle, e.g. a producer
   * replaced during a broker loss while its commit was retrying (see `disconnect`).
   */
  private readonly pending = new Set<Promise<void>>()
  private readonly log: ClientLog | undefined
  /** Records are acknowledged by `flush`, not by their send (`acknowledgedBy: 'flush'`, or a transaction). */
  private readonly reportsFailuresOnly: boolean
  /** The first failure of a record sent outside a transaction without a tracker, since the last `flush`. */
  private unflushedFailure: LibrdKafkaError | undefined

  constructor(
    brokers: readonly string[],
    clientId: string,
    private readonly options: ProducerOptions,
    /** TLS and SASL properties (kafka-security.ts). */
    security: Readonly<Record<string, string>> = {},
    log?: ClientLog,
  ) {
    this.transactional = options.transactionalId !== undefined
    this.reportsFailuresOnly = this.transactional || options.acknowledgedBy === 'flush'
    this.producer = new (nativeClient().Producer)({
      ...security,
      'bootstrap.servers': brokers.join(','),
      'client.id': clientId,
      dr_cb: true,
      // a transaction's records are acknowledged by its commit, others by a flush where asked: reports
      // only of failures then (see the top)
      'delivery.report.only.error': this.reportsFailuresOnly,
      'enable.idempotence': this.transactional || (options.idempotent ?? true),
      ...(this.transactional
        ? {
            'transactional.id': options.transactionalId,
            'transaction.timeout.ms': options.transactionTimeoutMs ?? 60_000,
            'connections.max.idle.ms': transactionalIdleMs,
          }
        : {}),
      acks: -1,
      'linger.ms': options.lingerMs ?? 5,
      // output held back during a commit is handed over at once when it ends
      'queue.buffering.max.messages': 1_000_000,
      // Java-compatible key hashing, so records land where Kafka Streams, kafkajs and kcat -X partitioner=murmur2 put them.
      partitioner: 'murmur2_random',
      'allow.auto.create.topics': false,
    })
    this.producer.on('delivery-report', (error, report) => {
      if (report.opaque !== undefined) onDeliveryReport(error, report)
      else if (error && !this.transactional) this.unflushedFailure ??= error
    })
    this.log = log
    if (log) {
      this.producer.on('event.log', (event: LibrdkafkaLogEvent) => log.librdkafka(event))
      this.producer.on('event.error', (error: LibrdKafkaError) => log.librdkafkaError(error, 'producer'))
    }
  }

  async connect(): Promise<void> {
    await call('producer connect', (done) => this.producer.connect({}, (error) => done(error ?? undefined)))
    this.producer.setPollInBackground(true)
    if (this.transactional)
      await this.transactionCall(
        `init transactions (transactional id ${this.options.transactionalId})`,
        (done) => this.producer.initTransactions(transactionOpTimeoutMs, (error) => done(error)),
      )
  }

  /** A transactional call, bounded (see `transactionOpGraceMs`) and tracked until librdkafka answers it. */
  private transactionCall(
    what: string,
    run: (done: (error: LibrdKafkaError | undefined) => void) => void,
  ): Promise<void> {
    const native = call(what, run)
    const began = Date.now()
    let givenUp = false
    const settled = native.then(
      () => 'answered',
      (error: unknown) => `failed (${error instanceof Error ? error.message : String(error)})`,
    )
    const done = settled.then((outcome) => {
      this.pending.delete(done)
      // 'error', the clients' default threshold: rare, and it held a libuv worker thread all along
      if (givenUp)
        this.log?.write(
          'error',
          `${what}: librdkafka ${outcome} ${Date.now() - began} ms after the call began (given up at ${transactionOpTimeoutMs + transactionOpGraceMs} ms)`,
        )
    })
    this.pending.add(done)
    let timer: NodeJS.Timeout | undefined
    const lost = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        givenUp = true
        reject(
          new ProducerFencedError(
            `${what}: no answer from librdkafka within ${transactionOpTimeoutMs + transactionOpGraceMs} ms; the producer is replaced`,
          ),
        )
      }, transactionOpTimeoutMs + transactionOpGraceMs)
    })
    return Promise.race([native, lost]).finally(() => clearTimeout(timer))
  }

  /**
   * Destroys the handle — but never under a transactional call librdkafka still serves: destroying a
   * handle under one deadlocks or aborts the process (gdb on an instance hung in broker-loss, issue 10:
   * `send_offsets_to_transaction` waiting on the transaction manager's condition variable, the rdk:main
   * thread in `rd_kafka_txns_term` blocked destroying that condition variable, and `Disconnect` joining
   * rdk:main; the other outcome is `rd_kafka_enq_once_del_source_return: Assertion 'eonce->refcnt > 0'` or
   * a SIGSEGV). After a bounded wait for the call's answer, the destroy is left to happen when the answer
   * comes (`transactionalIdleMs` says why it comes) and `disconnect` resolves; the handle's transactional
   * id is fenced meanwhile by the producer that replaces it. `settleConfluentProducers` waits for those
   * destroys.
   */
  async disconnect(): Promise<void> {
    if (this.pending.size > 0) {
      const since = Date.now()
      let timer: NodeJS.Timeout | undefined
      const answered = await Promise.race([
        Promise.all(this.pending).then(() => true),
        new Promise<false>(
          (resolve) =>
            (timer = setTimeout(() => resolve(false), transactionOpTimeoutMs + transactionOpGraceMs)),
        ),
      ])
      clearTimeout(timer)
      if (!answered) {
        // 'error', the clients' default threshold: rare, and it holds a libuv worker thread until it ends
        this.log?.write(
          'error',
          `producer destroy deferred: librdkafka has not answered a transactional call of it within ${Date.now() - since} ms`,
        )
        deferDestroy(
          Promise.all(this.pending)
            .then(() => this.destroy())
            .then(() => this.log?.write('error', 'deferred producer destroy done'))
            .catch(() => undefined),
        )
        return
      }
    }
    await this.destroy()
  }

  private destroy(): Promise<void> {
    return call('producer disconnect', (done) =>
      this.producer.disconnect((error: LibrdKafkaError | undefined) => done(error ?? undefined)),
    )
  }

  send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (this.transactional)
      return Promise.reject(
        new KafkaError('INVALID_ARGUMENT', 'produce: a transactional producer sends within a transaction'),
      )
    return this.reportsFailuresOnly
      ? sendQueued(this.producer, records, 'produce')
      : sendTracked(this.producer, records)
  }

  /**
   * Waits until every record queued so far is written or failed, then until the binding has handed every
   * failure report of them to JavaScript, and rejects with the first failure since the last flush. Why no
   * failure can be missed (librdkafka 2.x, the binding's `DeliveryReportDispatcher`, libuv's async handles):
   *   1. `rd_kafka_flush` returns without error only once librdkafka counts no message left, and a failed
   *      message leaves that count only after the delivery report callback ran for it (`rd_kafka_poll_cb`,
   *      RD_KAFKA_OP_DR: the callback, then `rd_kafka_msg_destroy`). So by then the binding has queued every
   *      failure in its dispatcher and marked the dispatcher's uv_async handle pending (`Add`'s first
   *      report signals it; while more than 100 wait, the dispatcher's own `Flush` signals it again).
   *   2. The flush's completion reaches the main thread after that, through libuv's work-queue async handle
   *      (`wq_async`, created with the loop, so served first). libuv serves, in one pass of the poll phase
   *      (`uv__async_io`), every async handle pending when the pass reaches it, in the order they were
   *      created: the dispatcher's handle, pending since before, is served in the same pass, after the
   *      flush's callback, and hands over up to 100 reports — all failures here, so at least one if any.
   *   3. The check phase (setImmediate) comes after that poll phase. Two of them are waited for: one would
   *      do by 2; the second gives one more poll phase, a margin should a libuv serve the handles in
   *      another order.
   */
  async flush(): Promise<void> {
    await call('producer flush', (done) =>
      this.producer.flush(flushTimeoutMs, (error: LibrdKafkaError | undefined) => done(error ?? undefined)),
    )
    await nextCheckPhase()
    await nextCheckPhase()
    const failure = this.unflushedFailure
    this.unflushedFailure = undefined
    if (failure !== undefined) throw producerError(failure, 'produce')
  }

  async beginTransaction(): Promise<KafkaTransaction> {
    if (!this.transactional) {
      throw new KafkaError('INVALID_ARGUMENT', 'begin transaction: the producer has no transactionalId')
    }
    await this.transactionCall('begin transaction', (done) =>
      this.producer.beginTransaction((error) => done(error)),
    )
    const producer = this.producer
    return {
      send: (records) => sendQueued(producer, records, 'transactional produce'),
      sendOffsets: async (consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]) => {
        if (!('nativeConsumer' in consumer))
          throw new TypeError('sendOffsets needs a consumer of the same client')
        if (offsets.length === 0) return
        const native = (consumer as unknown as NativeConsumerSource).nativeConsumer()
        await this.transactionCall('send offsets to transaction', (done) =>
          producer.sendOffsetsToTransaction(
            offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
            native,
            transactionOpTimeoutMs,
            (error) => done(error),
          ),
        )
      },
      // fails if a record of the transaction was not written, naming it (test/kafka/kafka-port-contract.test.ts)
      commit: () =>
        this.transactionCall('commit transaction', (done) =>
          producer.commitTransaction(transactionOpTimeoutMs, (error) => done(error)),
        ),
      abort: () =>
        this.transactionCall('abort transaction', (done) =>
          producer.abortTransaction(transactionOpTimeoutMs, (error) => done(error)),
        ),
    }
  }
}

function nextCheckPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Runs a callback-style librdkafka call, translating its error. */
function call(
  what: string,
  run: (done: (error: LibrdKafkaError | undefined) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      run((error) => (error ? reject(producerError(error, what)) : resolve()))
    } catch (error) {
      reject(producerError(error, what))
    }
  })
}
