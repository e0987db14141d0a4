// Client errors translated at one boundary: every adapter turns what its library throws into a KafkaError
// whose code names the recovery the caller needs (see `recoveryOf`), with `retriable` and the original `cause`.

export const kafkaErrorCodes = [
  /** Another producer with our transactional id, or a newer group generation, took over: close the tasks and rejoin. */
  'FENCED',
  /** The group is rebalancing or our member is stale: give up the batch, rejoin. */
  'REBALANCE',
  /** The transaction could not complete; abort it and retry the batch from the last commit. */
  'TRANSACTION_ABORTABLE',
  'TOPIC_NOT_FOUND',
  'TOPIC_EXISTS',
  'TIMEOUT',
  'BROKER_UNAVAILABLE',
  'INVALID_ARGUMENT',
  'UNKNOWN',
] as const
export type KafkaErrorCode = (typeof kafkaErrorCodes)[number]

const retriableCodes: ReadonlySet<KafkaErrorCode> = new Set([
  'TIMEOUT',
  'BROKER_UNAVAILABLE',
  'REBALANCE',
  'TRANSACTION_ABORTABLE',
])

export class KafkaError extends Error {
  override readonly name = 'KafkaError'
  readonly retriable: boolean
  constructor(
    readonly code: KafkaErrorCode,
    message: string,
    options?: { cause?: unknown; retriable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.retriable = options?.retriable ?? retriableCodes.has(code)
  }
}

/** Maps the error names and codes both client libraries use onto our codes. */
export function toKafkaError(error: unknown, during: string): KafkaError {
  if (error instanceof KafkaError) return error
  const text = describe(error)
  const code = classify(text)
  return new KafkaError(code, `${during}: ${text}`, { cause: error })
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const { type, code } = error as { type?: unknown; code?: unknown }
    const extra =
      typeof type === 'string'
        ? type
        : typeof code === 'string' || typeof code === 'number'
          ? String(code)
          : ''
    return extra && !error.message.includes(extra) ? `${error.message} (${extra})` : error.message
  }
  return String(error)
}

const patterns: readonly (readonly [RegExp, KafkaErrorCode])[] = [
  [/fenced|INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|FencedInstanceId|_FENCED/i, 'FENCED'],
  [/REBALANCE_IN_PROGRESS|ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID|rebalanc/i, 'REBALANCE'],
  [/abortable|must be aborted|INVALID_TXN_STATE|CONCURRENT_TRANSACTIONS/i, 'TRANSACTION_ABORTABLE'],
  [/TOPIC_ALREADY_EXISTS|already exists/i, 'TOPIC_EXISTS'],
  [/UNKNOWN_TOPIC|does not host this topic-partition|Unknown topic/i, 'TOPIC_NOT_FOUND'],
  [/timed? ?out|TIMED_OUT|_TIMED_OUT/i, 'TIMEOUT'],
  [
    /ECONNREFUSED|Connection error|broker.*(down|not available)|ALL_BROKERS_DOWN|_TRANSPORT|NOT_LEADER/i,
    'BROKER_UNAVAILABLE',
  ],
  [/INVALID_ARG|invalid argument/i, 'INVALID_ARGUMENT'],
]

function classify(text: string): KafkaErrorCode {
  for (const [pattern, code] of patterns) if (pattern.test(text)) return code
  return 'UNKNOWN'
}
