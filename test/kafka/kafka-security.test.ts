// The security settings from the environment, and their mapping onto each client's options (broker-free).
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  KafkaError,
  kafkaSecurityFromEnv,
  kafkajsSecurityOptions,
  librdkafkaSecurityProperties,
  Secret,
} from '../../kafka/index.js'

const ca = '-----BEGIN CERTIFICATE-----\nMIIca\n-----END CERTIFICATE-----\n'
const cert = '-----BEGIN CERTIFICATE-----\nMIIcert\n-----END CERTIFICATE-----\n'
const key = '-----BEGIN PRIVATE KEY-----\nMIIkey\n-----END PRIVATE KEY-----\n'
const files: Record<string, string> = {
  '/run/secrets/ca.pem': ca,
  '/run/secrets/tls.crt': cert,
  '/run/secrets/tls.key': key,
  '/run/secrets/username': 'reservation-app\n',
  '/run/secrets/password': 's3cret-pw\n',
}
const readFile = (path: string) => {
  const content = files[path]
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
  return content
}
const parse = (env: Record<string, string>) => kafkaSecurityFromEnv(env, readFile)

describe('security settings from the environment', () => {
  it('is PLAINTEXT with nothing set', () => {
    expect(parse({})).toEqual({ protocol: 'PLAINTEXT' })
    expect(librdkafkaSecurityProperties(parse({}))).toEqual({})
    expect(kafkajsSecurityOptions(parse({}))).toEqual({})
  })

  it('reads SASL_SSL with SCRAM, the credentials and the CA from files (trailing newline dropped)', () => {
    const security = parse({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME_FILE: '/run/secrets/username',
      KAFKA_SASL_PASSWORD_FILE: '/run/secrets/password',
      KAFKA_SSL_CA_FILE: '/run/secrets/ca.pem',
    })
    expect(security.protocol).toBe('SASL_SSL')
    expect(security.sasl).toMatchObject({ mechanism: 'SCRAM-SHA-512', username: 'reservation-app' })
    expect(security.sasl?.mechanism !== 'OAUTHBEARER' && security.sasl?.password.reveal()).toBe('s3cret-pw')
    expect(security.tls).toEqual({ ca })
  })

  it('takes values directly from the variables too, and mutual TLS with a key password', () => {
    const security = parse({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CERT: cert,
      KAFKA_SSL_KEY_FILE: '/run/secrets/tls.key',
      KAFKA_SSL_KEY_PASSWORD: 'key-pw',
    })
    expect(security.tls?.cert).toBe(cert)
    expect(security.tls?.key?.reveal()).toBe(key)
    expect(security.tls?.keyPassword?.reveal()).toBe('key-pw')
  })

  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'TLS' }, /KAFKA_SECURITY_PROTOCOL=TLS must be one of: PLAINTEXT, SSL/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }, /KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM/],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI' },
      /KAFKA_SASL_MECHANISM=GSSAPI must be one of/,
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u' },
      /KAFKA_SASL_PASSWORD \(or KAFKA_SASL_PASSWORD_FILE\) is required with PLAIN/,
    ],
    [
      {
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_SASL_PASSWORD_FILE: '/run/secrets/password',
      },
      /KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set/,
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/run/secrets/missing.pem' },
      /KAFKA_SSL_CA_FILE=\/run\/secrets\/missing.pem cannot be read \(ENOENT\)/,
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/run/secrets/password' },
      /KAFKA_SSL_CA_FILE does not hold a PEM certificate/,
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT: cert },
      /KAFKA_SSL_CERT and KAFKA_SSL_KEY go together/,
    ],
    [{ KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_USERNAME set with KAFKA_SECURITY_PROTOCOL=PLAINTEXT/],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SSL_CA: ca },
      /KAFKA_SSL_CA set with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT, which does not use TLS/,
    ],
  ])('rejects %o with a message naming the variables', (env, message) => {
    expect(() => parse(env)).toThrow(KafkaError)
    expect(() => parse(env)).toThrow(message)
  })

  it('never puts a secret in its error messages', () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_KEY: 'not-a-pem-but-secret-key-material',
      KAFKA_SSL_CERT: cert,
    }
    expect(() => parse(env)).toThrow(/KAFKA_SSL_KEY does not hold a PEM private key/)
    try {
      parse(env)
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret-key-material')
    }
  })
})

describe('secrets print redacted', () => {
  it('in String(), JSON and util.inspect, and reveal() gives the value', () => {
    const security = parse({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_USERNAME: 'app',
      KAFKA_SASL_PASSWORD: 's3cret-pw',
      KAFKA_SSL_CERT: cert,
      KAFKA_SSL_KEY: key,
    })
    const printed = [
      JSON.stringify(security),
      inspect(security, { depth: 10 }),
      `${String(new Secret('s3cret-pw'))}`,
    ]
    for (const text of printed) {
      expect(text).not.toContain('s3cret-pw')
      expect(text).not.toContain('MIIkey')
      expect(text).toContain('[redacted]')
    }
  })
})

describe('mapping onto the clients', () => {
  const scram = parse({
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
    KAFKA_SASL_USERNAME: 'app',
    KAFKA_SASL_PASSWORD: 'pw',
    KAFKA_SSL_CA: ca,
    KAFKA_SSL_CERT: cert,
    KAFKA_SSL_KEY: key,
    KAFKA_SSL_KEY_PASSWORD: 'kp',
  })

  it('gives librdkafka its security, SASL and PEM properties', () => {
    expect(librdkafkaSecurityProperties(scram)).toEqual({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'app',
      'sasl.password': 'pw',
      'ssl.ca.pem': ca,
      'ssl.certificate.pem': cert,
      'ssl.key.pem': key,
      'ssl.key.password': 'kp',
    })
  })

  it('gives kafkajs its ssl (verifying the broker) and sasl options', () => {
    expect(kafkajsSecurityOptions(scram)).toEqual({
      ssl: { rejectUnauthorized: true, ca: [ca], cert, key, passphrase: 'kp' },
      sasl: { mechanism: 'scram-sha-256', username: 'app', password: 'pw' },
    })
    expect(
      kafkajsSecurityOptions(
        parse({
          KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
          KAFKA_SASL_MECHANISM: 'PLAIN',
          KAFKA_SASL_USERNAME: 'a',
          KAFKA_SASL_PASSWORD: 'b',
        }),
      ),
    ).toEqual({ sasl: { mechanism: 'plain', username: 'a', password: 'b' } })
    expect(kafkajsSecurityOptions(parse({ KAFKA_SECURITY_PROTOCOL: 'SSL' }))).toEqual({
      ssl: { rejectUnauthorized: true },
    })
  })

  const oauth = parse({
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
    KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: 'https://idp.example/oauth2/token',
    KAFKA_SASL_OAUTHBEARER_CLIENT_ID: 'reservation-service',
    KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: 'client-secret',
    KAFKA_SASL_OAUTHBEARER_SCOPE: 'kafka',
  })

  it('maps OAUTHBEARER to librdkafka OIDC client credentials (it fetches and refreshes the token)', () => {
    expect(librdkafkaSecurityProperties(oauth)).toEqual({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'OAUTHBEARER',
      'sasl.oauthbearer.method': 'oidc',
      'sasl.oauthbearer.token.endpoint.url': 'https://idp.example/oauth2/token',
      'sasl.oauthbearer.client.id': 'reservation-service',
      'sasl.oauthbearer.client.secret': 'client-secret',
      'sasl.oauthbearer.scope': 'kafka',
    })
  })

  it('refuses OAUTHBEARER for kafkajs with an error saying to use the confluent client', () => {
    expect(() => kafkajsSecurityOptions(oauth)).toThrow(
      /OAUTHBEARER is supported with the confluent client only/,
    )
  })
})
