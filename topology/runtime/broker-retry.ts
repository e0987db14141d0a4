// The broker calls of a restore or a recovery (offsets, a new producer) retried while they fail with
// retriable errors — a broker down, leadership or a coordinator moving — for up to `taskTimeoutMs`, as
// Kafka Streams does within task.timeout.ms; the first retry and every tenth are logged.
import { retrying } from '../../kafka/index.js'
import type { ResolvedConfig } from './streams-config.js'

export function retryBroker<T>(
  config: Pick<ResolvedConfig, 'taskTimeoutMs' | 'log'>,
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  return retrying(what, call, {
    timeoutMs: config.taskTimeoutMs,
    onRetry: (error, attempt) => {
      if (attempt === 1 || attempt % 10 === 0)
        config.log(
          'warn',
          `${error.message}; retrying (attempt ${attempt}, for up to ${config.taskTimeoutMs} ms)`,
        )
    },
  })
}
