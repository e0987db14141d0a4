// `npm run broker`: starts a local Kafka (1 or 3 nodes) and keeps it up until Ctrl-C.
//   npm run broker -- --nodes 3 --port 9092
//   npm run broker -- --secured        SASL_SSL with SCRAM and ACLs; prints the settings a client needs
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { startLocalKafka } from './local-kafka-cluster.js'
import { runOrExplain, untilSignal } from './run-or-explain.js'

await runOrExplain(async () => {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1' },
      port: { type: 'string' },
      dir: { type: 'string' },
      secured: { type: 'boolean', default: false },
    },
  })
  const admin = { name: 'admin', password: randomBytes(12).toString('hex') }
  const cluster = await startLocalKafka({
    nodes: Number(values.nodes),
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values.dir ? { workDir: values.dir } : {}),
    ...(process.env['LOCAL_KAFKA_READY_TIMEOUT_MS']
      ? { readyTimeoutMs: Number(process.env['LOCAL_KAFKA_READY_TIMEOUT_MS']) }
      : {}),
    ...(values.secured ? { secured: { admin } } : {}),
    log: (line) => console.log(line),
  })
  console.log(`KAFKA_BROKERS=${cluster.bootstrapServers}`)
  if (cluster.secured) {
    console.log('KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SASL_MECHANISM=SCRAM-SHA-512')
    console.log(`KAFKA_SASL_USERNAME=${admin.name} KAFKA_SASL_PASSWORD=${admin.password} (the super user)`)
    console.log(`KAFKA_SSL_CA_FILE=${cluster.secured.tls.caFile}`)
    console.log(
      `Admin tools (no auth, super user): --bootstrap-server ${cluster.secured.internalBootstrapServers}`,
    )
  }
  console.log('Press Ctrl-C to stop.')
  await untilSignal()
  console.log('Stopping Kafka...')
  await cluster.stop()
})
