// `npm run certify -- standby`: Kafka's standby system test (tests/kafkatest/tests/streams/
// streams_standby_replica_test.py, 4.1.2) ported step by step, around our port of its client
// (apps/standby-test-client.ts). Kafka's harness is Python (ducktape) and is not in the test jar, so its
// checks are ported here, unchanged:
//   1. A broker; topics standbyTaskSource1 (6 partitions), standbyTaskSink1 and standbyTaskSink2 (1 each).
//   2. A producer writes `messages` records with 6 repeating keys while everything below happens.
//   3. Three instances started and stopped in the test's order; after each step, each instance named
//      must print "ACTIVE_TASKS:<a> STANDBY_TASKS:<s>" (a regex, as the test's) at least `lines` times in
//      its current life, within 60 s.
//   4. Both sinks hold at least `messages` records (one count update per input record).
//   5. Every position printed for the persistent store's partitions (standby positions, restore starts)
//      never goes backwards within an instance (KAFKA-9169: a standby resumes from its checkpoint).
// It prints the verdict, STANDBY-TEST-PASSED or the first failure, and keeps the logs in the run folder.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { createKafkaClient, type ClientKind, type KafkaClient } from '../kafka/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'
import { standbyApplicationId } from './apps/standby-names.js'
import { ProcessGroup, type ManagedProcess } from './processes.js'

export interface StandbyRunOptions {
  readonly client: ClientKind
  readonly messages: number
  /** Records per second the producer writes (Kafka's test: 15,000 of 300,000). */
  readonly rate: number
  readonly signal?: AbortSignal
}

export interface StandbyResult {
  readonly passed: boolean
  readonly summary: string
  readonly runDir: string
}

const topics = { source: 'standbyTaskSource1', sink1: 'standbyTaskSink1', sink2: 'standbyTaskSink2' }
const stepTimeoutMs = 60_000

/** The test's sequence: start/stop an instance, then what each named instance must print. */
type Step =
  | { readonly start: number; readonly expect: readonly Expectation[] }
  | { readonly stop: number; readonly expect: readonly Expectation[] }
type Expectation = readonly [instance: number, pattern: string, lines?: number]
const two = 'ACTIVE_TASKS:2 STANDBY_TASKS:[1-3]'
const three = 'ACTIVE_TASKS:3 STANDBY_TASKS:3'
const six = 'ACTIVE_TASKS:6 STANDBY_TASKS:0'
const sequence: readonly Step[] = [
  { start: 1, expect: [[1, six]] },
  {
    start: 2,
    expect: [
      [1, three],
      [2, three],
    ],
  },
  {
    start: 3,
    expect: [
      [1, two],
      [2, two],
      [3, two],
    ],
  },
  {
    stop: 1,
    expect: [
      [2, three, 2],
      [3, three],
    ],
  },
  { stop: 2, expect: [[3, six]] },
  {
    start: 1,
    expect: [
      [1, three],
      [3, three, 2],
    ],
  },
  {
    start: 2,
    expect: [
      [1, two],
      [2, two],
      [3, two, 2],
    ],
  },
  {
    stop: 3,
    expect: [
      [1, three, 2],
      [2, three],
    ],
  },
  { stop: 1, expect: [[2, six]] },
  {
    start: 3,
    expect: [
      [3, three],
      [2, three, 2],
    ],
  },
  {
    start: 1,
    expect: [
      [1, two],
      [2, two, 2],
      [3, two],
    ],
  },
]

export async function certifyStandby(options: StandbyRunOptions): Promise<StandbyResult> {
  const started = Date.now()
  const runDir = path.resolve(
    '.state',
    'certify',
    `standby-${options.client}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  )
  await mkdir(runDir, { recursive: true })
  const log = (line: string) =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`)
  const processes = new ProcessGroup(runDir)
  let cluster: LocalKafkaCluster | undefined
  let kafka: KafkaClient | undefined
  const lives = new Map<number, { process: ManagedProcess }>()
  const outputs = new Map<number, string[]>()
  let producing: Promise<number> | undefined
  const finish = (passed: boolean, detail: string): StandbyResult => {
    const seconds = Math.round((Date.now() - started) / 1000)
    const summary = `standby ${options.client}: ${passed ? 'STANDBY-TEST-PASSED' : 'FAILED'} — ${detail} (${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s; logs in ${runDir})`
    return { passed, summary, runDir }
  }
  try {
    // 1
    cluster = await startLocalKafka({ nodes: 1, workDir: path.join(runDir, 'kafka'), log })
    kafka = createKafkaClient({
      kind: 'kafkajs',
      brokers: cluster.bootstrapServers.split(','),
      clientId: 'certify-standby',
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics([
      { topic: topics.source, partitions: 6, replicationFactor: 1 },
      { topic: topics.sink1, partitions: 1, replicationFactor: 1 },
      { topic: topics.sink2, partitions: 1, replicationFactor: 1 },
    ])
    log(`topics ${topics.source} (6), ${topics.sink1} (1), ${topics.sink2} (1)`)
    // 2
    producing = produce(kafka, options, log)
    producing.catch(() => undefined)
    // 3
    const start = async (n: number) => {
      const stateDir = path.join(runDir, 'state', `processor-${n}`)
      await mkdir(stateDir, { recursive: true })
      const previous = lives.get(n)
      if (previous) outputs.set(n, [...(outputs.get(n) ?? []), previous.process.output()])
      const child = processes.spawn({
        name: `processor-${n}`,
        command: process.execPath,
        args: [
          '--import',
          import.meta.resolve('tsx'),
          path.join(import.meta.dirname, 'apps', 'standby-test-client.ts'),
        ],
        env: {
          BROKERS: cluster!.bootstrapServers,
          KAFKA_CLIENT: options.client,
          STATE_DIR: stateDir,
          INSTANCE_ID: `processor-${n}`,
          SOURCE_TOPIC: topics.source,
          SINK_TOPIC_1: topics.sink1,
          SINK_TOPIC_2: topics.sink2,
        },
      })
      lives.set(n, { process: child })
    }
    const stop = async (n: number) => {
      const exit = await lives.get(n)!.process.stop('SIGTERM', stepTimeoutMs)
      if (exit.forced)
        throw new Error(`processor-${n} did not stop within ${stepTimeoutMs / 1000} s of SIGTERM`)
    }
    for (const [index, step] of sequence.entries()) {
      if (options.signal?.aborted) throw new Error('interrupted')
      const what = 'start' in step ? `start processor-${step.start}` : `stop processor-${step.stop}`
      log(`step ${index + 1}/${sequence.length}: ${what}`)
      if ('start' in step) await start(step.start)
      else await stop(step.stop)
      for (const [n, pattern, lines = 1] of step.expect) {
        const life = lives.get(n)!
        await waitForLines(life.process, new RegExp(pattern), lines, options.signal)
        log(`  processor-${n}: ${pattern}${lines > 1 ? ` (${lines} lines)` : ''}`)
      }
    }
    // 4
    for (const sink of [topics.sink1, topics.sink2]) {
      const count = await countRecords(kafka, sink, options.messages, options.signal)
      log(`${sink}: ${count} records`)
      if (count < options.messages) {
        // what the group has consumed of each input partition: a stuck task, or records lost after their commit
        const [ends, committed] = [
          await admin.endOffsets(topics.source),
          await admin.committedOffsets(standbyApplicationId, topics.source),
        ]
        const lag = ends.map(
          (e) =>
            `${e.partition}: ${committed.find((c) => c.partition === e.partition)?.offset ?? 'none'}/${e.offset}`,
        )
        log(`${standbyApplicationId} committed/end per ${topics.source} partition: ${lag.join(', ')}`)
        return finish(false, `${sink} holds ${count} records, fewer than the ${options.messages} written`)
      }
    }
    const produced = await producing
    log(`producer: ${produced} records acknowledged`)
    // 5
    for (const [n, life] of lives) {
      await life.process.stop('SIGTERM', stepTimeoutMs)
      outputs.set(n, [...(outputs.get(n) ?? []), life.process.output()])
    }
    const regressions = [...outputs].flatMap(([n, texts]) =>
      checkpointRegressions(texts.join('\n')).map((r) => `processor-${n}: ${r}`),
    )
    if (regressions.length > 0)
      return finish(false, `positions went backwards: ${regressions.slice(0, 5).join('; ')}`)
    if (processes.unexpectedExits.length > 0)
      return finish(false, `exited unexpectedly: ${processes.unexpectedExits.map((e) => e.name).join(', ')}`)
    return finish(
      true,
      `${sequence.length} steps, ${options.messages} records in each sink, positions monotonic`,
    )
  } catch (error) {
    return finish(false, error instanceof Error ? error.message.split('\n')[0]! : String(error))
  } finally {
    await processes.stopAll(stepTimeoutMs)
    await cluster?.stop().catch(() => undefined)
  }
}

/** Step 3: the test's wait_for_verification — `lines` lines of the current life match, within 60 s. */
async function waitForLines(child: ManagedProcess, pattern: RegExp, lines: number, signal?: AbortSignal) {
  const deadline = Date.now() + stepTimeoutMs
  for (;;) {
    const matching = child
      .output()
      .split('\n')
      .filter((line) => pattern.test(line)).length
    if (matching >= lines) return
    if (!child.running) throw new Error(`${child.name} exited before printing ${pattern.source}`)
    if (Date.now() > deadline) {
      const printed = child
        .output()
        .split('\n')
        .filter((l) => l.includes('ACTIVE_TASKS'))
        .slice(-3)
      throw new Error(
        `${child.name} did not print ${pattern.source} ${lines} time(s) within 60 s; its last: ${printed.join(' | ') || 'none'}`,
      )
    }
    if (signal?.aborted) throw new Error('interrupted')
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Step 2: `messages` records, keys "0"–"5" in turn (VerifiableProducer's repeating keys), at `rate` per second. */
async function produce(
  kafka: KafkaClient,
  options: StandbyRunOptions,
  log: (line: string) => void,
): Promise<number> {
  const producer = kafka.producer()
  await producer.connect()
  const batch = Math.max(1, Math.round(options.rate / 10))
  const began = Date.now()
  let sent = 0
  try {
    while (sent < options.messages) {
      if (options.signal?.aborted) break
      const n = Math.min(batch, options.messages - sent)
      await producer.send(
        Array.from({ length: n }, (_, i) => ({
          topic: topics.source,
          key: Buffer.from(String((sent + i) % 6)),
          value: Buffer.from(String(sent + i)),
        })),
      )
      sent += n
      const due = began + (sent / options.rate) * 1000
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()))
      if (sent % (batch * 100) === 0) log(`producer: ${sent} of ${options.messages}`)
    }
  } finally {
    await producer.disconnect()
  }
  return sent
}

/** Step 4: reads a sink until it holds `expected` records or nothing new arrives for 60 s. */
async function countRecords(
  kafka: KafkaClient,
  topic: string,
  expected: number,
  signal?: AbortSignal,
): Promise<number> {
  const reader = kafka.reader({ isolation: 'read_uncommitted' })
  let count = 0
  let position: number | 'earliest' = 'earliest'
  let lastGrowth = Date.now()
  try {
    while (count < expected && Date.now() - lastGrowth < stepTimeoutMs && !signal?.aborted) {
      const before = count
      position = await reader.readToEnd({ topic, partition: 0 }, position, (records) => {
        count += records.length
      })
      if (count > before) lastGrowth = Date.now()
      else await new Promise((r) => setTimeout(r, 500))
    }
  } finally {
    await reader.close()
  }
  return count
}

/** Step 5: each `CHECKPOINT … <store>-<partition>=<offset>` line's offset is at least the last one of its partition. */
export function checkpointRegressions(output: string): string[] {
  const last = new Map<string, number>()
  const regressions: string[] = []
  for (const match of output.matchAll(/CHECKPOINT \w+ (\S+)=(\d+)/g)) {
    const [, partition, raw] = match
    const offset = Number(raw)
    const previous = last.get(partition!)
    if (previous !== undefined && offset < previous)
      regressions.push(`${partition} from ${previous} to ${offset}`)
    last.set(partition!, Math.max(previous ?? offset, offset))
  }
  return regressions
}
