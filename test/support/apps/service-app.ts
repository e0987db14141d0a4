// The Reservation Service as a child process for crash and shutdown tests: configured by the same
// environment as `npm start` (KAFKA_BROKERS required here); prints READY when it runs and exits 0 after a
// clean SIGTERM/SIGINT shutdown.
import { configFromEnv } from '../../../service/config.js'
import { startReservationService } from '../../../service/reservation-service.js'

const config = configFromEnv()
if (!config.brokers) throw new Error('KAFKA_BROKERS is required')
const service = await startReservationService({ ...config, brokers: config.brokers })
service.streams.onStateChange((state) => {
  if (state === 'RUNNING') console.log('READY')
})
if (service.streams.ready) console.log('READY')
console.log(`HTTP_PORT=${service.httpPort}`)
let stopping = false
const stop = (signal: string) => {
  if (stopping) return
  stopping = true
  console.log(`${signal}: draining`)
  void service.stop().then(() => {
    console.log('STOPPED')
    process.exit(0)
  })
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
