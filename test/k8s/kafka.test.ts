// The Kafka cluster and the topics job in k8s/, checked against each other and against the service:
// quorum voters that name the StatefulSet's own pods, a valid cluster id, replication settings the
// cluster can satisfy, and topics (names, partitions, compaction) that are exactly what service/topics.ts
// expects.
import { describe, expect, it } from 'vitest'
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import type { IService } from 'kubernetes-models/v1/Service'
import type { IJob } from 'kubernetes-models/batch/v1/Job'
import { layoutFromEnv, serviceTopicSpecs, topicsFromEnv } from '../../service/topics.js'
import {
  configMapData,
  containerEnv,
  find,
  overlays,
  rendered,
  resolvePort,
  workload,
  type Overlay,
} from './objects.js'

const topicEnvKeys = {
  commands: 'COMMANDS_TOPIC',
  payments: 'PAYMENTS_TOPIC',
  resources: 'RESOURCES_TOPIC',
  promotions: 'PROMOTIONS_TOPIC',
  events: 'EVENTS_TOPIC',
  notifications: 'NOTIFICATIONS_TOPIC',
  dlq: 'DLQ_TOPIC',
} as const

describe.each(Object.keys(overlays) as Overlay[])('%s overlay: Kafka', (overlay) => {
  const objects = () => rendered(overlay)
  const sts = () => find<IStatefulSet>(objects(), 'StatefulSet', 'kafka', 'kafka')
  const broker = () => {
    const c = workload(objects(), 'StatefulSet', 'kafka', 'kafka').containers.find((x) => x.name === 'kafka')
    if (!c) throw new Error('no kafka container')
    return c
  }
  const env = () => containerEnv(objects(), 'kafka', broker())
  const replicas = () => sts().spec?.replicas ?? 1
  const kafkaPort = () => resolvePort(broker(), 'kafka')
  const controllerPort = () => resolvePort(broker(), 'controller')

  it('is three combined KRaft nodes of apache/kafka:4.1.2, started in parallel, behind kafka-headless', () => {
    expect(replicas()).toBe(3)
    expect(broker().image).toBe('apache/kafka:4.1.2')
    expect(env().get('KAFKA_PROCESS_ROLES')).toBe('broker,controller')
    expect(sts().spec?.podManagementPolicy).toBe('Parallel')
    expect(sts().spec?.serviceName).toBe('kafka-headless')
    const headless = find<IService>(objects(), 'Service', 'kafka', 'kafka-headless')
    expect(headless.spec?.publishNotReadyAddresses).toBe(true)
    expect(kafkaPort()).toBe(9092)
    expect(controllerPort()).toBe(9093)
  })

  it('lists every node, by its headless name and controller port, as a quorum voter', () => {
    const expected = Array.from(
      { length: replicas() },
      (_, i) => `${i}@kafka-${i}.kafka-headless.kafka.svc.cluster.local:${controllerPort()}`,
    )
    expect(env().get('KAFKA_CONTROLLER_QUORUM_VOTERS')?.split(',')).toEqual(expected)
    // The node id is the pod ordinal, which is what the voters list assumes.
    expect(broker().command?.join(' ')).toContain('KAFKA_NODE_ID="${POD_NAME##*-}"')
    expect(broker().env?.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe(
      'metadata.name',
    )
  })

  it('advertises each pod by its stable name on the ports it listens on', () => {
    expect(env().get('KAFKA_ADVERTISED_LISTENERS')).toBe(
      `PLAINTEXT://$(POD_NAME).kafka-headless.$(POD_NAMESPACE).svc.cluster.local:${kafkaPort()}`,
    )
    expect(env().get('KAFKA_LISTENERS')).toBe(
      `PLAINTEXT://0.0.0.0:${kafkaPort()},CONTROLLER://0.0.0.0:${controllerPort()}`,
    )
    const protocols = (env().get('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP') ?? '')
      .split(',')
      .map((p) => p.split(':')[0])
    expect(protocols).toEqual(expect.arrayContaining(['PLAINTEXT', 'CONTROLLER']))
    expect(env().get('KAFKA_CONTROLLER_LISTENER_NAMES')).toBe('CONTROLLER')
  })

  it('has a stable, well-formed cluster id (base64url of 16 bytes)', () => {
    const id = env().get('CLUSTER_ID') ?? ''
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(Buffer.from(id, 'base64url')).toHaveLength(16)
  })

  it('replicates internal topics 3 ways with min ISR 2, which the cluster can satisfy with a node down', () => {
    for (const key of [
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      'KAFKA_DEFAULT_REPLICATION_FACTOR',
    ]) {
      expect(Number(env().get(key)), key).toBe(3)
      expect(Number(env().get(key)), key).toBeLessThanOrEqual(replicas())
    }
    expect(Number(env().get('KAFKA_TRANSACTION_STATE_LOG_MIN_ISR'))).toBe(2)
    expect(Number(env().get('KAFKA_MIN_INSYNC_REPLICAS'))).toBe(2)
    expect(env().get('KAFKA_AUTO_CREATE_TOPICS_ENABLE')).toBe('false')
  })

  it('keeps its log in a subdirectory of a per-broker volume claim', () => {
    const claims = sts().spec?.volumeClaimTemplates?.map((t) => t.metadata?.name) ?? []
    const mount = broker().volumeMounts?.find((m) => claims.includes(m.name))
    expect(mount).toBeDefined()
    expect(env().get('KAFKA_LOG_DIRS')?.startsWith(`${mount?.mountPath}/`)).toBe(true)
  })

  it('has TCP readiness, liveness and startup probes', () => {
    expect(broker().readinessProbe?.tcpSocket).toBeDefined()
    expect(broker().livenessProbe?.tcpSocket).toBeDefined()
    expect(broker().startupProbe?.tcpSocket).toBeDefined()
    expect(sts().spec?.template.spec?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30)
  })

  it('heap fits in the memory limit with room for the page cache and direct buffers', () => {
    const heap = /-Xmx(\d+)([mg])/.exec(env().get('KAFKA_HEAP_OPTS') ?? '')
    const limit = /^(\d+)(Mi|Gi)$/.exec(String(broker().resources?.limits?.['memory'] ?? ''))
    expect(heap && limit).toBeTruthy()
    const heapMi = Number(heap?.[1]) * (heap?.[2] === 'g' ? 1024 : 1)
    const limitMi = Number(limit?.[1]) * (limit?.[2] === 'Gi' ? 1024 : 1)
    expect(heapMi).toBeLessThanOrEqual(limitMi * 0.6)
  })
})

describe.each(Object.keys(overlays) as Overlay[])('%s overlay: the topics job', (overlay) => {
  const objects = () => rendered(overlay)
  const job = () => workload(objects(), 'Job', 'kafka', 'kafka-create-topics')
  const jobEnv = () => {
    const c = job().containers[0]
    if (!c) throw new Error('no container')
    return containerEnv(objects(), 'kafka', c)
  }
  const serviceEnv = () => {
    const c = workload(objects(), 'StatefulSet', 'reservation', 'reservation-service').containers[0]
    if (!c) throw new Error('no container')
    return containerEnv(objects(), 'reservation', c)
  }
  const script = () => configMapData(objects(), 'kafka', 'kafka-topics-script')['create-topics.sh'] ?? ''

  it('runs the mounted script with the Kafka image, retrying on failure', () => {
    const c = job().containers[0]
    expect(c?.image).toBe(workload(objects(), 'StatefulSet', 'kafka', 'kafka').containers[0]?.image)
    expect(c?.command).toEqual(['bash', '/scripts/create-topics.sh'])
    expect(c?.volumeMounts?.find((m) => m.mountPath === '/scripts')).toBeDefined()
    expect(job().pod.restartPolicy).toBe('OnFailure')
    expect((job().obj as unknown as IJob).spec?.backoffLimit).toBeGreaterThan(0)
  })

  it("creates exactly the service's topics (service/topics.ts defaults), with the service's names", () => {
    const defaults = topicsFromEnv({})
    for (const [topic, key] of Object.entries(topicEnvKeys)) {
      expect(jobEnv().get(key), key).toBe(defaults[topic as keyof typeof defaults])
      expect(serviceEnv().get(key), key).toBe(jobEnv().get(key))
      expect(script(), key).toMatch(new RegExp(`^create "\\$${key}"`, 'm'))
    }
    expect(Object.values(defaults)).toContain('reservation') // the seed's event topic
    expect([...script().matchAll(/^create "/gm)]).toHaveLength(Object.keys(topicEnvKeys).length)
  })

  it('compacts exactly the topics the service declares compacted', () => {
    const specs = serviceTopicSpecs(topicsFromEnv({}), { partitions: 1, replicationFactor: 1 })
    for (const [topic, key] of Object.entries(topicEnvKeys)) {
      const name = topicsFromEnv({})[topic as keyof ReturnType<typeof topicsFromEnv>]
      const compacted = specs.find((s) => s.topic === name)?.config?.['cleanup.policy'] === 'compact'
      const line = new RegExp(`^create "\\$${key}".*cleanup\\.policy=compact`, 'm')
      expect(line.test(script()), `${key} compacted: ${compacted}`).toBe(compacted)
    }
  })

  it("uses the service's partition count and replication factor, which the service accepts and the cluster can host", () => {
    expect(jobEnv().get('PARTITIONS')).toBe(serviceEnv().get('PARTITIONS'))
    expect(jobEnv().get('REPLICATION_FACTOR')).toBe(serviceEnv().get('REPLICATION_FACTOR'))
    const layout = layoutFromEnv(Object.fromEntries(serviceEnv()))
    const kafka = find<IStatefulSet>(objects(), 'StatefulSet', 'kafka', 'kafka')
    expect(layout.replicationFactor).toBeGreaterThan(0)
    expect(layout.replicationFactor).toBeLessThanOrEqual(kafka.spec?.replicas ?? 1)
    expect(layout.partitions).toBeGreaterThanOrEqual(1)
  })

  it("bootstraps from the brokers the service uses, including the seed's address", () => {
    expect(jobEnv().get('BOOTSTRAP_SERVERS')).toBe(serviceEnv().get('KAFKA_BROKERS'))
    expect(jobEnv().get('BOOTSTRAP_SERVERS')?.split(',')).toContain(
      'kafka-0.kafka-headless.kafka.svc.cluster.local:9092',
    )
  })

  it('is idempotent by construction: --if-not-exists on every create', () => {
    expect(script()).toMatch(/--create --if-not-exists/)
    expect(script()).toMatch(/^set -euo pipefail$/m)
  })
})
