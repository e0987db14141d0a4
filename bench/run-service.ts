// Child process of the benchmark: the Reservation Service (service/), configured by the environment as
// `npm start` is (KAFKA_BROKERS, APPLICATION_ID, STATE_DIR, RESERVATION_FORMAT, PROCESSING_GUARANTEE,
// COMMIT_INTERVAL_MS, KAFKA_CLIENT, topic names...). Reports state changes and, when it is running, what
// it restored, as BENCH lines (child-protocol.ts).
import { startReservationService, type RunningService } from '../service/reservation-service.js'
import { configFromEnv } from '../service/config.js'
import { emit, exitWithParent, onTermination } from './child-protocol.js'

exitWithParent()
const config = configFromEnv()
if (!config.brokers) throw new Error('KAFKA_BROKERS must be set')
let rebalancingAt: number | undefined
let lastError = 'the service went to ERROR'
let resolveService: (service: RunningService) => void = () => {}
const started = new Promise<RunningService>((resolve) => (resolveService = resolve))

const log = (line: string) => {
  const match = /^state (\w+) -> (\w+)$/.exec(line)
  if (!match) {
    if (line.startsWith('[error]')) lastError = line
    if (line.startsWith('[error]') || line.startsWith('[warn]')) process.stderr.write(`${line}\n`)
    return
  }
  const [, previous = '', state = ''] = match
  const at = Date.now()
  if (state === 'REBALANCING' && rebalancingAt === undefined) rebalancingAt = at
  if (state !== 'RUNNING') emit({ event: 'state', state, previous, at })
  else {
    // what was restored first, then RUNNING (with the time it happened)
    const from = rebalancingAt ?? at
    void started.then((service) => {
      for (const restore of service.streams.restores) {
        if (restore.records === 0) continue
        emit({
          event: 'restored',
          store: restore.store,
          partition: restore.taskId,
          records: restore.records,
          startAt: from,
          endAt: at,
        })
      }
      emit({ event: 'state', state, previous, at })
    })
  }
  if (state === 'ERROR') emit({ event: 'error', message: lastError })
}

const service = await startReservationService({ ...config, brokers: config.brokers }, log)
resolveService(service)
onTermination(() => service.stop())

/** SIGUSR2: the engine's commit count and time so far (the share of wall time spent committing), and memory. */
const metricNames = [
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'process_resident_memory_bytes',
  'streams_commit_latency_seconds',
  'streams_records_consumed_total',
  'streams_records_produced_total',
]
process.on('SIGUSR2', () => {
  void service.registry.getMetricsAsJSON().then((metrics) => {
    const values: Record<string, number> = {}
    for (const metric of metrics) {
      if (!metricNames.includes(metric.name)) continue
      for (const value of metric.values as { metricName?: string; value: number }[]) {
        const name = value.metricName ?? metric.name
        if (name.endsWith('_bucket')) continue
        values[name] = (values[name] ?? 0) + value.value
      }
    }
    emit({ event: 'metrics', values, at: Date.now() })
  })
})
