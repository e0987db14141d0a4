// Waiting in a test for what the system under test reaches in its own time: polls a probe until it answers,
// and fails naming what was awaited, and what was last seen, when it does not within the timeout.
import { inspect } from 'node:util'

export interface UntilOptions {
  /** How long to wait; default 60 s. */
  readonly timeoutMs?: number
  /** Pause between probes; default 100 ms. 0 yields to the event loop only (`setImmediate`), for broker-free tests. */
  readonly intervalMs?: number
  /** What was last seen, for the failure message. */
  readonly observed?: () => string
  /** A probe that throws counts as no answer yet (the last error goes into the failure message); default: it fails the wait. */
  readonly retryErrors?: boolean
}

/**
 * Polls `probe` until it answers something other than `undefined` or `false`, and returns that answer.
 * Throws `${what} not seen within ${timeoutMs} ms` (with what was last seen) when the timeout passes first.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 100, observed, retryErrors = false } = options
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    let answer: T | undefined | false
    try {
      answer = await probe()
    } catch (error) {
      if (!retryErrors) throw error
      lastError = error
      answer = undefined
    }
    if (answer !== undefined && answer !== false) return answer
    if (Date.now() > deadline) {
      const seen = observed === undefined ? '' : `; last seen: ${observed()}`
      const failed = lastError === undefined ? '' : ` (last error: ${inspect(lastError)})`
      throw new Error(`${what} not seen within ${timeoutMs} ms${seen}${failed}`)
    }
    await new Promise((resolve) =>
      intervalMs === 0 ? setImmediate(resolve) : setTimeout(resolve, intervalMs),
    )
  }
}
