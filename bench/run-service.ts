// Child process of the benchmark: the Reservation Service (service/), configured by the environment as
// `npm start` is (KAFKA_BROKERS, APPLICATION_ID, STATE_DIR, RESERVATION_FORMAT, PROCESSING_GUARANTEE,
// COMMIT_INTERVAL_MS, KAFKA_CLIENT, topic names...). Reports state changes and, when it is running, what
// it restored, as BENCH lines (child-protocol.ts); answers SIGUSR2 with its metrics (child-streams.ts).
import { createLogger } from '../logging/logger.js'
import { startReservationService, type RunningService } from '../service/reservation-service.js'
import { configFromEnv } from '../service/config.js'
import { profileAllocations } from './alloc-profile.js'
import { exitWithParent, onTermination } from './child-protocol.js'
import { answerMetricsSignal, stateReporter } from './child-streams.js'

exitWithParent()
profileAllocations()
const config = configFromEnv()
if (!config.brokers) throw new Error('KAFKA_BROKERS must be set')
let lastError = 'the service went to ERROR'
let resolveService: (service: RunningService) => void = () => {}
const started = new Promise<RunningService>((resolve) => (resolveService = resolve))
const report = stateReporter(
  async () => (await started).streams.restores,
  () => lastError,
)

// the service reports its state changes only through its log, from the first moment of its start
const log = createLogger({
  format: 'json',
  destination: {
    write(json: string) {
      const line = JSON.parse(json) as { level?: string; msg?: string; state?: string; previous?: string }
      if (line.state !== undefined && line.previous !== undefined) {
        report(line.state, line.previous)
        return
      }
      if (line.level === 'error') lastError = `[error] ${line.msg}`
      if (line.level === 'error' || line.level === 'warn')
        process.stderr.write(`[${line.level}] ${line.msg}\n`)
    },
  },
})

const service = await startReservationService({ ...config, brokers: config.brokers }, log)
resolveService(service)
onTermination(() => service.stop())
answerMetricsSignal(service.registry)
