// The service's environment with an application id and topics of its own, named after `name` (the topics
// after `topicPrefix`, when they must not share the application id's prefix). Free of vitest, so the
// command-line runs (npm run backlog) use it too.

export function namedServiceEnv(
  name: string,
  extra: Record<string, string> = {},
  topicPrefix = name,
): Record<string, string> {
  return {
    APPLICATION_ID: name,
    COMMANDS_TOPIC: `${topicPrefix}-commands`,
    PAYMENTS_TOPIC: `${topicPrefix}-payments`,
    RESOURCES_TOPIC: `${topicPrefix}-resources`,
    PROMOTIONS_TOPIC: `${topicPrefix}-promotions`,
    EVENTS_TOPIC: `${topicPrefix}-reservation`,
    NOTIFICATIONS_TOPIC: `${topicPrefix}-notifications`,
    DLQ_TOPIC: `${topicPrefix}-dlq`,
    PARTITIONS: '3',
    REPLICATION_FACTOR: '1',
    HTTP_PORT: '0',
    ...extra,
  }
}
