// A set-up problem a user has to fix (missing Java, a taken port, a broker that never became ready).
// The message names the cause and the fix; callers print it as is and exit, without a stack trace.

export const setupErrorCodes = [
  'JAVA_MISSING',
  'MAVEN_MISSING',
  'KAFKA_DOWNLOAD_FAILED',
  'PORT_TAKEN',
  'BROKER_NOT_READY',
  'BROKER_EXITED',
  'CONFIG_INVALID',
  'OPENSSL_MISSING',
  'OPENSSL_FAILED',
  'TOOL_FAILED',
] as const
export type SetupErrorCode = (typeof setupErrorCodes)[number]

export class SetupError extends Error {
  override readonly name = 'SetupError'
  constructor(
    readonly code: SetupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
