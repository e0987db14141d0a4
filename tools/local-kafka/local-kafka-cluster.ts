// Starts and stops Apache Kafka on loopback without Docker: one JVM per KRaft node in combined mode.
// Startup protocol:
//   1. make sure the pinned release is in the cache (Maven Central, once);
//   2. choose free ports (or check the requested one), write server.properties per node;
//   3. format each node's storage with one cluster id (kafka.tools.StorageTool format, static quorum);
//   4. start kafka.Kafka under jvm-watchdog.sh, in a process group of its own (a terminal's Ctrl-C is for
//      the program, which stops the broker when it is done with it), so the JVM dies with this Node process
//      whatever happens;
//   5. wait until every node logged "Kafka Server started", or fail with the log's tail.
// With `secured`, step 2 also makes the TLS material and step 3 creates the SCRAM users
// (secured-listener.ts): clients then connect with SASL_SSL and need ACLs.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brokerProperties, type NodeAddress } from './broker-config.js'
import { ensureKafkaDistribution, type KafkaDistribution } from './kafka-distribution.js'
import { freePorts, requireJava, requirePortFree } from './prerequisites.js'
import { SecuredAdmin } from './secured-admin.js'
import { scramFormatArguments, securedListenerProperties, type SecuredOptions } from './secured-listener.js'
import { SetupError } from './setup-error.js'
import { makeTlsMaterial, type TlsMaterial } from './tls-material.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const watchdog = path.join(here, 'jvm-watchdog.sh')

export interface LocalKafkaOptions {
  /** 1 for a single node, 3 for the replication and broker-failure tests. */
  readonly nodes?: number
  /** Broker port of the first node; free ports are chosen when absent. */
  readonly port?: number
  /** Working directory (data and logs); a fresh temp dir, removed on stop, when absent. */
  readonly workDir?: string
  readonly readyTimeoutMs?: number
  readonly heapMb?: number
  /** server.properties entries that replace or add to the test settings of broker-config.ts. */
  readonly brokerOverrides?: Readonly<Record<string, string | number>>
  /** A SASL_SSL listener for the clients, SCRAM users and an authorizer (secured-listener.ts). */
  readonly secured?: SecuredOptions
  readonly log?: (line: string) => void
}

export interface LocalKafkaNode extends NodeAddress {
  readonly logFile: string
  readonly running: boolean
}

export interface LocalKafkaCluster {
  readonly bootstrapServers: string
  readonly nodes: readonly LocalKafkaNode[]
  readonly distribution: KafkaDistribution
  readonly startupMs: number
  /** Present when started `secured`: the CA to trust, the super user, and the admin tools (users, ACLs). */
  readonly secured?: SecuredCluster
  /** SIGKILLs one node (a broker failure). */
  killNode(nodeId: number): Promise<void>
  /** Stops one node cleanly (SIGTERM, as for a rolling restart) and waits for its exit. */
  stopNode(nodeId: number): Promise<void>
  /** Starts a stopped or killed node again and waits until it is ready. */
  restartNode(nodeId: number): Promise<void>
  /** Runs a Kafka CLI tool class (e.g. org.apache.kafka.tools.TopicCommand) and returns its output. */
  runTool(mainClass: string, args: readonly string[]): Promise<{ code: number; output: string }>
  stop(): Promise<void>
}

export interface SecuredCluster extends SecuredOptions {
  readonly tls: TlsMaterial
  /** The PLAINTEXT super-user listener: for the test's admin tools only. */
  readonly internalBootstrapServers: string
  readonly admin: SecuredOptions['admin']
  readonly tools: SecuredAdmin
}

interface RunningNode {
  address: NodeAddress
  propsFile: string
  logFile: string
  process: ChildProcess | undefined
}

export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafkaCluster> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const count = options.nodes ?? 1
  const java = requireJava()
  const distribution = await ensureKafkaDistribution(log)
  const ownsWorkDir = options.workDir === undefined
  const workDir = options.workDir ?? (await mkdtemp(path.join(os.tmpdir(), 'local-kafka-')))
  await mkdir(workDir, { recursive: true })

  const addresses: (NodeAddress & { internalPort: number })[] = []
  if (options.port !== undefined) await requirePortFree(options.port, 'Kafka broker')
  const requested = options.port === undefined ? [] : [options.port]
  const chosen = await freePorts(count * (options.secured ? 3 : 2) - requested.length, requested)
  const next = () => chosen.shift()!
  for (let i = 0; i < count; i++) {
    addresses.push({
      nodeId: i + 1,
      brokerPort: i === 0 && options.port !== undefined ? options.port : next(),
      controllerPort: next(),
      internalPort: options.secured ? next() : 0,
    })
  }
  let tls: TlsMaterial | undefined
  if (options.secured) {
    const tlsDir = path.join(workDir, 'tls')
    await mkdir(tlsDir, { recursive: true })
    tls = await makeTlsMaterial(tlsDir)
  }

  const clusterId = newClusterId()
  const nodes: RunningNode[] = []
  for (const address of addresses) {
    const nodeDir = path.join(workDir, `node-${address.nodeId}`)
    const dataDir = path.join(nodeDir, 'data')
    await mkdir(nodeDir, { recursive: true })
    const propsFile = path.join(nodeDir, 'server.properties')
    const overrides = {
      ...options.brokerOverrides,
      ...(options.secured && tls ? securedListenerProperties(address, tls, options.secured) : {}),
    }
    await writeFile(propsFile, brokerProperties(address, addresses, dataDir, overrides))
    if (!existsSync(path.join(dataDir, 'meta.properties'))) {
      const format = await runJava(java, distribution, 'kafka.tools.StorageTool', [
        'format',
        '-t',
        clusterId,
        '-c',
        propsFile,
        '--ignore-formatted',
        ...(options.secured ? scramFormatArguments(options.secured) : []),
      ])
      if (format.code !== 0) throw new Error(`formatting KRaft storage failed:\n${format.output}`)
    }
    nodes.push({ address, propsFile, logFile: path.join(nodeDir, 'server.log'), process: undefined })
  }

  const heapMb = options.heapMb ?? (count > 1 ? 384 : 512)
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000
  const launch = (node: RunningNode) => {
    node.process = spawn(
      watchdog,
      [
        '10',
        java,
        `-Xmx${heapMb}m`,
        `-Xms${Math.min(heapMb, 256)}m`,
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Djava.awt.headless=true',
        `-Dorg.slf4j.simpleLogger.logFile=${node.logFile}`,
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        // e.g. -Dorg.slf4j.simpleLogger.log.kafka.request.logger=debug logs every request the node completes
        ...(process.env['LOCAL_KAFKA_JAVA_OPTS'] ?? '').split(/\s+/).filter(Boolean),
        '-cp',
        distribution.classPath,
        'kafka.Kafka',
        node.propsFile,
      ],
      // a process group of its own: a terminal's Ctrl-C (SIGINT to the foreground group) does not reach the
      // broker, which the program stops after it has committed; the watchdog still stops it if Node dies
      { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
    )
    node.process.stdin?.on('error', () => {})
  }
  const stopNode = async (node: RunningNode, signal: NodeJS.Signals) => {
    const child = node.process
    node.process = undefined
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill(signal === 'SIGKILL' ? 'SIGUSR1' : signal) // the watchdog turns SIGUSR1 into SIGKILL of the JVM
    await exited
  }

  const cluster: LocalKafkaCluster = {
    bootstrapServers: addresses.map((a) => `127.0.0.1:${a.brokerPort}`).join(','),
    get nodes() {
      return nodes.map((n) => ({ ...n.address, logFile: n.logFile, running: n.process !== undefined }))
    },
    distribution,
    startupMs: 0,
    async killNode(nodeId) {
      const node = nodes.find((n) => n.address.nodeId === nodeId)
      if (node) await stopNode(node, 'SIGKILL')
    },
    async stopNode(nodeId) {
      const node = nodes.find((n) => n.address.nodeId === nodeId)
      if (node) await stopNode(node, 'SIGTERM')
    },
    async restartNode(nodeId) {
      const node = nodes.find((n) => n.address.nodeId === nodeId)
      if (!node || node.process) return
      // the node's logger truncates its file when it starts: the log before the restart is kept beside it
      // (waiting for the started line past the old size failed when the old log was the longer one)
      await rename(node.logFile, `${node.logFile}.before-restart`).catch(() => undefined)
      launch(node)
      await waitReady([node], readyTimeoutMs)
    },
    runTool: (mainClass, args) => runJava(java, distribution, mainClass, args),
    ...(options.secured && tls
      ? {
          secured: (() => {
            const internal = addresses.map((a) => `127.0.0.1:${a.internalPort}`).join(',')
            return {
              ...options.secured,
              tls,
              internalBootstrapServers: internal,
              tools: new SecuredAdmin(internal, (mainClass, args) =>
                runJava(java, distribution, mainClass, args),
              ),
            }
          })(),
        }
      : {}),
    async stop() {
      await Promise.all(nodes.map((n) => stopNode(n, 'SIGTERM')))
      if (ownsWorkDir) await rm(workDir, { recursive: true, force: true })
    },
  }

  try {
    for (const node of nodes) launch(node)
    await waitReady(nodes, readyTimeoutMs)
  } catch (error) {
    await Promise.all(nodes.map((n) => stopNode(n, 'SIGKILL')))
    if (ownsWorkDir) await rm(workDir, { recursive: true, force: true })
    throw error
  }
  Object.assign(cluster, { startupMs: Date.now() - started })
  log(`Kafka ${distribution.version} ready at ${cluster.bootstrapServers} in ${cluster.startupMs} ms`)
  return cluster
}

/** A Kafka Uuid (16 random bytes, base64url); like Kafka's own, never starting with '-' (it would read as an option). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

async function waitReady(nodes: readonly RunningNode[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const pending = new Set(nodes)
  while (pending.size > 0) {
    for (const node of [...pending]) {
      const text = await readFile(node.logFile, 'utf8').catch(() => '')
      if (text.includes('Kafka Server started')) {
        pending.delete(node)
        continue
      }
      const child = node.process
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        throw new SetupError(
          'BROKER_EXITED',
          `Kafka node ${node.address.nodeId} exited during startup. Last lines of ${node.logFile}:\n` +
            tail(text, 20) +
            `\nIf it names a port, another process may hold it; otherwise delete the data directory and retry.`,
        )
      }
    }
    if (pending.size === 0) break
    if (Date.now() > deadline) {
      const node = [...pending][0]!
      const text = await readFile(node.logFile, 'utf8').catch(() => '')
      throw new SetupError(
        'BROKER_NOT_READY',
        `Kafka node ${node.address.nodeId} did not become ready within ${Math.round(timeoutMs / 1000)} s. ` +
          `Last lines of ${node.logFile}:\n${tail(text, 20)}\n` +
          `A slow machine may need LOCAL_KAFKA_READY_TIMEOUT_MS raised; the log above usually names the cause.`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n') || '(log is empty)'
}

async function runJava(
  java: string,
  distribution: KafkaDistribution,
  mainClass: string,
  args: readonly string[],
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      watchdog,
      [
        '2',
        java,
        '-Xmx256m',
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-cp',
        distribution.classPath,
        mainClass,
        ...args,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stdin.on('error', () => {})
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, output }))
  })
}
