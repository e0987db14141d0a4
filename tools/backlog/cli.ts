// `npm run backlog`: the backlog workload of test/support/backlog.ts at full size, printing what became of
// the payments. Uses KAFKA_BROKERS, or starts a local broker for the run.
//   npm run backlog -- --commands 4000 --kills 2
import { parseArgs } from 'node:util'
import { runBacklog } from '../../test/support/backlog.js'
import { startLocalKafka } from '../local-kafka/local-kafka-cluster.js'
import { runOrExplain } from '../local-kafka/run-or-explain.js'

await runOrExplain(async () => {
  const { values } = parseArgs({
    options: {
      commands: { type: 'string', default: '4000' },
      resources: { type: 'string', default: '24' },
      kills: { type: 'string', default: '0' },
      seed: { type: 'string', default: '11' },
      preloaded: { type: 'string', default: '0.5' },
      bursts: { type: 'string', default: '8' },
    },
  })
  const external = process.env['KAFKA_BROKERS']
  const cluster = external ? undefined : await startLocalKafka({ log: (line) => console.log(line) })
  const brokers = external ? external.split(',') : [cluster!.bootstrapServers]
  try {
    const result = await runBacklog({
      brokers,
      commands: Number(values.commands),
      resources: Number(values.resources),
      kills: Number(values.kills),
      seed: Number(values.seed),
      preloaded: Number(values.preloaded),
      bursts: Number(values.bursts),
      log: (line) => console.log(line),
    })
    const { examples, ...counts } = result
    console.log(JSON.stringify(counts, null, 2))
    for (const example of examples) console.log(`  e.g. ${example}`)
    console.log(
      `valid payments dead-lettered: ${result.eligibleDeadLettered} of ${result.eligible} whose reservation existed (${result.missing} missing; ${result.paymentsDeadLettered} of ${result.validPayments} valid payments dead-lettered in all)`,
    )
  } finally {
    await cluster?.stop()
  }
})
