// The settings of a secured local broker (`startLocalKafka({ secured: {...} })`), the way a careful
// cluster is run:
//   - clients connect on a SASL_SSL listener: TLS with a per-run CA (tls-material.ts), then SASL with
//     SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN;
//   - `StandardAuthorizer` with `allow.everyone.if.no.acl.found=false`: a principal may do only what an ACL
//     grants it; the super user `admin` may do everything;
//   - the controller and inter-broker traffic, and the admin tools of the tests (SCRAM users, ACLs), use a
//     PLAINTEXT listener on loopback whose principal (ANONYMOUS) is a super user. That listener is a
//     test-cluster convenience, not a production set-up: it is never given to the clients under test.
import type { NodeAddress } from './broker-config.js'
import type { TlsMaterial } from './tls-material.js'

export interface ScramUser {
  readonly name: string
  readonly password: string
}

export interface SecuredOptions {
  /** The super user (SCRAM, both hash sizes, and PLAIN), created when the storage is formatted. */
  readonly admin: ScramUser
  /** More SCRAM users created at format time (SCRAM-SHA-256 and -512). */
  readonly users?: readonly ScramUser[]
}

export interface SecuredNodeAddress extends NodeAddress {
  /** The PLAINTEXT listener of the controller link, other brokers and the test's admin tools. */
  readonly internalPort: number
}

/** Per-node properties replacing the plaintext listeners of broker-config.ts. */
export function securedListenerProperties(
  node: SecuredNodeAddress,
  tls: TlsMaterial,
  options: SecuredOptions,
): Record<string, string> {
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;'
  // PLAIN checks passwords against this list (the admin only); SCRAM against the cluster's metadata
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${options.admin.name}="${options.admin.password}";`
  return {
    listeners: `SASL_SSL://127.0.0.1:${node.brokerPort},INTERNAL://127.0.0.1:${node.internalPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `SASL_SSL://127.0.0.1:${node.brokerPort},INTERNAL://127.0.0.1:${node.internalPort}`,
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': scram,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': scram,
    'listener.name.sasl_ssl.plain.sasl.jaas.config': plain,
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': tls.keystoreFile,
    'ssl.keystore.password': tls.keystorePassword,
    'ssl.key.password': tls.keystorePassword,
    'ssl.client.auth': 'none',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
    'super.users': `User:${options.admin.name};User:ANONYMOUS`,
  }
}

/** `kafka-storage format` arguments that create the SCRAM users with the cluster's first metadata. */
export function scramFormatArguments(options: SecuredOptions): string[] {
  return [options.admin, ...(options.users ?? [])].flatMap((user) =>
    ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${user.name},password=${user.password}]`,
    ]),
  )
}
