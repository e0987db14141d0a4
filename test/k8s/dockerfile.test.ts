// Lint-level checks of the Dockerfile and .dockerignore (no Docker engine here to build them): two stages,
// the native Kafka client compiled in the build stage against Debian's libraries, a slim non-root runtime
// that runs the compiled service on the port the manifests expect, and a build context that contains
// every file the Dockerfile copies and nothing local (node_modules, state, git).
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { containerEnv, rendered, repoRoot, resolvePort, workload } from './objects.js'

interface Instruction {
  keyword: string
  args: string
}

interface Stage {
  from: string
  name: string | undefined
  instructions: Instruction[]
}

/** Splits a Dockerfile into stages of instructions, joining continuation lines and dropping comments. */
export function parseDockerfile(text: string): Stage[] {
  const lines: string[] = []
  let pending = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('#') || (line === '' && pending === '')) continue
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `
      continue
    }
    lines.push(`${pending}${line}`.trim())
    pending = ''
  }
  const stages: Stage[] = []
  for (const line of lines.filter(Boolean)) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? []
    const instruction = { keyword: keyword.toUpperCase(), args }
    if (instruction.keyword === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? []
      stages.push({ from, name, instructions: [] })
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${keyword} before the first FROM`)
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return stages
}

/** .dockerignore semantics, for the patterns used here: `name`, `dir`, `**` and `*`, `!` exceptions. */
function ignoredBy(patterns: string[], file: string): boolean {
  let ignored = false
  for (const raw of patterns) {
    const negate = raw.startsWith('!')
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '')
    const regex = new RegExp(
      `^${pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?')}(?:/.*)?$`,
    )
    if (regex.test(file)) ignored = !negate
  }
  return ignored
}

const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8')
const stages = parseDockerfile(dockerfile)
const dockerignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))

const build = () => stages[0] as Stage
const runtime = () => stages.at(-1) as Stage
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword)
const runText = (stage: Stage) =>
  all(stage, 'RUN')
    .map((i) => i.args)
    .join('\n')

/** ENV instructions of a stage as a map (both `ENV A=b C=d` and `ENV A b`). */
function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>()
  for (const { args } of all(stage, 'ENV')) {
    const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)]
    if (pairs.length === 0) {
      const [key = '', ...value] = args.split(/\s+/)
      env.set(key, value.join(' '))
    }
    for (const [, key = '', value = ''] of pairs) env.set(key, value.replace(/^"|"$/g, ''))
  }
  return env
}

function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args)
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`not an exec-form array: ${args}`)
  }
  return parsed
}

describe('Dockerfile', () => {
  it('has a build stage on node:20-bookworm and a runtime stage on node:20-bookworm-slim', () => {
    expect(stages).toHaveLength(2)
    expect(build().from).toBe('node:20-bookworm')
    expect(build().name).toBeTruthy()
    expect(runtime().from).toBe('node:20-bookworm-slim')
    for (const { args } of all(runtime(), 'COPY')) {
      if (args.startsWith('--from=')) expect(args).toContain(`--from=${build().name} `)
    }
  })

  it('compiles the native Kafka client in the build stage: headers, toolchain, CKJS_LINKING=dynamic before npm ci', () => {
    for (const pkg of [
      'libssl-dev',
      'zlib1g-dev',
      'libzstd-dev',
      'liblz4-dev',
      'libsasl2-dev',
      'libcurl4-openssl-dev',
      'pkg-config',
      'build-essential',
      'python3',
    ]) {
      expect(runText(build()), pkg).toMatch(
        new RegExp(`apt-get install[^\\n]*\\s${pkg.replace('+', '\\+')}(\\s|$)`),
      )
    }
    const order = build().instructions.map((i) => `${i.keyword} ${i.args}`)
    const linking = order.findIndex((i) => /^ENV .*CKJS_LINKING=dynamic/.test(i))
    const install = order.findIndex((i) => /^RUN .*npm ci/.test(i))
    const compile = order.findIndex((i) => /^RUN .*npm run build/.test(i))
    expect(linking).toBeGreaterThanOrEqual(0)
    expect(install).toBeGreaterThan(linking)
    expect(compile).toBeGreaterThan(install)
    expect(runText(build())).toMatch(/npm prune --omit=dev/)
  })

  it('copies into the build stage every folder tsconfig.build.json compiles', () => {
    const tsconfig = JSON.parse(readFileSync(path.join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
      include: string[]
    }
    const copied = all(build(), 'COPY').flatMap(({ args }) => args.split(/\s+/).slice(0, -1))
    for (const folder of tsconfig.include) expect(copied, folder).toContain(folder)
    expect(copied).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.build.json']),
    )
  })

  it('installs the runtime libraries of the native client in the runtime stage, and no compiler', () => {
    for (const pkg of ['libssl3', 'zlib1g', 'libzstd1', 'liblz4-1', 'libsasl2-2', 'libcurl4']) {
      expect(runText(runtime()), pkg).toMatch(new RegExp(`apt-get install[^\\n]*\\s${pkg}(\\s|$)`))
    }
    expect(runText(runtime())).not.toMatch(/build-essential|-dev\b/)
  })

  it('runs as a numeric non-root user, the uid the StatefulSet enforces', () => {
    const user = all(runtime(), 'USER').at(-1)?.args ?? ''
    const [uid] = user.split(':')
    expect(uid).toMatch(/^\d+$/)
    expect(Number(uid)).toBeGreaterThan(0)
    const pod = workload(rendered('base'), 'StatefulSet', 'reservation', 'reservation-service').pod
    expect(Number(uid)).toBe(pod.securityContext?.runAsUser)
    expect(Number(uid)).toBe(10001)
  })

  it('exposes the HTTP port the manifests use, with NODE_ENV=production and the same STATE_DIR', () => {
    const service = workload(rendered('base'), 'StatefulSet', 'reservation', 'reservation-service')
    const container = service.containers[0]
    if (!container) throw new Error('no container')
    const env = containerEnv(rendered('base'), 'reservation', container)
    expect(all(runtime(), 'EXPOSE').map((i) => i.args)).toEqual([String(resolvePort(container, 'http'))])
    expect(all(runtime(), 'EXPOSE').map((i) => i.args)).toEqual(['8080'])
    expect(envOf(runtime()).get('NODE_ENV')).toBe('production')
    expect(envOf(runtime()).get('STATE_DIR')).toBe(env.get('STATE_DIR'))
    expect(envOf(runtime()).get('HTTP_PORT')).toBe(env.get('HTTP_PORT'))
  })

  it('runs node dist/service/main.js, the build output of service/main.ts, in exec form under tini', () => {
    const cmd = execForm(all(runtime(), 'CMD').at(-1)?.args ?? '[]')
    expect(cmd).toEqual(['node', 'dist/service/main.js'])
    const entrypoint = execForm(all(runtime(), 'ENTRYPOINT').at(-1)?.args ?? '[]')
    expect(entrypoint).toEqual(['/usr/bin/tini', '--'])
    expect(runText(runtime())).toMatch(/\stini(\s|$)/)
    const tsconfig = JSON.parse(readFileSync(path.join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string }
    }
    expect(tsconfig.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' })
    expect(existsSync(path.join(repoRoot, 'service/main.ts'))).toBe(true)
    const copied = all(runtime(), 'COPY').map((i) => i.args)
    expect(copied).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ \/app\/dist \.\/dist$/),
        expect.stringMatching(/ \/app\/node_modules \.\/node_modules$/),
        // "type": "module": without package.json Node would read dist/*.js as CommonJS.
        expect.stringMatching(/ \/app\/package\.json \.\/package\.json$/),
      ]),
    )
  })
})

describe('.dockerignore', () => {
  it('keeps dependencies, build output, local state and git out of the build context', () => {
    for (const file of [
      'node_modules/x/index.js',
      'dist/service/main.js',
      '.state/local-kafka/x',
      '.git/HEAD',
    ]) {
      expect(ignoredBy(dockerignore, file), file).toBe(true)
    }
  })

  it('keeps in the context every file the Dockerfile copies from it', () => {
    for (const stage of stages) {
      for (const { args } of all(stage, 'COPY')) {
        if (args.startsWith('--from=')) continue
        for (const source of args.split(/\s+/).slice(0, -1)) {
          expect(existsSync(path.join(repoRoot, source)), source).toBe(true)
          expect(ignoredBy(dockerignore, source), source).toBe(false)
        }
      }
    }
    expect(ignoredBy(dockerignore, 'service/main.ts')).toBe(false)
    expect(ignoredBy(dockerignore, 'schemas/README.md')).toBe(true)
  })
})
