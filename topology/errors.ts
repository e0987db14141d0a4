// Errors of the engine: the project's root error (errors/, where every code and its recovery is listed),
// the errors that name their recovery, and the engine's own subclasses.
import { StreamsError } from '../errors/index.js'

export {
  engineErrorCodes,
  errorMessage,
  ProducerFencedError,
  StreamsError,
  TaskCorruptedError,
  TaskMigratedError,
  type EngineErrorCode,
  type ErrorCode,
} from '../errors/index.js'

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
