// One secured broker per test file (SASL_SSL with SCRAM, StandardAuthorizer, no access without an ACL),
// started on first use and stopped by `stopSecuredKafka` in the file's afterAll: a secured start costs
// 10–20 s, so a file shares one. Clients connect as the super user `admin` or as a user of the test's own.
import { randomBytes } from 'node:crypto'
import {
  createKafkaClient,
  Secret,
  type ClientKind,
  type KafkaClient,
  type KafkaSecurity,
} from '../../kafka/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../../tools/local-kafka/local-kafka-cluster.js'

let started: Promise<LocalKafkaCluster> | undefined

export const adminUser = { name: 'admin', password: randomBytes(12).toString('hex') }

export function securedKafka(): Promise<LocalKafkaCluster> {
  started ??= startLocalKafka({ secured: { admin: adminUser } })
  return started
}

export async function stopSecuredKafka(): Promise<void> {
  const cluster = await started?.catch(() => undefined)
  started = undefined
  await cluster?.stop()
}

/** SASL_SSL security for a user, trusting the run's CA (or another one). */
export function scramSecurity(
  cluster: LocalKafkaCluster,
  user: { readonly name: string; readonly password: string },
  options: { readonly mechanism?: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'PLAIN'; readonly ca?: string } = {},
): KafkaSecurity {
  return {
    protocol: 'SASL_SSL',
    sasl: {
      mechanism: options.mechanism ?? 'SCRAM-SHA-512',
      username: user.name,
      password: new Secret(user.password),
    },
    tls: { ca: options.ca ?? cluster.secured!.tls.caPem },
  }
}

/** A client of the secured broker, as `admin` unless another user is given. */
export async function securedClient(
  kind: ClientKind,
  user: { readonly name: string; readonly password: string } = adminUser,
  clientId = `test-secured-${kind}`,
): Promise<KafkaClient> {
  const cluster = await securedKafka()
  return createKafkaClient({
    kind,
    brokers: cluster.bootstrapServers.split(','),
    clientId,
    security: scramSecurity(cluster, user),
  })
}
