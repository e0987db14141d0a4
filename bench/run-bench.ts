// `npm run bench` / `npm run bench:quick`: starts one local Kafka broker, then for every scenario and
// repetition runs each system in turn (interleaved) on the same broker, topic layout and records. One run:
//   1. fresh topics;
//   2. the tables a stateful system needs (resource definitions, the join's table), in a start-stop;
//   3. the system started; it drains a warm-up backlog (JIT compilers warm, not measured);
//   4. the system paused (SIGSTOP) while the measured backlog is produced, then resumed;
//   5. records/s from the resume until every input (and internal repartition) partition is committed to
//      its end; app and broker CPU over that window; commits; what it wrote;
//   6. latency at fixed offered rates: half the drain rate (capped; full mode), and one rate for all;
//   7. peak RSS; stop;
//   8. stateful systems (full mode): state directory deleted, restart, restore timed;
//   9. the run's topics deleted.
// Writes bench/results/<date>[-quick].json and bench/results/latest.md, and prints the tables.
// Options (scenarios.ts): --quick, --scenarios=a,b, --systems=a,b, --reps=N, --records=N,
// --warmup-share=F, --latency-seconds=N, --max-rate=N, --common-rate=N, --half-rate=true|false,
// --restore=true|false.
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createKafkaClient, type KafkaAdmin, type KafkaClient } from '../kafka/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'
import { runningChildren } from './child-runner.js'
import { deleteTopicsWithPrefixes, runTopics } from './kafka-bench.js'
import { gitRevision, machineInfo } from './machine-info.js'
import { drainBacklog, commitCount } from './phases/drain-backlog.js'
import { createTopics, loadTables } from './phases/load-inputs.js'
import { measureLatencies } from './phases/measure-latency.js'
import { measureRestore } from './phases/measure-restore.js'
import { preloadWhilePaused, startWarm } from './phases/warm-up.js'
import { commandLine, findPids, peakRssBytes } from './proc-stats.js'
import {
  markdownReport,
  summarize,
  type BenchResults,
  type RunResult,
  type ScenarioResult,
} from './report.js'
import type { RunContext } from './run-context.js'
import { parseBenchOptions, type BenchOptions, type ScenarioSpec } from './scenarios.js'
import { ensureKstreamsBuilt, isStateful, systems, type SystemSpec } from './systems.js'
import { workloadPlan, type WorkloadPlan } from './workload-plan.js'

const here = path.dirname(fileURLToPath(import.meta.url))

/** What every run of one harness process shares. */
interface Harness {
  readonly options: BenchOptions
  readonly say: (line: string) => void
  readonly workDir: string
  readonly cluster: LocalKafkaCluster
  readonly brokerPid: number | undefined
  readonly client: KafkaClient
  readonly admin: KafkaAdmin
  /** The next run's number (topic prefix and application id). */
  readonly nextRun: () => number
}

// ── one run ───────────────────────────────────────────────────────────────────────────────────────────

function runContext(
  harness: Harness,
  scenario: ScenarioSpec,
  plan: WorkloadPlan,
  spec: SystemSpec,
  rep: number,
  tag: string,
): RunContext {
  const { settings } = harness.options
  const n = harness.nextRun()
  const backlog = Date.now() - plan.backlog.length * settings.backlogSpacingMs - 10_000
  const warmup = backlog - plan.warmup.length * settings.backlogSpacingMs - 1000
  return {
    n,
    tag,
    say: harness.say,
    client: harness.client,
    admin: harness.admin,
    brokers: harness.cluster.bootstrapServers,
    brokerPid: harness.brokerPid,
    workDir: harness.workDir,
    quick: harness.options.quick,
    settings,
    scenario,
    plan,
    spec,
    rep,
    topics: runTopics(`b${n}`),
    applicationId: `bench${n}-${spec.id}`,
    stateDir: path.join(harness.workDir, `state-${n}`),
    stateful: isStateful(spec, scenario.workload),
    commitIntervalMs:
      scenario.guarantee === 'exactly_once' ? settings.eosCommitIntervalMs : settings.alosCommitIntervalMs,
    times: { tables: warmup - 1000, warmup, backlog },
    children: [],
  }
}

async function runOnce(ctx: RunContext): Promise<RunResult> {
  try {
    await createTopics(ctx) // 1
    await loadTables(ctx) // 2
    const { child, runningAt, warmupSeconds } = await startWarm(ctx) // 3
    const beforeDrain = await commitCount(ctx, child)
    const resumed = await preloadWhilePaused(ctx, child) // 4
    const drain = await drainBacklog(ctx, child, resumed, beforeDrain?.commits) // 5
    const latencies = await measureLatencies(ctx, child, drain.throughput!) // 6
    const pid = child.measuredPid()
    const peak = pid === undefined ? undefined : peakRssBytes(pid) // 7
    await child.stop()
    const restore = await measureRestore(ctx) // 8
    return {
      system: ctx.spec.id,
      rep: ctx.rep,
      ok: true,
      ...drain,
      startupSeconds: (runningAt - child.spawnedAt) / 1000,
      warmupRecords: ctx.plan.warmup.length,
      warmupSeconds,
      pausedSeconds: resumed.pausedSeconds,
      ...(peak !== undefined ? { peakRssMb: peak / 2 ** 20 } : {}),
      ...latencies,
      ...(restore ? { restore } : {}),
    }
  } catch (error) {
    const warning = ctx.children.at(-1)?.lastWarning()
    const reason = `${error instanceof Error ? error.message.split('\n')[0]! : String(error)}${warning ? `; last warning: ${warning.slice(0, 200)}` : ''}`
    ctx.say(`${ctx.tag}   FAILED: ${reason}`)
    return { system: ctx.spec.id, rep: ctx.rep, ok: false, reason }
  } finally {
    await cleanUp(ctx) // 9
  }
}

async function cleanUp(ctx: RunContext): Promise<void> {
  for (const child of ctx.children) {
    if (!child.running) continue
    try {
      child.resume() // a run that failed while the system was paused
    } catch {
      // its process is already gone
    }
    await child.stop(10_000).catch(() => child.kill())
  }
  await rm(ctx.stateDir, { recursive: true, force: true }).catch(() => undefined)
  await deleteTopicsWithPrefixes(ctx.admin, [`b${ctx.n}-`, `${ctx.applicationId}-`]).catch((e: unknown) =>
    ctx.say(`${ctx.tag}   topic cleanup failed: ${String(e)}`),
  )
}

// ── the whole benchmark ───────────────────────────────────────────────────────────────────────────────

async function runScenarios(harness: Harness, results: BenchResults, save: () => Promise<void>) {
  const { options } = harness
  const { settings } = options
  const runs = options.scenarios.reduce((sum, s) => sum + settings.reps * options.systemsOf(s).length, 0)
  let done = 0
  for (const scenario of options.scenarios) {
    const plan = workloadPlan(scenario, settings)
    const result: ScenarioResult = {
      ...scenario,
      commitIntervalMs:
        scenario.guarantee === 'exactly_once' ? settings.eosCommitIntervalMs : settings.alosCommitIntervalMs,
      partitions: settings.partitions,
      records: plan.backlog.length,
      runs: [],
      summary: [],
    }
    results.scenarios.push(result)
    for (let rep = 1; rep <= settings.reps; rep++) {
      for (const id of options.systemsOf(scenario)) {
        done += 1
        const tag = `[${done}/${runs}] ${scenario.id} rep ${rep} · ${systems[id].label}:`
        harness.say(`${tag} start`)
        const runStarted = Date.now()
        const revision = gitRevision()
        const run = await runOnce(runContext(harness, scenario, plan, systems[id], rep, tag))
        result.runs.push({ ...run, revision })
        if (revision !== results.machine.revision)
          harness.say(`${tag} note: the work tree is now at ${revision}`)
        harness.say(`${tag} done in ${Math.round((Date.now() - runStarted) / 1000)} s`)
        await save()
      }
    }
  }
}

async function startHarness(
  options: BenchOptions,
  say: (line: string) => void,
  workDir: string,
  onCluster: (cluster: LocalKafkaCluster) => void,
): Promise<Harness> {
  const { scenarios, systemsOf } = options
  const runs = scenarios.reduce((sum, s) => sum + options.settings.reps * systemsOf(s).length, 0)
  say(
    `${options.quick ? 'quick' : 'full'} mode: ${scenarios.length} scenario(s) × ${options.settings.reps} repetition(s), ${runs} runs (work dir ${workDir})`,
  )
  if (scenarios.some((s) => systemsOf(s).includes('kstreams'))) ensureKstreamsBuilt(say)
  say('starting the Kafka broker...')
  const cluster = await startLocalKafka({ workDir: path.join(workDir, 'kafka'), log: (line) => say(line) })
  onCluster(cluster)
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
  let counter = 0
  return { options, say, workDir, cluster, brokerPid, client, admin, nextRun: () => ++counter }
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2))
  const startedAt = Date.now()
  const say = (line: string) =>
    console.log(`[bench ${`${Math.round((Date.now() - startedAt) / 1000)}s`.padStart(5)}] ${line}`)
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'reservation-bench-'))
  await mkdir(path.join(workDir, 'logs'), { recursive: true })
  let cluster: LocalKafkaCluster | undefined

  /**
   * Kills the children, stops the broker (its watchdog would also kill it once we are gone) and exits
   * (code 130/143: interrupted). Synchronous file removal: the thread pool may be held by client calls
   * waiting on the stopped broker.
   */
  const shutdown = async (code: number): Promise<never> => {
    for (const child of [...runningChildren]) child.kill()
    await Promise.race([
      cluster?.stop().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 20_000)),
    ])
    if (!process.env['BENCH_KEEP_WORKDIR']) rmSync(workDir, { recursive: true, force: true })
    // after a signal the Kafka clients may still wait on the stopped broker, and their native clean-up at
    // exit would wait with them: end at once
    if (code === 130 || code === 143) process.kill(process.pid, 'SIGKILL')
    process.exit(code)
  }
  process.on('SIGINT', () => void shutdown(130))
  process.on('SIGTERM', () => void shutdown(143))

  try {
    const harness = await startHarness(options, say, workDir, (started) => (cluster = started))
    const results: BenchResults = {
      mode: options.quick ? 'quick' : 'full',
      startedAt: new Date(startedAt).toISOString(),
      machine: machineInfo(harness.cluster.distribution.version),
      settings: options.settings,
      scenarios: [],
    }
    const resultsDir = path.join(here, 'results')
    await mkdir(resultsDir, { recursive: true })
    const stamp = new Date(startedAt).toISOString().replace(/[:]/g, '-').replace(/\..*/, '')
    const jsonFile = path.join(resultsDir, `${stamp}${options.quick ? '-quick' : ''}.json`)
    const save = async () => {
      for (const s of results.scenarios) s.summary = summarize(options.systemsOf(s), s.runs)
      await writeFile(jsonFile, JSON.stringify(results, null, 2))
    }
    await runScenarios(harness, results, save)
    results.finishedAt = new Date().toISOString()
    await save()
    const markdown = markdownReport(results)
    await writeFile(path.join(resultsDir, 'latest.md'), `${markdown}\n`)
    console.log(`\n${markdown}`)
    say(`results: ${path.relative(process.cwd(), jsonFile)} and bench/results/latest.md`)
    await harness.admin.disconnect()
  } catch (error) {
    console.error(error)
    await shutdown(1)
  }
  await shutdown(0)
}

await main()
