// Checks for what the local broker needs on this machine: a Java runtime, Maven (only to fill an empty
// cache) and free TCP ports. Each failure is a SetupError that says what to install or change.
import { spawnSync } from 'node:child_process'
import net from 'node:net'
import { SetupError } from './setup-error.js'

export function requireJava(): string {
  const java = process.env['JAVA_HOME'] ? `${process.env['JAVA_HOME']}/bin/java` : 'java'
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) {
    throw new SetupError(
      'JAVA_MISSING',
      `No Java runtime found (tried "${java} -version"). The local Kafka broker needs Java 17 or newer: ` +
        `install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME, ` +
        `or point KAFKA_BROKERS at an existing cluster.`,
    )
  }
  return java
}

export function requireMaven(): string {
  const probe = spawnSync('mvn', ['-v'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) {
    throw new SetupError(
      'MAVEN_MISSING',
      'Maven ("mvn") was not found. It is needed once, to download the Apache Kafka jars from Maven Central ' +
        'into the local cache: install it (Debian/Ubuntu: apt-get install maven), or point KAFKA_BROKERS at ' +
        'an existing cluster.',
    )
  }
  return 'mvn'
}

/** Resolves with a port the OS just gave out on 127.0.0.1; the caller binds it soon after. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1)
  return port!
}

/**
 * `count` distinct ports the OS just gave out on 127.0.0.1, none of them in `except`. Each is held until all
 * are chosen: `freePort` called twice can get the same port back once the first is closed (a node's
 * broker and controller listeners on one port: KRaft's format refused it in a CI run).
 */
export async function freePorts(count: number, except: readonly number[] = []): Promise<number[]> {
  const servers: net.Server[] = []
  const ports: number[] = []
  try {
    while (ports.length < count) {
      const server = net.createServer()
      server.unref()
      servers.push(server)
      const port = await new Promise<number>((resolve, reject) => {
        server.on('error', reject)
        server.listen(0, '127.0.0.1', () => {
          const address = server.address()
          resolve(typeof address === 'object' && address ? address.port : 0)
        })
      })
      if (!except.includes(port)) ports.push(port)
    }
    return ports
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  }
}

/** Throws PORT_TAKEN when something already listens on 127.0.0.1:port. */
export async function requirePortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new SetupError(
          'PORT_TAKEN',
          `Port ${port} on 127.0.0.1 (${what}) is already in use (${error.code ?? error.message}). ` +
            `Stop whatever listens there (is a broker from an earlier run still up? "ss -ltnp | grep ${port}" shows it), ` +
            `choose another port with LOCAL_KAFKA_PORT, or set KAFKA_BROKERS to use a running cluster.`,
          { cause: error },
        ),
      )
    })
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}
