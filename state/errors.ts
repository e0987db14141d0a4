// Errors of the state layer. Each code names the recovery the caller needs, not the symptom.

/**
 * - `STORE_CLOSED`: the store was used before `open()` or after `close()`; a programming or
 *   lifecycle error in the caller. Not retriable.
 * - `STORE_LOCKED`: another instance still holds the store directory (e.g. the previous owner of
 *   the task during a rebalance). Retriable: back off and open again.
 * - `STORE_CORRUPTED`: local data cannot be trusted (unreadable files, undecodable values, an
 *   unknown format). Recovery: `wipe()` and restore from the changelog.
 * - `STORE_IO`: the storage engine failed to read or write. Retriable once; if it persists,
 *   treat as corrupted.
 * - `STORE_MISCONFIGURED`: a store spec that cannot work (bad name, bad option). Not retriable.
 * - `STORE_INVALID_ARGUMENT`: an operation got an argument it cannot store (e.g. a negative
 *   timestamp). A bug in the caller; not retriable.
 */
export const stateStoreErrorCodes = [
  'STORE_CLOSED',
  'STORE_LOCKED',
  'STORE_CORRUPTED',
  'STORE_IO',
  'STORE_MISCONFIGURED',
  'STORE_INVALID_ARGUMENT',
] as const
export type StateStoreErrorCode = (typeof stateStoreErrorCodes)[number]

const retriableCodes: ReadonlySet<StateStoreErrorCode> = new Set(['STORE_LOCKED', 'STORE_IO'])

/** The one error class thrown by `state/`. Storage engine errors are translated into it, kept as `cause`. */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError'
  readonly code: StateStoreErrorCode
  /** True when retrying the same operation later may succeed without any other recovery. */
  readonly retriable: boolean
  /** The store the error is about, when known. */
  readonly store: string | undefined

  constructor(code: StateStoreErrorCode, message: string, options: { cause?: unknown; store?: string } = {}) {
    super(options.store === undefined ? message : `${message} (store '${options.store}')`, {
      cause: options.cause,
    })
    this.code = code
    this.retriable = retriableCodes.has(code)
    this.store = options.store
  }
}

/** True for a `StateStoreError`, optionally of one code. */
export function isStateStoreError(error: unknown, code?: StateStoreErrorCode): error is StateStoreError {
  return error instanceof StateStoreError && (code === undefined || error.code === code)
}
