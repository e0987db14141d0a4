// A transactional call that kafkajs gives up on when the coordinator answers CONCURRENT_TRANSACTIONS.
//
// The coordinator answers so while the producer's previous transaction is still completing (its markers
// being written), and Java's producer retries then (TransactionManager re-enqueues AddOffsetsToTxn and
// AddPartitionsToTxn on CONCURRENT_TRANSACTIONS). kafkajs 2.2.4 retries it for records
// (AddPartitionsToTxn) but not in `sendOffsets`, whose AddOffsetsToTxn is the first request of a
// transaction that carries offsets only: right after a commit, on a loaded machine, such a commit failed
// and each failure cost a recovery (every task rebuilt and restored). In smoke crash on kafkajs an instance
// failed 16 commits so in 4 minutes and was never seen processing (.state/certify/20261201-131225-smoke-crash-kafkajs).

/** Pauses between attempts grow from `firstPauseMs` to `maxPauseMs`; the last error is thrown after `timeoutMs`. */
export interface ConcurrentTransactionsRetry {
  readonly timeoutMs?: number
  readonly firstPauseMs?: number
  readonly maxPauseMs?: number
}

function isConcurrentTransactions(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { type?: unknown }).type === 'CONCURRENT_TRANSACTIONS'
  )
}

/** `call`, again after a pause while it fails with CONCURRENT_TRANSACTIONS; any other failure at once. */
export async function retryConcurrentTransactions<T>(
  call: () => Promise<T>,
  { timeoutMs = 30_000, firstPauseMs = 20, maxPauseMs = 500 }: ConcurrentTransactionsRetry = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let pause = firstPauseMs; ; pause = Math.min(pause * 2, maxPauseMs)) {
    try {
      return await call()
    } catch (error) {
      if (!isConcurrentTransactions(error) || Date.now() + pause > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, pause))
    }
  }
}
