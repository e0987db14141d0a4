// The service started as an operator starts it: `npm start` (service/main.ts under tsx) with KAFKA_BROKERS
// set, and the production entry point (`npm run build`, then `node dist/service/main.js`, what the image
// runs). Its stdout is JSON lines only (a log pipeline parses every line), it answers /health/ready, and
// SIGTERM stops it cleanly.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { readinessOf, startEntry, type EntryProcess } from '../support/entry-process.js'
import { brokers } from '../support/kafka.js'
import { serviceEnv } from '../support/service.js'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

async function env(base: string): Promise<Record<string, string>> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), `${base}-`))
  dirs.push(stateDir)
  return serviceEnv(base, { KAFKA_BROKERS: brokers().join(','), STATE_DIR: stateDir, LOG_LEVEL: 'info' })
}

async function readyAndStop(entry: EntryProcess): Promise<void> {
  try {
    const ready = await entry.waitForLine(/^Ready: /)
    expect(await readinessOf(ready)).toBe(200)
    entry.process.kill('SIGTERM')
    const { code } = await entry.exited
    expect(code).toBe(0)
  } finally {
    entry.process.kill('SIGKILL')
  }
  const lines = entry.jsonLines() // throws on a line that is not JSON
  expect(lines.length).toBeGreaterThan(3)
  for (const line of lines) {
    expect([typeof line['level'], typeof line['time'], typeof line['msg']]).toEqual([
      'string',
      'string',
      'string',
    ])
  }
  expect(lines.map((l) => l['msg'])).toContain('Stopped cleanly.')
  expect(lines.filter((l) => l['level'] === 'error' || l['level'] === 'fatal')).toEqual([])
}

describe('entry points', () => {
  it(
    'npm start (service/main.ts) logs JSON lines only to stdout, answers /health/ready, stops on SIGTERM',
    {
      timeout: 180_000,
    },
    async () => {
      const entry = startEntry(['--import', 'tsx', 'service/main.ts'], await env('entry-tsx'))
      await readyAndStop(entry)
      const running = entry
        .jsonLines()
        .filter((l) => l['component'] === 'service' && l['state'] === 'RUNNING')
      expect(running.length).toBeGreaterThan(0)
    },
  )

  it(
    'the production entry point (npm run build, node dist/service/main.js) answers /health/ready',
    {
      timeout: 240_000,
    },
    async () => {
      await promisify(execFile)('npm', ['run', 'build'], { cwd: process.cwd(), maxBuffer: 16 << 20 })
      const entry = startEntry(['dist/service/main.js'], {
        ...(await env('entry-dist')),
        NODE_ENV: 'production',
      })
      await readyAndStop(entry)
    },
  )
})
