// The one translation of client errors, by the codes the libraries report (never by message text), into the
// project's errors: a fenced producer and a stale group member come out as the errors naming their recovery.
import { describe, expect, it } from 'vitest'
import { ProducerFencedError, StreamsError, TaskMigratedError } from '../../errors/index.js'
import { KafkaError, translateClientError } from '../../kafka/index.js'
import { KafkajsStyleAdmin, type KafkajsStyleAdminApi } from '../../kafka/kafkajs-style.js'

/** An error shaped as kafkajs builds a protocol error: `type` is Kafka's name, `code` its number. */
function kafkajsProtocolError(type: string, code: number, message = 'broker said no') {
  return Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type, code, retriable: false })
}

describe('translateClientError', () => {
  it('translates a fenced producer from either library into ProducerFencedError', () => {
    const kafkajs = translateClientError(kafkajsProtocolError('INVALID_PRODUCER_EPOCH', 47), 'commit')
    const confluentLayer = translateClientError(
      Object.assign(new Error('Local: This instance has been fenced'), { type: 'ERR__FENCED', code: -144 }),
      'commit',
    )
    const native = translateClientError(
      Object.assign(new Error('Broker: Producer fenced'), { code: 90 }),
      'commit',
      (code) => (code === 90 ? 'ERR_PRODUCER_FENCED' : undefined),
    )
    for (const error of [kafkajs, confluentLayer, native]) {
      expect(error).toBeInstanceOf(ProducerFencedError)
      expect(error).toMatchObject({ code: 'PRODUCER_FENCED', retriable: false })
    }
    expect(kafkajs.message).toBe('commit: broker said no (INVALID_PRODUCER_EPOCH)')
  })

  it('translates a fatal librdkafka error, whatever its code, into ProducerFencedError (a new producer)', () => {
    const fatal = Object.assign(new Error('Local: Fatal error'), { code: -150, isFatal: true })
    expect(translateClientError(fatal, 'send offsets')).toBeInstanceOf(ProducerFencedError)
  })

  it('translates a stale group member into TaskMigratedError, which is retriable', () => {
    for (const type of ['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS']) {
      const error = translateClientError(kafkajsProtocolError(type, 0), 'commit offsets')
      expect(error).toBeInstanceOf(TaskMigratedError)
      expect(error.retriable).toBe(true)
    }
  })

  it('finds the code of the error a kafkajs retry gave up on, in its cause', () => {
    const connection = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'KafkaJSConnectionError',
      code: 'ECONNREFUSED',
    })
    const exhausted = Object.assign(new Error('Connection error'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      cause: connection,
    })
    expect(translateClientError(exhausted, 'fetch offsets')).toMatchObject({
      code: 'BROKER_UNAVAILABLE',
      retriable: true,
    })
  })

  it('knows librdkafka’s own spellings of protocol errors', () => {
    const error = Object.assign(new Error('Broker: Unknown topic or partition'), {
      type: 'ERR_UNKNOWN_TOPIC_OR_PART',
      code: 3,
    })
    expect(translateClientError(error, 'describe topics')).toMatchObject({ code: 'TOPIC_NOT_FOUND' })
  })

  it('retries an offsets query to a broker librdkafka decommissioned or to a leader just elected (a broker stopping)', () => {
    const error = Object.assign(new Error('Local: Broker handle destroyed without termination'), {
      code: -137,
    })
    expect(
      translateClientError(error, 'offsets', (c) => (c === -137 ? 'ERR__DESTROY_BROKER' : undefined)),
    ).toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true })
    // and an offsets query to a leader just elected, whose high watermark has not caught up
    const notCaughtUp = Object.assign(new Error('Broker: Leader high watermark is not caught up'), {
      code: 78,
    })
    expect(
      translateClientError(notCaughtUp, 'offsets', (c) =>
        c === 78 ? 'ERR_OFFSET_NOT_AVAILABLE' : undefined,
      ),
    ).toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true })
  })

  it('uses librdkafka flags when the code has no entry: a transaction that must be aborted', () => {
    const error = Object.assign(new Error('Local: Erroneous state'), { code: -172, isTxnRequiresAbort: true })
    expect(translateClientError(error, 'commit')).toMatchObject({ code: 'TRANSACTION_ABORTABLE' })
  })

  it('does not read message text: an error without a known code is UNKNOWN, however its message reads', () => {
    const error = translateClientError(new Error('request timed out: producer fenced'), 'produce')
    expect(error).toBeInstanceOf(KafkaError)
    expect(error).toMatchObject({ code: 'UNKNOWN', retriable: false })
  })

  it('passes the project’s own errors through unchanged', () => {
    const own = new KafkaError('TIMEOUT', 'x')
    expect(translateClientError(own, 'y')).toBe(own)
    expect(own).toBeInstanceOf(StreamsError)
  })

  it('translates refused credentials, failed TLS handshakes and missing ACLs into codes naming them, not retriable', () => {
    const cases: [unknown, string][] = [
      [kafkajsProtocolError('SASL_AUTHENTICATION_FAILED', 58), 'AUTHENTICATION_FAILED'],
      [
        Object.assign(new Error('SASL SCRAM failed'), { name: 'KafkaJSSASLAuthenticationError' }),
        'AUTHENTICATION_FAILED',
      ],
      [Object.assign(new Error('Local: Authentication failure'), { code: -169 }), 'AUTHENTICATION_FAILED'],
      [
        Object.assign(new Error('Connection error: self-signed certificate in certificate chain'), {
          name: 'KafkaJSConnectionError',
          code: 'SELF_SIGNED_CERT_IN_CHAIN',
        }),
        'TLS_FAILED',
      ],
      [kafkajsProtocolError('TOPIC_AUTHORIZATION_FAILED', 29), 'AUTHORIZATION_FAILED'],
      [kafkajsProtocolError('GROUP_AUTHORIZATION_FAILED', 30), 'AUTHORIZATION_FAILED'],
      [kafkajsProtocolError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 53), 'AUTHORIZATION_FAILED'],
      [kafkajsProtocolError('CLUSTER_AUTHORIZATION_FAILED', 31), 'AUTHORIZATION_FAILED'],
    ]
    for (const [error, code] of cases) {
      const translated = translateClientError(error, 'connect', (c) =>
        c === -169 ? 'ERR__AUTHENTICATION' : undefined,
      )
      expect(translated).toBeInstanceOf(KafkaError)
      expect(translated).toMatchObject({ code, retriable: false })
    }
  })
})

describe('KafkajsStyleAdmin', () => {
  it('names a broker error the confluent client reports by number only, so that it is retried', async () => {
    // what @confluentinc/kafka-javascript's admin threw while a restarted broker loaded the group's offsets
    const loading = Object.assign(new Error('Broker: Coordinator load in progress'), {
      name: 'KafkaJSProtocolError',
      code: 14,
      retriable: false,
    })
    const admin = new KafkajsStyleAdmin({} as KafkajsStyleAdminApi, {
      describe: () => Promise.resolve([]),
      fetchOffsets: () => Promise.reject(loading),
      codeName: (code) => (code === 14 ? 'ERR_COORDINATOR_LOAD_IN_PROGRESS' : undefined),
    })
    const error = await admin.committedOffsets('group', 'topic').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaError)
    expect(error).toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true })
  })
})

describe('KafkajsStyleAdmin offsets', () => {
  it("retries kafkajs's TypeError on a topic whose partitions have no leader in the metadata yet", async () => {
    // what kafkajs 2.2.4's fetchTopicOffsets threw during a broker-loss certification run's start
    const bug = new TypeError(
      "Cannot destructure property 'partitions' of 'high.pop(...)' as it is undefined.",
    )
    const admin = new KafkajsStyleAdmin(
      { fetchTopicOffsets: () => Promise.reject(bug) } as unknown as KafkajsStyleAdminApi,
      { describe: () => Promise.resolve([]), fetchOffsets: () => Promise.resolve([]) },
    )
    const error = await admin.endOffsets('changelog').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaError)
    expect(error).toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true })
    expect((error as Error).message).toContain('no partition of changelog has a leader')
  })
})
