// kafkajs' sendOffsets retried while the coordinator answers CONCURRENT_TRANSACTIONS (the previous
// transaction still completing), as Java's producer does; kafkajs itself failed the commit.
import { describe, expect, it } from 'vitest'
import { retryConcurrentTransactions } from '../../kafka/retry-concurrent-transactions.js'

/** What kafkajs throws for a protocol error: its name in `type`. */
const protocolError = (type: string) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type })

describe('retryConcurrentTransactions', () => {
  it('calls again while the answer is CONCURRENT_TRANSACTIONS, then returns the result', async () => {
    let calls = 0
    const result = await retryConcurrentTransactions(async () => {
      calls += 1
      if (calls < 3) throw protocolError('CONCURRENT_TRANSACTIONS')
      return 'sent'
    })
    expect(result).toBe('sent')
    expect(calls).toBe(3)
  })

  it('throws any other error at once', async () => {
    let calls = 0
    const fenced = protocolError('INVALID_PRODUCER_EPOCH')
    await expect(
      retryConcurrentTransactions(async () => {
        calls += 1
        throw fenced
      }),
    ).rejects.toBe(fenced)
    expect(calls).toBe(1)
  })

  it('throws CONCURRENT_TRANSACTIONS once the time is up', async () => {
    let calls = 0
    const busy = protocolError('CONCURRENT_TRANSACTIONS')
    await expect(
      retryConcurrentTransactions(
        async () => {
          calls += 1
          throw busy
        },
        { timeoutMs: 50, firstPauseMs: 10, maxPauseMs: 10 },
      ),
    ).rejects.toBe(busy)
    expect(calls).toBeGreaterThan(1)
  })
})
