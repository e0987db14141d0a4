// The Apache Kafka release used by the local broker: jars copied from Maven Central by the pom beside this
// file into a cache directory outside git, reused by every later run and every clone on this machine.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { requireMaven } from './prerequisites.js'
import { SetupError } from './setup-error.js'

const here = path.dirname(fileURLToPath(import.meta.url))
export const pomPath = path.join(here, 'pom.xml')

export interface KafkaDistribution {
  readonly version: string
  /** Directory holding every jar the broker and the CLI tools need. */
  readonly libDir: string
  /** A JVM class path covering libDir. */
  readonly classPath: string
}

/** The Kafka version a pom pins (`<kafka.version>`); the broker's pom by default. */
export function pinnedKafkaVersion(pom = pomPath): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pom, 'utf8'))
  if (!match?.[1]) throw new Error(`no <kafka.version> in ${pom}`)
  return match[1]
}

export function cacheRoot(): string {
  if (process.env['KAFKA_CACHE_DIR']) return process.env['KAFKA_CACHE_DIR']
  const base = process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache')
  return path.join(base, 'reservation-streams')
}

const completeMarker = '.complete'

/**
 * Returns the cached distribution, downloading it first when the cache lacks it.
 * Concurrent callers (two test suites at once) each download into a private directory and the first
 * rename wins, so a half-written cache is never used.
 */
export async function ensureKafkaDistribution(
  log: (line: string) => void = () => {},
): Promise<KafkaDistribution> {
  const version = pinnedKafkaVersion()
  const { libDir, classPath } = await ensureMavenJars(
    pomPath,
    `kafka-${version}`,
    `Apache Kafka ${version}`,
    log,
  )
  return { version, libDir, classPath }
}

/**
 * The runtime dependencies of a pom, copied from Maven Central into `<cacheRoot>/<cacheName>/libs` once
 * (the same protocol as the broker's: private staging directory, then a rename; the first one wins).
 * `label` names the download in progress lines and errors.
 */
export async function ensureMavenJars(
  pom: string,
  cacheName: string,
  label: string,
  log: (line: string) => void = () => {},
): Promise<{ readonly libDir: string; readonly classPath: string }> {
  const dir = path.join(cacheRoot(), cacheName)
  const libDir = path.join(dir, 'libs')
  if (!existsSync(path.join(dir, completeMarker))) await download(pom, label, dir, log)
  return { libDir, classPath: `${libDir}/*` }
}

async function download(pom: string, label: string, dir: string, log: (line: string) => void): Promise<void> {
  const mvn = requireMaven()
  const staging = `${dir}.staging-${process.pid}-${Date.now()}`
  await mkdir(staging, { recursive: true })
  log(`Downloading ${label} from Maven Central into ${dir} (once)...`)
  const started = Date.now()
  let copied = 0
  const output: string[] = []
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      mvn,
      [
        '-B',
        '-ntp',
        '-f',
        pom,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${path.join(staging, 'libs')}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue
        output.push(line)
        if (output.length > 60) output.shift()
        if (line.includes('Copying ')) {
          copied += 1
          if (copied % 20 === 0) log(`  ...${copied} jars`)
        }
      }
    }
    child.stdout.on('data', onLine)
    child.stderr.on('data', onLine)
    child.on('error', reject)
    child.on('close', (status) => resolve(status ?? 1))
  })
  if (code !== 0) {
    await rm(staging, { recursive: true, force: true })
    throw new SetupError(
      'KAFKA_DOWNLOAD_FAILED',
      `Maven could not download ${label} (exit ${code}). Check access to Maven Central ` +
        `(or your ~/.m2/settings.xml mirror) and retry. Last Maven output:\n${output.slice(-15).join('\n')}`,
    )
  }
  const jars = (await readdir(path.join(staging, 'libs'))).filter((name) => name.endsWith('.jar'))
  await writeFile(path.join(staging, completeMarker), `${jars.length} jars\n`)
  await mkdir(path.dirname(dir), { recursive: true })
  if (existsSync(dir) && !existsSync(path.join(dir, completeMarker)))
    await rm(dir, { recursive: true, force: true })
  try {
    await rename(staging, dir)
  } catch {
    await rm(staging, { recursive: true, force: true }) // another process finished first; use its copy
  }
  log(`${label}: ${jars.length} jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
