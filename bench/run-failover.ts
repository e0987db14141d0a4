// `npm run bench:failover -- [--quick] [--keys=N] [--reps=N] [--rate=N] [--steady-seconds=N]
// [--window-seconds=N] [--systems=engine,kstreams] [--variants=standby0,standby1,static]`: failover time of
// our engine (confluent client) against Kafka Streams 4.1.2 on one local broker. For every repetition,
// variant and system — systems interleaved — one run (phases/measure-failover.ts): a count per key with its
// state preloaded to N keys (quick 100,000, full 1,000,000) on 6 partitions, three instances, a constant
// load, one instance killed with SIGKILL (with 0 or 1 standby replicas), or killed and restarted at once
// with static membership. Prints progress lines, writes bench/results/failover-<date>[-quick].json and
// bench/results/failover-latest.md, and prints the table.
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createKafkaClient } from '../kafka/index.js'
import { startLocalKafka, type LocalKafkaCluster } from '../tools/local-kafka/local-kafka-cluster.js'
import { runningChildren } from './child-runner.js'
import { parseFailoverOptions, variantSpecs } from './failover-options.js'
import { failoverMarkdown, type FailoverResults } from './failover-report.js'
import { gitRevision, machineInfo } from './machine-info.js'
import { measureFailover } from './phases/measure-failover.js'
import { ensureKstreamsBuilt } from './systems.js'

const here = path.dirname(fileURLToPath(import.meta.url))

async function main(): Promise<void> {
  const options = parseFailoverOptions(process.argv.slice(2))
  const startedAt = Date.now()
  const say = (line: string) =>
    console.log(`[failover ${`${Math.round((Date.now() - startedAt) / 1000)}s`.padStart(5)}] ${line}`)
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'failover-bench-'))
  await mkdir(path.join(workDir, 'logs'), { recursive: true })
  let cluster: LocalKafkaCluster | undefined
  const shutdown = async (code: number): Promise<never> => {
    for (const child of [...runningChildren]) child.kill()
    await Promise.race([
      cluster?.stop().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 20_000)),
    ])
    if (!process.env['BENCH_KEEP_WORKDIR']) rmSync(workDir, { recursive: true, force: true })
    if (code === 130 || code === 143) process.kill(process.pid, 'SIGKILL')
    process.exit(code)
  }
  process.on('SIGINT', () => void shutdown(130))
  process.on('SIGTERM', () => void shutdown(143))

  try {
    const runs = options.reps * options.variants.length * options.systems.length
    say(
      `${options.quick ? 'quick' : 'full'} mode: ${options.keys.toLocaleString('en-US')} keys, ${options.instances} instances, ${options.rate} records/s, ${runs} runs (work dir ${workDir})`,
    )
    if (options.systems.includes('kstreams')) ensureKstreamsBuilt(say)
    say('starting the Kafka broker...')
    cluster = await startLocalKafka({ workDir: path.join(workDir, 'kafka'), log: (line) => say(line) })
    const client = createKafkaClient({
      kind: 'confluent',
      brokers: cluster.bootstrapServers.split(','),
      clientId: 'failover-harness',
    })
    const admin = client.admin()
    await admin.connect()
    const results: FailoverResults = {
      mode: options.quick ? 'quick' : 'full',
      startedAt: new Date(startedAt).toISOString(),
      machine: machineInfo(cluster.distribution.version),
      options,
      runs: [],
    }
    const resultsDir = path.join(here, 'results')
    await mkdir(resultsDir, { recursive: true })
    const stamp = new Date(startedAt).toISOString().replace(/[:]/g, '-').replace(/\..*/, '')
    const jsonFile = path.join(resultsDir, `failover-${stamp}${options.quick ? '-quick' : ''}.json`)
    let n = 0
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const variant of options.variants) {
        for (const system of options.systems) {
          n += 1
          const tag = `[${n}/${runs}] ${variant} rep ${rep} · ${system}:`
          say(`${tag} start`)
          const runStarted = Date.now()
          const run = await measureFailover({
            n,
            tag,
            say,
            client,
            admin,
            brokers: cluster.bootstrapServers,
            workDir,
            options,
            system,
            variant: variantSpecs[variant],
            rep,
          })
          results.runs.push({ ...run, revision: gitRevision() })
          say(`${tag} done in ${Math.round((Date.now() - runStarted) / 1000)} s`)
          await writeFile(jsonFile, JSON.stringify(results, null, 2))
        }
      }
    }
    results.finishedAt = new Date().toISOString()
    await writeFile(jsonFile, JSON.stringify(results, null, 2))
    const markdown = failoverMarkdown(results)
    await writeFile(path.join(resultsDir, 'failover-latest.md'), `${markdown}\n`)
    console.log(`\n${markdown}`)
    say(`results: ${path.relative(process.cwd(), jsonFile)} and bench/results/failover-latest.md`)
    await admin.disconnect()
  } catch (error) {
    console.error(error)
    await shutdown(1)
  }
  await shutdown(0)
}

await main()
