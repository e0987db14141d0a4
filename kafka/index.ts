// The public surface of kafka/: the port, its errors, and the factory that picks an adapter.
import { createConfluentClient } from './confluent-client.js'
import { createKafkajsClient } from './kafkajs-client.js'
import { KafkaError } from './kafka-error.js'
import { clientKinds, type ClientKind, type KafkaClient, type KafkaClientConfig } from './kafka-port.js'

export * from './kafka-port.js'
export * from './kafka-error.js'
export * from './kafka-security.js'
export { kafkaSecurityFromEnv, securityVariables } from './kafka-security-env.js'
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

/** Reads KAFKA_CLIENT ('confluent' default, or 'kafkajs'); throws a clear error on anything else. */
export function clientKindFromEnv(value = process.env['KAFKA_CLIENT']): ClientKind {
  if (value === undefined || value === '') return 'confluent'
  if ((clientKinds as readonly string[]).includes(value)) return value as ClientKind
  throw new KafkaError(
    'INVALID_ARGUMENT',
    `KAFKA_CLIENT=${value} is not a known client; use one of: ${clientKinds.join(', ')}`,
  )
}
export * from './acl-binding.js'
export { probeConnection, type ProbeOptions } from './connection-probe.js'
