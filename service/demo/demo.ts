// `npm run demo`: drives the workflows of spec §5 through a running service (start it with `npm start`
// in another terminal) and prints each step and the events it produced.
import { createKafkaClient } from '../../kafka/index.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import { runOrExplain } from '../../tools/local-kafka/run-or-explain.js'
import { SetupError } from '../../tools/local-kafka/setup-error.js'
import { configFromEnv } from '../config.js'
import { formatEvent } from './event-format.js'
import { ScenarioRunner, ScenarioStepTimeout } from './scenario-runner.js'
import { scenarios, type Step } from './scenarios.js'

const bold = (text: string) => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text)
const dim = (text: string) => (process.stdout.isTTY ? `\u001b[2m${text}\u001b[0m` : text)

function describeStep(step: Step): string {
  switch (step.kind) {
    case 'resource':
      return `define ${step.definition.resourceId}: capacity ${step.definition.capacity}, overbooking ${step.definition.overbookingLimit}`
    case 'command': {
      const c = step.command as unknown as Record<string, string | null | undefined>
      const range =
        c['start'] && c['end']
          ? `${c['start'].slice(0, 10)}→${c['end'].slice(0, 10)}`
          : c['end']
            ? `end ${c['end'].slice(0, 10)}`
            : ''
      return [step.command.type, c['reservationId'], range].filter(Boolean).join(' ')
    }
    case 'payment':
      return `payment service: ${step.payment.type} ${step.payment.reservationId} ${(step.payment.amountCents / 100).toFixed(2)}`
  }
}

await runOrExplain(async () => {
  const config = configFromEnv()
  const brokers = config.brokers ?? ['127.0.0.1:9092']
  const serviceUrl = process.env['SERVICE_URL'] ?? `http://127.0.0.1:${config.httpPort}`
  const ready = await fetch(`${serviceUrl}/health/ready`).then(
    (r) => r.ok,
    () => false,
  )
  if (!ready) {
    throw new SetupError(
      'BROKER_NOT_READY',
      `No ready Reservation Service at ${serviceUrl}. Start it first in another terminal with "npm start" ` +
        `(or set SERVICE_URL / KAFKA_BROKERS to where it runs) and wait for "Ready".`,
    )
  }
  const client = createKafkaClient({
    kind: config.client,
    brokers,
    security: config.security,
    clientId: 'demo',
  })
  const codecs = await reservationCodecs(config.format, config.topics, config.schemaRegistryUrl)
  const runner = new ScenarioRunner({
    client,
    topics: config.topics,
    codecs,
    serviceUrl,
    stepTimeoutMs: 20_000,
  })
  await runner.start()
  const runId = Date.now().toString(36)
  const started = Date.now()
  try {
    for (const scenario of scenarios(runId, Date.now())) {
      console.log(`\n${bold(scenario.title)}  ${dim(scenario.resourceId)}`)
      await runner.run(
        scenario,
        (step) => console.log(`  → ${describeStep(step)}`),
        (event) => console.log(`      ${formatEvent(event)}`),
      )
    }
  } catch (error) {
    if (error instanceof ScenarioStepTimeout) throw new SetupError('BROKER_NOT_READY', error.message)
    throw error
  } finally {
    await runner.stop()
  }
  console.log(
    `\nAll workflows ran in ${((Date.now() - started) / 1000).toFixed(1)} s. Tail the event stream with: npm run cli -- tail`,
  )
})
