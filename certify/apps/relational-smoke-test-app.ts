// The TypeScript port of the application of Apache Kafka's RelationalSmokeTest (streams/src/test/java/org/
// apache/kafka/streams/tests/RelationalSmokeTest.java, App, checked against the 4.1.2 test jar with javap),
// which the test's driver judges. Same topology, serdes and settings:
//   in-comment table ─▶ groupBy(articleId) ─▶ count ─┐
//   in-article table ─────────────────────────── leftJoin ──▶ out-augmented-article (article + comment count)
//   in-comment table ─▶ foreign-key join on articleId with in-article ──▶ out-augmented-comment
//                                                   (comment + the article text's first 10 characters)
// Integer keys; values in the test's own byte layouts (big-endian ints and longs, UTF-8 texts with their
// lengths); commit interval 1 s; the record cache at Kafka Streams' default size, 10 MiB (App sets none);
// the processing guarantee of PROCESSING_GUARANTEE. One difference of
// deployment, not of the application: Kafka's harness gives every process a random application id (its
// processes never share work); here the instances share one, so a killed instance's tasks move to the others.
//
// It prints "StateChange: <old> -> <new>", "Streams has started." once running, "processed <n> records"
// as input arrives, RELATIONAL-SMOKE-TEST-EXCEPTION when the engine stops on an error, and
// RELATIONAL-SMOKE-TEST-CLOSED after a clean close on SIGTERM or SIGINT.
//
// Environment: BROKERS, KAFKA_CLIENT (confluent|kafkajs), STATE_DIR, INSTANCE_ID, PROCESSING_GUARANTEE
// (exactly_once|at_least_once), REPLICATION_FACTOR (internal topics).
import { clientKindFromEnv, createKafkaClient } from '../../kafka/index.js'
import { int16Serde, int32Serde, type Serde } from '../../state/index.js'
import {
  KafkaStreams,
  StreamsBuilder,
  noopStreamsMetrics,
  type ProcessingGuarantee,
  type Topology,
} from '../../topology/index.js'
import { exitWithParent } from './parent-watch.js'
import { required, say } from './app-env.js'

export const applicationId = 'RelationalSmokeTest'

interface Article {
  readonly key: number
  readonly timestamp: number
  readonly text: string
}

interface Comment {
  readonly key: number
  readonly timestamp: number
  readonly text: string
  readonly articleId: number
}

interface AugmentedArticle extends Article {
  readonly commentCount: number
}

interface AugmentedComment extends Comment {
  readonly articlePrefix: string
}

/** A UTF-8 text with its 4-byte length (the test's ByteBuffer layout). */
function text(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8')
  const length = Buffer.allocUnsafe(4)
  length.writeInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

function head(key: number, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(12)
  out.writeInt32BE(key, 0)
  out.writeBigInt64BE(BigInt(timestamp), 4)
  return out
}

/** Reads the fields the Java deserializers read, in order, from one buffer. */
class Reader {
  private at = 0
  constructor(private readonly bytes: Buffer) {}
  int(): number {
    const value = this.bytes.readInt32BE(this.at)
    this.at += 4
    return value
  }
  long(): number {
    const value = Number(this.bytes.readBigInt64BE(this.at))
    this.at += 8
    return value
  }
  text(): string {
    const length = this.int()
    const value = this.bytes.toString('utf8', this.at, this.at + length)
    this.at += length
    return value
  }
}

const readArticle = (r: Reader): Article => ({ key: r.int(), timestamp: r.long(), text: r.text() })
const readComment = (r: Reader): Comment => ({
  key: r.int(),
  timestamp: r.long(),
  text: r.text(),
  articleId: r.int(),
})
const writeArticle = (a: Article) => Buffer.concat([head(a.key, a.timestamp), text(a.text)])
const writeComment = (c: Comment) => {
  const articleId = Buffer.allocUnsafe(4)
  articleId.writeInt32BE(c.articleId)
  return Buffer.concat([head(c.key, c.timestamp), text(c.text), articleId])
}

export const articleSerde: Serde<Article> = {
  serialize: writeArticle,
  deserialize: (b) => readArticle(new Reader(b)),
}

export const commentSerde: Serde<Comment> = {
  serialize: writeComment,
  deserialize: (b) => readComment(new Reader(b)),
}

export const augmentedArticleSerde: Serde<AugmentedArticle> = {
  serialize: (a) => {
    const count = Buffer.allocUnsafe(8)
    count.writeBigInt64BE(BigInt(a.commentCount))
    return Buffer.concat([writeArticle(a), count])
  },
  deserialize: (b) => {
    const r = new Reader(b)
    return { ...readArticle(r), commentCount: r.long() }
  },
}

export const augmentedCommentSerde: Serde<AugmentedComment> = {
  serialize: (c) => Buffer.concat([writeComment(c), text(c.articlePrefix)]),
  deserialize: (b) => {
    const r = new Reader(b)
    return { ...readComment(r), articlePrefix: r.text() }
  },
}

/** Java's text.substring(0, length) on UTF-16 code units. */
const prefix = (value: string, length: number) => (value.length < length ? value : value.substring(0, length))

export function relationalTopology(): Topology {
  const builder = new StreamsBuilder()
  const articles = builder.table('in-article', { keySerde: int32Serde, valueSerde: articleSerde })
  const comments = builder.table('in-comment', { keySerde: int32Serde, valueSerde: commentSerde })
  const commentCounts = comments
    .groupBy((_key, comment) => ({ key: comment.articleId, value: 1 }), {
      keySerde: int32Serde,
      valueSerde: int16Serde,
    })
    .count()
  articles
    .leftJoin(
      commentCounts,
      (article, count): AugmentedArticle => ({ ...article, commentCount: count ?? 0 }),
      { valueSerde: augmentedArticleSerde },
    )
    .toStream()
    .to('out-augmented-article')
  comments
    .join(
      articles,
      (comment) => comment.articleId,
      (comment, article): AugmentedComment => ({ ...comment, articlePrefix: prefix(article.text, 10) }),
      { valueSerde: augmentedCommentSerde },
    )
    .toStream()
    .to('out-augmented-comment')
  return builder.build()
}

function processingGuarantee(): ProcessingGuarantee {
  const value = process.env['PROCESSING_GUARANTEE'] ?? 'exactly_once'
  if (value !== 'exactly_once' && value !== 'at_least_once')
    throw new Error(`PROCESSING_GUARANTEE must be exactly_once or at_least_once, got ${value}`)
  return value
}

// App.startSync(): one KafkaStreams, until a signal.
exitWithParent()
let consumed = 0
let reported = 0
const replication = process.env['REPLICATION_FACTOR']
const streams = new KafkaStreams(relationalTopology(), {
  applicationId,
  client: createKafkaClient({
    kind: clientKindFromEnv(),
    brokers: required('BROKERS').split(','),
    clientId: required('INSTANCE_ID'),
  }),
  stateDir: required('STATE_DIR'),
  instanceId: required('INSTANCE_ID'),
  processingGuarantee: processingGuarantee(),
  commitIntervalMs: 1000,
  cacheMaxBytes: 10 * 1024 * 1024,
  windowStoreChangelogAdditionalRetentionMs: 5 * 60_000,
  ...(replication ? { replicationFactor: Number(replication) } : {}),
  metrics: { ...noopStreamsMetrics, recordsConsumed: (_t, _p, count) => (consumed += count) },
  log: (level, message) => say(`[${level}] ${message}`),
})
setInterval(() => {
  if (consumed === reported) return
  reported = consumed
  say(`processed ${consumed} records`)
}, 1000).unref()
let failed = false
let closing: Promise<void> | undefined
const close = () => {
  closing ??= (async () => {
    await streams.close()
    say(failed ? 'RELATIONAL-SMOKE-TEST-EXCEPTION: closed after an error' : 'RELATIONAL-SMOKE-TEST-CLOSED')
    process.exit(0)
  })()
}
streams.onStateChange((state, previous) => {
  say(`StateChange: ${previous} -> ${state}`)
  if (state === 'RUNNING') say('Streams has started.')
  if (state === 'ERROR') {
    failed = true
    say(`RELATIONAL-SMOKE-TEST-EXCEPTION: ${streams.error?.stack ?? String(streams.error)}`)
    close()
  }
})
process.on('SIGTERM', close)
process.on('SIGINT', close)
streams.start().catch((error: unknown) => {
  if (failed) return
  failed = true
  say(
    `RELATIONAL-SMOKE-TEST-EXCEPTION: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  )
  close()
})
