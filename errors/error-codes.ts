// Every error code of the project, by the layer that raises it, and whether retrying the very same call
// later can succeed with no other recovery (`retriable`). One list, so that any caller can read any error
// the same way (errors/streams-error.ts); each layer's error class narrows `code` to its own list.

/**
 * The errors that name their recovery (Kafka Streams' TaskMigratedException, TaskCorruptedException,
 * ProducerFencedException), raised where a client or store error is translated and dispatched on by the
 * runtime's recovery (topology/runtime/recovery.ts):
 * - `TASK_MIGRATED`: the group moved on without us (a rebalance, our member or generation stale, our static
 *   instance id taken): drop uncommitted work and rejoin; the tasks are rebuilt from what was committed.
 *   Retriable: the client rejoins by itself, and the same call succeeds once it has.
 * - `TASK_CORRUPTED`: a task's local state cannot be trusted (ahead of its changelog, unreadable): wipe
 *   its stores and restore them from the changelog.
 * - `PRODUCER_FENCED`: a newer producer took our transactional id over, or the producer is in a state it
 *   does not leave (a fatal librdkafka error): abort, make a new producer, rebuild the tasks.
 */
export const recoveryErrorCodes = ['TASK_MIGRATED', 'TASK_CORRUPTED', 'PRODUCER_FENCED'] as const

/**
 * The engine (topology/):
 * - `DESERIALIZATION` / `PROCESSING` / `PRODUCTION`: a record failed; the configured handler decides
 *   between the dead-letter topic and stopping.
 * - `TOPOLOGY_INVALID` / `CO_PARTITIONING` / `CONFIG_INVALID`: the application is wrong; fix it.
 * - `NOT_RUNNING`: the instance is not processing (yet, or any more).
 * - `ILLEGAL_STATE`: a lifecycle step asked in a state that does not allow it (a bug in the caller).
 */
export const engineErrorCodes = [
  'DESERIALIZATION',
  'PROCESSING',
  'PRODUCTION',
  'TOPOLOGY_INVALID',
  'CO_PARTITIONING',
  'CONFIG_INVALID',
  'NOT_RUNNING',
  'ILLEGAL_STATE',
] as const

/**
 * A Kafka client call (kafka/, translated from the client libraries' protocol codes in kafka-error.ts):
 * - `TRANSACTION_ABORTABLE`: the transaction cannot complete: abort it and retry from the last commit.
 * - `TIMEOUT` / `BROKER_UNAVAILABLE`: a broker down, leadership or a coordinator moving: retry.
 * - `TOPIC_NOT_FOUND` / `TOPIC_EXISTS` / `INVALID_ARGUMENT`: the call was wrong for the cluster's state.
 * - `AUTHENTICATION_FAILED`: the broker refused the SASL credentials; `TLS_FAILED`: the TLS handshake failed
 *   (an untrusted or mismatched certificate); `AUTHORIZATION_FAILED`: the principal lacks an ACL. Fix the
 *   configuration or the ACLs; retrying does not help.
 * - `CLIENT_UNAVAILABLE`: the chosen client library is not installed or does not load (the optional native
 *   client without its binary): install it, or choose the other client; retrying does not help.
 * - `UNKNOWN`: the client said something we have no translation for.
 */
export const kafkaErrorCodes = [
  'TRANSACTION_ABORTABLE',
  'TOPIC_NOT_FOUND',
  'TOPIC_EXISTS',
  'TIMEOUT',
  'BROKER_UNAVAILABLE',
  'INVALID_ARGUMENT',
  'AUTHENTICATION_FAILED',
  'AUTHORIZATION_FAILED',
  'TLS_FAILED',
  'CLIENT_UNAVAILABLE',
  'UNKNOWN',
] as const

/**
 * A state store (state/):
 * - `STORE_CLOSED`: used before `open()` or after `close()`: a lifecycle error in the caller.
 * - `STORE_LOCKED`: another instance still holds the store directory (the previous owner of the task
 *   during a rebalance): back off and open again.
 * - `STORE_CORRUPTED`: local data cannot be trusted (unreadable files, undecodable values, an unknown
 *   format): `wipe()` and restore from the changelog.
 * - `STORE_IO`: the storage engine failed to read or write; if it persists, treat as corrupted.
 * - `STORE_MISCONFIGURED`: a store spec that cannot work (bad name, bad option).
 * - `STORE_INVALID_ARGUMENT`: an argument it cannot store (e.g. a negative timestamp): a bug in the caller.
 */
export const stateStoreErrorCodes = [
  'STORE_CLOSED',
  'STORE_LOCKED',
  'STORE_CORRUPTED',
  'STORE_IO',
  'STORE_MISCONFIGURED',
  'STORE_INVALID_ARGUMENT',
] as const

/**
 * A codec (schemas/): the code names the reason precisely (it goes to the DLQ header). Only
 * `REGISTRY_UNAVAILABLE` can succeed on the same bytes later.
 */
export const codecErrorCodes = [
  'BAD_MAGIC',
  'UNKNOWN_FINGERPRINT',
  'UNKNOWN_SCHEMA_ID',
  'INCOMPATIBLE_SCHEMA',
  'TRUNCATED',
  'TRAILING_BYTES',
  'MALFORMED_JSON',
  'UNKNOWN_TYPE',
  'INVALID_FIELD',
  'REGISTRY_UNAVAILABLE',
] as const

export type RecoveryErrorCode = (typeof recoveryErrorCodes)[number]
export type EngineErrorCode = (typeof engineErrorCodes)[number]
export type KafkaErrorCode = (typeof kafkaErrorCodes)[number]
export type StateStoreErrorCode = (typeof stateStoreErrorCodes)[number]
export type CodecErrorCode = (typeof codecErrorCodes)[number]
export type ErrorCode =
  RecoveryErrorCode | EngineErrorCode | KafkaErrorCode | StateStoreErrorCode | CodecErrorCode

/** The codes whose call may succeed when simply made again later. */
export const retriableCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'TASK_MIGRATED',
  'TRANSACTION_ABORTABLE',
  'TIMEOUT',
  'BROKER_UNAVAILABLE',
  'STORE_LOCKED',
  'STORE_IO',
  'REGISTRY_UNAVAILABLE',
])
