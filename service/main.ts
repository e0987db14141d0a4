// `npm start`: starts a local Kafka broker when KAFKA_BROKERS is unset, creates the service's topics,
// prints where everything runs and stays up until Ctrl-C (SIGTERM works too).
import { createKafkaClient, clientKindFromEnv } from '../kafka/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'
import { runOrExplain, untilSignal } from '../tools/local-kafka/run-or-explain.js'
import { layoutFromEnv, serviceTopicSpecs, topicsFromEnv } from './topics.js'

await runOrExplain(async () => {
  let local: LocalKafkaCluster | undefined
  let brokers = process.env['KAFKA_BROKERS']
  if (!brokers) {
    console.log('KAFKA_BROKERS is unset: starting a local Apache Kafka broker...')
    local = await startLocalKafka({
      ...(process.env['LOCAL_KAFKA_PORT']
        ? { port: Number(process.env['LOCAL_KAFKA_PORT']) }
        : { port: 9092 }),
      workDir: process.env['LOCAL_KAFKA_DIR'] ?? '.state/local-kafka',
      log: (line) => console.log(line),
    })
    brokers = local.bootstrapServers
  }
  try {
    const kafka = createKafkaClient({
      kind: clientKindFromEnv(),
      brokers: brokers.split(','),
      clientId: 'reservation-setup',
    })
    const admin = kafka.admin()
    await admin.connect()
    const topics = topicsFromEnv()
    const created = await admin.createTopics(serviceTopicSpecs(topics, layoutFromEnv()))
    await admin.disconnect()
    console.log(`Kafka: ${brokers}${local ? ` (local broker, logs in ${local.nodes[0]?.logFile})` : ''}`)
    console.log(
      `Topics: ${Object.values(topics).join(', ')}${created.length ? ` (created: ${created.join(', ')})` : ' (all existed)'}`,
    )
    console.log('Ready. Press Ctrl-C to stop.')
    await untilSignal()
  } finally {
    if (local) {
      console.log('Stopping the local Kafka broker...')
      await local.stop()
    }
  }
})
