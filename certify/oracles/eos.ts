// Oracle: Apache Kafka's StreamsEosTest (org.apache.kafka.streams.tests.StreamsEosTest in the kafka-streams
// test jar). `run` (EosTestDriver.generate) writes random keyed Integer records into `data` with an
// idempotent producer until SIGTERM; `verify` / `verify-complex` (EosTestDriver.verify) waits until every
// transaction of the output topics is finished and the group EosTest has no members, reads the inputs up
// to the committed offsets and the outputs read_committed, and requires echo (and repartition) to equal
// data record by record and every running min and sum (and max and count after repartition) to appear
// exactly once and in order. It prints ALL-RECORDS-DELIVERED, or the first difference.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Oracle, OracleContext } from '../oracle.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const mainClass = 'org.apache.kafka.streams.tests.StreamsEosTest'

const complex = (context: OracleContext) => context.options['topology'] === 'complex'

export const eosOracle: Oracle = {
  name: 'eos',
  description:
    "Kafka's StreamsEosTest: exactly-once echo, min, sum (and, complex: a repartition topic, max, count)",
  options: {
    topology: {
      values: ['complex', 'simple'],
      default: 'complex',
      description: 'EosTestClient without (simple) or with (complex) the repartition topic, max and count',
    },
  },
  applicationId: 'EosTest',
  partitions: 5,
  topics: (context) =>
    complex(context)
      ? ['data', 'echo', 'min', 'sum', 'repartition', 'max', 'cnt']
      : ['data', 'echo', 'min', 'sum'],
  inputTopics: (context) => (complex(context) ? ['data', 'repartition'] : ['data']),
  generator: {
    async command(context) {
      const props = await context.propertiesFile('eos-driver.properties', {
        'bootstrap.servers': context.bootstrapServers,
      })
      return { mainClass, args: [props, 'run'] }
    },
    producedRecords(output) {
      const match = /Producer closed: (\d+) records produced/.exec(output)
      return match ? Number(match[1]) : undefined
    },
  },
  instance(context, { id, stateDir, client }) {
    return {
      script: path.join(here, '..', 'apps', 'eos-test-client.ts'),
      env: {
        BROKERS: context.bootstrapServers,
        KAFKA_CLIENT: client,
        STATE_DIR: stateDir,
        INSTANCE_ID: id,
        TOPOLOGY: context.options['topology'] ?? 'complex',
        REPLICATION_FACTOR: String(Math.min(3, context.brokers)),
      },
    }
  },
  patterns: {
    stateChange: /StateChange: \S+ -> (\S+)/g,
    runningState: 'RUNNING',
    processing: /processed \d+ records from topic/,
    closed: /EOS-TEST-CLIENT-CLOSED/,
    exception: /EOS-TEST-CLIENT-EXCEPTION/g,
  },
  async verifier(context) {
    const props = await context.propertiesFile('eos-verifier.properties', {
      'bootstrap.servers': context.bootstrapServers,
    })
    return { mainClass, args: [props, complex(context) ? 'verify-complex' : 'verify'] }
  },
  verdict(output, exit) {
    // verifyReceivedAllRecords prints one line per output partition before comparing it:
    // "echo-3 with 2154, data-3 with 2154"
    const partitions = [...output.matchAll(/^(echo|repartition)-(\d+) with (\d+), data-\d+ with (\d+)$/gm)]
    if (output.includes('ALL-RECORDS-DELIVERED')) {
      const verified = partitions.filter((m) => m[1] === 'echo').reduce((sum, m) => sum + Number(m[4]), 0)
      return { passed: true, verdict: 'ALL-RECORDS-DELIVERED', verifiedRecords: verified }
    }
    const failure =
      /^.*(Result verification failed|FAIL|did receive more|not down after|Could not read all).*$/m.exec(
        output,
      )?.[0] ??
      /^\S*(Exception|Error)\b.*$/m.exec(output)?.[0] ??
      `no verdict (verifier ${exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`})`
    // a partition with more (or fewer) records than its input ends the check with a bare exception:
    // name the partition and the counts
    const mismatch = partitions.find((m) => m[3] !== m[4])
    const counts = mismatch
      ? `${mismatch[1]}-${mismatch[2]} has ${mismatch[3]} records for ${mismatch[4]} inputs: `
      : ''
    return { passed: false, verdict: `${counts}${failure.trim()}` }
  },
}
