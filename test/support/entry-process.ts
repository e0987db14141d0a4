// Runs an entry point of the service (`npm start`'s service/main.ts, or the built dist/service/main.js) as
// its own process, keeping stdout apart from stderr: tests read its log lines and its HTTP port.
import { spawn, type ChildProcess } from 'node:child_process'

export interface EntryProcess {
  readonly process: ChildProcess
  stdout(): string
  stderr(): string
  /** The stdout lines parsed as JSON (throws on a line that is not). */
  jsonLines(): Record<string, unknown>[]
  /** Waits for a stdout line whose `msg` matches; returns it parsed. */
  waitForLine(msg: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface EntryOptions {
  /** Its own process group, as a terminal starts a foreground job (signal it with process.kill(-pid)). */
  readonly detached?: boolean
  /** The program (Node by default, e.g. 'npm' for `npm start`). */
  readonly command?: string
  /** Variables removed from the inherited environment. */
  readonly unset?: readonly string[]
}

export function startEntry(
  args: readonly string[],
  env: Record<string, string>,
  options: EntryOptions = {},
): EntryProcess {
  const inherited = { ...process.env }
  for (const name of options.unset ?? []) delete inherited[name]
  const child = spawn(options.command ?? process.execPath, [...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>
        } catch {
          throw new Error(`stdout line is not JSON: ${l}`)
        }
      })
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    jsonLines: lines,
    exited,
    async waitForLine(msg, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => typeof l['msg'] === 'string' && msg.test(l['msg']))
        if (found) return found
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`exited before logging ${String(msg)}:\n${out.slice(-3000)}\n${err.slice(-3000)}`)
        if (Date.now() > deadline)
          throw new Error(
            `did not log ${String(msg)} in ${timeoutMs} ms:\n${out.slice(-3000)}\n${err.slice(-3000)}`,
          )
        await new Promise((r) => setTimeout(r, 50))
      }
    },
  }
}

/**
 * The status of the entry's /health/ready once it answers 200, or the last one after 60 s (503 until the
 * group has assigned the tasks and they restored). `ready` is the entry's "Ready: " log line.
 */
export async function readinessOf(ready: Record<string, unknown>): Promise<number> {
  const url = `http://127.0.0.1:${String(ready['httpPort'])}/health/ready`
  const deadline = Date.now() + 60_000
  let status = 0
  while (status !== 200 && Date.now() < deadline) {
    status = (await fetch(url)).status
    if (status !== 200) await new Promise((r) => setTimeout(r, 200))
  }
  return status
}
