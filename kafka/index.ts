// The public surface of kafka/: the port, its errors, and the factory that picks an adapter.
import { createConfluentClient } from './confluent-client.js'
import { createKafkajsClient } from './kafkajs-client.js'
import type { ClientKind, KafkaClient, KafkaClientConfig } from './kafka-port.js'
import { chooseClient, tryLoadNativeClient, type ClientChoice } from './native-client.js'

export * from './kafka-port.js'
export * from './kafka-error.js'
export * from './kafka-security.js'
export { kafkaSecurityFromEnv, securityVariables } from './kafka-security-env.js'
export {
  chooseClient,
  nativeClientInstallHint,
  tryLoadNativeClient,
  type ClientChoice,
  type NativeClientLoad,
} from './native-client.js'
export { retrying, type RetryOptions } from './retry.js'
export { TopicPartitionMap } from './topic-partition-map.js'

export function createKafkaClient(config: KafkaClientConfig & { readonly kind?: ClientKind }): KafkaClient {
  const kind = config.kind ?? 'confluent'
  switch (kind) {
    case 'confluent':
      return createConfluentClient(config)
    case 'kafkajs':
      return createKafkajsClient(config)
  }
}

/**
 * The client KAFKA_CLIENT asks for ('confluent' or 'kafkajs'), and why: unset, the native client when it
 * loads, else kafkajs. Throws a clear error for an unknown value, or for `confluent` when it does not load.
 */
export function clientFromEnv(value = process.env['KAFKA_CLIENT']): ClientChoice {
  return chooseClient(value, tryLoadNativeClient)
}

/** `clientFromEnv(value).kind`. */
export function clientKindFromEnv(value = process.env['KAFKA_CLIENT']): ClientKind {
  return clientFromEnv(value).kind
}
export * from './acl-binding.js'
export { probeConnection, type ProbeOptions } from './connection-probe.js'
