// How a client reaches a secured cluster: TLS (a CA to trust, optionally a client certificate for mutual
// TLS) and SASL (PLAIN, SCRAM or, with the confluent client only, OAUTHBEARER through an OIDC token
// endpoint). One description for both adapters; `librdkafkaSecurityProperties` and
// `kafkajsSecurityOptions` map it onto each library's settings. Secrets are `Secret`s: they print as
// "[redacted]" in logs, JSON and `util.inspect`, and are revealed only where a library is handed them.
import type { KafkaConfig, SASLOptions } from 'kafkajs'
import { KafkaError } from './kafka-error.js'

export const securityProtocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const
export type SecurityProtocol = (typeof securityProtocols)[number]

export const saslMechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const
export type SaslMechanism = (typeof saslMechanisms)[number]

const redacted = '[redacted]'

/** A credential. Printing, JSON-encoding or inspecting it shows "[redacted]"; `reveal()` gives the value. */
export class Secret {
  readonly #value: string
  constructor(value: string) {
    this.#value = value
  }
  reveal(): string {
    return this.#value
  }
  toString(): string {
    return redacted
  }
  toJSON(): string {
    return redacted
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${redacted})`
  }
}

/** SASL with a user name and password: PLAIN or SCRAM. */
export interface PasswordSasl {
  readonly mechanism: Exclude<SaslMechanism, 'OAUTHBEARER'>
  readonly username: string
  readonly password: Secret
}

/** SASL/OAUTHBEARER with tokens from an OIDC endpoint by the client-credentials grant (confluent only). */
export interface OauthbearerSasl {
  readonly mechanism: 'OAUTHBEARER'
  readonly tokenEndpointUrl: string
  readonly clientId: string
  readonly clientSecret: Secret
  readonly scope?: string
}

export type SaslSettings = PasswordSasl | OauthbearerSasl

export interface TlsSettings {
  /** PEM certificates to trust for the brokers; absent: the system's CAs. */
  readonly ca?: string
  /** Mutual TLS: the client's PEM certificate (chain) and private key. */
  readonly cert?: string
  readonly key?: Secret
  readonly keyPassword?: Secret
}

/** Absent, or `protocol: 'PLAINTEXT'`: no TLS, no authentication. */
export interface KafkaSecurity {
  readonly protocol: SecurityProtocol
  /** Required for SASL_PLAINTEXT and SASL_SSL, absent otherwise. */
  readonly sasl?: SaslSettings
  /** Only with SSL and SASL_SSL. */
  readonly tls?: TlsSettings
}

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL'
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'
}

/** librdkafka's properties for the security settings (to spread into every client's configuration). */
export function librdkafkaSecurityProperties(security: KafkaSecurity | undefined): Record<string, string> {
  if (!security || security.protocol === 'PLAINTEXT') return {}
  const props: Record<string, string> = { 'security.protocol': security.protocol.toLowerCase() }
  const { sasl, tls } = security
  if (sasl?.mechanism === 'OAUTHBEARER') {
    Object.assign(props, {
      'sasl.mechanisms': 'OAUTHBEARER',
      'sasl.oauthbearer.method': 'oidc',
      'sasl.oauthbearer.token.endpoint.url': sasl.tokenEndpointUrl,
      'sasl.oauthbearer.client.id': sasl.clientId,
      'sasl.oauthbearer.client.secret': sasl.clientSecret.reveal(),
      ...(sasl.scope === undefined ? {} : { 'sasl.oauthbearer.scope': sasl.scope }),
    })
  } else if (sasl) {
    Object.assign(props, {
      'sasl.mechanisms': sasl.mechanism,
      'sasl.username': sasl.username,
      'sasl.password': sasl.password.reveal(),
    })
  }
  if (tls?.ca !== undefined) props['ssl.ca.pem'] = tls.ca
  if (tls?.cert !== undefined) props['ssl.certificate.pem'] = tls.cert
  if (tls?.key !== undefined) props['ssl.key.pem'] = tls.key.reveal()
  if (tls?.keyPassword !== undefined) props['ssl.key.password'] = tls.keyPassword.reveal()
  return props
}

/**
 * kafkajs's `ssl` and `sasl` options. Throws INVALID_ARGUMENT for OAUTHBEARER: kafkajs has no OIDC login
 * and does not re-authenticate a connection when its token expires (KIP-368); use the confluent client.
 */
export function kafkajsSecurityOptions(
  security: KafkaSecurity | undefined,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security || security.protocol === 'PLAINTEXT') return {}
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {}
  if (usesTls(security.protocol)) {
    const tls = security.tls ?? {}
    options.ssl = {
      rejectUnauthorized: true,
      ...(tls.ca === undefined ? {} : { ca: [tls.ca] }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
      ...(tls.keyPassword === undefined ? {} : { passphrase: tls.keyPassword.reveal() }),
    }
  }
  const sasl = security.sasl
  if (sasl?.mechanism === 'OAUTHBEARER')
    throw new KafkaError(
      'INVALID_ARGUMENT',
      'SASL/OAUTHBEARER is supported with the confluent client only (KAFKA_CLIENT=confluent): kafkajs has ' +
        'no OIDC token login and does not re-authenticate a connection when its token expires',
    )
  if (sasl) options.sasl = kafkajsSasl(sasl)
  return options
}

function kafkajsSasl(sasl: PasswordSasl): SASLOptions {
  const credentials = { username: sasl.username, password: sasl.password.reveal() }
  switch (sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', ...credentials }
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', ...credentials }
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', ...credentials }
  }
}
