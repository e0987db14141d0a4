import { describe, expect, it } from 'vitest'
import { RepeatLimiter, repeatKey } from '../../logging/repeat-limiter.js'

describe('RepeatLimiter', () => {
  it('logs the first occurrence, counts repeats within the interval, logs again after it with the count', () => {
    const limiter = new RepeatLimiter({ intervalMs: 30_000, quietMs: 5000 })
    expect(limiter.admit('k', 'broker away', 0)).toEqual({ log: true, suppressed: 0 })
    for (let t = 20; t < 30_000; t += 20) expect(limiter.admit('k', 'broker away', t).log).toBe(false)
    expect(limiter.admit('k', 'broker away', 30_000)).toEqual({ log: true, suppressed: 1499 })
  })

  it('reports a key that stopped repeating once, after it stayed quiet', () => {
    const limiter = new RepeatLimiter({ intervalMs: 30_000, quietMs: 5000 })
    limiter.admit('k', 'broker away 1', 0)
    limiter.admit('k', 'broker away 2', 100)
    limiter.admit('k', 'broker away 3', 200)
    expect(limiter.sweep(4000)).toEqual([])
    expect(limiter.sweep(5200)).toEqual([{ key: 'k', sample: 'broker away 3', suppressed: 2, sinceMs: 5200 }])
    expect(limiter.sweep(10_000)).toEqual([])
    expect(limiter.admit('k', 'broker away 4', 10_000)).toEqual({ log: true, suppressed: 0 })
  })

  it('forgets a line that did not repeat without reporting it', () => {
    const limiter = new RepeatLimiter({ quietMs: 5000 })
    limiter.admit('once', 'a line', 0)
    expect(limiter.sweep(6000)).toEqual([])
  })

  it('keeps separate counts per key and a bounded number of keys', () => {
    const limiter = new RepeatLimiter({ maxKeys: 2 })
    limiter.admit('a', 'a', 0)
    limiter.admit('b', 'b', 0)
    limiter.admit('c', 'c', 0)
    expect(limiter.admit('a', 'a', 1)).toEqual({ log: true, suppressed: 0 }) // 'a' was forgotten
    expect(limiter.admit('c', 'c', 1)).toEqual({ log: false })
  })

  it('makes one key of messages that differ only in numbers', () => {
    expect(repeatKey('Connect to ipv4#127.0.0.1:9092 failed (after 12ms in state CONNECT)')).toBe(
      repeatKey('Connect to ipv4#127.0.0.1:9092 failed (after 3ms in state CONNECT)'),
    )
    expect(repeatKey('1/1 brokers are down')).not.toBe(repeatKey('all brokers are up'))
  })
})
