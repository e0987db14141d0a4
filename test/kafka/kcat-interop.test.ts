// Interop with a Kafka client nobody here wrote: kcat (librdkafka's CLI, a Debian package) produces and
// our port consumes, and the reverse, for both adapters.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { clientKinds } from '../../kafka/index.js'
import {
  brokers,
  client,
  collect,
  createTopic,
  onBroker,
  recentTimestamp,
  uniqueName,
} from '../support/kafka.js'

const run = promisify(execFile)

async function kcat(args: string[], input?: string): Promise<string> {
  const child = run('kcat', ['-b', brokers().join(','), ...args], { timeout: 30_000 })
  if (input !== undefined) {
    child.child.stdin?.end(input)
  }
  const { stdout } = await child
  return stdout
}

describe.each(clientKinds)('kcat interop: %s', (kind) => {
  it('consumes what kcat produced: keys, values, headers, and Java-compatible key partitioning', async () => {
    const kafka = client(kind)
    const topic = uniqueName(`kcat-in-${kind}`)
    await createTopic(kafka, topic, 3)
    const lines = Array.from({ length: 30 }, (_, i) => `res-${i % 5}:payload-${i}`).join('\n') + '\n'
    await kcat(['-P', '-t', topic, '-K', ':', '-H', 'source=kcat', '-X', 'partitioner=murmur2_random'], lines)
    const records = await collect(kafka, [topic], (r) => r.length >= 30)
    expect(records).toHaveLength(30)
    expect(records.every((r) => r.headers['source']?.toString() === 'kcat')).toBe(true)
    const values = records.map((r) => `${r.key!.toString()}:${r.value!.toString()}`).sort()
    expect(values).toEqual(lines.trim().split('\n').sort())
    // our producer must put the same keys on the same partitions as kcat with the Java partitioner
    const producer = kafka.producer()
    await producer.connect()
    const positions = await producer.send([{ topic, key: Buffer.from('res-3'), value: Buffer.from('ours') }])
    await producer.disconnect()
    const kcatPartition = records.find((r) => r.key!.toString() === 'res-3')!.partition
    expect(positions[0]!.partition).toBe(kcatPartition)
  })

  it('produces what kcat reads back: keys, values, headers and timestamps', async () => {
    const kafka = client(kind)
    const topic = uniqueName(`kcat-out-${kind}`)
    await createTopic(kafka, topic, 1)
    const producer = kafka.producer()
    await producer.connect()
    const t0 = recentTimestamp()
    await producer.send(
      Array.from({ length: 5 }, (_, i) => ({
        topic,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`v${i}`),
        headers: { n: Buffer.from(String(i)) },
        timestamp: t0 + i,
      })),
    )
    await producer.disconnect()
    const out = await kcat([
      '-C',
      '-t',
      topic,
      '-e',
      '-q',
      '-X',
      'isolation.level=read_committed',
      '-f',
      '%k|%s|%h|%T\\n',
    ])
    expect(out.trim().split('\n')).toEqual(
      Array.from({ length: 5 }, (_, i) => `k${i}|v${i}|n=${i}|${t0 + i}`),
    )
  })

  it('kcat with read_committed sees only committed transactional output', async () => {
    const kafka = client(kind)
    const topic = uniqueName(`kcat-tx-${kind}`)
    await createTopic(kafka, topic, 1)
    const producer = kafka.producer({ transactionalId: uniqueName('kcat-tx') })
    await producer.connect()
    const aborted = await producer.beginTransaction()
    await aborted.send([{ topic, key: Buffer.from('a'), value: Buffer.from('aborted') }])
    await onBroker(kafka, topic, 0, 1) // on the broker before the abort, which would purge it otherwise
    await aborted.abort()
    const committed = await producer.beginTransaction()
    await committed.send([{ topic, key: Buffer.from('c'), value: Buffer.from('committed') }])
    await committed.commit()
    await producer.disconnect()
    const readCommitted = await kcat([
      '-C',
      '-t',
      topic,
      '-e',
      '-q',
      '-X',
      'isolation.level=read_committed',
      '-f',
      '%s\\n',
    ])
    expect(readCommitted.trim().split('\n')).toEqual(['committed'])
    const readUncommitted = await kcat([
      '-C',
      '-t',
      topic,
      '-e',
      '-q',
      '-X',
      'isolation.level=read_uncommitted',
      '-f',
      '%s\\n',
    ])
    expect(readUncommitted.trim().split('\n')).toEqual(['aborted', 'committed'])
  })
})
