// The Reservation Service's topics (spec §3): default names, each overridable by environment, and the
// TopicSpecs that create them. Internal changelog and repartition topics are created by the engine.
import type { TopicSpec } from '../kafka/index.js'

export interface ServiceTopics {
  readonly commands: string
  readonly payments: string
  readonly resources: string
  readonly promotions: string
  readonly events: string
  readonly notifications: string
  readonly dlq: string
}

export function topicsFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceTopics {
  return {
    commands: env['COMMANDS_TOPIC'] ?? 'reservation-commands',
    payments: env['PAYMENTS_TOPIC'] ?? 'payments',
    resources: env['RESOURCES_TOPIC'] ?? 'resources',
    promotions: env['PROMOTIONS_TOPIC'] ?? 'promotions',
    events: env['EVENTS_TOPIC'] ?? 'reservation',
    notifications: env['NOTIFICATIONS_TOPIC'] ?? 'reservation-notifications',
    dlq: env['DLQ_TOPIC'] ?? 'reservation-dlq',
  }
}

export interface TopicLayout {
  readonly partitions: number
  /** -1 lets the broker choose (its default.replication.factor). */
  readonly replicationFactor: number
}

const compacted = { 'cleanup.policy': 'compact' }

/**
 * Every topic the service reads or writes. Commands, payments and resources must have the same partition
 * count (the engine checks co-partitioning at start); promotions is read whole by every instance.
 */
export function serviceTopicSpecs(topics: ServiceTopics, layout: TopicLayout): TopicSpec[] {
  const spec = (topic: string, config?: Record<string, string>): TopicSpec => ({
    topic,
    partitions: layout.partitions,
    replicationFactor: layout.replicationFactor,
    ...(config ? { config } : {}),
  })
  return [
    spec(topics.commands),
    spec(topics.payments),
    spec(topics.resources, compacted),
    spec(topics.promotions, compacted),
    spec(topics.events),
    spec(topics.notifications),
    spec(topics.dlq),
  ]
}

export function layoutFromEnv(env: NodeJS.ProcessEnv = process.env): TopicLayout {
  const partitions = Number(env['PARTITIONS'] ?? 6)
  const replicationFactor = Number(env['REPLICATION_FACTOR'] ?? -1)
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new Error(`PARTITIONS=${env['PARTITIONS']} must be a positive integer`)
  if (!Number.isInteger(replicationFactor) || replicationFactor === 0 || replicationFactor < -1) {
    throw new Error(
      `REPLICATION_FACTOR=${env['REPLICATION_FACTOR']} must be a positive integer (or -1 for the broker default)`,
    )
  }
  return { partitions, replicationFactor }
}
