// Errors of the state layer: one class under the project's root error, its codes (each naming the recovery
// the caller needs, not the symptom) listed with the others in errors/error-codes.ts.
import { StreamsError, type StateStoreErrorCode } from '../errors/index.js'

export { stateStoreErrorCodes, type StateStoreErrorCode } from '../errors/index.js'

/** The one error class thrown by `state/`. Storage engine errors are translated into it, kept as `cause`. */
export class StateStoreError extends StreamsError {
  override readonly name = 'StateStoreError'
  declare readonly code: StateStoreErrorCode
  /** The store the error is about, when known. */
  readonly store: string | undefined

  constructor(code: StateStoreErrorCode, message: string, options: { cause?: unknown; store?: string } = {}) {
    super(code, options.store === undefined ? message : `${message} (store '${options.store}')`, {
      cause: options.cause,
    })
    this.store = options.store
  }
}

/** True for a `StateStoreError`, optionally of one code. */
export function isStateStoreError(error: unknown, code?: StateStoreErrorCode): error is StateStoreError {
  return error instanceof StateStoreError && (code === undefined || error.code === code)
}
