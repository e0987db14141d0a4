// The one root of every error the project throws (Kafka Streams' StreamsException), and the three errors
// that name their recovery. Every error has a `code` from errors/error-codes.ts, `retriable` (the same call
// may succeed later with no other recovery) and the original `cause`; each layer's class (KafkaError,
// StateStoreError, CodecError) narrows the code to its own list. The runtime's recovery dispatches on the
// classes below (topology/runtime/recovery.ts): they are thrown where a client or store error is
// translated (kafka/kafka-error.ts, the changelog restorer), never recognised later from message text.
import { retriableCodes, type ErrorCode } from './error-codes.js'

export interface StreamsErrorOptions {
  readonly cause?: unknown
  /** Overrides the code's default (error-codes.ts). */
  readonly retriable?: boolean
}

export class StreamsError extends Error {
  override readonly name: string = 'StreamsError'
  /** True when making the same call again later may succeed without any other recovery. */
  readonly retriable: boolean

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: StreamsErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.retriable = options.retriable ?? retriableCodes.has(code)
  }
}

/** The group moved on without us (a rebalance, a stale member or generation): drop uncommitted work, rejoin. */
export class TaskMigratedError extends StreamsError {
  override readonly name = 'TaskMigratedError'
  declare readonly code: 'TASK_MIGRATED'
  constructor(message: string, options: StreamsErrorOptions = {}) {
    super('TASK_MIGRATED', message, options)
  }
}

/** Local state of these tasks cannot be trusted: wipe their stores and restore them from the changelogs. */
export class TaskCorruptedError extends StreamsError {
  override readonly name = 'TaskCorruptedError'
  declare readonly code: 'TASK_CORRUPTED'
  constructor(
    /** The tasks to wipe and restore, as `<subtopology>_<partition>`. */
    readonly taskIds: readonly string[],
    message: string,
    options: StreamsErrorOptions = {},
  ) {
    super('TASK_CORRUPTED', message, options)
  }
}

/** Our producer was fenced or is unusable: abort, replace the producer, rebuild the tasks it wrote for. */
export class ProducerFencedError extends StreamsError {
  override readonly name = 'ProducerFencedError'
  declare readonly code: 'PRODUCER_FENCED'
  constructor(message: string, options: StreamsErrorOptions = {}) {
    super('PRODUCER_FENCED', message, options)
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
