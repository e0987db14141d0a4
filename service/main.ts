// `npm start`: the Reservation Service. With KAFKA_BROKERS unset it first starts a local Apache Kafka
// broker (data in .state/local-kafka); then it creates missing topics, runs the service and serves HTTP
// until SIGTERM or Ctrl-C.
//
// Stop protocol (Ctrl-C in a terminal signals the whole foreground process group):
//   1. The local broker runs in a process group of its own (local-kafka-cluster.ts), so the terminal's
//      SIGINT reaches only this process; the broker's watchdog still stops it if this process dies.
//   2. The first SIGINT or SIGTERM: finish the records in flight, commit, leave the group, close the
//      clients (service.stop()).
//   3. Only then stop the local broker (SIGTERM to the JVM: a clean shutdown), and exit 0.
//   4. A second SIGINT or SIGTERM at any time (also during startup, where the first one counts as it):
//      kill the local broker at once and exit 130 without waiting for anything. One Ctrl-C can arrive
//      twice (the terminal signals npm and this process, and npm forwards its own): a repeat within
//      `repeatWindowMs` of the first is that echo, not a second Ctrl-C.
// `npm start` runs `node --import tsx`, one process: the tsx CLI would sit between npm and Node and relay
// signals too, and SIGKILLs a child that does not acknowledge a signal within 60 ms (a busy event loop).
import { StreamsError } from '../errors/index.js'
import { createLogger, loggerOptionsFromEnv } from '../logging/logger.js'
import { startLocalKafka, type LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'
import { runOrExplain } from '../tools/local-kafka/run-or-explain.js'
import { SetupError } from '../tools/local-kafka/setup-error.js'
import { configFromEnv } from './config.js'
import { startReservationService } from './reservation-service.js'

/** A signal repeated within this time of the first is the same Ctrl-C delivered twice (step 4). */
const repeatWindowMs = 500

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
  const { kind, reason, fellBack } = config.clientChoice
  if (fellBack) log.warn({ client: kind }, reason)
  else log.info({ client: kind }, `Kafka client ${kind}: ${reason}`)
  let local: LocalKafkaCluster | undefined
  let running = false
  let signals = 0
  let firstSignalAt = 0
  let resolveStop: (signal: NodeJS.Signals) => void = () => {}
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (resolveStop = resolve))
  const onSignal = (signal: NodeJS.Signals) => {
    if (signals > 0 && Date.now() - firstSignalAt < repeatWindowMs) return
    if (signals === 0) firstSignalAt = Date.now()
    signals++
    if (signals === 1 && running) {
      resolveStop(signal) // step 2
      return
    }
    // step 4
    log.warn({ signal }, `${signal} again: stopping now, without committing`)
    const cluster = local
    void (async () => {
      if (cluster) await Promise.all(cluster.nodes.map((n) => cluster.killNode(n.nodeId)))
      process.exit(130)
    })()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

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
    running = true
    log.info(
      { httpPort: service.httpPort },
      `Ready: http://127.0.0.1:${service.httpPort}/health/ready · metrics on /metrics · try "npm run demo" in another terminal. Ctrl-C stops (twice: at once).`,
    )
    const signal = await stopRequested
    log.info({ signal }, `${signal}: finishing records in flight, committing and leaving the group...`)
    await service.stop()
    log.info('Stopped cleanly.')
  } finally {
    if (local) {
      // step 3
      log.info('Stopping the local Kafka broker...')
      await local.stop()
      log.info('Local Kafka broker stopped.')
    }
  }
  process.exit(0)
})
