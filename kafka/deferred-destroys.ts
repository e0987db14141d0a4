// The confluent producers whose destroy is deferred until librdkafka answers a transactional call of theirs
// (ConfluentProducer.disconnect says why), so that a process can wait for them before it exits.

/**
 * Producers whose destroy waits for librdkafka to answer a transactional call (`ConfluentProducer.disconnect`); each
 * promise settles once its producer is destroyed.
 */
const awaitingDestroy = new Set<Promise<void>>()

/** Tracks a destroy left to happen once librdkafka answers (`destroyed` must not reject). */
export function deferDestroy(destroyed: Promise<void>): void {
  const tracked: Promise<void> = destroyed.finally(() => awaitingDestroy.delete(tracked))
  awaitingDestroy.add(tracked)
}

/**
 * Resolves once every producer whose destroy waits for a transactional call's answer is destroyed, or
 * after `timeoutMs`; with how many are left. A process must not exit before: `process.exit` joins the
 * libuv threads, and one still runs the librdkafka call (Node's exit waits for it without a bound).
 */
export async function settleConfluentProducers(timeoutMs: number): Promise<number> {
  if (awaitingDestroy.size === 0) return 0
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.all(awaitingDestroy),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ])
  clearTimeout(timer)
  return awaitingDestroy.size
}
