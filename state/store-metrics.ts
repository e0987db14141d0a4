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

/**
 * Runs a read that answers at once or not at all (`undefined`: the caller then awaits the full read, which
 * records itself); records it, timed when `metrics.timed`, only when it answered.
 */
export function recordIfAnswered<T>(
  metrics: StoreMetrics,
  store: string,
  operation: StoreOperation,
  read: () => T | undefined,
): T | undefined {
  const start = metrics.timed ? process.hrtime.bigint() : undefined
  const found = read()
  if (found !== undefined)
    metrics.recordOperation(
      store,
      operation,
      start === undefined ? undefined : Number(process.hrtime.bigint() - start),
    )
  return found
}

export const noopStoreMetrics: StoreMetrics = {
  timed: false,
  recordOperation: () => undefined,
}
