// Runs a test application in a child process (tsx), waits for a line of its output, and kills it.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

export interface ChildApp {
  readonly process: ChildProcess
  output(): string
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>
  /** Sends the signal and waits for the exit; one that does not come in time is an error with the output. */
  kill(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>
}

export function startChild(script: string, env: Record<string, string>): ChildApp {
  // node --import tsx runs the script in this one process, so SIGKILL hits the application itself
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    process: child,
    output: () => output,
    async waitFor(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      const found = () => (typeof text === 'string' ? output.includes(text) : text.test(output))
      while (!found()) {
        if (child.exitCode !== null)
          throw new Error(`child exited (${child.exitCode}) before printing ${String(text)}:\n${output}`)
        if (Date.now() > deadline)
          throw new Error(
            `child did not print ${String(text)} within ${timeoutMs} ms:\n${output.slice(-3000)}`,
          )
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async kill(signal = 'SIGKILL', timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode
      child.kill(signal)
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL')
          reject(new Error(`child did not exit on ${signal} within ${timeoutMs} ms:\n${output.slice(-3000)}`))
        }, timeoutMs)
      })
      return Promise.race([exited, late]).finally(() => clearTimeout(timer))
    },
  }
}
