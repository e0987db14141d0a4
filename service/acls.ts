// The ACLs the Reservation Service needs, and nothing more: Kafka Streams' documented set for an
// application (READ on its input topics, WRITE on its output topics, ALL on the topics, groups and
// transactional ids that start with its application id, IDEMPOTENT_WRITE on the cluster). The topics are
// expected to exist (k8s topics job, or an operator): the service creates only missing ones, and only
// internal ones under these ACLs. `npm run cli -- acls` prints them; a test runs the service under them.
import { aclCommandArguments, type AclBinding } from '../kafka/index.js'
import type { ServiceTopics } from './topics.js'

export function serviceAcls(applicationId: string, topics: ServiceTopics): AclBinding[] {
  const read = (name: string, what: string): AclBinding => ({
    resourceType: 'TOPIC',
    name,
    patternType: 'LITERAL',
    operation: 'READ',
    reason: `input: ${what}`,
  })
  const write = (name: string, what: string): AclBinding => ({
    resourceType: 'TOPIC',
    name,
    patternType: 'LITERAL',
    operation: 'WRITE',
    reason: `output: ${what}`,
  })
  const prefixed = (resourceType: AclBinding['resourceType'], reason: string): AclBinding => ({
    resourceType,
    name: applicationId,
    patternType: 'PREFIXED',
    operation: 'ALL',
    reason,
  })
  return [
    read(topics.commands, 'reservation commands'),
    read(topics.payments, 'payment events'),
    read(topics.resources, 'resource definitions'),
    read(topics.promotions, 'promotions (global table)'),
    write(topics.events, 'reservation events'),
    write(topics.notifications, 'notifications'),
    write(topics.dlq, 'dead letters'),
    prefixed('TOPIC', 'internal topics: changelogs, repartition, instance registry'),
    prefixed('GROUP', 'the consumer group (= application id) and the private groups of partition readers'),
    prefixed('TRANSACTIONAL_ID', 'exactly-once producers'),
    {
      resourceType: 'CLUSTER',
      name: 'kafka-cluster',
      patternType: 'LITERAL',
      operation: 'IDEMPOTENT_WRITE',
      reason: 'idempotent and transactional producers',
    },
  ]
}

/** A readable table of the ACLs, then the `kafka-acls` commands that grant them to `principal`. */
export function formatAcls(principal: string, acls: readonly AclBinding[]): string {
  const rows = acls.map((a) => [a.operation, a.resourceType, a.patternType, a.name, a.reason])
  const header = ['OPERATION', 'RESOURCE', 'PATTERN', 'NAME', 'WHY']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  const commands = acls.map(
    (a) => `kafka-acls --bootstrap-server "$KAFKA_BROKERS" ${aclCommandArguments(principal, a).join(' ')}`,
  )
  return [line(header), ...rows.map(line), '', `# granted to ${principal}:`, ...commands].join('\n')
}
