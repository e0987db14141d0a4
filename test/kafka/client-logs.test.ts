// The Kafka clients' log lines as ours: levels mapped, one line each, repeats rate limited.
import { describe, expect, it } from 'vitest'
import {
  ClientLog,
  kafkajsEntryLevel,
  kafkajsLevel,
  librdkafkaLevel,
  splitThread,
} from '../../kafka/client-logs.js'
import { createLogger } from '../../logging/logger.js'

function capture(options: ConstructorParameters<typeof ClientLog>[1] = {}) {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({
    level: 'debug',
    format: 'json',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  })
  let now = 0
  const log = new ClientLog(logger, { sweepEveryMs: 0, now: () => now, ...options })
  return { log, lines, at: (t: number) => (now = t) }
}

describe('Kafka client logs', () => {
  it('maps librdkafka syslog severities and kafkajs levels to ours', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(librdkafkaLevel)).toEqual([
      'error',
      'error',
      'error',
      'error',
      'warn',
      'info',
      'info',
      'debug',
    ])
    expect([1, 2, 4, 5].map(kafkajsLevel)).toEqual(['error', 'warn', 'info', 'debug'])
  })

  it('makes warnings of the kafkajs errors kafkajs handles itself, and keeps the rest', () => {
    expect(kafkajsEntryLevel(1, 'Connection', 'Response InitProducerId(key: 22, version: 1)')).toBe('warn')
    expect(kafkajsEntryLevel(1, 'Consumer', 'Restarting the consumer in 756ms')).toBe('warn')
    expect(
      kafkajsEntryLevel(1, 'Runner', 'The coordinator is not aware of this member, re-joining the group'),
    ).toBe('warn')
    const concurrent =
      'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing'
    expect(kafkajsEntryLevel(1, 'Producer', concurrent)).toBe('warn') // retried by kafkajs
    expect(kafkajsEntryLevel(1, 'Producer', 'The broker refused the record')).toBe('error')
    expect(kafkajsEntryLevel(1, 'Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:1')).toBe(
      'error',
    )
    expect(kafkajsEntryLevel(1, 'Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded: Connection error')).toBe(
      'error',
    )
    expect(kafkajsEntryLevel(4, 'Connection', 'Response Metadata(key: 3, version: 6)')).toBe('info')
  })

  it("takes librdkafka's thread prefix out of the message", () => {
    expect(splitThread('[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/bootstrap: Connect failed')).toEqual({
      thread: '127.0.0.1:9092/bootstrap',
      message: '127.0.0.1:9092/bootstrap: Connect failed',
    })
    expect(splitThread('no thread')).toEqual({ message: 'no thread' })
  })

  it('writes an event.log object as one line with level, fac and thread', () => {
    const { log, lines } = capture()
    log.librdkafka({
      severity: 3,
      fac: 'FAIL',
      name: 'rdkafka#producer-1',
      message:
        '[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed',
    })
    log.librdkafka({ severity: 7, fac: 'BROKER', message: 'debug chatter' })
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        fac: 'FAIL',
        thread: '127.0.0.1:9092/bootstrap',
        clientName: 'rdkafka#producer-1',
        msg: '127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed',
      }),
    ]) // debug is below the default 'warn'
  })

  it("writes librdkafka's error events: fatal ones as errors, the rest as warnings, a lost connection once", () => {
    const { log, lines } = capture()
    log.librdkafkaError({ code: -187, message: '1/1 brokers are down' }, 'consumer')
    log.librdkafkaError({ code: -150, isFatal: true, message: 'Fatal error: producer fenced' }, 'producer')
    // librdkafka's FAIL log line already says it
    log.librdkafkaError({ code: -195, message: '127.0.0.1:9092/1: Disconnected' }, 'consumer')
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', client: 'consumer', code: -187, msg: '1/1 brokers are down' }),
      expect.objectContaining({
        level: 'error',
        client: 'producer',
        code: -150,
        msg: 'Fatal error: producer fenced',
      }),
    ])
  })

  it('a broker away for a minute prints when it goes, every 30 s, and when it returns — not fifty a second', () => {
    const { log, lines, at } = capture()
    const failed = (ms: number) => ({
      severity: 3,
      fac: 'FAIL',
      message: `[thrd:b]: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after ${ms}ms in state CONNECT${ms % 2 ? `, ${ms} identical error(s) suppressed` : ''})`,
    })
    for (let t = 0; t < 60_000; t += 20) {
      at(t)
      log.librdkafka(failed(t % 7))
      log.sweep()
    }
    at(66_000)
    log.sweep()
    expect(lines.map((l) => [l['level'], l['repeated'] ?? 0])).toEqual([
      ['error', 0],
      ['error', 1499],
      ['info', 1499],
    ])
    expect(lines[2]!['msg']).toMatch(/^stopped repeating: Connect to ipv4#127\.0\.0\.1:9092 failed/)
  })

  it("is the KafkaJS-style layer's logger, filtering by our level whatever level the client sets", () => {
    const { log, lines } = capture({ level: 'info' })
    const logger = log.confluentLogger()
    logger.setLogLevel(5)
    logger.namespace('consumer').debug('fetching', { fac: 'BINDING', name: 'c1', timestamp: 1 })
    logger.info('Consumer connected', { fac: 'BINDING', name: 'c1', timestamp: 1 })
    logger.error('[thrd:main]: 1/1 brokers are down', { fac: 'ERROR', name: 'c1', timestamp: 1 })
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'Consumer connected', clientName: 'c1' }),
      expect.objectContaining({ level: 'error', msg: '1/1 brokers are down', fac: 'ERROR', thread: 'main' }),
    ])
    expect(lines[0]).not.toHaveProperty('fac') // BINDING is the layer's own marker, not librdkafka's facility
    expect(lines[0]).not.toHaveProperty('timestamp')
  })

  it("is kafkajs's logCreator, keeping its extra fields", () => {
    const { log, lines } = capture()
    const write = log.kafkajsLogCreator()(2)
    write({
      namespace: 'Connection',
      level: 1,
      label: 'ERROR',
      log: {
        timestamp: 'x',
        logger: 'kafkajs',
        message: 'Connection error: connect ECONNREFUSED',
        broker: 'b:9092',
      },
    })
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        namespace: 'Connection',
        broker: 'b:9092',
        msg: 'Connection error: connect ECONNREFUSED',
      }),
    ])
    expect(lines[0]).not.toHaveProperty('logger')
  })
})
