// `npm run cli -- <command>`: a small client for the service's topics.
//   publish-command '<json>'   publishes a command (key: its resourceId) to reservation-commands
//   publish-payment '<json>'   publishes a payment event (key: its reservationId) to payments
//   publish-resource '<json>'  publishes a resource definition to resources
//   tail [--from-beginning]    prints the event stream readably until Ctrl-C
//   acls [--application-id ID] [--principal User:NAME]
//                              prints the ACLs the service needs (service/acls.ts) and the kafka-acls
//                              commands granting them
// JSON arguments are read as the JSON format reads them (timestamps as epoch milliseconds or ISO-8601) and
// published in the configured format. Uses the service's configuration (KAFKA_BROKERS, RESERVATION_FORMAT,
// topic names).
import { createKafkaClient } from '../kafka/index.js'
import { reservationCodecs } from '../processors/service-codecs.js'
import { jsonCodec, type SchemaName, type SchemaValues } from '../schemas/index.js'
import { runOrExplain, untilSignal } from '../tools/local-kafka/run-or-explain.js'
import { SetupError } from '../tools/local-kafka/setup-error.js'
import { parseArgs } from 'node:util'
import { formatAcls, serviceAcls } from './acls.js'
import { configFromEnv } from './config.js'
import { formatEvent } from './demo/event-format.js'

const usage = `usage: npm run cli -- publish-command '<json>' | publish-payment '<json>' | publish-resource '<json>' | tail [--from-beginning] | acls [--application-id ID] [--principal User:NAME]`

await runOrExplain(async () => {
  const [action, argument] = process.argv.slice(2)
  const config = configFromEnv()
  if (action === 'acls') {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { 'application-id': { type: 'string' }, principal: { type: 'string' } },
    })
    const applicationId = values['application-id'] ?? config.applicationId
    const principal = values.principal ?? `User:${applicationId}`
    console.log(formatAcls(principal, serviceAcls(applicationId, config.topics)))
    return
  }
  const brokers = config.brokers ?? ['127.0.0.1:9092']
  const client = createKafkaClient({
    kind: config.client,
    brokers,
    security: config.security,
    clientId: 'reservation-cli',
  })
  const codecs = await reservationCodecs(config.format, config.topics, config.schemaRegistryUrl)
  const publish = async (topic: string, key: string, value: Buffer) => {
    const producer = client.producer()
    await producer.connect()
    const [position] = await producer.send([{ topic, key: Buffer.from(key), value, timestamp: Date.now() }])
    await producer.disconnect()
    console.log(`published to ${topic} partition ${position?.partition} offset ${position?.offset}`)
  }
  /** The JSON argument read as the JSON format reads it (validated; timestamps in either form). */
  const read = <K extends SchemaName>(schema: K, what: string): SchemaValues[K] => {
    if (!argument) throw new SetupError('CONFIG_INVALID', usage)
    try {
      return jsonCodec(schema).decode(Buffer.from(argument))
    } catch (error) {
      throw new SetupError('CONFIG_INVALID', `not a valid ${what}: ${(error as Error).message}\n${usage}`)
    }
  }
  switch (action) {
    case 'publish-command': {
      const value = read('reservation-command', 'command')
      return publish(config.topics.commands, value.resourceId, codecs.command.encode(value))
    }
    case 'publish-payment': {
      const value = read('payment-event', 'payment event')
      return publish(config.topics.payments, value.reservationId, codecs.payment.encode(value))
    }
    case 'publish-resource': {
      const value = read('resource-definition', 'resource definition')
      return publish(config.topics.resources, value.resourceId, codecs.resource.encode(value))
    }
    case 'tail': {
      const consumer = client.consumer({
        groupId: `reservation-cli-${process.pid}`,
        isolation: 'read_committed',
        autoOffsetReset: argument === '--from-beginning' ? 'earliest' : 'latest',
      })
      await consumer.connect()
      await consumer.subscribe([config.topics.events])
      await consumer.run({
        eachBatch: async (batch) => {
          for (const record of batch.records) {
            try {
              const event = codecs.event.decode(record.value!)
              console.log(`${event.resourceId.padEnd(24)} ${formatEvent(event)}`)
            } catch (error) {
              console.log(
                `(undecodable record at ${record.partition}/${record.offset}: ${(error as Error).message})`,
              )
            }
          }
        },
      })
      console.log(`tailing ${config.topics.events} on ${brokers.join(',')}; Ctrl-C stops`)
      await untilSignal()
      await consumer.disconnect()
      return
    }
    case undefined:
    default:
      throw new SetupError('CONFIG_INVALID', usage)
  }
})
