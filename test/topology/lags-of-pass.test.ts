// The lags a task's readiness sees during one processing pass (stream-thread.ts, `lagsOfPass`): the
// consumer is asked once per input and pass, and every check of the pass sees that answer — as Kafka
// Streams' PartitionGroup sees the lags of its last poll — while the next pass asks again.
import { describe, expect, it } from 'vitest'
import type { TopicPartition } from '../../kafka/index.js'
import { PartitionGroup } from '../../topology/runtime/partition-group.js'
import { lagsOfPass } from '../../topology/runtime/stream-thread.js'

/** A consumer whose reported lags the test sets, counting what it was asked. */
function consumer(lags: Record<string, number | undefined>) {
  const asked: string[] = []
  return {
    asked,
    lags,
    currentLag: (tp: TopicPartition) => {
      asked.push(`${tp.topic}-${tp.partition}`)
      return lags[tp.topic]
    },
  }
}

describe('lags of a pass', () => {
  it('asks the consumer once per input and pass, and answers every later check of the pass the same', () => {
    const client = consumer({ payments: 3, commands: undefined })
    const pass = lagsOfPass(client, 2)
    expect([pass('payments'), pass('payments'), pass('commands'), pass('commands')]).toEqual([
      3,
      3,
      undefined,
      undefined,
    ])
    expect(client.asked).toEqual(['payments-2', 'commands-2'])
    // the lag changes on the broker's side: this pass keeps what it saw, the next one sees the change
    client.lags['payments'] = 0
    expect(pass('payments')).toBe(3)
    expect(lagsOfPass(client, 2)('payments')).toBe(0)
    expect(client.asked).toEqual(['payments-2', 'commands-2', 'payments-2'])
  })

  it('keeps a task waiting for an empty input with lag for the whole pass, and lets it go the next pass', () => {
    const group = new PartitionGroup<{ offset: number; timestamp: number }>(['commands', 'payments'], {
      maxTaskIdleMs: 0,
      unknownLagWaitMs: 1000,
    })
    group.add('commands', [{ offset: 0, timestamp: 10 }])
    const client = consumer({ payments: 1 })
    const pass = lagsOfPass(client, 0)
    expect(group.readiness(0, pass)).toMatchObject({ ready: false, reason: 'lag', partition: 'payments' })
    client.lags['payments'] = 0 // its records turned out to be control records: caught up
    expect(group.readiness(1, pass)).toMatchObject({ ready: false, reason: 'lag' })
    expect(group.readiness(2, lagsOfPass(client, 0))).toEqual({ ready: true, enforced: ['payments'] })
  })
})
