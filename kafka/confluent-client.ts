// Adapter: the Kafka port on @confluentinc/kafka-javascript (librdkafka): the admin through its KafkaJS-style
// API; the group consumer (confluent-group-consumer.ts) and the producer (confluent-producer.ts) on
// librdkafka's own API.
// Revocation runs before partitions move (an awaited rebalance_cb), cooperative-sticky rebalancing is
// available, and transactional offset commits carry the consumer's group metadata (KIP-447 fencing).
import { clientLog } from './client-logs.js'
import { ConfluentGroupConsumer } from './confluent-group-consumer.js'
import { ConfluentPartitionReader } from './confluent-partition-reader.js'
import { ConfluentWatermarks } from './confluent-watermarks.js'
import { ConfluentProducer } from './confluent-producer.js'
import { settleConfluentProducers } from './deferred-destroys.js'
import { librdkafkaSecurityProperties } from './kafka-security.js'
import { librdkafkaCodeName } from './librdkafka-code-name.js'
import { nativeClient } from './native-client.js'
import { KafkajsStyleAdmin, type KafkajsStyleAdminApi } from './kafkajs-style.js'
import { RenewingAdmin } from './renewing-admin.js'
import type { KafkaClient, KafkaClientConfig } from './kafka-port.js'

/** Throws CLIENT_UNAVAILABLE when the native client is not installed (native-client.ts). */
export function createConfluentClient(config: KafkaClientConfig): KafkaClient {
  const { KafkaJS } = nativeClient()
  const levels = {
    error: KafkaJS.logLevel.ERROR,
    warn: KafkaJS.logLevel.WARN,
    info: KafkaJS.logLevel.INFO,
    debug: KafkaJS.logLevel.DEBUG,
  }
  const security = librdkafkaSecurityProperties(config.security)
  const log = clientLog(config, 'confluent')
  const kafka = new KafkaJS.Kafka({
    ...security,
    kafkaJS: {
      brokers: [...config.brokers],
      clientId: config.clientId,
      logLevel: levels[config.logLevel ?? 'error'],
      logger: log.confluentLogger(),
    },
  })
  return {
    kind: 'confluent',
    admin: () =>
      new RenewingAdmin(() => {
        const admin = kafka.admin()
        // offsets through a consumer, never librdkafka's admin ListOffsets (confluent-watermarks.ts);
        // read_uncommitted: the high watermarks the port promises
        const watermarks = ConfluentWatermarks.ownConsumer(
          config.brokers,
          config.clientId,
          'read_uncommitted',
          security,
        )
        // committed offsets through a consumer of the group, never the admin's ListConsumerGroupOffsets
        // (confluent-watermarks.ts); read_committed: stable offsets only, as requireStableOffsets
        const groups = new Map<string, ConfluentWatermarks>()
        const ofGroup = (groupId: string) => {
          let group = groups.get(groupId)
          if (!group)
            groups.set(
              groupId,
              (group = new ConfluentWatermarks({
                properties: {
                  ...security,
                  'bootstrap.servers': config.brokers.join(','),
                  'client.id': config.clientId,
                  // never subscribes: it only asks the group's coordinator for the group's offsets
                  'group.id': groupId,
                  'enable.auto.commit': false,
                  'isolation.level': 'read_committed',
                },
              })),
            )
          return group
        }
        const api: KafkajsStyleAdminApi = {
          connect: async () => {
            watermarks.open()
            await admin.connect()
          },
          disconnect: async () => {
            try {
              await admin.disconnect()
            } finally {
              await watermarks.close()
              for (const group of groups.values()) await group.close()
              groups.clear()
            }
          },
          listTopics: () => admin.listTopics(),
          createTopics: (options) => admin.createTopics(options),
          deleteTopics: (options) => admin.deleteTopics(options),
          fetchTopicOffsets: async (topic) =>
            (await watermarks.topic(topic)).map((p) => ({
              partition: p.partition,
              high: String(p.high),
              low: String(p.low),
            })),
        }
        return new KafkajsStyleAdmin(api, {
          describe: (topics) => admin.fetchTopicMetadata({ topics }),
          fetchOffsets: async (groupId, topic) => [
            {
              topic,
              partitions: (await ofGroup(groupId).committed(topic)).map((p) => ({
                partition: p.partition,
                offset: String(p.offset),
              })),
            },
          ],
          codeName: librdkafkaCodeName,
        })
      }),
    producer: (options = {}) =>
      new ConfluentProducer(config.brokers, config.clientId, options, security, log),
    consumer: (options) =>
      new ConfluentGroupConsumer(config.brokers, config.clientId, options, security, log),
    reader: (options = {}) =>
      new ConfluentPartitionReader(config.brokers, config.clientId, options, security, log),
    settleProducers: settleConfluentProducers,
  }
}
