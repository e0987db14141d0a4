// Start-up topic creation (prepareTopics) against an admin that fails the way kafkajs does on a cluster
// still starting: the first creation reports UNKNOWN_TOPIC_OR_PARTITION. Broker-free: what is checked is the
// retry decision; the broker behaviour itself was seen in a broker-loss certification run.
import { describe, expect, it } from 'vitest'
import type { KafkaAdmin, TopicSpec } from '../../kafka/index.js'
import { KafkaError } from '../../kafka/kafka-error.js'
import { stringSerde } from '../../state/index.js'
import { StreamsBuilder } from '../../topology/dsl/streams-builder.js'
import { prepareTopics } from '../../topology/runtime/internal-topics.js'

function countingTopology() {
  const builder = new StreamsBuilder()
  builder
    .stream('input', { keySerde: stringSerde, valueSerde: stringSerde })
    .groupByKey()
    .count({ storeName: 'counts' })
    .toStream()
    .to('output')
  return builder.build()
}

function adminFailingCreation(failures: KafkaError[]) {
  const created: TopicSpec[][] = []
  const admin: KafkaAdmin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    listTopics: () => Promise.resolve(['input', 'output']),
    describeTopics: (topics) =>
      Promise.resolve(
        topics.map((topic) => ({
          topic,
          partitions: [0, 1, 2].map((partition) => ({ partition, leader: 1, replicas: [1] })),
        })),
      ),
    createTopics: (specs) => {
      created.push([...specs])
      const failure = failures.shift()
      return failure ? Promise.reject(failure) : Promise.resolve(specs.map((s) => s.topic))
    },
    deleteTopics: () => Promise.resolve(),
    committedOffsets: () => Promise.resolve([]),
    endOffsets: () => Promise.resolve([]),
    startOffsets: () => Promise.resolve([]),
  }
  return { admin, created }
}

describe('prepareTopics', () => {
  it('retries creating the internal topics while the metadata does not show them yet', async () => {
    const unknown = () =>
      new KafkaError('TOPIC_NOT_FOUND', 'create topics: This server does not host this topic-partition')
    const { admin, created } = adminFailingCreation([unknown(), unknown()])
    const layout = await prepareTopics(admin, countingTopology(), 'app', 1, ['output'])
    expect(created).toHaveLength(3)
    expect(created[2]!.map((s) => s.topic)).toEqual(['app-counts-changelog'])
    expect(layout.tasksPerSubtopology.get(0)).toBe(3)
  })

  it('does not retry an error that retrying cannot fix', async () => {
    const denied = new KafkaError('AUTHORIZATION_FAILED', 'create topics: Topic authorization failed')
    const { admin, created } = adminFailingCreation([denied])
    await expect(prepareTopics(admin, countingTopology(), 'app', 1, ['output'])).rejects.toBe(denied)
    expect(created).toHaveLength(1)
  })
})
