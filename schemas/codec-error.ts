// Errors of the codecs. `code` names the reason precisely (it goes to the DLQ header); `retriable` says
// whether trying the same bytes again can succeed (only when the schema registry was unreachable).

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
export type CodecErrorCode = (typeof codecErrorCodes)[number]

/** Root of the codec errors. */
export class CodecError extends Error {
  override readonly name: string = 'CodecError'
  readonly retriable: boolean

  constructor(
    readonly code: CodecErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.retriable = code === 'REGISTRY_UNAVAILABLE'
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
