// The kafkajs adapter's question after "Failed to find group coordinator": only a broker's refusal of an ACL
// counts (shown on the secured broker in test/service/least-privilege.test.ts); a broker that is down, or
// one that names the coordinator, says nothing, so the caller retries as before.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import kafkajs from '../../kafka/kafkajs.js'
import { isCoordinatorNotFound, kafkajsCoordinatorProbe } from '../../kafka/kafkajs-coordinator-probe.js'
import { brokers, uniqueName } from '../support/kafka.js'

/** A probe of `brokerList`, and kafkajs's DEBUG lines of it (each request and response). */
function probeOf(brokerList: string[]) {
  const lines: string[] = []
  const probe = kafkajsCoordinatorProbe(
    new kafkajs.Kafka({
      brokers: brokerList,
      clientId: 'coordinator-probe-test',
      retry: { retries: 0 },
      logLevel: kafkajs.logLevel.DEBUG,
      logCreator: () => (entry) => void lines.push(String(entry.log.message)),
    }),
  )
  return { probe, lines }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('the kafkajs coordinator probe', () => {
  it('says nothing when no broker answers (a broker down is not an ACL missing), within seconds', async () => {
    const { probe } = probeOf([`127.0.0.1:${await closedPort()}`])
    const started = Date.now()
    expect(await probe('group', uniqueName('probe-group'))).toBeUndefined()
    expect(await probe('transaction', uniqueName('probe-txn'))).toBeUndefined()
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('says nothing when the broker names the coordinator (no ACLs on this broker)', async () => {
    const { probe, lines } = probeOf(brokers())
    expect(await probe('group', uniqueName('probe-group'))).toBeUndefined()
    expect(await probe('transaction', uniqueName('probe-txn'))).toBeUndefined()
    // it did ask (FindCoordinator is GroupCoordinator to kafkajs), once per probe
    expect(lines.filter((line) => line.startsWith('Request GroupCoordinator'))).toHaveLength(2)
  }, 60_000)

  it('recognises kafkajs failing to find a coordinator, also as the cause of a translated error', () => {
    const notFound = Object.assign(new Error('Failed to find group coordinator'), {
      name: 'KafkaJSGroupCoordinatorNotFound',
    })
    expect(isCoordinatorNotFound(notFound)).toBe(true)
    expect(isCoordinatorNotFound(new Error('producer connect', { cause: notFound }))).toBe(true)
    expect(isCoordinatorNotFound(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }))).toBe(
      false,
    )
  })
})
