// `npm run bench` / `npm run bench:quick`: starts one local Kafka broker, then for every scenario and
// repetition runs each system in turn (interleaved) on the same broker, topics layout and workload:
//   1. fresh topics; the resource definitions, loaded by the stateful systems in a first start-stop;
//   2. the backlog preloaded; the system started; records/s from RUNNING until every input (and internal
//      repartition) partition is committed to its end; app and broker CPU over that window;
//   3. latency at fixed offered rates: half the system's drain rate (capped), and one rate for all;
//   4. peak RSS; stop; for stateful systems: state directory deleted, restart, restore timed;
//   5. the run's topics deleted.
// Writes bench/results/<date>.json and bench/results/latest.md, and prints the table.
// Options: --quick, --systems=a,b, --scenarios=a,b, --reps=N, --records=N, --latency-seconds=N,
// --max-rate=N, --common-rate=N.
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createKafkaClient, type KafkaAdmin, type KafkaClient, type OutgoingRecord } from '../kafka/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'
import { runningChildren, type RunningChild } from './child-runner.js'
import {
  countByType,
  createRunTopics,
  deleteTopicsWithPrefixes,
  endOffsetsByPartition,
  produceAll,
  runTopics,
  totalEndOffset,
  waitDrained,
  type RunTopics,
} from './kafka-bench.js'
import { measureLatency } from './latency.js'
import { gitRevision, machineInfo } from './machine-info.js'
import { commandLine, cpuSeconds, findPids, peakRssBytes } from './proc-stats.js'
import {
  markdownReport,
  summarize,
  type BenchResults,
  type RestoreResult,
  type RunResult,
  type ScenarioResult,
  type ScenarioSpec,
} from './report.js'
import {
  ensureKstreamsBuilt,
  internalTopicsOf,
  launch,
  outputTopicOf,
  systemIds,
  systems,
  type LaunchSettings,
  type SystemId,
  type SystemSpec,
} from './systems.js'
import { resourceDefinitions, workloadRecords, type WorkloadRecord } from './workload.js'

const here = path.dirname(fileURLToPath(import.meta.url))

// ── settings ──────────────────────────────────────────────────────────────────────────────────────────

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key = '', value = 'true'] = arg.replace(/^--/, '').split('=')
    return [key, value] as const
  }),
)
const quick = args.has('quick')
const allScenarios: ScenarioSpec[] = [
  {
    id: 'uniform-eos',
    description: 'Uniform over 1,000 resources, exactly-once',
    guarantee: 'exactly_once',
    resources: 1000,
    distribution: { kind: 'uniform' },
    extraSystems: ['service-kafkajs'],
  },
  {
    id: 'zipf-eos',
    description: 'Zipf (s = 1.0) over 1,000 resources, exactly-once',
    guarantee: 'exactly_once',
    resources: 1000,
    distribution: { kind: 'zipf', exponent: 1 },
  },
  {
    id: 'uniform-alos',
    description: 'Uniform over 1,000 resources, at-least-once',
    guarantee: 'at_least_once',
    resources: 1000,
    distribution: { kind: 'uniform' },
  },
  {
    id: 'zipf-alos',
    description: 'Zipf (s = 1.0) over 1,000 resources, at-least-once',
    guarantee: 'at_least_once',
    resources: 1000,
    distribution: { kind: 'zipf', exponent: 1 },
  },
  {
    id: 'few-eos',
    description: 'Uniform over 20 resources, exactly-once',
    guarantee: 'exactly_once',
    resources: 20,
    distribution: { kind: 'uniform' },
  },
]
const settings = {
  partitions: 6,
  records: Number(args.get('records') ?? (quick ? 30_000 : 50_000)),
  reps: Number(args.get('reps') ?? (quick ? 1 : 3)),
  latencySeconds: Number(args.get('latency-seconds') ?? (quick ? 6 : 10)),
  latencyWarmupMs: 1000,
  /** The latency probe offers half the drain rate, at most this (the harness shares the 2 cores). */
  maxOfferedRate: Number(args.get('max-rate') ?? 4000),
  /** A second latency probe at this rate for every system, so that p99s compare at equal load. */
  commonRate: Number(args.get('common-rate') ?? 1000),
  eosCommitIntervalMs: 100,
  /** Equal for every system; shorter than Kafka Streams' 30 s default so the end of a drain shows within a second. */
  alosCommitIntervalMs: 1000,
  /** Backlog record timestamps are this far apart (stream time). */
  backlogSpacingMs: 1,
  /**
   * Longer than any run: in a preloaded backlog a decider runs ahead of the repartitioned payments by a
   * system-dependent amount of stream time, so expiring holds would make the systems' event mixes differ.
   */
  holdTimeoutMs: 3_600_000,
  punctuationIntervalMs: 10_000,
  javaHeapMb: 512,
}
const scenarioIds = (
  args.get('scenarios') ?? (quick ? 'uniform-eos' : 'uniform-eos,zipf-eos,uniform-alos')
).split(',')
const scenarios = scenarioIds.map((id) => {
  const found = allScenarios.find((s) => s.id === id)
  if (!found) throw new Error(`unknown scenario ${id}; known: ${allScenarios.map((s) => s.id).join(', ')}`)
  return found
})
const baseSystems: SystemId[] = ['pipe-confluent', 'pipe-kafkajs', 'service-confluent', 'kstreams']
const chosenSystems = args
  .get('systems')
  ?.split(',')
  .map((id) => {
    if (!(systemIds as readonly string[]).includes(id))
      throw new Error(`unknown system ${id}; known: ${systemIds.join(', ')}`)
    return id as SystemId
  })
/** The systems of a scenario in run order: --systems, or the base four plus the scenario's extras (full mode). */
const systemsOf = (scenario: ScenarioSpec): SystemId[] =>
  chosenSystems ??
  (quick ? baseSystems : [...baseSystems.slice(0, 3), ...(scenario.extraSystems ?? []), 'kstreams'])

// ── harness state ─────────────────────────────────────────────────────────────────────────────────────

const startedAt = Date.now()
const elapsed = () => `${Math.round((Date.now() - startedAt) / 1000)}s`.padStart(5)
const say = (line: string) => console.log(`[bench ${elapsed()}] ${line}`)
let cluster: LocalKafkaCluster | undefined
let workDir = ''
let runCounter = 0

/**
 * Kills the children, stops the broker (its watchdog would also kill it once we are gone) and exits
 * (code 130/143: interrupted).
 * Synchronous file removal: the thread pool may be held by client calls waiting on the stopped broker.
 */
async function shutdown(code: number): Promise<never> {
  for (const child of [...runningChildren]) child.kill()
  await Promise.race([
    cluster?.stop().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 20_000)),
  ])
  if (workDir && !process.env['BENCH_KEEP_WORKDIR']) rmSync(workDir, { recursive: true, force: true })
  // after a signal the Kafka clients may still wait on the stopped broker, and their native clean-up at
  // exit would wait with them: end at once
  if (code === 130 || code === 143) process.kill(process.pid, 'SIGKILL')
  process.exit(code)
}
process.on('SIGINT', () => void shutdown(130))
process.on('SIGTERM', () => void shutdown(143))

// ── one run ───────────────────────────────────────────────────────────────────────────────────────────

interface ScenarioWorkload {
  readonly resources: { key: string; value: Buffer }[]
  readonly backlog: WorkloadRecord[]
}

function toOutgoing(record: WorkloadRecord, topics: RunTopics, timestamp: number): OutgoingRecord {
  return {
    topic: record.topic === 'commands' ? topics.commands : topics.payments,
    key: Buffer.from(record.key),
    value: record.value,
    timestamp,
  }
}

async function runOnce(
  client: KafkaClient,
  admin: KafkaAdmin,
  brokerPid: number | undefined,
  scenario: ScenarioSpec,
  workload: ScenarioWorkload,
  spec: SystemSpec,
  rep: number,
  tag: string,
): Promise<RunResult> {
  const n = ++runCounter
  const prefix = `b${n}`
  const applicationId = `bench${n}-${spec.id}`
  const topics = runTopics(prefix)
  const stateDir = path.join(workDir, `state-${n}`)
  const guarantee = scenario.guarantee
  const commitIntervalMs =
    guarantee === 'exactly_once' ? settings.eosCommitIntervalMs : settings.alosCommitIntervalMs
  const records = workload.backlog.length
  const spanMs = records * settings.backlogSpacingMs
  const launchSettings = (phase: string): LaunchSettings => ({
    brokers: cluster!.bootstrapServers,
    applicationId,
    stateDir,
    topics,
    guarantee,
    commitIntervalMs,
    partitions: settings.partitions,
    holdTimeoutMs: settings.holdTimeoutMs,
    punctuationIntervalMs: settings.punctuationIntervalMs,
    strayGraceMs: 2 * spanMs + 600_000,
    javaHeapMb: settings.javaHeapMb,
    logFile: path.join(workDir, 'logs', `${n}-${spec.id}-${phase}.log`),
  })
  const startAndWait = async (
    phase: string,
    timeoutMs: number,
  ): Promise<{ child: RunningChild; runningAt: number }> => {
    const child = launch(spec, launchSettings(phase), spec.label)
    const running = await child.waitFor(
      (e) => e.event === 'state' && e.state === 'RUNNING',
      timeoutMs,
      'RUNNING state',
    )
    return { child, runningAt: running.event === 'state' ? running.at : Date.now() }
  }
  let child: RunningChild | undefined
  try {
    await createRunTopics(admin, topics, settings.partitions)
    if (spec.kind === 'service' && spec.client === 'kafkajs') {
      // Work-around: with kafkajs the engine fails at start creating its instance-registry topic
      // (UNKNOWN_TOPIC_OR_PARTITION from the metadata request that follows CreateTopics); created here first.
      await admin.createTopics([
        { topic: `${applicationId}-instances`, partitions: 1, config: { 'cleanup.policy': 'compact' } },
      ])
    }
    const producer = client.producer({ idempotent: true, lingerMs: 5 })
    await producer.connect()
    const t0 = Date.now() - spanMs - 10_000
    try {
      // 1. resource definitions (stateful systems load them in a first start-stop)
      if (spec.stateful) {
        await produceAll(
          producer,
          workload.resources.map((r) => ({
            topic: topics.resources,
            key: Buffer.from(r.key),
            value: r.value,
            timestamp: t0 - 1000,
          })),
        )
        const started = await startAndWait('resources', 180_000)
        child = started.child
        await waitDrained({
          admin,
          groupId: applicationId,
          inputs: new Map([[topics.resources, await endOffsetsByPartition(admin, topics.resources)]]),
          internal: [],
          markerSlack: 0,
          timeoutMs: 120_000,
          stallMs: 60_000,
          check: () => child!.check(),
        })
        await child.stop()
        child = undefined
      }
      // 2. the backlog
      say(`${tag} preloading ${records.toLocaleString('en-US')} records`)
      const preloadStarted = Date.now()
      await produceAll(
        producer,
        workload.backlog.map((r) => toOutgoing(r, topics, t0 + r.position * settings.backlogSpacingMs)),
      )
      say(
        `${tag} preloaded in ${((Date.now() - preloadStarted) / 1000).toFixed(1)} s; starting ${spec.label}`,
      )
    } finally {
      await producer.disconnect()
    }
    const inputs = new Map([
      [topics.commands, await endOffsetsByPartition(admin, topics.commands)],
      [topics.payments, await endOffsetsByPartition(admin, topics.payments)],
    ])
    const started = await startAndWait('drain', 180_000)
    child = started.child
    const running = child
    const pid = running.measuredPid()
    const app0 = pid === undefined ? undefined : cpuSeconds(pid)
    const broker0 = brokerPid === undefined ? undefined : cpuSeconds(brokerPid)
    let lastReport = Date.now()
    const drainedAt = await waitDrained({
      admin,
      groupId: applicationId,
      inputs,
      internal: internalTopicsOf(spec, applicationId),
      markerSlack: guarantee === 'exactly_once' ? 1 : 0,
      timeoutMs: quick ? 300_000 : 900_000,
      stallMs: 60_000,
      check: () => running.check(),
      progress: (committed, total) => {
        if (Date.now() - lastReport < 5000) return
        lastReport = Date.now()
        const seconds = (Date.now() - started.runningAt) / 1000
        say(
          `${tag}   draining: ${Math.round((100 * committed) / total)}% (${Math.round(committed / seconds)} records/s so far)`,
        )
      },
    })
    const app1 = pid === undefined ? undefined : cpuSeconds(pid)
    const broker1 = brokerPid === undefined ? undefined : cpuSeconds(brokerPid)
    let commits: RunResult['commits']
    let memory: RunResult['memory']
    const drainSeconds = Math.max(0.001, (drainedAt - started.runningAt) / 1000)
    const throughput = records / drainSeconds
    const millions = records / 1e6
    if (spec.kind === 'service') {
      // the resources phase ran in another process: everything counted here is the drain's
      running.process.kill('SIGUSR2')
      const metrics = await running
        .waitFor((e) => e.event === 'metrics', 10_000, 'metrics')
        .catch(() => undefined)
      if (metrics?.event === 'metrics') {
        const count = metrics.values['streams_commit_latency_seconds_count'] ?? 0
        const seconds = metrics.values['streams_commit_latency_seconds_sum'] ?? 0
        commits = { count, seconds, shareOfDrain: seconds / drainSeconds }
        const mb = (name: string) => (metrics.values[name] ?? 0) / 2 ** 20
        memory = {
          rssMb: mb('process_resident_memory_bytes'),
          heapTotalMb: mb('nodejs_heap_size_total_bytes'),
          heapUsedMb: mb('nodejs_heap_size_used_bytes'),
          externalMb: mb('nodejs_external_memory_bytes'),
        }
        say(
          `${tag}   memory after the drain: RSS ${Math.round(memory.rssMb)} MB = V8 heap ${Math.round(memory.heapTotalMb)} MB (${Math.round(memory.heapUsedMb)} used) + external ${Math.round(memory.externalMb)} MB + native rest`,
        )
      }
    } else if (spec.kind === 'kstreams') {
      await new Promise((resolve) => setTimeout(resolve, 1200)) // it reports every second
      const metrics = running.events.filter((e) => e.event === 'metrics').pop()
      if (metrics?.event === 'metrics') {
        const count = metrics.values['commit-total'] ?? 0
        const seconds = (count * (metrics.values['commit-latency-avg-ms'] ?? 0)) / 1000
        commits = { count, seconds, shareOfDrain: seconds / drainSeconds }
      }
    }
    const outputTypes = spec.stateful ? await countByType(client, admin, topics.events) : undefined
    const outputPerInput = outputTypes
      ? Object.values(outputTypes).reduce((a, b) => a + b, 0) / records
      : (await totalEndOffset(admin, outputTopicOf(spec, topics))) / records
    say(
      `${tag}   drained in ${drainSeconds.toFixed(1)} s: ${Math.round(throughput)} records/s (${outputPerInput.toFixed(2)} output records per input)`,
    )
    if (commits)
      say(
        `${tag}   ${commits.count} commits took ${commits.seconds.toFixed(1)} s (${Math.round(100 * commits.shareOfDrain)}% of the drain)`,
      )
    if (outputTypes) {
      const mix = Object.entries(outputTypes).sort(([a], [b]) => a.localeCompare(b))
      say(`${tag}   events: ${mix.map(([type, count]) => `${type} ${count}`).join(', ')}`)
    }

    // 3. latency at fixed offered rates: half the system's drain rate, then the rate common to all systems
    const probe = async (rate: number, phase: string) => {
      say(`${tag}   latency at ${rate} records/s (${phase}) for ${settings.latencySeconds} s`)
      const result = await measureLatency({
        client,
        outputTopic: outputTopicOf(spec, topics),
        topicOf: (r) => (r.topic === 'commands' ? topics.commands : topics.payments),
        records: workloadRecords({
          seed: 1000 + 2 * rep + (phase === 'half' ? 0 : 1),
          resources: scenario.resources,
          distribution: scenario.distribution,
          records: rate * (settings.latencySeconds + 5),
          idPrefix: `l${n}${phase === 'half' ? 'h' : 'c'}`,
          followUpDelay: [rate, rate * 3],
          clock: () => Date.now(),
        }),
        rate,
        durationMs: settings.latencySeconds * 1000,
        warmupMs: settings.latencyWarmupMs,
        settleMs: 20_000,
        check: () => running.check(),
        groupId: `${applicationId}-latency-${phase}`,
      })
      say(
        `${tag}   p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (${result.samples} samples, ${result.unanswered} of ${result.sent} unanswered)`,
      )
      return result
    }
    const latency = await probe(
      Math.max(50, Math.min(settings.maxOfferedRate, Math.round(throughput / 2))),
      'half',
    )
    const latencyCommon = await probe(settings.commonRate, 'common')

    // 4. peak memory, stop, restore
    const peak = pid === undefined ? undefined : peakRssBytes(pid)
    await running.stop()
    child = undefined
    let restore: RestoreResult | undefined
    if (spec.stateful) {
      await rm(stateDir, { recursive: true, force: true })
      say(`${tag}   state deleted; restoring`)
      const restarted = await startAndWait('restore', quick ? 300_000 : 900_000)
      child = restarted.child
      await new Promise((resolve) => setTimeout(resolve, 1000)) // restore reports may trail the state change
      const restored = restarted.child.events.filter((e) => e.event === 'restored')
      const total = restored.reduce((sum, e) => sum + (e.event === 'restored' ? e.records : 0), 0)
      const from = Math.min(...restored.map((e) => (e.event === 'restored' ? e.startAt : Infinity)))
      const to = Math.max(...restored.map((e) => (e.event === 'restored' ? e.endAt : 0)))
      const seconds = restored.length > 0 ? Math.max(0.001, (to - from) / 1000) : 0
      restore = {
        records: total,
        seconds,
        rate: seconds > 0 ? total / seconds : 0,
        readySeconds: (restarted.runningAt - restarted.child.spawnedAt) / 1000,
      }
      say(
        `${tag}   restored ${total} changelog records in ${seconds.toFixed(2)} s (${Math.round(restore.rate)}/s), RUNNING ${restore.readySeconds.toFixed(1)} s after start`,
      )
      await restarted.child.stop()
      child = undefined
    }
    return {
      system: spec.id,
      rep,
      ok: true,
      records,
      throughput,
      drainSeconds,
      startupSeconds: (started.runningAt - running.spawnedAt) / 1000,
      ...(app0 !== undefined && app1 !== undefined ? { appCpuPerMillion: (app1 - app0) / millions } : {}),
      ...(broker0 !== undefined && broker1 !== undefined
        ? { brokerCpuPerMillion: (broker1 - broker0) / millions }
        : {}),
      ...(peak !== undefined ? { peakRssMb: peak / 2 ** 20 } : {}),
      latency,
      latencyCommon,
      ...(restore ? { restore } : {}),
      outputPerInput,
      ...(outputTypes ? { outputTypes } : {}),
      ...(commits ? { commits } : {}),
      ...(memory ? { memory } : {}),
    }
  } catch (error) {
    const warning = child?.lastWarning()
    const reason = `${error instanceof Error ? error.message.split('\n')[0]! : String(error)}${warning ? `; last warning: ${warning.slice(0, 200)}` : ''}`
    say(`${tag}   FAILED: ${reason}`)
    return { system: spec.id, rep, ok: false, reason }
  } finally {
    if (child) await child.stop(10_000).catch(() => child?.kill())
    await rm(stateDir, { recursive: true, force: true }).catch(() => undefined)
    await deleteTopicsWithPrefixes(admin, [`${prefix}-`, `${applicationId}-`]).catch((e: unknown) =>
      say(`${tag}   topic cleanup failed: ${String(e)}`),
    )
  }
}

// ── main ──────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'reservation-bench-'))
  await mkdir(path.join(workDir, 'logs'), { recursive: true })
  const runs = scenarios.reduce((sum, scenario) => sum + settings.reps * systemsOf(scenario).length, 0)
  say(
    `${quick ? 'quick' : 'full'} mode: ${scenarios.length} scenario(s) × ${settings.reps} repetition(s) × 4–5 systems = ${runs} runs, ${settings.records.toLocaleString('en-US')} records each (work dir ${workDir})`,
  )
  if (scenarios.some((scenario) => systemsOf(scenario).includes('kstreams'))) ensureKstreamsBuilt(say)
  say('starting the Kafka broker...')
  cluster = await startLocalKafka({ workDir: path.join(workDir, 'kafka'), log: (line) => say(line) })
  const brokerPid = findPids(['kafka.Kafka', path.join(workDir, 'kafka')]).find((pid) =>
    (commandLine(pid)[0] ?? '').endsWith('java'),
  )
  if (brokerPid === undefined) say('warning: broker JVM not found in /proc; its CPU is not measured')
  const client = createKafkaClient({
    kind: 'confluent',
    brokers: cluster.bootstrapServers.split(','),
    clientId: 'bench-harness',
  })
  const admin = client.admin()
  await admin.connect()

  const results: BenchResults = {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date(startedAt).toISOString(),
    machine: machineInfo(cluster.distribution.version),
    settings: { ...settings },
    scenarios: [],
  }
  const resultsDir = path.join(here, 'results')
  await mkdir(resultsDir, { recursive: true })
  const stamp = new Date(startedAt).toISOString().replace(/[:]/g, '-').replace(/\..*/, '')
  const jsonFile = path.join(resultsDir, `${stamp}${quick ? '-quick' : ''}.json`)
  const save = async () => {
    for (const s of results.scenarios) s.summary = summarize(systemsOf(s), s.runs)
    await writeFile(jsonFile, JSON.stringify(results, null, 2))
  }

  let done = 0
  for (const scenario of scenarios) {
    const workload: ScenarioWorkload = {
      resources: resourceDefinitions({ ...scenario, records: settings.records }),
      backlog: [
        ...workloadRecords({
          seed: 42,
          resources: scenario.resources,
          distribution: scenario.distribution,
          records: settings.records,
          idPrefix: 'b',
          followUpDelay: [500, 5000],
        }),
      ],
    }
    const result: ScenarioResult = {
      ...scenario,
      commitIntervalMs:
        scenario.guarantee === 'exactly_once' ? settings.eosCommitIntervalMs : settings.alosCommitIntervalMs,
      partitions: settings.partitions,
      records: settings.records,
      runs: [],
      summary: [],
    }
    results.scenarios.push(result)
    for (let rep = 1; rep <= settings.reps; rep++) {
      for (const id of systemsOf(scenario)) {
        done += 1
        const tag = `[${done}/${runs}] ${scenario.id} rep ${rep} · ${systems[id].label}:`
        say(`${tag} start`)
        const runStarted = Date.now()
        const revision = gitRevision()
        const run = await runOnce(client, admin, brokerPid, scenario, workload, systems[id], rep, tag)
        result.runs.push({ ...run, revision })
        if (revision !== results.machine.revision) say(`${tag} note: the work tree is now at ${revision}`)
        say(`${tag} done in ${Math.round((Date.now() - runStarted) / 1000)} s`)
        await save()
      }
    }
  }
  results.finishedAt = new Date().toISOString()
  await save()
  const markdown = markdownReport(results)
  await writeFile(path.join(resultsDir, 'latest.md'), `${markdown}\n`)
  console.log(`\n${markdown}`)
  say(`results: ${path.relative(process.cwd(), jsonFile)} and bench/results/latest.md`)
  await admin.disconnect()
}

try {
  await main()
  await shutdown(0)
} catch (error) {
  console.error(error)
  await shutdown(1)
}
