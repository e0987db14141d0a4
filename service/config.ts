// The service's configuration, from the environment (spec §9). Every variable is optional; a bad value
// fails at start with a message naming the variable and what it accepts.
import {
  clientFromEnv,
  kafkaSecurityFromEnv,
  type ClientChoice,
  type ClientKind,
  type KafkaSecurity,
} from '../kafka/index.js'
import {
  defaultDecisionConfig,
  waitlistPolicies,
  type DecisionConfig,
  type WaitlistPolicy,
} from '../processors/domain/index.js'
import { formatFromEnv, type CodecFormat } from '../schemas/index.js'
import { processingGuarantees, StreamsError, type ProcessingGuarantee } from '../topology/index.js'
import { layoutFromEnv, topicsFromEnv, type ServiceTopics, type TopicLayout } from './topics.js'

export interface ServiceConfig {
  /** Unset: `npm start` runs a local broker first. */
  readonly brokers: string[] | undefined
  readonly client: ClientKind
  /** Why that client (KAFKA_CLIENT, or the native client missing): the line `npm start` logs. */
  readonly clientChoice: ClientChoice
  /** TLS and SASL to the brokers (KAFKA_SECURITY_PROTOCOL and the rest); its secrets print redacted. */
  readonly security: KafkaSecurity
  readonly applicationId: string
  readonly instanceId: string | undefined
  readonly stateDir: string
  readonly format: CodecFormat
  readonly schemaRegistryUrl: string | undefined
  readonly processingGuarantee: ProcessingGuarantee
  readonly commitIntervalMs: number | undefined
  /** Warm copies of each task's state on other instances (Kafka Streams' num.standby.replicas). */
  readonly numStandbyReplicas: number
  /** Bytes the stores' caches of deserialized values hold together (StreamsConfig.storeCacheMaxBytes). */
  readonly storeCacheMaxBytes: number | undefined
  /** Static membership (group.instance.id): unset for dynamic membership. */
  readonly groupInstanceId: string | undefined
  readonly httpPort: number
  /** The address the HTTP server binds: loopback by default, 0.0.0.0 in the image. */
  readonly httpHost: string
  readonly advertisedUrl: string
  readonly topics: ServiceTopics
  readonly layout: TopicLayout
  readonly decision: DecisionConfig
  readonly punctuationIntervalMs: number
  readonly strayPaymentGraceMs: number
}

export class ConfigError extends StreamsError {
  override readonly name = 'ConfigError'
  constructor(message: string) {
    super('CONFIG_INVALID', message)
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min)
    throw new ConfigError(`${name}=${raw} must be an integer >= ${min}`)
  return value
}

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(`${name}=${raw} must be one of: ${allowed.join(', ')}`)
  return raw as T
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const format = formatFromEnv(env)
  if (env['RESERVATION_FORMAT'] && !['avro', 'json'].includes(env['RESERVATION_FORMAT'])) {
    throw new ConfigError(
      `RESERVATION_FORMAT=${env['RESERVATION_FORMAT']} must be avro or json (set SCHEMA_REGISTRY_URL for the Confluent format)`,
    )
  }
  const httpPort = integer(env, 'HTTP_PORT', 8080)
  const holdTimeoutMs = integer(env, 'HOLD_TIMEOUT_MS', defaultDecisionConfig.holdTimeoutMs, 1)
  const strayPaymentGraceMs = integer(env, 'STRAY_PAYMENT_GRACE_MS', 60_000, 0)
  const retention = retentionFromEnv(env, holdTimeoutMs, strayPaymentGraceMs)
  let clientChoice: ClientChoice
  try {
    clientChoice = clientFromEnv(env['KAFKA_CLIENT'])
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
  const client = clientChoice.kind
  const security = securityFromEnv(env, client)
  return {
    brokers: env['KAFKA_BROKERS'] ? env['KAFKA_BROKERS'].split(',').map((b) => b.trim()) : undefined,
    client,
    clientChoice,
    security,
    applicationId: env['APPLICATION_ID'] || 'reservation-service',
    instanceId: env['INSTANCE_ID'] || undefined,
    stateDir: env['STATE_DIR'] || '.state/streams',
    format,
    schemaRegistryUrl: env['SCHEMA_REGISTRY_URL'] || undefined,
    processingGuarantee: oneOf(env, 'PROCESSING_GUARANTEE', processingGuarantees, 'exactly_once'),
    commitIntervalMs: env['COMMIT_INTERVAL_MS'] ? integer(env, 'COMMIT_INTERVAL_MS', 100, 1) : undefined,
    numStandbyReplicas: integer(env, 'NUM_STANDBY_REPLICAS', 0, 0),
    storeCacheMaxBytes: env['STORE_CACHE_MAX_BYTES']
      ? integer(env, 'STORE_CACHE_MAX_BYTES', 0, 0)
      : undefined,
    groupInstanceId: env['GROUP_INSTANCE_ID'] || undefined,
    httpPort,
    httpHost: env['HTTP_HOST'] || '127.0.0.1',
    advertisedUrl: env['ADVERTISED_HTTP_URL'] || `http://127.0.0.1:${httpPort}`,
    topics: topicsFromEnv(env),
    layout: (() => {
      try {
        return layoutFromEnv(env)
      } catch (error) {
        throw new ConfigError((error as Error).message)
      }
    })(),
    decision: {
      ...defaultDecisionConfig,
      holdTimeoutMs,
      waitlistPolicy: oneOf<WaitlistPolicy>(
        env,
        'WAITLIST_POLICY',
        waitlistPolicies,
        defaultDecisionConfig.waitlistPolicy,
      ),
      ...retention,
    },
    punctuationIntervalMs: integer(env, 'PUNCTUATION_INTERVAL_MS', 10_000, 1),
    strayPaymentGraceMs,
  }
}

/** The client security settings, and whether the chosen client can use them. */
function securityFromEnv(env: NodeJS.ProcessEnv, client: ClientKind): KafkaSecurity {
  let security: KafkaSecurity
  try {
    security = kafkaSecurityFromEnv(env)
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
  if (security.sasl?.mechanism === 'OAUTHBEARER' && client !== 'confluent')
    throw new ConfigError(
      `KAFKA_SASL_MECHANISM=OAUTHBEARER needs KAFKA_CLIENT=confluent: kafkajs has no OIDC token login and does not re-authenticate when a token expires`,
    )
  return security
}

/**
 * RETENTION_MS and DEDUP_RETENTION_MS (processors/domain/retention.ts), checked against what the domain
 * needs: a payment or a repeated command can arrive as long as the hold it concerns is open, or as long as
 * a payment may wait for its reservation, so its id must be remembered at least that long; and the
 * reservations outlive the ids of the commands about them.
 */
function retentionFromEnv(
  env: NodeJS.ProcessEnv,
  holdTimeoutMs: number,
  strayPaymentGraceMs: number,
): Pick<DecisionConfig, 'retentionMs' | 'dedupRetentionMs'> {
  const retentionMs = integer(env, 'RETENTION_MS', defaultDecisionConfig.retentionMs, 1)
  const dedupRetentionMs = integer(env, 'DEDUP_RETENTION_MS', defaultDecisionConfig.dedupRetentionMs, 1)
  const ms = (name: string, value: number) => `${name}=${value} (${(value / 86_400_000).toFixed(2)} days)`
  if (dedupRetentionMs < holdTimeoutMs)
    throw new ConfigError(
      `${ms('DEDUP_RETENTION_MS', dedupRetentionMs)} is shorter than HOLD_TIMEOUT_MS=${holdTimeoutMs}: a payment or a repeated command may arrive while a hold is open, and would be decided twice`,
    )
  if (dedupRetentionMs < strayPaymentGraceMs)
    throw new ConfigError(
      `${ms('DEDUP_RETENTION_MS', dedupRetentionMs)} is shorter than STRAY_PAYMENT_GRACE_MS=${strayPaymentGraceMs}: a payment may wait that long for its reservation, and its repeat would be decided twice`,
    )
  if (retentionMs < dedupRetentionMs)
    throw new ConfigError(
      `${ms('RETENTION_MS', retentionMs)} is shorter than ${ms('DEDUP_RETENTION_MS', dedupRetentionMs)}: reservations must be kept at least as long as the ids of the commands about them`,
    )
  return { retentionMs, dedupRetentionMs }
}
