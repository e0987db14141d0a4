// Vitest global setup: one real Kafka broker for the whole run, started from the Maven-built distribution
// on free loopback ports, or the cluster named by KAFKA_BROKERS. Tests read the address with inject('brokers').
import type { TestProject } from 'vitest/node'
import { startLocalKafka, type LocalKafkaCluster } from '../../tools/local-kafka/local-kafka-cluster.js'

declare module 'vitest' {
  export interface ProvidedContext {
    brokers: string
    brokerStartupMs: number
  }
}

let cluster: LocalKafkaCluster | undefined

export async function setup(project: TestProject): Promise<void> {
  const external = process.env['KAFKA_BROKERS']
  if (external) {
    project.provide('brokers', external)
    project.provide('brokerStartupMs', 0)
    return
  }
  cluster = await startLocalKafka({ log: (line) => console.log(`[local-kafka] ${line}`) })
  console.log(`[local-kafka] broker ${cluster.bootstrapServers} ready in ${cluster.startupMs} ms`)
  project.provide('brokers', cluster.bootstrapServers)
  project.provide('brokerStartupMs', cluster.startupMs)
}

export async function teardown(): Promise<void> {
  await cluster?.stop()
}
