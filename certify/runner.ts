// One certification run: an oracle (oracle.ts) judges the engine through a scenario's faults
// (scenarios.ts). The protocol, every wait bounded:
//   1. the run folder (logs of every process, broker logs, properties, state) and the oracle's jars;
//   2. the brokers (1 or 3, tools/local-kafka) and the oracle's topics;
//   3. the generator, then the scenario: instances and faults while data flows;
//   4. the generator stops; the application catches up (nothing readable past its committed offsets);
//   5. the instances close cleanly (SIGTERM);
//   6. the verifier judges; the brokers stop; one summary line.
// Every process is stopped on every path out — a failure, an exception, Ctrl-C (`signal`).
// A run passes when the oracle passes AND nothing went wrong beside it: no instance exited on its own
// (a native crash), none stopped on an engine error, none needed SIGKILL to stop, and the application
// caught up.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createKafkaClient,
  retrying,
  type ClientKind,
  type KafkaAdmin,
  type KafkaClient,
} from '../kafka/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'
import { requireJava } from '../tools/local-kafka/prerequisites.js'
import { ensureOracleJars } from './oracle-jars.js'
import type { JavaCommand, Oracle, OracleContext, Verdict } from './oracle.js'
import { describeExit, ProcessGroup, type ManagedProcess } from './processes.js'
import type { Instance, Scenario, ScenarioContext } from './scenarios.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const watchdog = path.join(repoRoot, 'tools', 'local-kafka', 'jvm-watchdog.sh')

export interface CertifyOptions {
  readonly oracle: Oracle
  readonly scenario: Scenario
  readonly client: ClientKind
  /** The oracle's options; missing ones take their defaults. */
  readonly oracleOptions?: Readonly<Record<string, string>>
  readonly quick?: boolean
  readonly seed?: number
  /** Where the run keeps its logs; default `.state/certify/<time>-<oracle>-<scenario>-<client>`. */
  readonly runDir?: string
  /** Progress lines (default: the console). */
  readonly log?: (line: string) => void
  /** Aborts the run (Ctrl-C); everything is stopped before `certify` returns. */
  readonly signal?: AbortSignal
  /** Bounds, ms. */
  readonly timeouts?: Partial<Timeouts>
}

export interface Timeouts {
  /** An instance to start, or to be RUNNING and processing again after a change. */
  readonly healthy: number
  /** The application to commit everything after the generator stopped. */
  readonly catchUp: number
  /** An instance to close on SIGTERM before it is killed. */
  readonly close: number
  /** The generator to finish after SIGTERM. */
  readonly generatorStop: number
  readonly verifier: number
}

const defaultTimeouts: Timeouts = {
  healthy: 240_000,
  catchUp: 240_000,
  close: 120_000,
  generatorStop: 120_000,
  verifier: 660_000,
}

export interface CertifyResult {
  readonly passed: boolean
  readonly verdict: Verdict | undefined
  /** What went wrong beside the oracle's verdict (each one fails the run). */
  readonly anomalies: readonly string[]
  readonly producedRecords: number | undefined
  readonly durationMs: number
  readonly runDir: string
  /** The one line that sums the run up. */
  readonly summary: string
}

class RunInstance implements Instance {
  process: ManagedProcess | undefined
  constructor(
    readonly id: string,
    readonly stateDir: string,
    private readonly run: Run,
  ) {}
  get running(): boolean {
    return this.process?.running ?? false
  }
  async kill(): Promise<void> {
    await this.process?.stop('SIGKILL', 10_000)
  }
  async stop(): Promise<void> {
    await this.run.stopInstance(this)
  }
}

class Run {
  readonly processes: ProcessGroup
  readonly anomalies: string[] = []
  readonly instances: RunInstance[] = []
  private readonly started = Date.now()
  cluster: LocalKafkaCluster | undefined
  private kafka: KafkaClient | undefined
  private admin: KafkaAdmin | undefined
  classPath = ''
  java = 'java'
  private randomState: number

  constructor(
    readonly options: CertifyOptions,
    readonly runDir: string,
    readonly timeouts: Timeouts,
    readonly print: (line: string) => void,
  ) {
    this.processes = new ProcessGroup(runDir)
    this.randomState = options.seed ?? 1
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal
  }

  step(message: string): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1).padStart(6)
    this.print(`[${seconds}s] ${message}`)
  }

  /** mulberry32: the scenario's choices repeat with the seed printed at the start. */
  random(): number {
    let t = (this.randomState = (this.randomState + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  async sleep(ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      this.checkAborted()
      this.checkInstances()
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, deadline - Date.now())))
    }
  }

  checkAborted(): void {
    if (this.signal?.aborted) throw new Error('interrupted')
  }

  /** An instance that exited without being asked to is an anomaly (and a native crash is worth its tail). */
  private reported = 0
  checkInstances(): void {
    const exits = this.processes.unexpectedExits
    for (; this.reported < exits.length; this.reported++) {
      const exit = exits[this.reported]!
      const message = `${exit.name} exited on its own (${describeExit(exit.status)})`
      this.anomalies.push(message)
      this.step(`ANOMALY: ${message}; last output:\n${exit.tail}`)
    }
  }

  get context(): OracleContext {
    return {
      bootstrapServers: this.cluster!.bootstrapServers,
      runDir: this.runDir,
      brokers: this.options.scenario.brokers,
      scenario: this.options.scenario.name,
      options: this.oracleOptions,
      propertiesFile: async (name, properties) => {
        const file = path.join(this.runDir, name)
        await writeFile(
          file,
          Object.entries(properties)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(''),
        )
        return file
      },
    }
  }

  get oracleOptions(): Record<string, string> {
    const chosen: Record<string, string> = {}
    for (const [name, option] of Object.entries(this.options.oracle.options))
      chosen[name] = this.options.oracleOptions?.[name] ?? option.default
    return chosen
  }

  /** A JVM under jvm-watchdog.sh; `exits` when it ends by itself (its exit is then no anomaly). */
  spawnJava(name: string, command: JavaCommand, graceSeconds: number, exits = false): ManagedProcess {
    const child = this.processes.spawn({
      name,
      command: watchdog,
      args: [
        String(graceSeconds),
        this.java,
        '-Xmx384m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        ...(command.jvmArgs ?? []),
        '-cp',
        this.classPath,
        command.mainClass,
        ...command.args,
      ],
    })
    child.expectedExit = exits
    return child
  }

  async startBrokers(): Promise<void> {
    const { scenario, oracle } = this.options
    const three = scenario.brokers === 3
    this.cluster = await startLocalKafka({
      nodes: scenario.brokers,
      workDir: path.join(this.runDir, 'kafka'),
      ...(three ? { brokerOverrides: { 'min.insync.replicas': 2 } } : {}),
      // as `npm run kafka` does: a loaded machine needs longer for a restarted broker to be ready
      ...(process.env['LOCAL_KAFKA_READY_TIMEOUT_MS']
        ? { readyTimeoutMs: Number(process.env['LOCAL_KAFKA_READY_TIMEOUT_MS']) }
        : {}),
      log: (line) => this.step(line),
    })
    // the runner's own admin and reads: kafkajs, pure JavaScript — with librdkafka the runner process
    // itself died natively during the broker restarts of 3 of 4 broker-loss runs (once exit 139 seen, twice
    // gone without a message)
    this.kafka = createKafkaClient({
      kind: 'kafkajs',
      brokers: this.cluster.bootstrapServers.split(','),
      clientId: 'certify-runner',
    })
    this.admin = this.kafka.admin()
    await this.admin.connect()
    const topics = oracle.topics(this.context)
    // retried: kafkajs's createTopics waits for the new topics' metadata, and a cluster a moment old can
    // answer that with UNKNOWN_TOPIC_OR_PARTITION (seen once: 'create topics: This server does not host
    // this topic-partition'); a topic created by an earlier attempt is skipped
    await retrying(
      'create topics',
      () =>
        this.admin!.createTopics(
          topics.map((topic) => ({
            topic,
            partitions: this.partitionsOf(topic),
            replicationFactor: three ? 3 : 1,
            ...(three ? { config: { 'min.insync.replicas': '2' } } : {}),
          })),
        ),
      { alsoRetry: (error) => error.code === 'TOPIC_NOT_FOUND' },
    )
    this.step(
      `topics ${topics.map((t) => `${t} (${this.partitionsOf(t)})`).join(', ')}: replication ${three ? 3 : 1}`,
    )
  }

  partitionsOf(topic: string): number {
    const { partitions } = this.options.oracle
    const count = typeof partitions === 'number' ? partitions : partitions[topic]
    if (count === undefined) throw new Error(`the oracle gives no partition count for ${topic}`)
    return count
  }

  // ── instances ─────────────────────────────────────────────────────────────────────────────────────

  private launch(instance: RunInstance): void {
    const spec = this.options.oracle.instance(this.context, {
      id: instance.id,
      stateDir: instance.stateDir,
      client: this.options.client,
    })
    const node = [process.execPath, '--import', import.meta.resolve('tsx'), spec.script]
    instance.process = this.processes.spawn({
      name: instance.id,
      // CERTIFY_CORE_DUMPS=1: a native crash of an instance leaves `core` in its state folder (for gdb)
      ...(process.env.CERTIFY_CORE_DUMPS === '1'
        ? {
            command: '/bin/sh',
            args: [
              '-c',
              'ulimit -c unlimited && cd "$1" && shift && exec "$@"',
              'sh',
              instance.stateDir,
              ...node,
            ],
          }
        : { command: node[0]!, args: node.slice(1) }),
      env: { ...spec.env },
    })
  }

  async startInstance(): Promise<Instance> {
    const id = `instance-${this.instances.length + 1}`
    const instance = new RunInstance(id, path.join(this.runDir, 'state', id), this)
    await mkdir(instance.stateDir, { recursive: true })
    this.instances.push(instance)
    this.step(`starting ${id}`)
    await this.changeAndSettle(() => this.launch(instance))
    return instance
  }

  async restart(instance: Instance): Promise<void> {
    const own = this.instances.find((i) => i === instance)!
    if (own.running) throw new Error(`${own.id} is still running`)
    this.step(`restarting ${own.id}`)
    await this.changeAndSettle(() => this.launch(own))
  }

  async stopInstance(instance: RunInstance): Promise<void> {
    const child = instance.process
    if (!child?.running) return
    const mark = child.mark()
    const exit = await child.stop('SIGTERM', this.timeouts.close)
    if (exit.forced) {
      this.anomalies.push(`${instance.id} did not close within ${this.timeouts.close / 1000} s of SIGTERM`)
      this.step(`ANOMALY: ${instance.id} did not close within ${this.timeouts.close / 1000} s; killed`)
    } else if (!this.options.oracle.patterns.closed.test(child.since(mark))) {
      this.step(`${instance.id} stopped (${describeExit(exit)}) without its closed line`)
    } else this.step(`${instance.id} closed`)
  }

  private async changeAndSettle(change: () => void): Promise<void> {
    const marks = new Map(this.runningInstances().map((i) => [i, i.process!.mark()]))
    change()
    for (const i of this.runningInstances()) if (!marks.has(i)) marks.set(i, 0)
    await this.settleFrom(marks)
  }

  runningInstances(): RunInstance[] {
    return this.instances.filter((i) => i.running)
  }

  async settle(options: { rebalanced?: boolean } = {}): Promise<void> {
    await this.settleFrom(
      new Map(this.runningInstances().map((i) => [i, i.process!.mark()])),
      options.rebalanced ?? false,
    )
  }

  /**
   * Every instance in `marks` RUNNING and printing progress after its mark (and, if `rebalanced`, having
   * changed state to RUNNING after it).
   */
  private async settleFrom(marks: Map<RunInstance, number>, rebalanced = false): Promise<void> {
    const { patterns } = this.options.oracle
    const started = Date.now()
    const deadline = started + this.timeouts.healthy
    const pending = new Set(marks.keys())
    // an oracle whose generator has stopped producing leaves nothing to process: RUNNING and caught up will do
    let caughtUpCheck = 0
    while (pending.size > 0) {
      this.checkAborted()
      this.checkInstances()
      const idle = new Set<RunInstance>()
      for (const instance of [...pending]) {
        const child = instance.process!
        if (!child.running) {
          pending.delete(instance) // reported as an anomaly by checkInstances
          continue
        }
        const states = [...child.output().matchAll(patterns.stateChange)]
        const state = states[states.length - 1]?.[1]
        const since = child.since(marks.get(instance)!)
        const changes = [...since.matchAll(patterns.stateChange)]
        const last = changes[changes.length - 1]
        // when a rebalance is required: a change to RUNNING since the mark, and progress after it
        const changed = !rebalanced || last !== undefined
        const progress = rebalanced && last ? since.slice(last.index) : since
        if (state === patterns.runningState && changed) {
          if (patterns.processing.test(progress)) pending.delete(instance)
          else idle.add(instance)
        }
      }
      if (idle.size > 0 && idle.size === pending.size && Date.now() - caughtUpCheck > 5_000) {
        caughtUpCheck = Date.now()
        if ((await this.caughtUp()).done) for (const instance of idle) pending.delete(instance)
      }
      if (pending.size === 0) break
      if (Date.now() > deadline) {
        const names = [...pending].map((i) => i.id).join(', ')
        throw new Error(
          `${names} not RUNNING and processing within ${this.timeouts.healthy / 1000} s; see their logs in ${this.runDir}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    this.step(
      `healthy: ${[...marks.keys()].map((i) => i.id).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    )
  }

  // ── brokers ───────────────────────────────────────────────────────────────────────────────────────

  async leaderOf(topic: string, partition: number): Promise<number> {
    const [description] = await this.admin!.describeTopics([topic])
    const leader = description?.partitions.find((p) => p.partition === partition)?.leader
    if (leader === undefined || leader < 0) throw new Error(`${topic}-${partition} has no leader`)
    return leader
  }

  async replicasInSync(): Promise<void> {
    const started = Date.now()
    const deadline = started + this.timeouts.healthy
    for (;;) {
      this.checkAborted()
      const { code, output } = await this.cluster!.runTool('org.apache.kafka.tools.TopicCommand', [
        '--bootstrap-server',
        this.cluster!.bootstrapServers,
        '--describe',
        '--under-replicated-partitions',
      ])
      const lagging = output.split('\n').filter((line) => line.includes('Partition:'))
      if (code === 0 && lagging.length === 0) break
      if (Date.now() > deadline)
        throw new Error(
          `partitions still under-replicated after ${this.timeouts.healthy / 1000} s:\n${output}`,
        )
      await this.sleep(2_000)
    }
    this.step(`every partition in sync (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  }

  // ── catching up ───────────────────────────────────────────────────────────────────────────────────

  /** True once nothing readable (read_committed) lies past the group's committed offset of any input. */
  async caughtUp(): Promise<{ done: boolean; behind: number }> {
    // right after a broker restart the group coordinator may not answer yet (Local: Timed out): retried
    return retrying('check the committed offsets', () => this.countBehind(), { timeoutMs: 60_000 })
  }

  private async countBehind(): Promise<{ done: boolean; behind: number }> {
    const { oracle } = this.options
    const reader = this.kafka!.reader({ isolation: 'read_committed' })
    let behind = 0
    try {
      for (const topic of oracle.inputTopics(this.context)) {
        const committed = await this.admin!.committedOffsets(oracle.applicationId, topic)
        for (let partition = 0; partition < this.partitionsOf(topic); partition++) {
          const from = committed.find((c) => c.partition === partition)?.offset ?? 'earliest'
          await reader.readToEnd({ topic, partition }, from, (records) => {
            behind += records.length
          })
        }
      }
    } finally {
      await reader.close().catch(() => undefined)
    }
    return { done: behind === 0, behind }
  }

  async waitCaughtUp(): Promise<void> {
    const started = Date.now()
    const deadline = started + this.timeouts.catchUp
    let last = -1
    for (;;) {
      this.checkAborted()
      this.checkInstances()
      if (this.runningInstances().length === 0) {
        this.anomalies.push('no instance left running to catch up')
        return
      }
      const { done, behind } = await this.caughtUp()
      if (done) break
      if (behind !== last) this.step(`catching up: ${behind} input records past the committed offsets`)
      last = behind
      if (Date.now() > deadline) {
        this.anomalies.push(
          `the application did not catch up within ${this.timeouts.catchUp / 1000} s (${behind} behind)`,
        )
        this.step(`ANOMALY: not caught up after ${this.timeouts.catchUp / 1000} s (${behind} records behind)`)
        return
      }
      await this.sleep(2_000)
    }
    this.step(`caught up: every input committed (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  }

  async close(): Promise<void> {
    await this.processes.stopAll(10_000)
    await this.admin?.disconnect().catch(() => undefined)
    await this.cluster?.stop()
  }

  get scenarioContext(): ScenarioContext {
    return {
      cluster: this.cluster!,
      quick: this.options.quick ?? false,
      random: () => this.random(),
      step: (message) => this.step(message),
      sleep: (ms) => this.sleep(ms),
      startInstance: () => this.startInstance(),
      restart: (instance) => this.restart(instance),
      settle: (options) => this.settle(options),
      running: () => this.runningInstances(),
      leaderOf: (topic, partition) => this.leaderOf(topic, partition),
      replicasInSync: () => this.replicasInSync(),
    }
  }
}

function defaultRunDir(options: CertifyOptions): string {
  const time = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return path.join(
    repoRoot,
    '.state',
    'certify',
    `${time}-${options.oracle.name}-${options.scenario.name}-${options.client}`,
  )
}

export async function certify(options: CertifyOptions): Promise<CertifyResult> {
  const started = Date.now()
  const runDir = options.runDir ?? defaultRunDir(options)
  await mkdir(runDir, { recursive: true })
  const print = options.log ?? ((line: string) => console.log(line))
  const timeouts = { ...defaultTimeouts, ...options.timeouts }
  const run = new Run(options, runDir, timeouts, print)
  const { oracle, scenario, client } = options
  const title = `${oracle.name} ${scenario.name} (${client}, ${Object.values(run.oracleOptions).join(', ')}${options.quick ? ', quick' : ''})`
  run.step(`${title}: ${scenario.description}; seed ${options.seed ?? 1}; logs in ${runDir}`)

  let verdict: Verdict | undefined
  let produced: number | undefined
  let failure: string | undefined
  try {
    run.java = requireJava()
    run.classPath = (await ensureOracleJars((line) => run.step(line))).classPath
    await run.startBrokers()

    const generator = run.spawnJava(
      'generator',
      await oracle.generator.command(run.context),
      60,
      oracle.generator.finishes ?? false,
    )
    run.step(`generator started (log: ${generator.logFile})`)

    await scenario.run(run.scenarioContext)

    let generatorExit: Awaited<typeof generator.exited> | undefined
    if (oracle.generator.finishes) {
      run.step('waiting for the generator to finish')
      const within = oracle.generator.finishWithinMs ?? timeouts.generatorStop
      const finished = await Promise.race([
        generator.exited,
        new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), within)),
      ])
      if (finished === 'late') run.anomalies.push(`the generator did not finish within ${within / 1000} s`)
      else generatorExit = finished
    } else {
      run.step('stopping the generator')
      const exit = await generator.stop('SIGTERM', timeouts.generatorStop)
      if (exit.forced) run.anomalies.push('the generator did not stop on SIGTERM')
    }
    produced = oracle.generator.producedRecords(generator.output())
    run.step(`generator stopped: ${produced ?? 'unknown'} records produced`)

    await run.waitCaughtUp()
    for (const instance of run.runningInstances()) run.step(`stopping ${instance.id}`)
    await Promise.all(run.runningInstances().map((i) => run.stopInstance(i)))
    run.checkInstances()
    for (const instance of run.instances) {
      const exceptions = [...(instance.process?.output().matchAll(oracle.patterns.exception) ?? [])].length
      if (exceptions > 0)
        run.anomalies.push(`${instance.id} stopped on an engine error ${exceptions} time(s)`)
    }

    if (!oracle.verifier) {
      // the generator verified while the instances ran: its output holds the verdict
      if (generatorExit === undefined) failure = 'the generator, which verifies, did not finish'
      else verdict = oracle.verdict(generator.output(), generatorExit, run.context)
    } else {
      run.step('verifier started')
      const verifier = run.spawnJava('verifier', await oracle.verifier(run.context), 5, true)
      const exit = await Promise.race([
        verifier.exited,
        new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), timeouts.verifier)),
      ])
      if (exit === 'late') {
        await verifier.stop('SIGKILL', 10_000)
        failure = `the verifier did not finish within ${timeouts.verifier / 1000} s`
      } else {
        verdict = oracle.verdict(verifier.output(), exit, run.context)
      }
    }
    run.step(`verifier: ${verdict?.verdict ?? failure}`)
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error)
    run.step(`run failed: ${failure}`)
  } finally {
    run.step('stopping every process and the brokers')
    await run.close()
  }
  run.checkInstances()
  const passed = failure === undefined && verdict?.passed === true && run.anomalies.length === 0
  // the brokers' data is large and of no use after a pass: the logs stay
  if (passed) await rm(path.join(runDir, 'kafka'), { recursive: true, force: true }).catch(() => undefined)
  const durationMs = Date.now() - started
  const seconds = Math.round(durationMs / 1000) // rounded first: 239.6 s is 4m00s, not 3m60s
  const minutes = `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
  const records =
    `${produced?.toLocaleString('en-US') ?? '?'} records produced` +
    (verdict?.verifiedRecords !== undefined
      ? `, ${verdict.verifiedRecords.toLocaleString('en-US')} verified`
      : '')
  const summary =
    `${passed ? 'PASSED' : 'FAILED'} ${title}: ${verdict?.verdict ?? failure ?? 'no verdict'}; ${records}; ` +
    `${minutes}` +
    (run.anomalies.length > 0 ? `; anomalies: ${run.anomalies.join('; ')}` : '') +
    (failure !== undefined && verdict !== undefined ? `; ${failure}` : '') +
    `; logs: ${runDir}`
  return {
    passed,
    verdict,
    anomalies: run.anomalies,
    producedRecords: produced,
    durationMs,
    runDir,
    summary,
  }
}
