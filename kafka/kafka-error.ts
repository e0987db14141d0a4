// Client errors translated at one boundary: every adapter turns what its library throws into the project's
// errors (errors/) by the codes the library reports, never by its message text — Kafka's protocol error
// names (both libraries report them: kafkajs as `type`, librdkafka as `ERR_<NAME>`), librdkafka's local
// errors (`ERR__<NAME>`) and flags, kafkajs's error classes and Node's socket codes, in the table below.
// The errors that need a recovery of their own come out as such: a fenced producer as ProducerFencedError
// (make a new producer), a stale group member as TaskMigratedError (rejoin); the rest as a KafkaError
// whose code says whether to retry.
import { ProducerFencedError, StreamsError, TaskMigratedError, type KafkaErrorCode } from '../errors/index.js'

export { kafkaErrorCodes, type KafkaErrorCode } from '../errors/index.js'

export class KafkaError extends StreamsError {
  override readonly name = 'KafkaError'
  declare readonly code: KafkaErrorCode
  constructor(code: KafkaErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(code, message, options)
  }
}

type Translation = KafkaErrorCode | 'PRODUCER_FENCED' | 'TASK_MIGRATED'

/**
 * What each name a client reports means to us. Protocol names are Kafka's (with the spellings of kafkajs
 * and librdkafka where they differ); `_NAME` are librdkafka's local errors; `KafkaJS…` are kafkajs's classes; `E…` Node's.
 */
const translations: Readonly<Record<string, Translation>> = {
  // fencing of our transactional id: a new producer
  PRODUCER_FENCED: 'PRODUCER_FENCED',
  INVALID_PRODUCER_EPOCH: 'PRODUCER_FENCED',
  _FENCED: 'PRODUCER_FENCED',
  // the producer's sequence or id is lost to the broker: it cannot go on (Kafka Streams: task migrated)
  OUT_OF_ORDER_SEQUENCE_NUMBER: 'PRODUCER_FENCED',
  INVALID_PRODUCER_ID_MAPPING: 'PRODUCER_FENCED',
  UNKNOWN_PRODUCER_ID: 'PRODUCER_FENCED',
  // the group moved on without this member: rejoin
  ILLEGAL_GENERATION: 'TASK_MIGRATED',
  UNKNOWN_MEMBER_ID: 'TASK_MIGRATED',
  REBALANCE_IN_PROGRESS: 'TASK_MIGRATED',
  FENCED_INSTANCE_ID: 'TASK_MIGRATED',
  FENCED_MEMBER_EPOCH: 'TASK_MIGRATED',
  STALE_MEMBER_EPOCH: 'TASK_MIGRATED',
  UNRELEASED_INSTANCE_ID: 'TASK_MIGRATED',
  _ASSIGNMENT_LOST: 'TASK_MIGRATED',
  _MAX_POLL_EXCEEDED: 'TASK_MIGRATED',
  // the transaction cannot complete
  INVALID_TXN_STATE: 'TRANSACTION_ABORTABLE',
  CONCURRENT_TRANSACTIONS: 'TRANSACTION_ABORTABLE',
  TRANSACTION_ABORTABLE: 'TRANSACTION_ABORTABLE',
  // topics
  TOPIC_ALREADY_EXISTS: 'TOPIC_EXISTS',
  UNKNOWN_TOPIC_OR_PARTITION: 'TOPIC_NOT_FOUND',
  UNKNOWN_TOPIC_OR_PART: 'TOPIC_NOT_FOUND',
  UNKNOWN_TOPIC_ID: 'TOPIC_NOT_FOUND',
  _UNKNOWN_TOPIC: 'TOPIC_NOT_FOUND',
  _UNKNOWN_PARTITION: 'TOPIC_NOT_FOUND',
  // time
  REQUEST_TIMED_OUT: 'TIMEOUT',
  _TIMED_OUT: 'TIMEOUT',
  _MSG_TIMED_OUT: 'TIMEOUT',
  _TIMED_OUT_QUEUE: 'TIMEOUT',
  KafkaJSRequestTimeoutError: 'TIMEOUT',
  KafkaJSTimeout: 'TIMEOUT',
  KafkaJSLockTimeout: 'TIMEOUT',
  ETIMEDOUT: 'TIMEOUT',
  // a broker down, leadership or a coordinator moving
  NOT_LEADER_OR_FOLLOWER: 'BROKER_UNAVAILABLE',
  NOT_LEADER_FOR_PARTITION: 'BROKER_UNAVAILABLE',
  LEADER_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  BROKER_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  REPLICA_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  NETWORK_EXCEPTION: 'BROKER_UNAVAILABLE',
  NOT_ENOUGH_REPLICAS: 'BROKER_UNAVAILABLE',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'BROKER_UNAVAILABLE',
  COORDINATOR_LOAD_IN_PROGRESS: 'BROKER_UNAVAILABLE',
  GROUP_LOAD_IN_PROGRESS: 'BROKER_UNAVAILABLE',
  COORDINATOR_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  GROUP_COORDINATOR_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  NOT_COORDINATOR: 'BROKER_UNAVAILABLE',
  NOT_COORDINATOR_FOR_GROUP: 'BROKER_UNAVAILABLE',
  NOT_CONTROLLER: 'BROKER_UNAVAILABLE',
  KAFKA_STORAGE_ERROR: 'BROKER_UNAVAILABLE',
  _TRANSPORT: 'BROKER_UNAVAILABLE',
  _ALL_BROKERS_DOWN: 'BROKER_UNAVAILABLE',
  _RESOLVE: 'BROKER_UNAVAILABLE',
  _WAIT_COORD: 'BROKER_UNAVAILABLE',
  // a leader just elected: its high watermark not caught up yet, or the request's leader epoch not its own
  OFFSET_NOT_AVAILABLE: 'BROKER_UNAVAILABLE',
  FENCED_LEADER_EPOCH: 'BROKER_UNAVAILABLE',
  UNKNOWN_LEADER_EPOCH: 'BROKER_UNAVAILABLE',
  // a request to a broker librdkafka decommissioned (gone from the metadata: a broker stopped)
  _DESTROY_BROKER: 'BROKER_UNAVAILABLE',
  KafkaJSConnectionError: 'BROKER_UNAVAILABLE',
  KafkaJSConnectionClosedError: 'BROKER_UNAVAILABLE',
  KafkaJSNoBrokerAvailableError: 'BROKER_UNAVAILABLE',
  KafkaJSBrokerNotFound: 'BROKER_UNAVAILABLE',
  KafkaJSGroupCoordinatorNotFound: 'BROKER_UNAVAILABLE',
  ECONNREFUSED: 'BROKER_UNAVAILABLE',
  ECONNRESET: 'BROKER_UNAVAILABLE',
  EPIPE: 'BROKER_UNAVAILABLE',
  // security: credentials, certificates, ACLs (kafkajs's TLS errors carry Node's OpenSSL codes)
  SASL_AUTHENTICATION_FAILED: 'AUTHENTICATION_FAILED',
  _AUTHENTICATION: 'AUTHENTICATION_FAILED',
  KafkaJSSASLAuthenticationError: 'AUTHENTICATION_FAILED',
  ILLEGAL_SASL_STATE: 'AUTHENTICATION_FAILED',
  UNSUPPORTED_SASL_MECHANISM: 'AUTHENTICATION_FAILED',
  TOPIC_AUTHORIZATION_FAILED: 'AUTHORIZATION_FAILED',
  GROUP_AUTHORIZATION_FAILED: 'AUTHORIZATION_FAILED',
  CLUSTER_AUTHORIZATION_FAILED: 'AUTHORIZATION_FAILED',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'AUTHORIZATION_FAILED',
  _SSL: 'TLS_FAILED',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS_FAILED',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS_FAILED',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS_FAILED',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS_FAILED',
  CERT_HAS_EXPIRED: 'TLS_FAILED',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS_FAILED',
  EPROTO: 'TLS_FAILED',
  // wrong calls
  _INVALID_ARG: 'INVALID_ARGUMENT',
  INVALID_REQUEST: 'INVALID_ARGUMENT',
  INVALID_PARTITIONS: 'INVALID_ARGUMENT',
  INVALID_REPLICATION_FACTOR: 'INVALID_ARGUMENT',
  INVALID_CONFIG: 'INVALID_ARGUMENT',
}

/** What a library error tells of itself: the names it carries and librdkafka's flags. */
interface ClientErrorFacts {
  /** Codes the library gave the error (protocol or local error names, Node socket codes), outermost first. */
  readonly codes: readonly string[]
  /** The library's error classes, outermost first. */
  readonly classes: readonly string[]
  /** librdkafka: the transaction must be aborted (`isTxnRequiresAbort`, or `abortable` in its KafkaJS layer). */
  readonly abortable: boolean
  /** librdkafka: the producer cannot be used again (`isFatal`, or `fatal`). */
  readonly fatal: boolean
}

/**
 * Translates what a client library threw into the project's error. `codeName` maps a bare numeric code
 * (librdkafka's native errors carry no name) to its library name, e.g. -144 → `ERR__FENCED`.
 */
export function translateClientError(
  error: unknown,
  during: string,
  codeName?: (code: number) => string | undefined,
): StreamsError {
  if (error instanceof StreamsError) return error
  const facts = factsOf(error, codeName)
  const message = `${during}: ${describe(error, facts.codes[0])}`
  const options = { cause: error }
  let translation = [...facts.codes, ...facts.classes]
    .map((name) => translations[name])
    .find((t) => t !== undefined)
  if (facts.fatal && translation === undefined) translation = 'PRODUCER_FENCED'
  if (facts.abortable && translation === undefined) translation = 'TRANSACTION_ABORTABLE'
  if (translation === 'PRODUCER_FENCED') return new ProducerFencedError(message, options)
  if (translation === 'TASK_MIGRATED') return new TaskMigratedError(message, options)
  return new KafkaError(translation ?? 'UNKNOWN', message, options)
}

/** The codes and classes of an error and of its causes (kafkajs wraps the error its retries gave up on). */
function factsOf(error: unknown, codeName?: (code: number) => string | undefined): ClientErrorFacts {
  const codes: string[] = []
  const classes: string[] = []
  let abortable = false
  let fatal = false
  const seen = new Set<unknown>()
  for (let e: unknown = error; typeof e === 'object' && e !== null && !seen.has(e);) {
    seen.add(e)
    const fields = e as Record<string, unknown>
    const { type, code, name } = fields
    if (typeof type === 'string') codes.push(libraryName(type))
    else if (typeof code === 'number') {
      const named = codeName?.(code)
      if (named !== undefined) codes.push(libraryName(named))
    }
    if (typeof code === 'string') codes.push(code)
    if (typeof name === 'string') classes.push(name)
    // an aggregate (a createTopics of several topics) carries one error per topic
    const parts = fields['errors']
    if (Array.isArray(parts))
      for (const part of parts as unknown[]) {
        const partType = (part as { type?: unknown } | null)?.type
        if (typeof partType === 'string') codes.push(libraryName(partType))
      }
    abortable ||= fields['isTxnRequiresAbort'] === true || fields['abortable'] === true
    fatal ||= fields['isFatal'] === true || fields['fatal'] === true
    e = fields['cause']
  }
  return { codes, classes, abortable, fatal }
}

/** librdkafka's `ERR_NAME` (a protocol error) and `ERR__NAME` (a local one) → `NAME` and `_NAME`. */
function libraryName(name: string): string {
  return name.startsWith('ERR_') ? name.slice('ERR_'.length) : name
}

function describe(error: unknown, code: string | undefined): string {
  const text = error instanceof Error ? error.message : String(error)
  const parts = (error as { errors?: unknown } | null)?.errors
  if (Array.isArray(parts) && parts.length > 0) {
    // name each part's code and topic: "TOPIC_AUTHORIZATION_FAILED on payments"
    const each = (parts as { type?: unknown; topic?: unknown; message?: unknown }[]).map((p) =>
      [
        typeof p.type === 'string' ? libraryName(p.type) : String(p.message),
        typeof p.topic === 'string' ? `on ${p.topic}` : '',
      ]
        .filter(Boolean)
        .join(' '),
    )
    return `${text} (${each.join('; ')})`
  }
  return code !== undefined && !text.includes(code) ? `${text} (${code})` : text
}
