// The service's environment with an application id and topics of its own, named after `name`. Free of
// vitest, so the command-line runs (npm run backlog) use it too.

export function namedServiceEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    APPLICATION_ID: name,
    COMMANDS_TOPIC: `${name}-commands`,
    PAYMENTS_TOPIC: `${name}-payments`,
    RESOURCES_TOPIC: `${name}-resources`,
    PROMOTIONS_TOPIC: `${name}-promotions`,
    EVENTS_TOPIC: `${name}-reservation`,
    NOTIFICATIONS_TOPIC: `${name}-notifications`,
    DLQ_TOPIC: `${name}-dlq`,
    PARTITIONS: '3',
    REPLICATION_FACTOR: '1',
    HTTP_PORT: '0',
    ...extra,
  }
}
