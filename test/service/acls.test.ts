// The ACLs the service asks for (broker-free); test/service/least-privilege.test.ts runs it under them.
import { describe, expect, it } from 'vitest'
import { formatAcls, serviceAcls } from '../../service/acls.js'
import { topicsFromEnv } from '../../service/topics.js'

describe('serviceAcls', () => {
  const acls = serviceAcls('reservation-service', topicsFromEnv({}))
  const entries = acls.map((a) => `${a.operation} ${a.resourceType} ${a.patternType} ${a.name}`)

  it("is Kafka Streams' set: read inputs, write outputs, all on the application id prefix, idempotent write", () => {
    expect(entries).toEqual([
      'READ TOPIC LITERAL reservation-commands',
      'READ TOPIC LITERAL payments',
      'READ TOPIC LITERAL resources',
      'READ TOPIC LITERAL promotions',
      'WRITE TOPIC LITERAL reservation',
      'WRITE TOPIC LITERAL reservation-notifications',
      'WRITE TOPIC LITERAL reservation-dlq',
      'ALL TOPIC PREFIXED reservation-service',
      'ALL GROUP PREFIXED reservation-service',
      'ALL TRANSACTIONAL_ID PREFIXED reservation-service',
      'IDEMPOTENT_WRITE CLUSTER LITERAL kafka-cluster',
    ])
  })

  it('prints a table and the kafka-acls commands granting each', () => {
    const text = formatAcls('User:reservation-service', acls)
    expect(text).toContain(
      'kafka-acls --bootstrap-server "$KAFKA_BROKERS" --add --allow-principal User:reservation-service --operation All --transactional-id reservation-service --resource-pattern-type prefixed',
    )
    expect(text).toContain('--operation IdempotentWrite --cluster')
    expect(text.split('\n').filter((l) => l.startsWith('kafka-acls'))).toHaveLength(acls.length)
  })
})
