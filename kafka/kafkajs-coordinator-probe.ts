// Why kafkajs found no coordinator, when a missing ACL is why. kafkajs 2.2.4 loses the broker's answer:
// `Cluster.findGroupCoordinatorMetadata` (src/cluster/index.js, line 384) asks the brokers one by one through
// `BrokerPool.withBroker` (src/cluster/brokerPool.js, line 267), which swallows each broker's error
// (`catch (e) {}`, line 277), then throws a new KafkaJSGroupCoordinatorNotFound ('Failed to find group
// coordinator') with no cause. A FindCoordinator refused with GROUP_AUTHORIZATION_FAILED (the consumer's
// group) or TRANSACTIONAL_ID_AUTHORIZATION_FAILED (a transactional producer's id) then reads as a coordinator
// not available yet, or every broker down: the consumer is run again for ever (kafkajs-restart-window.ts),
// a task's producer retried for `taskTimeoutMs`. The code is nowhere in what kafkajs raises, emits or logs
// above DEBUG.
//
// So, after such a failure, the adapter asks once itself: one FindCoordinator through a cluster of its own
// (kafkajs's Broker API, with the client's brokers, TLS and SASL), reading the broker's answer. Only an
// authorization code a broker answered with counts; a broker that is down, slow or answers anything else
// says nothing (`undefined`), and the caller retries as before — a rolling restart is not an ACL missing.
import type { Kafka as KjsKafka } from 'kafkajs'

/** Whose coordinator: a consumer group's, or a transactional id's (FindCoordinator's key type 0 and 1). */
export type CoordinatorKind = 'group' | 'transaction'

/** The broker's refusal (kafkajs's KafkaJSProtocolError, its code in `type`), or `undefined`: no refusal seen. */
export type CoordinatorProbe = (kind: CoordinatorKind, key: string) => Promise<Error | undefined>

const coordinatorTypes: Readonly<Record<CoordinatorKind, number>> = { group: 0, transaction: 1 }
const refusals = new Set(['GROUP_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'])
/** A probe of brokers that do not answer gives up after this; the caller's retries go on meanwhile. */
const probeTimeoutMs = 10_000

/** The parts of kafkajs's Cluster and Broker (src/cluster, src/broker) the probe uses. */
interface ProbeBroker {
  findGroupCoordinator(request: { groupId: string; coordinatorType: number }): Promise<unknown>
}
interface ProbeCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  refreshMetadata(): Promise<void>
  getNodeIds(): number[]
  findBroker(request: { nodeId: number }): Promise<ProbeBroker>
}
type CreateCluster = (options: { allowAutoTopicCreation: boolean }) => ProbeCluster

/**
 * A probe through `kafka`, which should be configured as the client's own Kafka but with `retry: { retries:
 * 0 }`: one attempt per broker, so that a broker that is down fails the probe in a connection timeout. kafkajs
 * keeps its cluster factory under a private symbol (src/index.js, `private:Kafka:createCluster`); a kafkajs
 * without it fails here, at the client's creation, not at the first probe.
 */
export function kafkajsCoordinatorProbe(kafka: KjsKafka): CoordinatorProbe {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  )
  const create = symbol === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[symbol]
  if (typeof create !== 'function')
    throw new Error(
      'kafkajs has no private:Kafka:createCluster (not 2.2.x?): its coordinator probe cannot work',
    )
  const createCluster = create as CreateCluster
  return async (kind, key) => {
    const cluster = createCluster({ allowAutoTopicCreation: false })
    const asking = ask(cluster, kind, key)
    // disconnected once the probe has ended, also one that outlived its timeout
    void asking.finally(() => cluster.disconnect().catch(() => undefined))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), probeTimeoutMs)
      timer.unref()
    })
    try {
      return await Promise.race([asking, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Asks the brokers in turn until one answers; never throws. */
async function ask(cluster: ProbeCluster, kind: CoordinatorKind, key: string): Promise<Error | undefined> {
  try {
    await cluster.connect()
    await cluster.refreshMetadata() // the brokers' node ids
  } catch {
    return undefined
  }
  for (const nodeId of cluster.getNodeIds()) {
    try {
      const broker = await cluster.findBroker({ nodeId })
      await broker.findGroupCoordinator({ groupId: key, coordinatorType: coordinatorTypes[kind] })
      return undefined // a coordinator named: whatever failed, it was not this ACL
    } catch (error) {
      const type = (error as { type?: unknown } | null)?.type
      if (typeof type === 'string' && refusals.has(type)) return error as Error
      // this broker is down or answered something else: the next one
    }
  }
  return undefined
}

/** Whether kafkajs failed to find a coordinator (KafkaJSGroupCoordinatorNotFound, also as a cause). */
export function isCoordinatorNotFound(error: unknown): boolean {
  const seen = new Set<unknown>()
  for (
    let e: unknown = error;
    typeof e === 'object' && e !== null && !seen.has(e);
    e = (e as { cause?: unknown }).cause
  ) {
    seen.add(e)
    if ((e as { name?: unknown }).name === 'KafkaJSGroupCoordinatorNotFound') return true
  }
  return false
}
