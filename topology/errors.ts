// Errors of the engine, each named after the recovery it needs (as Kafka Streams does):
// - TASK_MIGRATED: our tasks moved to another member or our producer was fenced: drop uncommitted work,
//   rejoin the group. Retriable.
// - TASK_CORRUPTED: a task's local state cannot be trusted: wipe its stores and restore from the changelog.
// - DESERIALIZATION / PROCESSING / PRODUCTION: a record failed; the configured handler decides between the
//   dead-letter queue and stopping.
// - TOPOLOGY_INVALID / CO_PARTITIONING / CONFIG_INVALID: the application is wrong; fix it, no retry helps.

export const streamsErrorCodes = [
  'TASK_MIGRATED',
  'TASK_CORRUPTED',
  'DESERIALIZATION',
  'PROCESSING',
  'PRODUCTION',
  'TOPOLOGY_INVALID',
  'CO_PARTITIONING',
  'CONFIG_INVALID',
  'NOT_RUNNING',
] as const
export type StreamsErrorCode = (typeof streamsErrorCodes)[number]

const retriable: ReadonlySet<StreamsErrorCode> = new Set(['TASK_MIGRATED', 'TASK_CORRUPTED'])

export class StreamsError extends Error {
  override readonly name: string = 'StreamsError'
  readonly retriable: boolean
  constructor(
    readonly code: StreamsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.retriable = retriable.has(code)
  }
}

export class TopologyError extends StreamsError {
  override readonly name = 'TopologyError'
  constructor(message: string) {
    super('TOPOLOGY_INVALID', message)
  }
}

/** A record could not be read; carries where it came from for the dead-letter queue. */
export class DeserializationError extends StreamsError {
  override readonly name = 'DeserializationError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('DESERIALIZATION', message, options)
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
