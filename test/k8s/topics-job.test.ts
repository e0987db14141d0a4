// Runs the topics job's script, exactly as the ConfigMap ships it, against the test run's real broker.
// The apache/kafka image's /opt/kafka/bin tools are replaced by two shims (KAFKA_BIN) that run the same
// Kafka 4.1.2 command classes from the jars the local broker uses. Topic names get a unique prefix; the
// replication factor is 1 (one test broker).
import { execFile } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ensureKafkaDistribution } from '../../tools/local-kafka/kafka-distribution.js'
import { requireJava } from '../../tools/local-kafka/prerequisites.js'
import { client, createTopic, uniqueName } from '../support/kafka.js'
import { configMapData, rendered } from './objects.js'

const run = promisify(execFile)

let dir = ''
let scriptPath = ''
let java = ''
let classPath = ''

beforeAll(async () => {
  java = requireJava()
  classPath = (await ensureKafkaDistribution()).classPath
  dir = mkdtempSync(path.join(tmpdir(), 'topics-job-'))
  const shim = (name: string, mainClass: string) => {
    const file = path.join(dir, name)
    writeFileSync(
      file,
      `#!/usr/bin/env bash\nexec "${java}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "${classPath}" ${mainClass} "$@"\n`,
    )
    chmodSync(file, 0o755)
  }
  shim('kafka-topics.sh', 'org.apache.kafka.tools.TopicCommand')
  shim('kafka-broker-api-versions.sh', 'org.apache.kafka.tools.BrokerApiVersionsCommand')
  scriptPath = path.join(dir, 'create-topics.sh')
  writeFileSync(
    scriptPath,
    configMapData(rendered('dev'), 'kafka', 'kafka-topics-script')['create-topics.sh'] ?? '',
  )
}, 300_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the topics job script against a real broker', () => {
  it('creates the seven topics, compacts resources and promotions, and changes nothing on a second run', async () => {
    const prefix = uniqueName('k8s')
    const topics = {
      COMMANDS_TOPIC: `${prefix}-reservation-commands`,
      PAYMENTS_TOPIC: `${prefix}-payments`,
      RESOURCES_TOPIC: `${prefix}-resources`,
      PROMOTIONS_TOPIC: `${prefix}-promotions`,
      EVENTS_TOPIC: `${prefix}-reservation`,
      NOTIFICATIONS_TOPIC: `${prefix}-reservation-notifications`,
      DLQ_TOPIC: `${prefix}-reservation-dlq`,
    }
    const kafka = client()
    // A topic that exists beforehand with another partition count: kept, and reported.
    await createTopic(kafka, topics.EVENTS_TOPIC, 1)
    const env = {
      ...process.env,
      ...topics,
      KAFKA_BIN: dir,
      BOOTSTRAP_SERVERS: inject('brokers'),
      PARTITIONS: '3',
      REPLICATION_FACTOR: '1',
      WAIT_SECONDS: '60',
    }
    const first = await run('bash', [scriptPath], { env, timeout: 120_000 })
    expect(first.stderr).toContain(`WARNING: topic ${topics.EVENTS_TOPIC} has 1 partitions, not 3`)
    const second = await run('bash', [scriptPath], { env, timeout: 120_000 })
    for (const name of Object.values(topics)) expect(second.stdout).toContain(`topic ${name}: `)

    const admin = kafka.admin()
    await admin.connect()
    try {
      const described = await admin.describeTopics(Object.values(topics))
      const partitions = Object.fromEntries(described.map((t) => [t.topic, t.partitions.length]))
      for (const [key, name] of Object.entries(topics)) {
        expect(partitions[name], name).toBe(key === 'EVENTS_TOPIC' ? 1 : 3)
      }
    } finally {
      await admin.disconnect()
    }

    const { stdout } = await run(
      path.join(dir, 'kafka-topics.sh'),
      ['--bootstrap-server', inject('brokers'), '--describe', '--topic', `${prefix}-.*`],
      { timeout: 60_000 },
    )
    const compacted = stdout
      .split('\n')
      .filter((line) => line.includes('PartitionCount:') && line.includes('cleanup.policy=compact'))
      .map((line) => /Topic:\s*(\S+)/.exec(line)?.[1])
      .sort()
    expect(compacted).toEqual([topics.PROMOTIONS_TOPIC, topics.RESOURCES_TOPIC].sort())
  }, 240_000)

  it('fails with a message when the brokers do not answer in time', async () => {
    const env = {
      ...process.env,
      KAFKA_BIN: dir,
      BOOTSTRAP_SERVERS: '127.0.0.1:1',
      PARTITIONS: '1',
      REPLICATION_FACTOR: '1',
      WAIT_SECONDS: '0',
    }
    await expect(run('bash', [scriptPath], { env, timeout: 60_000 })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('only 0 broker(s) of 1 reachable at 127.0.0.1:1') as unknown,
    })
  }, 90_000)
})
