// Oracle: Apache Kafka's StreamsSmokeTest (org.apache.kafka.streams.tests.StreamsSmokeTest in the
// kafka-streams test jar). `run` generates 1,000 records for each of 20 keys into `data` over 90 s (values
// shuffled within small windows, timestamps two days in the past, then "flush" records at the present on
// every partition to close every window), then verifies while the application still runs: echo must hold
// every input, min / max / sum / cnt / dif / avg the expected final value per key, min-suppressed and
// sws-suppressed exactly one result per window, and (exactly-once) tagg the count of keys per count. It
// prints ALL-RECORDS-DELIVERED and SUCCESS, or FAILURE with the first difference; at-least-once runs with
// faults may also print PROCESSED-MORE-THAN-GENERATED, which Kafka's own harness accepts.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Oracle, OracleContext } from '../oracle.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const mainClass = 'org.apache.kafka.streams.tests.StreamsSmokeTest'

const topics = [
  'data',
  'echo',
  'min',
  'min-suppressed',
  'min-raw',
  'max',
  'sum',
  'sws-raw',
  'sws-suppressed',
  'dif',
  'cnt',
  'avg',
  'tagg',
  'fk',
]

const exactlyOnce = (context: OracleContext) => context.options['guarantee'] === 'exactly_once'

export const smokeOracle: Oracle = {
  name: 'smoke',
  description:
    "Kafka's StreamsSmokeTest: windowed min/max/sum/count with and without suppress, table joins dif and avg, the tagg re-grouping",
  options: {
    guarantee: {
      values: ['exactly_once', 'at_least_once'],
      default: 'exactly_once',
      description: 'the processing guarantee of the application (and of the verification)',
    },
  },
  applicationId: 'SmokeTest',
  partitions: 5,
  topics: () => topics,
  inputTopics: () => ['data', 'min', 'max', 'sum', 'cnt'],
  generator: {
    async command(context) {
      const props = await context.propertiesFile('smoke-driver.properties', {
        'bootstrap.servers': context.bootstrapServers,
        'processing.guarantee': exactlyOnce(context) ? 'exactly_once_v2' : 'at_least_once',
      })
      return { mainClass, args: [props, 'run'] }
    },
    finishes: true,
    // what is left of 90 s of generation after the scenario, and up to 6 minutes of verification
    finishWithinMs: 9 * 60_000,
    producedRecords(output) {
      const match = /recordGenerated=(\d+)/.exec(output)
      return match ? Number(match[1]) : undefined
    },
  },
  instance(context, { id, stateDir, client }) {
    return {
      script: path.join(here, '..', 'apps', 'smoke-test-client.ts'),
      env: {
        BROKERS: context.bootstrapServers,
        KAFKA_CLIENT: client,
        STATE_DIR: stateDir,
        INSTANCE_ID: id,
        PROCESSING_GUARANTEE: context.options['guarantee'] ?? 'exactly_once',
        REPLICATION_FACTOR: String(Math.min(3, context.brokers)),
      },
    }
  },
  patterns: {
    stateChange: /: \S+ -> (\S+)$/gm,
    runningState: 'RUNNING',
    processing: /processed \d+ records from topic/,
    closed: /SMOKE-TEST-CLIENT-CLOSED/,
    exception: /SMOKE-TEST-CLIENT-EXCEPTION/g,
  },
  verdict(output, exit, context) {
    const processed = /recordProcessed=(\d+)/.exec(output)
    const verifiedRecords = processed ? { verifiedRecords: Number(processed[1]) } : {}
    const counts = /PROCESSED-(MORE|LESS)-THAN-GENERATED/.exec(output)?.[0]
    // streams_smoke_test.py: at-least-once with crashes passes on SUCCESS or PROCESSED-MORE-THAN-GENERATED
    const faults = context.scenario !== 'plain'
    const atLeastOnce = context.options['guarantee'] === 'at_least_once'
    if (!/^SUCCESS$/m.test(output) && faults && atLeastOnce && counts === 'PROCESSED-MORE-THAN-GENERATED')
      return { passed: true, verdict: `${counts} (accepted at least once with faults)`, ...verifiedRecords }
    if (/^SUCCESS$/m.test(output)) {
      const words = [
        'SUCCESS',
        ...(output.includes('ALL-RECORDS-DELIVERED') ? ['ALL-RECORDS-DELIVERED'] : []),
      ]
      return { passed: true, verdict: [...words, ...(counts ? [counts] : [])].join(', '), ...verifiedRecords }
    }
    const failure =
      /^.*(fail:|is empty|is missing|missedRecords=).*$/m.exec(output)?.[0] ??
      (/^FAILURE$/m.test(output) ? 'FAILURE' : undefined) ??
      /^\S*(Exception|Error)\b.*$/m.exec(output)?.[0] ??
      `no verdict (driver ${exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`})`
    return {
      passed: false,
      verdict: [failure.trim(), ...(counts ? [counts] : [])].join('; '),
      ...verifiedRecords,
    }
  },
}
