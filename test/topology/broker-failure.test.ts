// The engine on a 3-node cluster loses a broker mid-stream (SIGKILL) and goes on under exactly-once:
// leaders move, the transaction and group coordinators may move with them, and the output still counts
// every input exactly once.
// Only the kafkajs client runs here. With the confluent client the same test passed 13 of 13 runs alone,
// but twice in full-suite runs the test process died (a native exit, no message) during the recovery
// after the broker's loss — an open bug (README, Known gaps), kept out of the suite until it is found.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKafkaClient, type KafkaClient } from '../../kafka/index.js'
import { jsonSerde, stringSerde } from '../../state/index.js'
import { KafkaStreams, StreamsBuilder } from '../../topology/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../../tools/local-kafka/local-kafka-cluster.js'
import { collect, uniqueName } from '../support/kafka.js'

let cluster: LocalKafkaCluster
const dirs: string[] = []
beforeAll(async () => {
  cluster = await startLocalKafka({ nodes: 3 })
})
afterAll(async () => {
  await cluster?.stop()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const rounds = 30
const keys = Array.from({ length: 10 }, (_, i) => `k${i}`)

async function topics(kafka: KafkaClient, names: string[]) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics(
      names.map((topic) => ({
        topic,
        partitions: 2,
        replicationFactor: 3,
        config: { 'min.insync.replicas': '2' },
      })),
    )
  } finally {
    await admin.disconnect()
  }
  // every broker must know them before the application looks (its metadata may come from any of them)
  const deadline = Date.now() + 30_000
  for (let seen = 0; seen < 3;) {
    if (Date.now() > deadline)
      throw new Error(`topics not listed by every broker after 30 s: ${names.join(', ')}`)
    const fresh = kafka.admin()
    await fresh.connect()
    const listed = await fresh.listTopics().finally(() => fresh.disconnect())
    seen = names.every((n) => listed.includes(n)) ? seen + 1 : 0
  }
}

describe.each(['kafkajs'] as const)('a broker failure under exactly-once: %s', (kind) => {
  it('counts every input exactly once when a broker is killed mid-stream', { timeout: 180_000 }, async () => {
    const kafka = createKafkaClient({ kind, brokers: cluster.bootstrapServers.split(','), clientId: kind })
    const app = uniqueName(`broker-failure-${kind}`)
    const [input, output] = [`${app}-in`, `${app}-out`]
    await topics(kafka, [input, output])
    const builder = new StreamsBuilder()
    builder
      .stream(input, { keySerde: stringSerde, valueSerde: jsonSerde<number>() })
      .groupByKey()
      .aggregate(
        () => 0,
        (_k, v, sum) => sum + v,
        { storeName: 'sums', valueSerde: jsonSerde<number>() },
      )
      .toStream()
      .to(output)
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'broker-failure-'))
    dirs.push(stateDir)
    const warnings: string[] = []
    const streams = new KafkaStreams(builder.build(), {
      applicationId: app,
      client: kafka,
      stateDir,
      commitIntervalMs: 100,
      replicationFactor: 3,
      log: (level, message) => {
        if (level === 'info') return
        warnings.push(message)
        console.log(`[streams] ${new Date().toISOString()} ${level}: ${message}`)
      },
    })
    await streams.start()
    // the input comes from librdkafka, whose producer waits for the partition's new leader by itself
    const producer = createKafkaClient({
      brokers: cluster.bootstrapServers.split(','),
      clientId: 'feed',
    }).producer()
    await producer.connect()
    const victim = 2
    try {
      for (let round = 1; round <= rounds; round++) {
        await producer.send(
          keys.map((key) => ({ topic: input, key: Buffer.from(key), value: Buffer.from('1') })),
        )
        if (round === 10) await cluster.killNode(victim)
        await new Promise((r) => setTimeout(r, 50))
      }
      const out = await collect(
        kafka,
        [output],
        (r) =>
          keys.every((k) => r.some((x) => x.key!.toString() === k && x.value!.toString() === `${rounds}`)),
        { settleMs: 1000, timeoutMs: 120_000 },
      )
      for (const key of keys) {
        const updates = out
          .filter((r) => r.key!.toString() === key)
          .map((r) => JSON.parse(r.value!.toString()) as number)
        // each committed update counts more records than the one before, and the last counts them all
        expect(updates.every((n, i) => i === 0 || n > updates[i - 1]!)).toBe(true)
        expect(updates.at(-1), `warnings:\n${warnings.join('\n')}`).toBe(rounds)
      }
      expect(streams.state).not.toBe('ERROR')
    } finally {
      await producer.disconnect()
      await streams.close()
      await cluster.restartNode(victim)
    }
  })
})
