// server.properties for a local KRaft node in combined mode (broker + controller), tuned for tests:
// single-replica internal topics with few partitions, no initial rebalance delay, a small cleaner buffer.

export interface NodeAddress {
  readonly nodeId: number
  readonly brokerPort: number
  readonly controllerPort: number
}

/** `overrides` replace or add properties (e.g. a cluster-wide min.insync.replicas for failure tests). */
export function brokerProperties(
  node: NodeAddress,
  all: readonly NodeAddress[],
  dataDir: string,
  overrides: Readonly<Record<string, string | number>> = {},
): string {
  const replication = Math.min(3, all.length)
  const minIsr = all.length >= 3 ? 2 : 1
  const voters = all.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',')
  const props: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${node.brokerPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': 1,
    'default.replication.factor': replication,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': replication,
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': 5,
    'share.coordinator.state.topic.replication.factor': replication,
    'share.coordinator.state.topic.min.isr': minIsr,
    'group.initial.rebalance.delay.ms': 0,
    'log.cleaner.dedupe.buffer.size': 4 * 1024 * 1024,
    'log.cleaner.threads': 1,
    'log.segment.bytes': 64 * 1024 * 1024,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'auto.create.topics.enable': 'false',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': 5000,
    'group.consumer.heartbeat.interval.ms': 1000,
    'group.consumer.min.heartbeat.interval.ms': 1000,
    ...overrides,
  }
  return Object.entries(props)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n')
}
