// Oracle: Apache Kafka's RelationalSmokeTest (org.apache.kafka.streams.tests.RelationalSmokeTest in the
// kafka-streams test jar). `driver` generates 1,000 articles and 10,000 comments (Zipf-like over the
// articles, timestamps over four days from now, comments after their article) and produces them in time
// order over at least a minute, then verifies for up to 10 minutes while the application runs: every
// article has its augmented article with the number of its comments, every comment its augmented comment
// with the first 10 characters of its article's text. It logs "Smoke test complete: passed" or "failed".
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Oracle } from '../oracle.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const mainClass = 'org.apache.kafka.streams.tests.RelationalSmokeTest'

export const relationalOracle: Oracle = {
  name: 'relational',
  description:
    "Kafka's RelationalSmokeTest: a table re-grouped and counted, a table–table left join, a foreign-key join",
  options: {
    guarantee: {
      values: ['exactly_once', 'at_least_once'],
      default: 'exactly_once',
      description: 'the processing guarantee of the application',
    },
  },
  applicationId: 'RelationalSmokeTest',
  // as Kafka's streams_relational_smoke_test.py: the foreign-key join spans differently partitioned tables
  partitions: { 'in-article': 3, 'in-comment': 5, 'out-augmented-article': 3, 'out-augmented-comment': 5 },
  topics: () => ['in-article', 'in-comment', 'out-augmented-article', 'out-augmented-comment'],
  inputTopics: () => ['in-article', 'in-comment'],
  generator: {
    command(context) {
      return Promise.resolve({
        mainClass,
        args: ['driver', context.bootstrapServers],
        // the verdict and the progress are logged at info
        jvmArgs: ['-Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams.tests.RelationalSmokeTest=info'],
      })
    },
    finishes: true,
    // producing takes a minute or more (a flush per record), verification up to 10 minutes
    finishWithinMs: 14 * 60_000,
    producedRecords(output) {
      const sent = output.match(/ sent in-(article|comment) /g)
      return sent ? sent.length : undefined
    },
  },
  instance(context, { id, stateDir, client }) {
    return {
      script: path.join(here, '..', 'apps', 'relational-smoke-test-app.ts'),
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
    stateChange: /StateChange: \S+ -> (\S+)/g,
    runningState: 'RUNNING',
    processing: /processed \d+ records/,
    closed: /RELATIONAL-SMOKE-TEST-CLOSED/,
    exception: /RELATIONAL-SMOKE-TEST-EXCEPTION/g,
  },
  verdict(output, exit) {
    const evaluation = /Evaluation passed \((\d+)\/(\d+)\) articles and \((\d+)\/(\d+)\) comments/.exec(
      output,
    )
    const verified = evaluation ? { verifiedRecords: Number(evaluation[2]) + Number(evaluation[4]) } : {}
    if (output.includes('Smoke test complete: passed'))
      return {
        passed: true,
        verdict: `Smoke test complete: passed${evaluation ? ` (${evaluation[0]})` : ''}`,
        ...verified,
      }
    const report = /Report: ?\n?(.*)$/m.exec(output)?.[1]
    const failure =
      (output.includes('Smoke test complete: failed')
        ? `Smoke test complete: failed${report ? `: ${report}` : ''}`
        : undefined) ??
      /^\S*(Exception|Error)\b.*$/m.exec(output)?.[0] ??
      `no verdict (driver ${exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`})`
    return { passed: false, verdict: failure.trim(), ...verified }
  },
}
