// The third way to get a broker for the tests: a Docker container through testcontainers, selected with
// KAFKA_TESTCONTAINERS=1. UNTESTED on the project's own machines (they have no Docker engine); kept for
// users who have Docker. confluentinc/cp-kafka 8.1 is Apache Kafka 4.1 in KRaft mode.
export interface ContainerBroker {
  readonly bootstrapServers: string
  stop(): Promise<void>
}

export async function startKafkaContainer(
  image = process.env['KAFKA_IMAGE'] ?? 'confluentinc/cp-kafka:8.1.0',
): Promise<ContainerBroker> {
  const { KafkaContainer } = await import('@testcontainers/kafka')
  const container = await new KafkaContainer(image).withKraft().start()
  return {
    bootstrapServers: `${container.getHost()}:${container.getMappedPort(9093)}`,
    stop: async () => {
      await container.stop()
    },
  }
}
