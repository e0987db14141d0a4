// The faults a certification run injects while the generator writes: each scenario starts the instances,
// stops, kills and restarts them or the brokers, and returns with at least one instance running (the
// runner then waits for it to catch up, stops everything and asks the oracle). certify/README.md describes
// each one; the faults follow Apache Kafka's system tests (streams_eos_test.py,
// streams_broker_down_resilience_test.py).
import type { LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'

/** An instance of the application under test, as the scenarios see it. */
export interface Instance {
  readonly id: string
  readonly running: boolean
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>
  /** SIGTERM (a clean close), and waits for it. */
  stop(): Promise<void>
}

export interface ScenarioContext {
  readonly cluster: LocalKafkaCluster
  /** Fewer and shorter faults (the suite's runs). */
  readonly quick: boolean
  /** A number in [0, 1) from the run's seeded generator. */
  random(): number
  /** Progress: one line on the console and in the run's log. */
  step(message: string): void
  /** Lets the data flow for `ms` (interrupted by Ctrl-C). */
  sleep(ms: number): Promise<void>
  /** Starts a new instance (a fresh id and state directory) and waits until every instance is healthy. */
  startInstance(): Promise<Instance>
  /** Starts a stopped or killed instance again, with its id and state directory; waits until all are healthy. */
  restart(instance: Instance): Promise<void>
  /**
   * Waits until every running instance is RUNNING and processing records again; with `rebalanced`, each
   * must also have gone through a rebalance since (after a kill: the survivors took over its tasks).
   */
  settle(options?: { rebalanced?: boolean }): Promise<void>
  running(): Instance[]
  /** The broker leading a partition now. */
  leaderOf(topic: string, partition: number): Promise<number>
  /** Waits until no partition of the cluster is under-replicated. */
  replicasInSync(): Promise<void>
}

export const scenarioNames = ['plain', 'rebalance', 'crash', 'broker-loss', 'broker-down'] as const
export type ScenarioName = (typeof scenarioNames)[number]

export interface Scenario {
  readonly name: ScenarioName
  readonly description: string
  readonly brokers: 1 | 3
  run(context: ScenarioContext): Promise<void>
}

const plain: Scenario = {
  name: 'plain',
  description: 'one instance, no faults',
  brokers: 1,
  async run(ctx) {
    await ctx.startInstance()
    await ctx.sleep(ctx.quick ? 20_000 : 40_000)
  },
}

/** streams_eos_test.py run_rebalance: instances join and leave one after another (clean stops). */
const rebalance: Scenario = {
  name: 'rebalance',
  description: 'three instances started and stopped one after another while data flows',
  brokers: 1,
  async run(ctx) {
    const dwell = () => ctx.sleep(ctx.quick ? 4_000 : 8_000)
    const one = await ctx.startInstance()
    await dwell()
    const two = await ctx.startInstance()
    await dwell()
    const three = await ctx.startInstance()
    await dwell()
    ctx.step(`stopping ${one.id}`)
    await one.stop()
    await ctx.settle()
    await dwell()
    await ctx.restart(one)
    await dwell()
    ctx.step(`stopping ${two.id}`)
    await two.stop()
    await ctx.settle()
    await dwell()
    ctx.step(`stopping ${three.id}`)
    await three.stop()
    await ctx.settle()
    await dwell()
  },
}

/**
 * streams_eos_test.py run_failure_and_recovery, repeated: a random instance is SIGKILLed every ~15 s; the
 * others take over its tasks (after its session times out) before it is restarted with its state.
 */
const crash: Scenario = {
  name: 'crash',
  description: 'three instances; a random one SIGKILLed every ~15 s and restarted',
  brokers: 1,
  async run(ctx) {
    for (let i = 0; i < 3; i++) await ctx.startInstance()
    const kills = ctx.quick ? 3 : 6
    for (let kill = 1; kill <= kills; kill++) {
      await ctx.sleep(10_000 + Math.floor(ctx.random() * 10_000))
      const running = ctx.running()
      const victim = running[Math.floor(ctx.random() * running.length)]!
      ctx.step(`kill ${kill}/${kills}: SIGKILL ${victim.id}`)
      await victim.kill()
      await ctx.settle({ rebalanced: true })
      await ctx.restart(victim)
    }
    await ctx.sleep(5_000)
  },
}

/**
 * Three brokers (RF 3, min.insync.replicas 2): the leader of a busy partition is SIGKILLed and restarted
 * 20 s later, then every broker is restarted in turn (a clean stop, as in a rolling upgrade).
 */
const brokerLoss: Scenario = {
  name: 'broker-loss',
  description:
    'three brokers (RF 3, min.insync.replicas 2): the leader of a busy partition SIGKILLed and restarted 20 s later, then a rolling restart of every broker',
  brokers: 3,
  async run(ctx) {
    for (let i = 0; i < 3; i++) await ctx.startInstance()
    await ctx.sleep(15_000)
    const leader = await ctx.leaderOf('data', 0)
    ctx.step(`SIGKILL broker ${leader} (leader of data-0)`)
    await ctx.cluster.killNode(leader)
    await ctx.sleep(20_000)
    ctx.step(`restarting broker ${leader}`)
    await ctx.cluster.restartNode(leader)
    await ctx.replicasInSync()
    await ctx.settle()
    await ctx.sleep(10_000)
    for (const node of ctx.cluster.nodes) {
      ctx.step(`rolling restart: stopping broker ${node.nodeId}`)
      await ctx.cluster.stopNode(node.nodeId)
      await ctx.sleep(ctx.quick ? 5_000 : 10_000)
      ctx.step(`rolling restart: starting broker ${node.nodeId}`)
      await ctx.cluster.restartNode(node.nodeId)
      await ctx.replicasInSync()
      await ctx.settle()
    }
    await ctx.sleep(10_000)
  },
}

/** After streams_broker_down_resilience_test.py: the brokers go away and come back; nobody restarts the instances. */
const brokerDown: Scenario = {
  name: 'broker-down',
  description: 'the broker stops for 30 s and comes back while the instances run; they resume on their own',
  brokers: 1,
  async run(ctx) {
    for (let i = 0; i < 3; i++) await ctx.startInstance()
    await ctx.sleep(15_000)
    for (const node of ctx.cluster.nodes) {
      ctx.step(`stopping broker ${node.nodeId}`)
      await ctx.cluster.stopNode(node.nodeId)
    }
    await ctx.sleep(30_000)
    for (const node of ctx.cluster.nodes) {
      ctx.step(`starting broker ${node.nodeId}`)
      await ctx.cluster.restartNode(node.nodeId)
    }
    await ctx.settle()
    await ctx.sleep(15_000)
  },
}

export const scenarios: Readonly<Record<ScenarioName, Scenario>> = {
  plain,
  rebalance,
  crash,
  'broker-loss': brokerLoss,
  'broker-down': brokerDown,
}
