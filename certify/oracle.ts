// What the runner needs from an oracle: one small module per Kafka system test (oracles/eos.ts is the
// first). The runner does the rest — brokers, topics, processes, faults, waits, logs and the summary —
// in the same way for every oracle:
//   1. create `topics` (partitions and replication chosen by the runner for the scenario's cluster);
//   2. start the `generator` (a Java main class of Kafka's test jar);
//   3. run the scenario: start, stop, kill and restart `instance`s of the TypeScript application while the
//      generator runs, and inject the scenario's broker faults;
//   4. stop the generator (SIGTERM, or wait for it when it `finishes` by itself);
//   5. wait until the application has committed everything it can see of `inputTopics`;
//   6. stop the instances (SIGTERM: a clean close);
//   7. run the `verifier` and read the `verdict` from its output — or, for an oracle without one (its
//      generator verifies by itself once it has produced everything, as StreamsSmokeTest's driver does),
//      read the verdict from the generator's output.
import type { ExitStatus } from './processes.js'

export interface OracleOption {
  readonly values: readonly string[]
  readonly default: string
  readonly description: string
}

/** What an oracle's commands can refer to. */
export interface OracleContext {
  readonly bootstrapServers: string
  /** The run's own folder (logs, properties files, state directories). */
  readonly runDir: string
  readonly brokers: number
  /** The scenario's name (plain, crash, …). */
  readonly scenario: string
  /** The oracle's options, each set to a valid value (the default when not given). */
  readonly options: Readonly<Record<string, string>>
  /** Writes a Java properties file into the run folder and returns its path. */
  propertiesFile(name: string, properties: Readonly<Record<string, string>>): Promise<string>
}

export interface JavaCommand {
  readonly mainClass: string
  readonly args: readonly string[]
  /** Extra JVM options (e.g. the log level a verdict is printed at). */
  readonly jvmArgs?: readonly string[]
}

export interface Verdict {
  readonly passed: boolean
  /** The oracle's own words: e.g. ALL-RECORDS-DELIVERED, or its first failure message. */
  readonly verdict: string
  /** Input records the verifier checked, when it says. */
  readonly verifiedRecords?: number
}

export interface Oracle {
  readonly name: string
  readonly description: string
  readonly options: Readonly<Record<string, OracleOption>>
  readonly applicationId: string
  /** Partitions of every topic, or per topic. */
  readonly partitions: number | Readonly<Record<string, number>>
  topics(context: OracleContext): readonly string[]
  /** Source topics of the application: the run has caught up when nothing readable lies past their commits. */
  inputTopics(context: OracleContext): readonly string[]
  readonly generator: {
    command(context: OracleContext): Promise<JavaCommand>
    /** The generator ends by itself (wait for it) instead of on SIGTERM. */
    readonly finishes?: boolean
    /** How long it may take to end by itself, counted from the end of the scenario (default: the runner's). */
    readonly finishWithinMs?: number
    /** Records it produced, from its output once it has stopped. */
    producedRecords(output: string): number | undefined
  }
  /** One instance of the application under test: a TypeScript script and its environment. */
  instance(
    context: OracleContext,
    instance: { id: string; stateDir: string; client: string },
  ): {
    readonly script: string
    readonly env: Readonly<Record<string, string>>
  }
  /** Lines of an instance's output that the runner and the scenarios wait for. */
  readonly patterns: {
    /** Captures the new state in group 1. */
    readonly stateChange: RegExp
    readonly runningState: string
    /** Printed while records are processed (every so many records). */
    readonly processing: RegExp
    /** Printed once after a clean close. */
    readonly closed: RegExp
    /** Printed when the engine stopped on an error. */
    readonly exception: RegExp
  }
  /** Absent: the generator verifies by itself, and `verdict` reads the generator's output. */
  verifier?(context: OracleContext): Promise<JavaCommand>
  verdict(verifierOutput: string, exit: ExitStatus, context: OracleContext): Verdict
}
