// The errors of librdkafka's consume calls under the KafkaJS-style consumer of @confluentinc/kafka-javascript.
// That layer only logs them and consumes again ("Consumer encountered error while consuming. Retrying."), for
// ever: a group the principal may not use (GROUP_AUTHORIZATION_FAILED, reported once by librdkafka) left the
// instance STARTING with nothing to say. One that retrying cannot fix goes to `onFatal`, once.
import type { StreamsError } from '../errors/index.js'
import { translateClientError } from './kafka-error.js'
import { librdkafkaCodeName } from './librdkafka-code-name.js'

type Consume = (size: number, callback: (error: unknown, messages: unknown) => void) => void

/**
 * Wraps `native.consume` (librdkafka's consumer under the KafkaJS-style one) to see each call's error; a
 * closure per consume call, none per record. `leaving`: errors while the consumer leaves are expected.
 */
export function watchConsumeErrors(
  native: object,
  groupId: string,
  leaving: () => boolean,
  onFatal: (error: StreamsError) => void,
): void {
  const consumer = native as { consume: Consume }
  const consume = consumer.consume.bind(consumer)
  let reported = false
  consumer.consume = (size, callback) =>
    consume(size, (error, messages) => {
      if (error && !reported && !leaving()) {
        const failure = translateClientError(error, `consume (group ${groupId})`, librdkafkaCodeName)
        if (failure.code === 'AUTHORIZATION_FAILED') {
          reported = true
          onFatal(failure)
        }
      }
      callback(error, messages)
    })
}
