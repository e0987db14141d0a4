// The Kafka clients' own log lines, as our log lines: one line each, with a level, and repeats rate
// limited (logging/repeat-limiter.ts). librdkafka reports syslog severities through `event.log` and the
// KafkaJS-style layer's `logger`; kafkajs reports its numeric levels through a `logCreator`. Each becomes
// `logger[level]({ client, fac|namespace, thread?, ... }, message)`.
import { RepeatLimiter, repeatKey, type RepeatLimiterOptions } from '../logging/repeat-limiter.js'
import { rootLogger, type Logger } from '../logging/logger.js'
import type { ClientKind, KafkaClientConfig } from './kafka-port.js'

export const clientLogLevels = ['error', 'warn', 'info', 'debug'] as const
export type ClientLogLevel = (typeof clientLogLevels)[number]

/** librdkafka's `RD_KAFKA_RESP_ERR__TRANSPORT`. */
const transportFailure = -195

/** librdkafka's own count of repeats, which would make each repeat a new line here. */
const librdkafkaSuppressed = /,? \d+ identical error\(s\) suppressed/

const rank: Record<ClientLogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 }

/** syslog severity (librdkafka's `severity`, 0 emergency … 7 debug) → our level. */
export function librdkafkaLevel(severity: number): ClientLogLevel {
  if (severity <= 3) return 'error'
  if (severity === 4) return 'warn'
  if (severity <= 6) return 'info'
  return 'debug'
}

/**
 * kafkajs logs at ERROR what it then handles itself: every error response of a request (`Response
 * InitProducerId(...)` with `error: 'The coordinator is loading …'`, retried or handed to its caller, who
 * logs or throws what is final), its consumer restarting itself, its member re-joining the group. Those are
 * warnings — a normal first start printed a dozen error lines. Everything else keeps kafkajs's level.
 */
export function kafkajsEntryLevel(level: number, namespace: string, message: string): ClientLogLevel {
  const handledByKafkajs =
    (namespace === 'Connection' && message.startsWith('Response ')) ||
    message.startsWith('Restarting the consumer in ') ||
    // a retriable produce error (CONCURRENT_TRANSACTIONS, a leader moving): its send is retried
    (namespace === 'Producer' && message.startsWith('Failed to send messages: ')) ||
    message.endsWith('re-joining the group')
  return level <= 1 && handledByKafkajs ? 'warn' : kafkajsLevel(level)
}

/** kafkajs `logLevel` (1 ERROR, 2 WARN, 4 INFO, 5 DEBUG) → our level. */
export function kafkajsLevel(level: number): ClientLogLevel {
  if (level <= 1) return 'error'
  if (level === 2) return 'warn'
  if (level <= 4) return 'info'
  return 'debug'
}

/** librdkafka prefixes its messages with the thread: `[thrd:127.0.0.1:9092/bootstrap]: text`. */
export function splitThread(message: string): { thread?: string; message: string } {
  const match = /^\[thrd:([^\]]*)\]:\s*/.exec(message)
  return match ? { thread: match[1]!, message: message.slice(match[0].length) } : { message }
}

export interface ClientLogOptions extends RepeatLimiterOptions {
  /** Lines below this level are dropped (default 'warn'). */
  readonly level?: ClientLogLevel
  readonly now?: () => number
  /** How often quiet keys are swept for their "stopped repeating" line (default 1 s; 0: only by `sweep()`). */
  readonly sweepEveryMs?: number
}

/** Where one client's log lines go: filtered by level, rate limited, written to a logger. */
export class ClientLog {
  private readonly limiter: RepeatLimiter
  private readonly threshold: number
  private readonly now: () => number
  private readonly sweepEveryMs: number
  private sweeper: NodeJS.Timeout | undefined

  constructor(
    private readonly logger: Logger,
    options: ClientLogOptions = {},
  ) {
    this.limiter = new RepeatLimiter(options)
    this.threshold = rank[options.level ?? 'warn']
    this.now = options.now ?? Date.now
    this.sweepEveryMs = options.sweepEveryMs ?? 1000
  }

  write(level: ClientLogLevel, message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (rank[level] > this.threshold) return
    const admission = this.limiter.admit(
      `${level}|${typeof fields['fac'] === 'string' ? fields['fac'] : ''}|${repeatKey(message.replace(librdkafkaSuppressed, ''))}`,
      message,
      this.now(),
    )
    if (!admission.log) {
      this.startSweeping()
      return
    }
    this.logger[level](
      admission.suppressed > 0 ? { ...fields, repeated: admission.suppressed } : fields,
      message,
    )
  }

  /** A librdkafka `event.log` object: `{ severity, fac, message, name }`. */
  librdkafka(event: LibrdkafkaLogEvent): void {
    const { thread, message } = splitThread(event.message)
    this.write(librdkafkaLevel(event.severity), message, {
      ...(event.fac ? { fac: event.fac } : {}),
      ...(thread ? { thread } : {}),
      ...(event.name ? { clientName: event.name } : {}),
    })
  }

  /**
   * A librdkafka `event.error` (its `error_cb`): fatal ones at error level, the rest — all brokers down, a
   * request timed out — at warn, as librdkafka retries them itself. A lost broker connection (-195,
   * `_TRANSPORT`) is left out: librdkafka's `FAIL` log line (`librdkafka`) already says it.
   */
  librdkafkaError(error: { message?: string; code?: number; isFatal?: boolean }, client: string): void {
    if (error.code === transportFailure && !error.isFatal) return
    const { thread, message } = splitThread(error.message ?? '')
    this.write(error.isFatal ? 'error' : 'warn', message, {
      client,
      ...(error.code !== undefined ? { code: error.code } : {}),
      ...(thread ? { thread } : {}),
    })
  }

  /** The logger the KafkaJS-style layer of @confluentinc/kafka-javascript takes (`kafkaJS.logger`). */
  confluentLogger(): ConfluentStyleLogger {
    const at =
      (level: ClientLogLevel) =>
      (message: string, extra: { fac?: unknown; name?: unknown } = {}) => {
        const { thread, message: text } = splitThread(message)
        const { fac, name } = extra
        this.write(level, text, {
          ...(typeof fac === 'string' && fac !== 'BINDING' ? { fac } : {}),
          ...(thread ? { thread } : {}),
          ...(typeof name === 'string' && name !== '' ? { clientName: name } : {}),
        })
      }
    const logger: ConfluentStyleLogger = {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      // the level is ours (the threshold above): one logger is shared by every client, which each set theirs
      setLogLevel: () => undefined,
      namespace: () => logger,
    }
    return logger
  }

  /** kafkajs's `logCreator`. */
  kafkajsLogCreator(): (level: number) => (entry: KafkajsLogEntry) => void {
    return () =>
      ({ namespace, level, log }) => {
        const { message, timestamp: _timestamp, logger: _logger, ...extra } = log
        this.write(kafkajsEntryLevel(level, namespace, String(message)), String(message), {
          namespace,
          ...extra,
        })
      }
  }

  /** Step 4 of the repeat limiter: one line for each repeating line that went quiet. */
  sweep(): void {
    for (const quiet of this.limiter.sweep(this.now())) {
      this.logger.info(
        { repeated: quiet.suppressed, forMs: quiet.sinceMs },
        `stopped repeating: ${quiet.sample}`,
      )
    }
  }

  private startSweeping(): void {
    if (this.sweeper || this.sweepEveryMs <= 0) return
    this.sweeper = setInterval(() => this.sweep(), this.sweepEveryMs)
    this.sweeper.unref()
  }
}

export interface ConfluentStyleLogger {
  error(message: string, extra?: object): void
  warn(message: string, extra?: object): void
  info(message: string, extra?: object): void
  debug(message: string, extra?: object): void
  setLogLevel(level: number): void
  namespace(name: string): ConfluentStyleLogger
}

export interface KafkajsLogEntry {
  readonly namespace: string
  readonly level: number
  readonly label: string
  readonly log: { readonly message: string; readonly timestamp: string; readonly [key: string]: unknown }
}

/** The log of one client made by `createKafkaClient`: its logger's child with `component: 'kafka'`. */
export function clientLog(config: KafkaClientConfig, kind: ClientKind): ClientLog {
  const logger = (config.logger ?? rootLogger()).child({ component: 'kafka', client: kind })
  return new ClientLog(logger, { level: config.logLevel ?? 'error' })
}

/** What librdkafka's `event.log` carries. */
export interface LibrdkafkaLogEvent {
  readonly severity: number
  readonly fac?: string
  readonly message: string
  readonly name?: string
}
