// What the phases of one run share (run-bench.ts `runOnce`): the harness's clients, the scenario, its
// workload plan, the system under test, the run's names and times — and starting that system.
import path from 'node:path'
import type { KafkaAdmin, KafkaClient } from '../kafka/index.js'
import type { RunningChild } from './child-runner.js'
import type { RunTopics } from './kafka-bench.js'
import type { BenchSettings, ScenarioSpec } from './scenarios.js'
import { launch, type LaunchSettings, type SystemSpec } from './systems.js'
import type { WorkloadPlan } from './workload-plan.js'

export interface RunContext {
  /** The run's number: its topic prefix `b<n>-` and application id `bench<n>-<system>`. */
  readonly n: number
  /** The progress-line prefix, e.g. `[3/12] count-uniform-eos rep 1 · Kafka Streams 4.1.2 (Java):`. */
  readonly tag: string
  readonly say: (line: string) => void
  readonly client: KafkaClient
  readonly admin: KafkaAdmin
  readonly brokers: string
  readonly brokerPid: number | undefined
  readonly workDir: string
  readonly quick: boolean
  readonly settings: BenchSettings
  readonly scenario: ScenarioSpec
  readonly plan: WorkloadPlan
  readonly spec: SystemSpec
  readonly rep: number
  readonly topics: RunTopics
  readonly applicationId: string
  readonly stateDir: string
  /** The system keeps state for this workload: tables are loaded first, restore is measured. */
  readonly stateful: boolean
  readonly commitIntervalMs: number
  /** Where each kind of record starts in stream time: tables, then the warm-up, then the backlog. */
  readonly times: { readonly tables: number; readonly warmup: number; readonly backlog: number }
  /** Every child this run started; the run stops those still running when it ends. */
  readonly children: RunningChild[]
}

export interface StartedSystem {
  readonly child: RunningChild
  /** When the system reported RUNNING. */
  readonly runningAt: number
}

function launchSettings(ctx: RunContext, phase: string): LaunchSettings {
  const { settings } = ctx
  const streamSpanMs = (ctx.plan.warmup.length + ctx.plan.backlog.length) * settings.backlogSpacingMs
  return {
    brokers: ctx.brokers,
    applicationId: ctx.applicationId,
    stateDir: ctx.stateDir,
    topics: ctx.topics,
    guarantee: ctx.scenario.guarantee,
    commitIntervalMs: ctx.commitIntervalMs,
    partitions: settings.partitions,
    holdTimeoutMs: settings.holdTimeoutMs,
    punctuationIntervalMs: settings.punctuationIntervalMs,
    strayGraceMs: 2 * streamSpanMs + 600_000,
    javaHeapMb: settings.javaHeapMb,
    logFile: path.join(ctx.workDir, 'logs', `${ctx.n}-${ctx.spec.id}-${phase}.log`),
    workload: ctx.scenario.workload,
    pipeInputs: ctx.plan.inputRoles.map((role) => ctx.topics[role]),
    joinWindowMs: settings.joinWindowMs,
    windowSizeMs: settings.windowSizeMs,
    windowAdvanceMs: settings.windowAdvanceMs,
    graceMs: settings.graceMs,
  }
}

/** Starts the system (its log named after `phase`) and waits until it reports RUNNING. */
export async function startSystem(
  ctx: RunContext,
  phase: string,
  timeoutMs: number,
  /** Told of the child as soon as it is launched (to watch its start-up). */
  onLaunched?: (child: RunningChild) => void,
): Promise<StartedSystem> {
  const child = launch(ctx.spec, launchSettings(ctx, phase), ctx.spec.label)
  ctx.children.push(child)
  onLaunched?.(child)
  const running = await child.waitFor(
    (e) => e.event === 'state' && e.state === 'RUNNING',
    timeoutMs,
    'RUNNING state',
  )
  return { child, runningAt: running.event === 'state' ? running.at : Date.now() }
}
