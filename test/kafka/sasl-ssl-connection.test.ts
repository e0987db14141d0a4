// Connecting both adapters to a secured broker of this file (SASL_SSL): the SASL mechanisms log in, and a
// wrong password or an untrusted broker certificate fails at once with an error saying which.
import { afterAll, describe, expect, it } from 'vitest'
import { clientKinds, KafkaError, probeConnection } from '../../kafka/index.js'
import { adminUser, scramSecurity, securedKafka, stopSecuredKafka } from '../support/secured-kafka.js'

afterAll(() => stopSecuredKafka())

describe.each(clientKinds)('connecting to the SASL_SSL broker: %s', (kind) => {
  const probe = async (security: Parameters<typeof scramSecurity>[2], password = adminUser.password) => {
    const cluster = await securedKafka()
    return probeConnection(
      {
        kind,
        brokers: cluster.bootstrapServers.split(','),
        clientId: `probe-${kind}`,
        security: scramSecurity(cluster, { name: adminUser.name, password }, security),
      },
      { timeoutMs: 20_000 },
    )
  }

  it('logs in with SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN', async () => {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] as const)
      await expect(probe({ mechanism })).resolves.toBeUndefined()
  })

  it('fails a wrong password at once with AUTHENTICATION_FAILED naming the user, not the password', async () => {
    const started = Date.now()
    const error = await probe({}, 'not-the-password').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaError)
    expect((error as KafkaError).code).toBe('AUTHENTICATION_FAILED')
    expect((error as KafkaError).retriable).toBe(false)
    expect((error as Error).message).toMatch(/refused the SASL login as admin \(SCRAM-SHA-512\)/)
    expect((error as Error).message).not.toContain('not-the-password')
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('fails a broker certificate from an untrusted CA at once with TLS_FAILED', async () => {
    const cluster = await securedKafka()
    const started = Date.now()
    const error = await probe({ ca: cluster.secured!.tls.otherCaPem }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaError)
    expect((error as KafkaError).code).toBe('TLS_FAILED')
    expect((error as Error).message).toMatch(
      /TLS handshake with .* failed: the broker's certificate is not signed by a trusted CA/,
    )
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})
