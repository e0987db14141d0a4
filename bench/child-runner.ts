// Starts one system under test as a child process, follows its BENCH lines (child-protocol.ts), and stops
// it: SIGTERM, then SIGKILL after a grace period. The JVM runs under tools/local-kafka/jvm-watchdog.sh,
// so it dies with the harness even if the harness is killed; the measured pid is then the JVM's.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { parseChildEvent, type ChildEvent } from './child-protocol.js'
import { childPids, commandLine } from './proc-stats.js'

/** Every child still running, so an interrupted harness can stop them all. */
export const runningChildren = new Set<RunningChild>()

export class RunningChild {
  readonly process: ChildProcess
  readonly spawnedAt = Date.now()
  readonly events: (ChildEvent & { readonly receivedAt: number })[] = []
  private readonly tail: string[] = []
  private readonly log: WriteStream
  private readonly exited: Promise<void>
  private waiters: (() => void)[] = []

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    env: Readonly<Record<string, string>>,
    logFile: string,
    /** The measured process is a `java` child of the spawned one (the watchdog). */
    private readonly measureJavaChild = false,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' })
    this.process = spawn(command, [...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    runningChildren.add(this)
    this.exited = new Promise((resolve) =>
      this.process.once('exit', () => {
        runningChildren.delete(this)
        this.wake()
        resolve()
      }),
    )
    const onData = (chunk: Buffer) => {
      this.log.write(chunk)
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue
        const event = parseChildEvent(line)
        if (event) this.events.push({ ...event, receivedAt: Date.now() })
        else {
          this.tail.push(line)
          if (this.tail.length > 80) this.tail.shift()
        }
      }
      this.wake()
    }
    this.process.stdout?.on('data', onData)
    this.process.stderr?.on('data', onData)
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null
  }

  /** The pid to measure: the process itself, or the JVM under the watchdog. */
  measuredPid(): number | undefined {
    const pid = this.process.pid
    if (pid === undefined || !this.measureJavaChild) return pid
    return childPids(pid).find((child) => (commandLine(child)[0] ?? '').endsWith('java'))
  }

  /** Last lines of output that were not BENCH events, for failure messages. */
  outputTail(lines = 8): string {
    return this.tail.slice(-lines).join('\n')
  }

  /** Throws when the child has exited or reported an error. */
  check(): void {
    const error = this.events.find((e) => e.event === 'error')
    if (error && error.event === 'error') throw new Error(`${this.name} reported: ${error.message}`)
    if (!this.running) {
      const status = this.process.exitCode ?? this.process.signalCode
      throw new Error(`${this.name} exited (${status})${this.tail.length ? `: ${this.cause()}` : ''}`)
    }
  }

  /** The last `[warn]` or `[error]` line of the output, if any. */
  lastWarning(): string | undefined {
    return [...this.tail].reverse().find((line) => /^\[(warn|error)\]/.test(line))
  }

  /** The first error line of the output (`SomeError: message`), else its last lines. */
  private cause(): string {
    const error = this.tail.find((line) => /^\s*\w*Error(\s*\[\w+\])?: /.test(line))
    return error?.trim() ?? this.outputTail(4)
  }

  /** Waits for the first event matching `match`; fails on exit, error event or timeout. */
  async waitFor(
    match: (event: ChildEvent) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<ChildEvent & { readonly receivedAt: number }> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.find(match)
      if (found) return found
      this.check()
      if (Date.now() > deadline)
        throw new Error(`${this.name}: no ${what} within ${Math.round(timeoutMs / 1000)} s`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.running) {
      this.process.kill('SIGTERM')
      const timer = setTimeout(() => this.kill(), graceMs)
      await this.exited
      clearTimeout(timer)
    }
    await new Promise<void>((resolve) => this.log.end(() => resolve()))
  }

  /**
   * Stops the measured process (SIGSTOP: every thread, its clients' too) until `resume`. While stopped it
   * sends no heartbeats: keep pauses well within the group's session timeout. `kill` works on it.
   */
  pause(): void {
    this.signalMeasured('SIGSTOP')
  }

  resume(): void {
    this.signalMeasured('SIGCONT')
  }

  private signalMeasured(signal: NodeJS.Signals): void {
    const pid = this.measuredPid()
    if (pid === undefined) throw new Error(`${this.name}: no process to ${signal}`)
    process.kill(pid, signal)
  }

  /** SIGKILL of the child (the watchdog turns SIGUSR1 into SIGKILL of its JVM). */
  kill(): void {
    if (!this.running) return
    if (this.measureJavaChild) {
      const jvm = this.measuredPid()
      try {
        if (jvm !== undefined) process.kill(jvm, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    this.process.kill('SIGKILL')
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }
}
