// Ctrl-C in the terminal running `npm start` (no KAFKA_BROKERS: the service starts its own broker), driven
// the way a terminal does it: `npm start` in a process group of its own, SIGINT to the whole group. The
// service drains, commits and leaves the group, then stops the broker, and everything is gone in seconds,
// with no connection errors on the way. A second Ctrl-C while the first one waits (here for a broker that
// stopped answering) kills the broker and exits 130 at once.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createKafkaClient, retrying } from '../../kafka/index.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import type { ReservationCommand } from '../../schemas/index.js'
import { configFromEnv } from '../../service/config.js'
import { startLocalKafka } from '../../tools/local-kafka/local-kafka-cluster.js'
import { freePort } from '../../tools/local-kafka/prerequisites.js'
import { readinessOf, startEntry, type EntryProcess } from '../support/entry-process.js'
import { collect } from '../support/kafka.js'
import { serviceEnv } from '../support/service.js'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

/** Processes whose command line names the directory (the broker's JVM and its watchdog name its files). */
function processesUsing(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(dir))
}

async function startNpm(base: string) {
  const root = await mkdtemp(path.join(os.tmpdir(), `${base}-`))
  dirs.push(root)
  const kafkaDir = path.join(root, 'kafka')
  const port = await freePort()
  const env = serviceEnv(base, {
    STATE_DIR: path.join(root, 'state'),
    LOCAL_KAFKA_DIR: kafkaDir,
    LOCAL_KAFKA_PORT: String(port),
    LOG_LEVEL: 'info',
    // no commit but the last one: what the group has committed after the stop is the shutdown's commit
    PROCESSING_GUARANTEE: 'at_least_once',
    COMMIT_INTERVAL_MS: '600000',
    PARTITIONS: '2',
  })
  const entry = startEntry(['--silent', 'start'], env, {
    command: 'npm',
    detached: true,
    unset: ['KAFKA_BROKERS'],
  })
  return { entry, env, kafkaDir, port }
}

async function waitReady(entry: EntryProcess): Promise<{ bootstrap: string }> {
  const local = await entry.waitForLine(/^Local Kafka: /, 120_000)
  const ready = await entry.waitForLine(/^Ready: /, 120_000)
  expect(await readinessOf(ready)).toBe(200)
  return { bootstrap: String(local['bootstrapServers']) }
}

/** The pid of the broker's JVM (not its watchdog shell). */
function brokerJvm(kafkaDir: string): number {
  const jvms = processesUsing(kafkaDir).filter((l) => /\bjava\b/.test(l) && !l.includes('jvm-watchdog.sh'))
  expect(jvms).toHaveLength(1)
  return Number(jvms[0]!.trim().split(/\s+/)[0])
}

function killGroup(entry: EntryProcess): void {
  try {
    process.kill(-entry.process.pid!, 'SIGKILL')
  } catch {
    // the group is gone already
  }
}

function logLines(entry: EntryProcess): Record<string, unknown>[] {
  return entry
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

describe('Ctrl-C on npm start', () => {
  it(
    'stops in seconds after the final commit, then stops the broker: no connection errors, no process left',
    { timeout: 300_000 },
    async () => {
      const { entry, env, kafkaDir, port } = await startNpm('ctrl-c')
      try {
        const { bootstrap } = await waitReady(entry)
        const config = configFromEnv(env)
        const codecs = await reservationCodecs(config.format, config.topics)
        const kafka = createKafkaClient({ brokers: [bootstrap], clientId: 'ctrl-c-test' })
        const producer = kafka.producer()
        await producer.connect()
        const commands: ReservationCommand[] = Array.from({ length: 200 }, (_, i) => ({
          type: 'CancelReservation',
          commandId: `cmd-${i}`,
          resourceId: `room-${i % 20}`,
          issuedAt: Date.now(),
          reservationId: `res-${i}`,
          reason: 'test',
        }))
        await producer.send(
          commands.map((c) => ({
            topic: config.topics.commands,
            key: Buffer.from(c.resourceId),
            value: codecs.command.encode(c),
          })),
        )
        await producer.disconnect()
        // every command decided (a rejection each: the reservations do not exist)
        await collect(kafka, [config.topics.events], (records) => records.length >= commands.length, {
          isolation: 'read_uncommitted',
          timeoutMs: 60_000,
        })

        const signalled = Date.now()
        process.kill(-entry.process.pid!, 'SIGINT') // what a terminal's Ctrl-C does
        const exit = await entry.exited
        const stopMs = Date.now() - signalled
        // npm ends itself with the signal its script got; the service's own end is in its last lines
        expect(exit.code === 0 || exit.signal === 'SIGINT').toBe(true)
        expect(stopMs).toBeLessThan(20_000)
        const messages = logLines(entry).map((l) => String(l['msg']))
        expect(messages).toEqual(
          expect.arrayContaining([
            'Stopped cleanly.',
            'Stopping the local Kafka broker...',
            'Local Kafka broker stopped.',
          ]),
        )
        expect(messages.indexOf('Stopped cleanly.')).toBeLessThan(
          messages.indexOf('Stopping the local Kafka broker...'),
        )
        const errors = logLines(entry).filter((l) => l['level'] === 'error' || l['level'] === 'fatal')
        // printed so they stay visible; not the confluent consumer's revocation on leaving the group, which
        // committed and sought on a disconnecting consumer
        for (const e of errors) console.log(`error line during the stop: ${String(e['msg'])}`)
        expect(entry.stdout() + entry.stderr()).not.toMatch(/Seek can only be called while connected/)
        expect(entry.stdout() + entry.stderr()).not.toMatch(
          /Connection refused|ECONNREFUSED|brokers are down/,
        )
        expect(processesUsing(kafkaDir)).toEqual([])

        // the final commit: the group's committed offsets cover every command it processed
        const broker = await startLocalKafka({ port, workDir: kafkaDir })
        try {
          const admin = createKafkaClient({
            brokers: [broker.bootstrapServers],
            clientId: 'ctrl-c-check',
          }).admin()
          await admin.connect()
          // the restarted broker loads the group's offsets first: a timeout until then is retried (under
          // load it outlasts librdkafka's own timeout)
          const committed = await retrying('committed offsets after the restart', () =>
            admin.committedOffsets(config.applicationId, config.topics.commands),
          )
          await admin.disconnect()
          expect(committed.reduce((sum, o) => sum + o.offset, 0)).toBe(commands.length)
        } finally {
          await broker.stop()
        }
        console.log(`Ctrl-C: npm start exited ${stopMs} ms after SIGINT to its process group`)
      } finally {
        killGroup(entry)
      }
    },
  )

  it(
    'stops at once on a second Ctrl-C while the first waits for an unresponsive broker: exit 130, broker killed, no process left',
    { timeout: 300_000 },
    async () => {
      const { entry, kafkaDir } = await startNpm('ctrl-c-twice')
      let jvm: number | undefined
      try {
        await waitReady(entry)
        // the broker stops answering (SIGSTOP, as a broker stuck in a GC pause or on a dead disk): the first
        // Ctrl-C's commit and leave-group wait on it, as in the hang issue 14 reports
        jvm = brokerJvm(kafkaDir)
        process.kill(jvm, 'SIGSTOP')
        process.kill(-entry.process.pid!, 'SIGINT')
        await entry.waitForLine(/^SIGINT: finishing records in flight/, 10_000)
        // a repeat within 500 ms of the first is the same Ctrl-C delivered twice (by the terminal and by npm,
        // service/main.ts): a person's second Ctrl-C comes later
        await new Promise((resolve) => setTimeout(resolve, 600))
        expect(entry.process.exitCode).toBeNull()

        const signalled = Date.now()
        process.kill(-entry.process.pid!, 'SIGINT')
        const exit = await entry.exited
        const stopMs = Date.now() - signalled
        // npm ends with its script's code (130), or with the signal when it saw it first
        expect(exit.code === 130 || exit.signal === 'SIGINT').toBe(true)
        expect(stopMs).toBeLessThan(5_000)
        const messages = logLines(entry).map((l) => String(l['msg']))
        expect(messages).toContain('SIGINT again: stopping now, without committing')
        expect(messages).not.toContain('Stopped cleanly.')
        // the stopped JVM was killed, and its watchdog is gone with it
        expect(processesUsing(kafkaDir)).toEqual([])
        console.log(
          `second Ctrl-C: npm start exited (${String(exit.code ?? exit.signal)}) ${stopMs} ms after it`,
        )
      } finally {
        killGroup(entry)
        if (jvm !== undefined) {
          try {
            process.kill(jvm, 'SIGKILL')
          } catch {
            // killed by the service, as it should be
          }
        }
      }
    },
  )
})
