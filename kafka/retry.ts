// Retries a client call while it fails with a retriable error (a broker down, leadership moving, a timeout),
// with growing pauses, until a deadline: the calls around a broker failure that the libraries do not retry
// long enough themselves.
import type { StreamsError } from '../errors/index.js'
import { translateClientError } from './kafka-error.js'

export interface RetryOptions {
  /** Give up (throw the last error) once this long has passed, ms (default 60 s). */
  readonly timeoutMs?: number
  readonly firstPauseMs?: number
  readonly maxPauseMs?: number
  /** Errors retried although not retriable in general: a topic created a moment ago, say. */
  readonly alsoRetry?: (error: StreamsError) => boolean
  /** Told of each retriable failure before the pause that follows it. */
  readonly onRetry?: (error: StreamsError, attempt: number) => void
}

export async function retrying<T>(
  during: string,
  call: () => Promise<T>,
  { timeoutMs = 60_000, firstPauseMs = 100, maxPauseMs = 2_000, alsoRetry, onRetry }: RetryOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let attempt = 1, pause = firstPauseMs; ; attempt++, pause = Math.min(pause * 2, maxPauseMs)) {
    try {
      return await call()
    } catch (error) {
      const failure = translateClientError(error, during)
      if (!(failure.retriable || alsoRetry?.(failure)) || Date.now() + pause > deadline) throw failure
      onRetry?.(failure, attempt)
      await new Promise((resolve) => setTimeout(resolve, pause))
    }
  }
}
