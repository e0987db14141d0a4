// A child-process application for the crash tests (the shape of Kafka's StreamsEosTest): it echoes every
// input record and keeps a per-key sum and count in LevelDB stores with changelogs. Configured by env:
// BROKERS, APP_ID, STATE_DIR, GUARANTEE, COMMIT_MS, INPUT, ECHO, SUMS, INSTANCE_ID, KAFKA_CLIENT.
import { createKafkaClient, clientKindFromEnv } from '../../../kafka/index.js'
import { jsonSerde, stringSerde } from '../../../state/index.js'
import { KafkaStreams, StreamsBuilder, type ProcessingGuarantee } from '../../../topology/index.js'

const env = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}

const builder = new StreamsBuilder()
const input = builder.stream(env('INPUT'), { keySerde: stringSerde, valueSerde: jsonSerde<number>() })
input.to(env('ECHO'))
input
  .groupByKey()
  .aggregate(
    () => ({ sum: 0, count: 0 }),
    (_k, v, agg) => ({ sum: agg.sum + v, count: agg.count + 1 }),
    { storeName: 'sum-count', valueSerde: jsonSerde<{ sum: number; count: number }>() },
  )
  .toStream()
  .to(env('SUMS'))

const streams = new KafkaStreams(builder.build(), {
  applicationId: env('APP_ID'),
  client: createKafkaClient({
    kind: clientKindFromEnv(),
    brokers: env('BROKERS').split(','),
    clientId: 'eos-app',
  }),
  stateDir: env('STATE_DIR'),
  processingGuarantee: env('GUARANTEE') as ProcessingGuarantee,
  commitIntervalMs: Number(env('COMMIT_MS')),
  instanceId: env('INSTANCE_ID'),
  log: (level, message) => console.log(`[${level}] ${message}`),
})
streams.onStateChange((state) => console.log(`STATE ${state}`))
await streams.start()
console.log('STARTED')
const stop = async () => {
  await streams.close()
  console.log('CLOSED')
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
