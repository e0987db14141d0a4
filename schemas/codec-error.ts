// Errors of the codecs, under the project's root error. `code` names the reason precisely (it goes to the
// DLQ header; the codes are listed with the others in errors/error-codes.ts); `retriable` says whether
// trying the same bytes again can succeed (only when the schema registry was unreachable).
import { StreamsError, type CodecErrorCode } from '../errors/index.js'

export { codecErrorCodes, type CodecErrorCode } from '../errors/index.js'

/** Root of the codec errors. */
export class CodecError extends StreamsError {
  override readonly name: string = 'CodecError'
  declare readonly code: CodecErrorCode

  constructor(code: CodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** The bytes of a record cannot be read as a value of the schema: send the record to the DLQ. */
export class DecodeError extends CodecError {
  override readonly name = 'DecodeError'
}

/** A value does not conform to its schema: a bug in the producing code, never retriable. */
export class EncodeError extends CodecError {
  override readonly name = 'EncodeError'
}

/** The schema registry could not be reached or answered with a server error: retry later. */
export class SchemaRegistryError extends CodecError {
  override readonly name = 'SchemaRegistryError'

  constructor(message: string, options?: { cause?: unknown }) {
    super('REGISTRY_UNAVAILABLE', message, options)
  }
}
