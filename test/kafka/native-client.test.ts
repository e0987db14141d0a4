// Which Kafka client runs: KAFKA_CLIENT and whether the optional native client loaded decide it
// (chooseClient, pure); an explicit confluent that cannot load stops the start with what to do.
import { describe, expect, it } from 'vitest'
import { chooseClient, KafkaError, tryLoadNativeClient, type NativeClientLoad } from '../../kafka/index.js'

const missing: NativeClientLoad = {
  loaded: false,
  reason: "Cannot find module '@confluentinc/kafka-javascript'",
}
const present: NativeClientLoad = { loaded: true }

describe('chooseClient', () => {
  it('runs the native client by default when it loads', () => {
    expect(chooseClient(undefined, () => present)).toEqual({
      kind: 'confluent',
      reason: 'native client @confluentinc/kafka-javascript (the default)',
      fellBack: false,
    })
    expect(chooseClient('', () => present).kind).toBe('confluent')
  })

  it('falls back to kafkajs by default when the native client does not load, saying why and how to get it', () => {
    const choice = chooseClient(undefined, () => missing)
    expect(choice.kind).toBe('kafkajs')
    expect(choice.fellBack).toBe(true)
    expect(choice.reason).toMatch(
      /^native client unavailable \(Cannot find module '@confluentinc\/kafka-javascript'\): using kafkajs; to use it, install the system libraries \(Debian: sudo apt-get install -y .*libssl-dev.*\) and run npm install again/,
    )
    expect(choice.reason).not.toContain('\n')
  })

  it('runs kafkajs when asked, without loading the native client', () => {
    const load = () => {
      throw new Error('must not be loaded')
    }
    expect(chooseClient('kafkajs', load)).toEqual({
      kind: 'kafkajs',
      reason: 'KAFKA_CLIENT=kafkajs',
      fellBack: false,
    })
  })

  it('runs the native client when asked and it loads', () => {
    expect(chooseClient('confluent', () => present)).toEqual({
      kind: 'confluent',
      reason: 'KAFKA_CLIENT=confluent',
      fellBack: false,
    })
  })

  it('refuses KAFKA_CLIENT=confluent when the native client does not load, with what to do', () => {
    let thrown: unknown
    try {
      chooseClient('confluent', () => missing)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(KafkaError)
    expect(thrown).toMatchObject({ code: 'CLIENT_UNAVAILABLE', retriable: false })
    const message = (thrown as Error).message
    expect(message).toContain(
      "KAFKA_CLIENT=confluent, but the native client @confluentinc/kafka-javascript is not available (Cannot find module '@confluentinc/kafka-javascript')",
    )
    expect(message).toMatch(/sudo apt-get install -y .* and run npm install again/)
    expect(message).toMatch(/or unset KAFKA_CLIENT \(or set it to kafkajs\) to use kafkajs$/)
  })

  it('refuses an unknown KAFKA_CLIENT, listing the choices', () => {
    expect(() => chooseClient('rdkafka', () => present)).toThrow(
      'KAFKA_CLIENT=rdkafka is not a known client; use one of: confluent, kafkajs',
    )
  })
})

describe('tryLoadNativeClient', () => {
  it('loads the native client installed here (CI builds it; npm install builds it where it can)', () => {
    expect(tryLoadNativeClient()).toEqual({ loaded: true })
  })
})
