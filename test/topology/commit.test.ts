// The commit protocol's step 4 without a broker (commit.ts): once the transaction is committed and each
// store's checkpoint is taken, the output held back during the commit goes into the next transaction while
// the stores still write; a failed store write recovers. The broker tests (exactly-once-crash, Kafka's
// oracles) cover what a broker makes of it.
import { describe, expect, it } from 'vitest'
import type { KafkaConsumer, KafkaProducer, KafkaTransaction, OutgoingRecord } from '../../kafka/index.js'
import { noopStreamsMetrics } from '../../topology/index.js'
import { Commit } from '../../topology/runtime/commit.js'
import { RecordCollector } from '../../topology/runtime/record-collector.js'
import type { ChangelogAdvance } from '../../state/index.js'
import type { StreamTask } from '../../topology/runtime/stream-task.js'
import type { TaskProducers } from '../../topology/runtime/task-producers.js'
import { until } from '../support/until.js'

/** A transactional producer that logs each transaction's sends, offsets and commit. */
function loggingProducer() {
  const log: string[] = []
  let transactions = 0
  const producer: KafkaProducer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    flush: async () => undefined,
    send: () => Promise.reject(new Error('transactional only')),
    beginTransaction: async (): Promise<KafkaTransaction> => {
      const n = ++transactions
      return {
        send: async (records: readonly OutgoingRecord[]) => {
          for (const r of records) log.push(`txn ${n}: send ${r.value!.toString()}`)
          return []
        },
        sendOffsets: async () => void log.push(`txn ${n}: offsets`),
        commit: async () => void log.push(`txn ${n}: commit`),
        abort: async () => void log.push(`txn ${n}: abort`),
      }
    },
  }
  return { producer, log }
}

function deferred() {
  let resolve: () => void = () => {}
  let reject: (error: unknown) => void = () => {}
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/** One task with one store whose local write waits for `write`; records the checkpoints it is given. */
function fixture(write: Promise<void>) {
  const { producer, log } = loggingProducer()
  const collector = new RecordCollector(producer, true, 2000, noopStreamsMetrics)
  const checkpoints: (number | ChangelogAdvance | undefined)[] = []
  const task = {
    id: '0_0',
    partition: 0,
    stores: new Map([['counts', { name: 'counts', checkpointByCount: false }]]),
    flushCaches: async () => undefined,
    flushStores: () => undefined,
    offsets: () => [{ topic: 'in', partition: 0, offset: 5 }],
    commitStores: async (checkpointOf: (store: string) => number | ChangelogAdvance | undefined) => {
      checkpoints.push(checkpointOf('counts'))
      log.push('stores writing')
      await write
      log.push('stores written')
    },
  } as unknown as StreamTask
  const recovered: unknown[] = []
  const commit = new Commit({
    config: {
      applicationId: 'app',
      processingGuarantee: 'exactly_once',
      commitIntervalMs: 100,
      metrics: noopStreamsMetrics,
      log: () => undefined,
    },
    tasks: () => [task],
    collector: collector as unknown as TaskProducers,
    consumer: {} as KafkaConsumer,
    admin: { endOffsets: async () => [] },
    recover: async (error) => void recovered.push(error),
  })
  const send = (topic: string, value: string) =>
    collector.send({ topic, partition: 0, key: null, value: Buffer.from(value) })
  return { commit, log, checkpoints, recovered, send }
}

describe('commit, step 4', () => {
  it("sends the next transaction's output while the stores write what the last one committed, with its checkpoints", async () => {
    const write = deferred()
    const { commit, log, checkpoints, send } = fixture(write.promise)
    send('app-counts-changelog', 'a') // this commit's changelog record
    commit.markUncommitted()
    commit.request()
    await commit.commitIfDue()
    send('out', 'b') // made while the commit is in progress: held back for the next transaction
    await until('the stores writing', () => log.includes('stores writing'), {
      intervalMs: 0,
      timeoutMs: 10_000,
    })
    expect(checkpoints).toEqual([{ written: 1, end: undefined }]) // the committed record, not b
    await until('b sent', () => log.includes('txn 2: send b'), { intervalMs: 0, timeoutMs: 10_000 })
    expect(log).toEqual([
      'txn 1: send a',
      'txn 1: offsets',
      'txn 1: commit',
      'stores writing',
      'txn 2: send b', // before the stores are written
    ])
    expect(commit.state).toBe('writing-local')
    write.resolve()
    await commit.settle()
    expect(commit.state).toBe('idle')
    expect(log.at(-1)).toBe('stores written')
  })

  it('recovers from a store write that fails after the next transaction began', async () => {
    const write = deferred()
    const { commit, log, recovered, send } = fixture(write.promise)
    send('app-counts-changelog', 'a')
    commit.request()
    await commit.commitIfDue()
    send('out', 'b')
    await until('b sent', () => log.includes('txn 2: send b'), { intervalMs: 0, timeoutMs: 10_000 })
    const failure = new Error('disk full')
    write.reject(failure)
    await until('the commit failed', () => commit.failed, { intervalMs: 0, timeoutMs: 10_000 })
    await commit.settle()
    expect(recovered).toEqual([failure]) // the runtime's recovery aborts transaction 2 and rewinds
    expect(commit.state).toBe('idle')
  })
})
