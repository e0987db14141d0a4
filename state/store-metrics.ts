// The metrics sink of the state layer; the engine binds it to its metrics registry.

export const storeOperations = [
  'get',
  'put',
  'delete',
  'range',
  'fetch',
  'expire',
  'flush',
  'commit',
  'restore',
] as const
export type StoreOperation = (typeof storeOperations)[number]

/**
 * Receives one call per store operation. Implementations must be cheap and must not throw: they
 * run on the hot path of every record.
 */
export interface StoreMetrics {
  /** When false, operations are only counted: no clock is read and `durationNs` is `undefined`. */
  readonly timed: boolean
  /** For `range` and `fetch`, the duration covers the whole iteration, consumer time included. */
  recordOperation(store: string, operation: StoreOperation, durationNs: number | undefined): void
}

export const noopStoreMetrics: StoreMetrics = {
  timed: false,
  recordOperation: () => undefined,
}
