// Adapter: the Kafka port on kafkajs (pure JavaScript): its producer (kafkajs-producer.ts), group consumer
// (kafkajs-consumer.ts), partition reader and admin.
// Limits, shown by the contract tests and written in the README: no revocation callback (onRevoked runs
// after the rebalance), eager rebalancing only, and transactional offset commits carry only the group id
// (no generation), so zombie fencing relies on the transactional id alone.
import kafkajs from './kafkajs.js'
import { clientLog } from './client-logs.js'
import { kafkajsSecurityOptions } from './kafka-security.js'
import { kafkajsCoordinatorProbe } from './kafkajs-coordinator-probe.js'
import { KafkajsConsumer } from './kafkajs-consumer.js'
import { KafkajsPartitionReader } from './kafkajs-partition-reader.js'
import { KafkajsProducer } from './kafkajs-producer.js'
import { KafkajsStyleAdmin } from './kafkajs-style.js'
import type { KafkaClient, KafkaClientConfig } from './kafka-port.js'

const { Kafka, logLevel: kjsLogLevel } = kafkajs

export function createKafkajsClient(config: KafkaClientConfig): KafkaClient {
  const levels = {
    error: kjsLogLevel.ERROR,
    warn: kjsLogLevel.WARN,
    info: kjsLogLevel.INFO,
    debug: kjsLogLevel.DEBUG,
  }
  const kafkaOptions = {
    brokers: [...config.brokers],
    clientId: config.clientId,
    logLevel: levels[config.logLevel ?? 'error'],
    logCreator: clientLog(config, 'kafkajs').kafkajsLogCreator(),
    ...kafkajsSecurityOptions(config.security),
  }
  const kafka = new Kafka({
    ...kafkaOptions,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 },
  })
  // why a coordinator was not found, asked once per failure (kafkajs loses a missing ACL's code)
  const probe = kafkajsCoordinatorProbe(new Kafka({ ...kafkaOptions, retry: { retries: 0 } }))
  return {
    kind: 'kafkajs',
    admin: () => {
      const admin = kafka.admin()
      return new KafkajsStyleAdmin(admin, {
        describe: async (topics) => (await admin.fetchTopicMetadata({ topics })).topics,
        fetchOffsets: (groupId, topic) => admin.fetchOffsets({ groupId, topics: [topic] }),
      })
    },
    producer: (options = {}) => new KafkajsProducer(kafka, options, probe),
    consumer: (options) => new KafkajsConsumer(kafka, options, probe),
    reader: (options = {}) => new KafkajsPartitionReader(kafka, options, config.clientId),
    settleProducers: () => Promise.resolve(0),
  }
}
