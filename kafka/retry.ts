// Retries a client call while it fails with a retriable error (a broker down, leadership moving, a timeout),
// with growing pauses, until a deadline: the calls around a broker failure that the libraries do not retry
// long enough themselves.
import { toKafkaError } from './kafka-error.js'

export async function retrying<T>(
  during: string,
  call: () => Promise<T>,
  { timeoutMs = 60_000, firstPauseMs = 100, maxPauseMs = 2_000 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let pause = firstPauseMs; ; pause = Math.min(pause * 2, maxPauseMs)) {
    try {
      return await call()
    } catch (error) {
      const failure = toKafkaError(error, during)
      if (!failure.retriable || Date.now() + pause > deadline) throw failure
      await new Promise((resolve) => setTimeout(resolve, pause))
    }
  }
}
