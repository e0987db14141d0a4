// `npm start`: the Reservation Service. With KAFKA_BROKERS unset it first starts a local Apache Kafka
// broker (data in .state/local-kafka); then it creates missing topics, runs the service and serves HTTP
// until SIGTERM or Ctrl-C, when it finishes the records in flight, commits and exits.
import { startLocalKafka, type LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'
import { runOrExplain, untilSignal } from '../tools/local-kafka/run-or-explain.js'
import { SetupError } from '../tools/local-kafka/setup-error.js'
import { StreamsError } from '../errors/index.js'
import { configFromEnv } from './config.js'
import { startReservationService } from './reservation-service.js'
import { createLogger, loggerOptionsFromEnv } from '../logging/logger.js'

await runOrExplain(async () => {
  let config
  let logger
  try {
    logger = createLogger(loggerOptionsFromEnv())
    config = configFromEnv()
  } catch (error) {
    if (error instanceof StreamsError && error.code === 'CONFIG_INVALID')
      throw new SetupError('CONFIG_INVALID', `Configuration error: ${error.message}`)
    throw error
  }
  const log = logger.child({ component: 'main' })
  let local: LocalKafkaCluster | undefined
  let brokers = config.brokers
  if (!brokers) {
    log.info('KAFKA_BROKERS is unset: starting a local Apache Kafka broker...')
    const brokerLog = logger.child({ component: 'local-kafka' })
    local = await startLocalKafka({
      port: process.env['LOCAL_KAFKA_PORT'] ? Number(process.env['LOCAL_KAFKA_PORT']) : 9092,
      workDir: process.env['LOCAL_KAFKA_DIR'] ?? '.state/local-kafka',
      log: (line) => brokerLog.info(line),
    })
    brokers = local.bootstrapServers.split(',')
    brokerLog.info(
      { bootstrapServers: local.bootstrapServers, logFile: local.nodes[0]?.logFile },
      `Local Kafka: ${local.bootstrapServers} (logs: ${local.nodes[0]?.logFile})`,
    )
  }
  try {
    const service = await startReservationService({ ...config, brokers }, logger)
    log.info(
      { httpPort: service.httpPort },
      `Ready: http://127.0.0.1:${service.httpPort}/health/ready · metrics on /metrics · try "npm run demo" in another terminal. Ctrl-C stops.`,
    )
    const signal = await untilSignal()
    log.info({ signal }, `${signal}: finishing records in flight and committing...`)
    await service.stop()
    log.info('Stopped cleanly.')
  } finally {
    if (local) {
      log.info('Stopping the local Kafka broker...')
      await local.stop()
    }
  }
})
