// Vitest global setup: one real Kafka broker for the whole run, started from the Maven-built distribution
// on free loopback ports; or the cluster named by KAFKA_BROKERS; or, with KAFKA_TESTCONTAINERS=1, a Docker
// container (untested here: no Docker engine). Tests read the address with inject('brokers').
import type { TestProject } from 'vitest/node'
import { startLocalKafka } from '../../tools/local-kafka/local-kafka-cluster.js'
import { startKafkaContainer } from './testcontainers-kafka.js'

declare module 'vitest' {
  export interface ProvidedContext {
    brokers: string
    brokerStartupMs: number
  }
}

let cluster: { stop(): Promise<void> } | undefined

export async function setup(project: TestProject): Promise<void> {
  const external = process.env['KAFKA_BROKERS']
  if (external) {
    project.provide('brokers', external)
    project.provide('brokerStartupMs', 0)
    return
  }
  if (process.env['KAFKA_TESTCONTAINERS'] === '1') {
    const started = Date.now()
    const container = await startKafkaContainer()
    cluster = container
    project.provide('brokers', container.bootstrapServers)
    project.provide('brokerStartupMs', Date.now() - started)
    return
  }
  const local = await startLocalKafka({
    log: (line) => console.log(`[local-kafka] ${line}`),
    // retention enforced every second rather than every 5 minutes (and the cleaner's 15 s): a test that
    // writes records stamped longer ago than their topic keeps fails every time, not once in a while
    brokerOverrides: { 'log.retention.check.interval.ms': 1000, 'log.cleaner.backoff.ms': 1000 },
  })
  cluster = local
  console.log(`[local-kafka] broker ${local.bootstrapServers} ready in ${local.startupMs} ms`)
  project.provide('brokers', local.bootstrapServers)
  project.provide('brokerStartupMs', local.startupMs)
}

export async function teardown(): Promise<void> {
  await cluster?.stop()
}
