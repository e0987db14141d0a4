// A bounded first contact with the cluster, made at start before anything else: it either connects or
// fails with one error naming the cause — AUTHENTICATION_FAILED (the broker refused the credentials),
// TLS_FAILED (the broker's certificate is not trusted, or names another host), or BROKER_UNAVAILABLE
// (nothing answered within the time) — instead of a client retrying a hopeless connection for ever.
//
// librdkafka reports a refused login or a failed handshake only in a log line (facility FAIL) and keeps
// reconnecting; its calls then fail with a bare transport error. The probe listens to those lines: their
// text is the only place librdkafka says why. kafkajs throws its own error classes, translated by code.
import kafkajs from './kafkajs.js'
import { KafkaError, translateClientError } from './kafka-error.js'
import { kafkajsSecurityOptions, librdkafkaSecurityProperties } from './kafka-security.js'
import { nativeClient } from './native-client.js'
import type { ClientKind, KafkaClientConfig } from './kafka-port.js'
import type { StreamsError } from '../errors/index.js'

export interface ProbeOptions {
  /** How long to wait for a broker to answer (default 30 s). */
  readonly timeoutMs?: number
}

/** Connects once to the cluster with the client's settings; throws what stands in the way. */
export async function probeConnection(
  config: KafkaClientConfig & { readonly kind?: ClientKind },
  options: ProbeOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000
  if ((config.kind ?? 'confluent') === 'confluent') await probeLibrdkafka(config, timeoutMs)
  else await probeKafkajs(config, timeoutMs)
}

/** What a librdkafka FAIL log line says of the cause, if it is one the configuration must fix. */
export function librdkafkaFailure(message: string): 'AUTHENTICATION_FAILED' | 'TLS_FAILED' | undefined {
  if (/SASL authentication error|SASL handshake failed/.test(message)) return 'AUTHENTICATION_FAILED'
  if (/SSL handshake failed|certificate verify failed/.test(message)) return 'TLS_FAILED'
  return undefined
}

async function probeLibrdkafka(config: KafkaClientConfig, timeoutMs: number): Promise<void> {
  const producer = new (nativeClient().Producer)({
    ...librdkafkaSecurityProperties(config.security),
    'bootstrap.servers': config.brokers.join(','),
    'client.id': `${config.clientId}-probe`,
    event_cb: true,
    log_level: 3,
  })
  // a refusal found in the log settles the probe at once; the metadata request librdkafka is waiting on
  // still runs to its timeout, after which the client closes itself (or is closed here, had it connected)
  let settled = false
  await new Promise<void>((resolve, reject) => {
    producer.on('event.log', (line: { fac?: string; message?: string }) => {
      const code = line.fac === 'FAIL' ? librdkafkaFailure(line.message ?? '') : undefined
      if (!code || settled) return
      settled = true
      reject(new KafkaError(code, explain(code, config, stripThread(line.message ?? ''))))
    })
    producer.connect({ timeout: timeoutMs }, (error) => {
      producer.removeAllListeners('event.log')
      const first = !settled
      settled = true
      // resolving after a rejection changes nothing: the refusal found in the log stands
      if (!error) producer.disconnect(() => resolve())
      else if (first)
        reject(
          new KafkaError(
            'BROKER_UNAVAILABLE',
            `no broker of ${config.brokers.join(',')} answered within ${timeoutMs} ms (${error.message})`,
            { cause: error },
          ),
        )
    })
  })
}

async function probeKafkajs(config: KafkaClientConfig, timeoutMs: number): Promise<void> {
  const kafka = new kafkajs.Kafka({
    brokers: [...config.brokers],
    clientId: `${config.clientId}-probe`,
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 10_000),
    retry: { retries: 0 },
    ...kafkajsSecurityOptions(config.security),
  })
  const admin = kafka.admin()
  try {
    await admin.connect()
  } catch (error) {
    const translated: StreamsError = translateClientError(error, 'connect')
    if (translated.code === 'AUTHENTICATION_FAILED' || translated.code === 'TLS_FAILED')
      throw new KafkaError(translated.code, explain(translated.code, config, translated.message), {
        cause: error,
      })
    throw translated
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

function explain(
  code: 'AUTHENTICATION_FAILED' | 'TLS_FAILED',
  config: KafkaClientConfig,
  detail: string,
): string {
  const sasl = config.security?.sasl
  const who =
    sasl === undefined
      ? ''
      : sasl.mechanism === 'OAUTHBEARER'
        ? ` as ${sasl.clientId}`
        : ` as ${sasl.username}`
  return code === 'AUTHENTICATION_FAILED'
    ? `the broker refused the SASL login${who} (${sasl?.mechanism ?? 'no mechanism'}): check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD; ${detail}`
    : `the TLS handshake with ${config.brokers.join(',')} failed: the broker's certificate is not signed by a trusted CA (KAFKA_SSL_CA) or does not name the host; ${detail}`
}

/** `[thrd:…]: host/bootstrap: text` → `text`. */
function stripThread(message: string): string {
  return message.replace(/^\[thrd:[^\]]*\]:\s*/, '').replace(/^\S+\/bootstrap:\s*/, '')
}
