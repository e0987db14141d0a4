// `npm run broker`: starts a local Kafka (1 or 3 nodes) and keeps it up until Ctrl-C.
//   npm run broker -- --nodes 3 --port 9092
import { parseArgs } from 'node:util'
import { startLocalKafka } from './local-kafka-cluster.js'
import { runOrExplain, untilSignal } from './run-or-explain.js'

await runOrExplain(async () => {
  const { values } = parseArgs({
    options: { nodes: { type: 'string', default: '1' }, port: { type: 'string' }, dir: { type: 'string' } },
  })
  const cluster = await startLocalKafka({
    nodes: Number(values.nodes),
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values.dir ? { workDir: values.dir } : {}),
    ...(process.env['LOCAL_KAFKA_READY_TIMEOUT_MS']
      ? { readyTimeoutMs: Number(process.env['LOCAL_KAFKA_READY_TIMEOUT_MS']) }
      : {}),
    log: (line) => console.log(line),
  })
  console.log(`KAFKA_BROKERS=${cluster.bootstrapServers}`)
  console.log('Press Ctrl-C to stop.')
  await untilSignal()
  console.log('Stopping Kafka...')
  await cluster.stop()
})
