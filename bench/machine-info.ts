// What the figures were measured on: CPU, cores, memory, and the versions of everything in the run.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { javaCommand } from './systems.js'

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

export interface MachineInfo {
  readonly cpuModel: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
  readonly java: string
  readonly kafka: string
  readonly clients: Readonly<Record<string, string>>
  /** The commit measured (with "+changes" when the work tree differs from it). */
  readonly revision: string
  readonly date: string
}

export function gitRevision(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' })
  if (head.status !== 0) return '?'
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  return `${head.stdout.trim()}${dirty.stdout.trim() ? '+changes' : ''}`
}

function packageVersion(name: string): string {
  try {
    const text = readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')
    return (JSON.parse(text) as { version?: string }).version ?? '?'
  } catch {
    return '?'
  }
}

export function machineInfo(kafkaVersion: string): MachineInfo {
  const java = spawnSync(javaCommand(), ['-version'], { encoding: 'utf8' })
  const javaVersion = /version "([^"]+)"/.exec(java.stderr ?? '')?.[1] ?? '?'
  const vendor = /^(OpenJDK|Java\(TM\)).*$/m.exec(java.stderr ?? '')?.[0]?.split(' (')[0] ?? ''
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? '?',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    java: `${javaVersion}${vendor ? ` (${vendor})` : ''}`,
    kafka: kafkaVersion,
    clients: {
      '@confluentinc/kafka-javascript': packageVersion('@confluentinc/kafka-javascript'),
      kafkajs: packageVersion('kafkajs'),
      'kafka-streams': '4.1.2',
    },
    revision: gitRevision(),
    date: new Date().toISOString(),
  }
}
