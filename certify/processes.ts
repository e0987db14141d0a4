// The processes of a certification run: every one is spawned here, writes its stdout and stderr to its own
// log file in the run folder, and is registered until it has exited, so that `stopAll` (the end of a run,
// a failure, Ctrl-C) leaves nothing behind. Each child gets its own process group, so a Ctrl-C in the
// terminal reaches only the runner, which then stops the children in order.
//
// A child outlives a runner killed by SIGKILL only briefly: JVMs run under tools/local-kafka's
// jvm-watchdog.sh, and the TypeScript instances watch their parent pid (see apps/parent-watch.ts).
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import path from 'node:path'

export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface SpawnOptions {
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  readonly logDir: string
}

/** A running (or finished) child: its output so far, conditions on it, and how to end it. */
export class ManagedProcess {
  readonly logFile: string
  private text = ''
  /** Characters dropped from the front of `text` (marks are absolute positions in the whole output). */
  private dropped = 0
  private readonly log: WriteStream
  private readonly child: ChildProcess
  private status: ExitStatus | undefined
  readonly exited: Promise<ExitStatus>
  /** Set before the runner signals the process, so that an exit it caused is not reported as a crash. */
  expectedExit = false

  constructor(
    readonly options: SpawnOptions,
    onExit: (process: ManagedProcess) => void,
  ) {
    this.logFile = path.join(options.logDir, `${options.name}.log`)
    this.log = createWriteStream(this.logFile, { flags: 'a' })
    this.child = spawn(options.command, [...options.args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const onData = (chunk: Buffer) => {
      const s = chunk.toString('utf8')
      this.text += s
      // keep the tail in memory: patterns are matched against recent output, the file has it all
      if (this.text.length > 4_000_000) {
        this.dropped += this.text.length - 2_000_000
        this.text = this.text.slice(-2_000_000)
      }
      this.log.write(chunk)
    }
    this.child.stdout?.on('data', onData)
    this.child.stderr?.on('data', onData)
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.text += `\n[runner] spawn failed: ${error.message}\n`
      })
      this.child.on('close', (code, signal) => {
        this.status = { code, signal }
        this.log.end(`\n[runner] exited: ${describeExit(this.status)}\n`)
        onExit(this)
        resolve(this.status)
      })
    })
  }

  get name(): string {
    return this.options.name
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get running(): boolean {
    return this.status === undefined
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status
  }

  /** Output so far (the recent part of a long one). */
  output(): string {
    return this.text
  }

  /** A mark to wait from: `waitFor(pattern, { after: mark })` ignores what was printed before it. */
  mark(): number {
    return this.dropped + this.text.length
  }

  /** Output printed after `mark` (as much of it as is still in memory). */
  since(mark: number): string {
    return this.text.slice(Math.max(0, mark - this.dropped))
  }

  /**
   * Resolves with the match once the output (after `after`) matches; rejects when the process exits first,
   * when `timeoutMs` passes or `signal` aborts — with the last lines of its output in the message.
   */
  async waitFor(
    pattern: RegExp,
    { timeoutMs, after = 0, signal }: { timeoutMs: number; after?: number; signal?: AbortSignal },
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    // scanned incrementally: from the start of the last line that was still incomplete at the last look
    let from = after
    for (;;) {
      const match = this.text.slice(Math.max(0, from - this.dropped)).match(pattern)
      if (match) return match
      from = Math.max(from, this.dropped + this.text.lastIndexOf('\n') + 1)
      if (!this.running)
        throw new Error(
          `${this.name} exited (${describeExit(this.status!)}) before printing ${String(pattern)}; last output:\n${this.tail()}`,
        )
      if (Date.now() > deadline)
        throw new Error(
          `${this.name} did not print ${String(pattern)} within ${Math.round(timeoutMs / 1000)} s; last output:\n${this.tail()}`,
        )
      if (signal?.aborted) throw new Error('interrupted')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** Sends a signal (to the process group: a child's own children get it too). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return
    try {
      process.kill(-this.child.pid, signal)
    } catch {
      // already gone
    }
  }

  /**
   * Sends `signal` and waits for the exit; after `timeoutMs` it kills the group with SIGKILL and reports
   * that it had to (`forced`).
   */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitStatus & { forced: boolean }> {
    this.expectedExit = true
    if (!this.running) return { ...this.status!, forced: false }
    this.signal(signal)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)))
    const first = await Promise.race([this.exited, late])
    clearTimeout(timer)
    if (first !== 'late') return { ...first, forced: false }
    this.signal('SIGKILL')
    return { ...(await this.exited), forced: true }
  }

  tail(lines = 25): string {
    return this.text.trimEnd().split('\n').slice(-lines).join('\n')
  }
}

export function describeExit(status: ExitStatus): string {
  if (status.signal) return `signal ${status.signal}`
  if (status.code !== null && status.code > 128) return `exit ${status.code} (signal ${status.code - 128})`
  return `exit ${status.code}`
}

/** Every process of a run. */
export class ProcessGroup {
  private readonly live = new Set<ManagedProcess>()
  /** Processes that exited without the runner asking them to. */
  readonly unexpectedExits: { name: string; status: ExitStatus; tail: string }[] = []

  constructor(private readonly logDir: string) {}

  spawn(options: Omit<SpawnOptions, 'logDir'>): ManagedProcess {
    const child = new ManagedProcess({ ...options, logDir: this.logDir }, (p) => {
      this.live.delete(p)
      if (!p.expectedExit) this.unexpectedExits.push({ name: p.name, status: p.exitStatus!, tail: p.tail() })
    })
    this.live.add(child)
    return child
  }

  get running(): readonly ManagedProcess[] {
    return [...this.live]
  }

  /** Stops every live process: SIGTERM, then SIGKILL after `graceMs`. */
  async stopAll(graceMs: number): Promise<void> {
    await Promise.all([...this.live].map((p) => p.stop('SIGTERM', graceMs)))
  }
}
