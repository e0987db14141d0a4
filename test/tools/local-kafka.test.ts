// The local broker tool: a 3-node cluster with replication, no JVM left behind after its parent is
// SIGKILLed, and one clear message for each bad set-up (no Java, no Maven, a port taken, not ready in time).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm, symlink, mkdir } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createKafkaClient } from '../../kafka/index.js'
import { startLocalKafka } from '../../tools/local-kafka/local-kafka-cluster.js'
import { collect, uniqueName } from '../support/kafka.js'
import { until } from '../support/until.js'

const cli = path.resolve('tools/local-kafka/cli.ts')
const tsx = path.resolve('node_modules/.bin/tsx')
const temps: string[] = []
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(prefix: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  temps.push(dir)
  return dir
}

/** Pids of Java processes running a Kafka node whose files are under dir. */
function jvmsUsing(dir: string): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,comm=,args='], { encoding: 'utf8' }).stdout
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm, ...args]) => comm === 'java' && args.join(' ').includes(`kafka.Kafka ${dir}`))
    .map(([pid]) => Number(pid))
}

/** Runs the broker CLI and returns its exit code and output; fails the test if it hangs. */
function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; output: string; ms: number }>((resolve, reject) => {
    const started = Date.now()
    const child = spawn(tsx, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`broker CLI hung for ${timeoutMs} ms; output:\n${output}`))
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output, ms: Date.now() - started })
    })
  })
}

describe('local Kafka tool', () => {
  // three brokers start, one is killed and restarted: ~20 s on a quiet machine, over 60 s at load 17
  it(
    'runs a 3-node KRaft cluster whose topics replicate and survive one broker failure',
    { timeout: 180_000 },
    async () => {
      const cluster = await startLocalKafka({ nodes: 3 })
      try {
        expect(cluster.nodes).toHaveLength(3)
        const kafka = createKafkaClient({
          brokers: cluster.bootstrapServers.split(','),
          clientId: 'three-nodes',
        })
        const admin = kafka.admin()
        await admin.connect()
        const topic = uniqueName('replicated')
        await admin.createTopics([
          { topic, partitions: 2, replicationFactor: 3, config: { 'min.insync.replicas': '2' } },
        ])
        // the broker asked may learn of a new topic a moment after the controller created it (under load,
        // UNKNOWN_TOPIC_OR_PART for a while)
        const description = await until(
          `${topic} known to the broker asked`,
          async () => (await admin.describeTopics([topic]))[0],
          {
            retryErrors: true,
            timeoutMs: 30_000,
          },
        )
        await admin.disconnect()
        expect(description.partitions.every((p) => new Set(p.replicas).size === 3)).toBe(true)

        const producer = kafka.producer()
        await producer.connect()
        await producer.send([{ topic, key: Buffer.from('a'), value: Buffer.from('before') }])
        await cluster.killNode(2)
        await producer.send([{ topic, key: Buffer.from('a'), value: Buffer.from('after') }])
        await producer.disconnect()
        const records = await collect(kafka, [topic], (r) => r.length >= 2)
        expect(records.map((r) => r.value!.toString())).toEqual(['before', 'after'])
        await cluster.restartNode(2)
        expect(cluster.nodes.every((n) => n.running)).toBe(true)
      } finally {
        await cluster.stop()
      }
    },
  )

  it('leaves no JVM behind when the process that started the broker is killed with SIGKILL', async () => {
    const dir = await tempDir('orphan-')
    const child = spawn(tsx, [cli, '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] })
    await new Promise<void>((resolve, reject) => {
      let output = ''
      child.stdout.on('data', (c: Buffer) => {
        output += c.toString()
        if (output.includes('KAFKA_BROKERS=')) resolve()
      })
      child.on('exit', () => reject(new Error(`CLI exited early:\n${output}`)))
    })
    const started = jvmsUsing(dir)
    try {
      expect(started).toHaveLength(1)
    } finally {
      // kill the whole tsx/node tree at once, the way a crashed or timed-out test run dies
      spawnSync('pkill', ['-KILL', '-f', `${cli} --dir ${dir}`])
    }
    const deadline = Date.now() + 20_000
    while (jvmsUsing(dir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    expect(jvmsUsing(dir)).toEqual([])
  })

  it('fails fast with one message naming Java when Java is missing', async () => {
    const result = await runCli([], { ...process.env, JAVA_HOME: '/nonexistent-jdk' })
    expect(result.code).toBe(2)
    expect(result.output).toMatch(/No Java runtime found.*Java 17/s)
    expect(result.output).not.toMatch(/\n\s+at /) // a message, not a stack trace
  })

  it('fails fast with one message naming Maven when the cache is empty and Maven is missing', async () => {
    const bin = await tempDir('bin-')
    for (const tool of ['node', 'java', 'bash', 'cat', 'sleep', 'seq', 'env']) {
      await symlink(`/usr/bin/${tool}`, path.join(bin, tool))
    }
    const cache = await tempDir('empty-cache-')
    const result = await runCli([], { ...process.env, PATH: bin, KAFKA_CACHE_DIR: cache })
    expect(result.code).toBe(2)
    expect(result.output).toMatch(/Maven \("mvn"\) was not found/)
  })

  it('fails fast with one message naming the port when the broker port is taken', async () => {
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as net.AddressInfo).port
    try {
      const result = await runCli(['--port', String(port)], process.env)
      expect(result.code).toBe(2)
      expect(result.output).toContain(`Port ${port} on 127.0.0.1 (Kafka broker) is already in use`)
    } finally {
      server.close()
    }
  })

  it('gives up with the log tail when the broker is not ready in time, and leaves no JVM', async () => {
    const dir = await tempDir('slow-')
    await mkdir(dir, { recursive: true })
    const result = await runCli(['--dir', dir], { ...process.env, LOCAL_KAFKA_READY_TIMEOUT_MS: '300' })
    expect(result.code).toBe(2)
    expect(result.output).toMatch(/did not become ready within 0 s/)
    expect(jvmsUsing(dir)).toEqual([])
  })
})
