// The service on a secured broker (SASL_SSL, SCRAM, StandardAuthorizer with no access without an ACL)
// under a principal granted exactly the ACLs `npm run cli -- acls` prints: the workflow runs; a principal
// missing one is refused at start (a topic's, the transactional ids') or stopped in ERROR soon after it (the
// group's) with an error naming what it lacks and that command — the last two on either client; and the
// password appears nowhere in what the service logged, answered or raised.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AclBinding, ClientKind, KafkaClient } from '../../kafka/index.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import { serviceAcls } from '../../service/acls.js'
import { createLogger } from '../../logging/logger.js'
import { configFromEnv, type ServiceConfig } from '../../service/config.js'
import { startReservationService, type RunningService } from '../../service/reservation-service.js'
import { serviceTopicSpecs } from '../../service/topics.js'
import type { LocalKafkaCluster } from '../../tools/local-kafka/local-kafka-cluster.js'
import { uniqueName } from '../support/kafka.js'
import { securedClient, securedKafka, stopSecuredKafka } from '../support/secured-kafka.js'
import { namedServiceEnv } from '../support/service-env.js'
import { until } from '../support/until.js'

let cluster: LocalKafkaCluster
/** The clients the refusals of a missing transactional-id or group ACL are tested on. */
const clients: readonly ClientKind[] = ['confluent', 'kafkajs']
let admin: KafkaClient
let dir: string
const captured: string[] = []
/** Every line the service and its clients log, as JSON, kept for the password check. */
const logger = createLogger({
  level: 'debug',
  format: 'json',
  destination: { write: (line: string) => void captured.push(line) },
})

/** The environment of a service run as `user`, its password in a file as Kubernetes mounts it. */
async function securedEnv(base: Record<string, string>, user: string, password: string) {
  const passwordFile = path.join(dir, `${user}-password`)
  await writeFile(passwordFile, `${password}\n`)
  return {
    ...base,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
    KAFKA_SSL_CA_FILE: cluster.secured!.tls.caFile,
    STATE_DIR: await mkdtemp(path.join(dir, 'state-')),
  }
}

/** Application and topic names of one test; the topics do NOT share the application id's prefix. */
function names(base: string): Record<string, string> {
  return namedServiceEnv(uniqueName(`${base}-app`), { PARTITIONS: '2' }, uniqueName(`${base}-topic`))
}

/** As an operator would: the service's topics exist before it starts. */
async function createTopicsAsAdmin(config: ServiceConfig) {
  const a = admin.admin()
  await a.connect()
  await a.createTopics(serviceTopicSpecs(config.topics, config.layout))
  await a.disconnect()
}

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))
    })
  dir = await mkdtemp(path.join(os.tmpdir(), 'least-privilege-'))
  cluster = await securedKafka()
  admin = await securedClient('confluent')
})

afterAll(async () => {
  vi.restoreAllMocks()
  await stopSecuredKafka()
  await rm(dir, { recursive: true, force: true })
})

describe('the service under least-privilege ACLs', () => {
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`

  it('runs the reservation workflow with exactly the ACLs `npm run cli -- acls` prints', async () => {
    const base = names('lp')
    const user = uniqueName('reservation')
    const env = await securedEnv(base, user, password)
    const config = configFromEnv(env)
    await createTopicsAsAdmin(config)
    await cluster.secured!.tools.addScramUser({ name: user, password })
    await cluster.secured!.tools.addAcls(`User:${user}`, serviceAcls(config.applicationId, config.topics))

    let service: RunningService | undefined
    try {
      service = await startReservationService(
        { ...config, brokers: cluster.bootstrapServers.split(',') },
        logger,
      )
      const codecs = await reservationCodecs(config.format, config.topics)
      const producer = admin.producer()
      await producer.connect()
      const now = Date.now()
      const resourceId = uniqueName('room')
      const reservationId = uniqueName('r')
      const start = Math.ceil(now / 3_600_000) * 3_600_000 + 3_600_000
      await producer.send([
        {
          topic: config.topics.resources,
          key: Buffer.from(resourceId),
          timestamp: now,
          value: codecs.resource.encode({
            resourceId,
            category: 'room',
            capacity: 1,
            slotMinutes: 60,
            overbookingLimit: 0,
            priceCentsPerUnitSlot: 100,
          }),
        },
      ])
      const url = `http://127.0.0.1:${service.httpPort}/resources/${encodeURIComponent(resourceId)}/reservations/${reservationId}`
      let last = ''
      const status = async () => {
        const response = await fetch(url)
        last = `${response.status} ${await response.clone().text()}`
        return response.status === 200 ? ((await response.json()) as { status: string }).status : undefined
      }
      const reaches = (wanted: string) => async () => ((await status()) === wanted ? true : undefined)
      const availability = `http://127.0.0.1:${service.httpPort}/resources/${encodeURIComponent(resourceId)}/availability?start=${new Date(start).toISOString()}&end=${new Date(start + 3_600_000).toISOString()}`
      await until(
        'the resource defined',
        async () => ((await fetch(availability)).status === 200 ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 250, observed: () => 'no availability', retryErrors: true },
      )
      await producer.send([
        {
          topic: config.topics.commands,
          key: Buffer.from(resourceId),
          timestamp: now,
          value: codecs.command.encode({
            type: 'CreateReservation',
            commandId: uniqueName('c'),
            resourceId,
            issuedAt: now,
            reservationId,
            customerId: 'ann',
            start: new Date(start).toISOString(),
            end: new Date(start + 3_600_000).toISOString(),
            quantity: 1,
            waitlistIfUnavailable: false,
            promotionCode: null,
          }),
        },
      ])
      await until('the reservation held', reaches('PENDING_PAYMENT'), {
        timeoutMs: 30_000,
        intervalMs: 250,
        observed: () => last,
        retryErrors: true,
      })
      // the payment goes through the internal routing topic (repartition) to the reservation's resource
      await producer.send([
        {
          topic: config.topics.payments,
          key: Buffer.from(reservationId),
          timestamp: Date.now(),
          value: codecs.payment.encode({
            type: 'PaymentAuthorized',
            paymentId: uniqueName('pay'),
            reservationId,
            amountCents: 100,
            method: 'card',
            occurredAt: Date.now(),
          }),
        },
      ])
      await producer.disconnect()
      await until('the reservation authorized', reaches('AUTHORIZED'), {
        timeoutMs: 30_000,
        intervalMs: 250,
        observed: () => last,
        retryErrors: true,
      })
      captured.push(await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text())
    } finally {
      await service?.stop()
    }
  })

  it('refuses a principal without READ on an input topic at start, naming the topic', async () => {
    const base = names('lp-missing')
    const user = uniqueName('reservation-partial')
    const env = await securedEnv(base, user, password)
    const config = configFromEnv(env)
    await createTopicsAsAdmin(config)
    await cluster.secured!.tools.addScramUser({ name: user, password })
    const acls = serviceAcls(config.applicationId, config.topics).filter(
      (acl) => !(acl.resourceType === 'TOPIC' && acl.name === config.topics.commands),
    )
    await cluster.secured!.tools.addAcls(`User:${user}`, acls)
    const started = Date.now()
    const error = await startError({ ...config, brokers: cluster.bootstrapServers.split(',') })
    expect(error).toBeDefined()
    captured.push(String(error), error?.stack ?? '')
    expect(error).toMatchObject({ code: 'AUTHORIZATION_FAILED' })
    expect(error!.message).toContain(`TOPIC_AUTHORIZATION_FAILED on ${config.topics.commands}`)
    expect(error!.message).toMatch(/lacks an ACL the service needs.*npm run cli -- acls --application-id/)
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  /** The error the service's start is refused with; `undefined` (the service stopped again) if it started. */
  async function startError(config: Parameters<typeof startReservationService>[0]) {
    return startReservationService(config, logger).then(
      async (service) => {
        await service.stop()
        return undefined
      },
      (e: unknown) => e as Error,
    )
  }

  /** A principal with every ACL the service needs but those `dropped` names, and its service's config on `client`. */
  async function principalWithout(base: string, dropped: AclBinding['resourceType'], client: ClientKind) {
    const env = {
      ...(await securedEnv(names(base), uniqueName(`reservation-no-${dropped}`), password)),
      KAFKA_CLIENT: client,
    }
    const config = configFromEnv(env)
    expect(config.clientChoice.kind).toBe(client)
    await createTopicsAsAdmin(config)
    const user = env.KAFKA_SASL_USERNAME
    const acls = serviceAcls(config.applicationId, config.topics)
    expect(acls.filter((acl) => acl.resourceType === dropped)).toHaveLength(1)
    // each tool call starts a JVM: side by side
    await Promise.all([
      cluster.secured!.tools.addScramUser({ name: user, password }),
      cluster.secured!.tools.addAcls(
        `User:${user}`,
        acls.filter((acl) => acl.resourceType !== dropped),
      ),
    ])
    return { ...config, brokers: cluster.bootstrapServers.split(',') }
  }

  /**
   * The error a started service stops with (ERROR within 30 s), also on its liveness probe: it fails, so
   * Kubernetes restarts the pod, and the pod's events say why.
   */
  async function errorAfterStart(config: Parameters<typeof startReservationService>[0]) {
    const service = await startReservationService(config, logger)
    try {
      await until('the ERROR state', () => service.streams.state === 'ERROR', {
        timeoutMs: 30_000,
        intervalMs: 100,
        observed: () => service.streams.state,
      })
      const error = service.streams.error
      const live = await fetch(`http://127.0.0.1:${service.httpPort}/health/live`)
      const body = (await live.json()) as { state: string; error: string }
      captured.push(JSON.stringify(body))
      expect(live.status).toBe(500)
      expect(body).toEqual({ status: 'dead', state: 'ERROR', error: error!.message })
      return error
    } finally {
      await service.stop()
    }
  }

  // kafkajs does not say why it found no coordinator: its adapter asks the broker (kafkajs-coordinator-probe.ts).
  // With kafkajs exactly-once runs a producer per task (task-producers.ts), opened when the task is assigned,
  // after the start: there the instance stops in ERROR instead, as for the group.
  it.each(clients)(
    'refuses a principal without the transactional-id ACL (exactly_once, %s), naming its transactional id',
    async (client) => {
      const config = await principalWithout('lp-no-txn', 'TRANSACTIONAL_ID', client)
      expect(config.processingGuarantee).toBe('exactly_once')
      const started = Date.now()
      const error = client === 'confluent' ? await startError(config) : await errorAfterStart(config)
      expect(error).toBeDefined()
      captured.push(String(error), error?.stack ?? '')
      expect(error).toMatchObject({ code: 'AUTHORIZATION_FAILED', retriable: false })
      expect(error!.message).toContain('TRANSACTIONAL_ID_AUTHORIZATION_FAILED')
      expect(error!.message).toContain(`transactional id ${config.applicationId}`)
      expect(error!.message).toMatch(/lacks an ACL the service needs.*npm run cli -- acls --application-id/)
      expect(Date.now() - started).toBeLessThan(30_000)
    },
  )

  it.each(clients)(
    'stops a principal without the group ACL in ERROR after the start (%s), naming its group',
    async (client) => {
      const config = await principalWithout('lp-no-group', 'GROUP', client)
      const started = Date.now()
      const error = await errorAfterStart(config)
      captured.push(String(error), error?.stack ?? '')
      expect(error).toMatchObject({ code: 'AUTHORIZATION_FAILED', retriable: false })
      expect(error!.message).toContain(`GROUP_AUTHORIZATION_FAILED`)
      expect(error!.message).toContain(`group ${config.applicationId}`)
      expect(error!.message).toMatch(/lacks an ACL the service needs.*npm run cli -- acls --application-id/)
      expect(Date.now() - started).toBeLessThan(30_000)
    },
  )

  it('never shows the password in a log line, a metric or an error', () => {
    expect(captured.length).toBeGreaterThan(0)
    for (const text of captured) expect(text).not.toContain(password)
  })
})
