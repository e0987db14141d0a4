// The service's configuration from the environment: defaults, and a bad value stops the start with a message
// naming the variable.
import { describe, expect, it } from 'vitest'
import { ConfigError, configFromEnv } from '../../service/config.js'

const DAY = 86_400_000

describe('retention settings', () => {
  it('defaults to 30 days of reservations and 7 days of command ids', () => {
    const config = configFromEnv({})
    expect(config.decision.retentionMs).toBe(30 * DAY)
    expect(config.decision.dedupRetentionMs).toBe(7 * DAY)
  })

  it('takes RETENTION_MS and DEDUP_RETENTION_MS from the environment', () => {
    const config = configFromEnv({ RETENTION_MS: String(90 * DAY), DEDUP_RETENTION_MS: String(DAY) })
    expect(config.decision.retentionMs).toBe(90 * DAY)
    expect(config.decision.dedupRetentionMs).toBe(DAY)
  })

  it.each([
    [{ RETENTION_MS: 'a month' }, /RETENTION_MS=a month must be an integer >= 1/],
    [{ DEDUP_RETENTION_MS: '0' }, /DEDUP_RETENTION_MS=0 must be an integer >= 1/],
    [{ DEDUP_RETENTION_MS: '600000' }, /DEDUP_RETENTION_MS=600000 .* shorter than HOLD_TIMEOUT_MS=900000/],
    [
      { DEDUP_RETENTION_MS: String(DAY), STRAY_PAYMENT_GRACE_MS: String(2 * DAY) },
      /DEDUP_RETENTION_MS=86400000 .* shorter than STRAY_PAYMENT_GRACE_MS=172800000/,
    ],
    [{ RETENTION_MS: String(DAY) }, /RETENTION_MS=86400000 .* shorter than DEDUP_RETENTION_MS=604800000/],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(ConfigError)
    expect(() => configFromEnv(env)).toThrow(message)
  })
})

describe('Kafka security and the HTTP bind address', () => {
  it('binds HTTP to loopback by default and to HTTP_HOST when set', () => {
    expect(configFromEnv({}).httpHost).toBe('127.0.0.1')
    expect(configFromEnv({ HTTP_HOST: '0.0.0.0' }).httpHost).toBe('0.0.0.0')
  })

  it('reads the security settings, and a bad one is a ConfigError naming the variable', () => {
    expect(configFromEnv({}).security).toEqual({ protocol: 'PLAINTEXT' })
    expect(() => configFromEnv({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })).toThrow(ConfigError)
    expect(() => configFromEnv({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })).toThrow(/KAFKA_SASL_MECHANISM/)
  })

  it('refuses OAUTHBEARER with KAFKA_CLIENT=kafkajs at start', () => {
    const env = {
      KAFKA_CLIENT: 'kafkajs',
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
      KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: 'https://idp.example/token',
      KAFKA_SASL_OAUTHBEARER_CLIENT_ID: 'id',
      KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: 'secret',
    }
    expect(() => configFromEnv(env)).toThrow(/OAUTHBEARER needs KAFKA_CLIENT=confluent/)
  })

  it('keeps the password out of the configuration printed as JSON', () => {
    const config = configFromEnv({
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'app',
      KAFKA_SASL_PASSWORD: 'hunter2-pw',
    })
    expect(JSON.stringify(config)).not.toContain('hunter2-pw')
  })
})

describe('the store cache budget', () => {
  it('leaves it to the engine’s default when unset, and takes STORE_CACHE_MAX_BYTES in bytes', () => {
    expect(configFromEnv({}).storeCacheMaxBytes).toBeUndefined()
    expect(configFromEnv({ STORE_CACHE_MAX_BYTES: '33554432' }).storeCacheMaxBytes).toBe(33_554_432)
    expect(configFromEnv({ STORE_CACHE_MAX_BYTES: '0' }).storeCacheMaxBytes).toBe(0)
  })

  it('rejects a size that is not a whole number of bytes', () => {
    expect(() => configFromEnv({ STORE_CACHE_MAX_BYTES: '64MiB' })).toThrow(
      /STORE_CACHE_MAX_BYTES=64MiB must be an integer >= 0/,
    )
  })
})
