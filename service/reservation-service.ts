// The Reservation Service assembled: topics, codecs, topology, the engine, metrics and the HTTP port.
// `stop()` is the SIGTERM path: stop taking queries, finish the records in flight, commit, leave the group.
import type http from 'node:http'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { createKafkaClient, KafkaError, probeConnection } from '../kafka/index.js'
import { logTo, rootLogger, type Logger } from '../logging/logger.js'
import { reservationTopology } from '../processors/reservation-topology.js'
import { reservationCodecs } from '../processors/service-codecs.js'
import { KafkaStreams } from '../topology/index.js'
import { PrometheusStreamsMetrics } from '../topology/runtime/prometheus-metrics.js'
import { businessMetrics } from './business-metrics.js'
import type { ServiceConfig } from './config.js'
import { startHttpServer } from './http-server.js'
import { ReservationQueries } from './reservation-queries.js'
import { freePort } from '../tools/local-kafka/prerequisites.js'
import { serviceTopicSpecs } from './topics.js'

export interface RunningService {
  readonly streams: KafkaStreams
  readonly registry: Registry
  readonly httpPort: number
  stop(): Promise<void>
}

/**
 * An authorization failure, with what to do: `npm run cli -- acls` prints the ACLs the service needs.
 * `why`: how the failure came about, where the error alone does not make it plain.
 */
function missingAcl(error: Error, applicationId: string, why = ''): Error {
  if (!(error instanceof KafkaError) || error.code !== 'AUTHORIZATION_FAILED') return error
  return new KafkaError(
    'AUTHORIZATION_FAILED',
    `${error.message}: the principal lacks an ACL the service needs${why}; \`npm run cli -- acls --application-id ${applicationId}\` prints them`,
    { cause: error },
  )
}

export async function startReservationService(
  config: ServiceConfig & { readonly brokers: string[] },
  logger: Logger = rootLogger(),
): Promise<RunningService> {
  const log = logger.child({ component: 'service' })
  const clientConfig = {
    kind: config.client,
    brokers: config.brokers,
    security: config.security,
    clientId: `${config.applicationId}-${config.instanceId ?? 'instance'}`,
    logger,
  }
  // a wrong password, an untrusted certificate or no broker: one clear error now, not retries for ever
  await probeConnection(clientConfig)
  const client = createKafkaClient(clientConfig)
  const admin = client.admin()
  await admin.connect()
  const created = await admin
    .createTopics(serviceTopicSpecs(config.topics, config.layout))
    .catch((error: unknown) => {
      throw error instanceof Error
        ? // a topic the principal may not DESCRIBE looks missing, so the service tries to create it
          missingAcl(error, config.applicationId, ' (a topic it may not read or write looks missing to it)')
        : error
    })
    .finally(() => admin.disconnect())
  if (created.length > 0) log.info({ topics: created }, `created topics: ${created.join(', ')}`)

  // with HTTP_PORT=0 pick the port now: the advertised address must name it before the instance announces itself
  const httpPort = config.httpPort === 0 ? await freePort() : config.httpPort
  const advertisedUrl = config.advertisedUrl.endsWith(':0')
    ? config.advertisedUrl.replace(/:0$/, `:${httpPort}`)
    : config.advertisedUrl
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const codecs = await reservationCodecs(config.format, config.topics, config.schemaRegistryUrl)
  const counts: { queries?: ReservationQueries } = {}
  const outcomes = businessMetrics(registry, {
    count: (store) => counts.queries?.count(store) ?? Promise.resolve(0),
  })
  const topology = reservationTopology({
    topics: config.topics,
    codecs,
    decision: config.decision,
    punctuationIntervalMs: config.punctuationIntervalMs,
    strayPaymentGraceMs: config.strayPaymentGraceMs,
    metrics: outcomes,
  })
  const streams = new KafkaStreams(topology, {
    applicationId: config.applicationId,
    client,
    stateDir: config.stateDir,
    processingGuarantee: config.processingGuarantee,
    ...(config.commitIntervalMs === undefined ? {} : { commitIntervalMs: config.commitIntervalMs }),
    ...(config.instanceId === undefined ? {} : { instanceId: config.instanceId }),
    numStandbyReplicas: config.numStandbyReplicas,
    ...(config.storeCacheMaxBytes === undefined ? {} : { storeCacheMaxBytes: config.storeCacheMaxBytes }),
    ...(config.groupInstanceId === undefined ? {} : { groupInstanceId: config.groupInstanceId }),
    deadLetterTopic: config.topics.dlq,
    replicationFactor: config.layout.replicationFactor,
    metrics: new PrometheusStreamsMetrics(registry),
    advertisedUrl,
    log: logTo(logger.child({ component: 'streams' })),
    // a transactional id or group ACL missing stops the instance in the start or after it (ERROR)
    describeFailure: (error) => missingAcl(error, config.applicationId),
  })
  streams.onStateChange((state, previous) => log.info({ state, previous }, `state ${previous} -> ${state}`))
  const queries = new ReservationQueries(streams, config.decision.retentionMs)
  counts.queries = queries
  const server: http.Server = await startHttpServer({
    port: httpPort,
    host: config.httpHost,
    registry,
    streams,
    queries,
  })
  const stop = async () => {
    await streams.close()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
  }
  // a failed start takes what it built (clients, stores, the HTTP port) with it
  await streams.start().catch(async (error: unknown) => {
    await stop().catch(() => undefined)
    throw error
  })
  log.info(
    `Reservation Service ${config.applicationId} (${config.processingGuarantee}, ${config.format}) on ${config.brokers.join(',')}; HTTP on ${config.httpHost}:${httpPort}`,
  )
  return {
    streams,
    registry,
    httpPort,
    stop,
  }
}
