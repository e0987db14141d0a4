// npm's postinstall: makes the optional native Kafka client (@confluentinc/kafka-javascript) usable where it
// can be, and never fails the install.
//
// 1. The client's own install downloads a prebuilt binary, else builds librdkafka from source, fetching the
//    sources of librdkafka's dependencies too. Without internet access (registries only) both fail, and npm
//    removes the optional package and carries on.
// 2. Here: if the client loads, nothing to do.
// 3. Else, if the system libraries, pkg-config and a C/C++ toolchain are present, install it once more with
//    CKJS_LINKING=dynamic (librdkafka built against the system's libraries, as .ci/run and the Dockerfile do).
// 4. Say in one line which client the service will use, and what to install to get the native one.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const client = '@confluentinc/kafka-javascript'
/** pkg-config name → Debian package with its headers. */
const libraries = {
  libssl: 'libssl-dev',
  zlib: 'zlib1g-dev',
  libzstd: 'libzstd-dev',
  liblz4: 'liblz4-dev',
  libsasl2: 'libsasl2-dev',
  libcurl: 'libcurl4-openssl-dev',
}
/** What node-gyp and librdkafka's build run. */
const tools = {
  'pkg-config': 'pkg-config',
  make: 'build-essential',
  'c++': 'build-essential',
  python3: 'python3',
}
const guard = 'RESERVATION_NATIVE_CLIENT_RETRY'

const prefix = 'reservation-streams postinstall:'
const say = (line) => console.log(`${prefix} ${line}`)

function loads() {
  return (
    spawnSync(process.execPath, ['-e', `require(${JSON.stringify(client)})`], { stdio: 'ignore' }).status ===
    0
  )
}

/** The Debian packages missing for a build from source (empty: it can be built). */
function missingForBuild() {
  const missing = new Set()
  for (const [command, pkg] of Object.entries(tools)) {
    if (spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status !== 0) missing.add(pkg)
  }
  if (missing.has('pkg-config')) return [...missing, ...Object.values(libraries)]
  for (const [name, pkg] of Object.entries(libraries)) {
    if (spawnSync('pkg-config', ['--exists', name], { stdio: 'ignore' }).status !== 0) missing.add(pkg)
  }
  return [...missing]
}

function lockedVersion() {
  try {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))
    const version = lock.packages?.[`node_modules/${client}`]?.version
    if (typeof version === 'string') return version
  } catch {
    // no lockfile: the range of package.json
  }
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'))
  return manifest.optionalDependencies?.[client] ?? 'latest'
}

function main() {
  if (process.env[guard]) return
  if (loads()) return
  const missing = missingForBuild()
  if (missing.length > 0) {
    say(
      `the native Kafka client ${client} is not installed (no prebuilt binary for this machine, and a build ` +
        `from source needs: ${missing.join(' ')}); the service will use kafkajs. For the native client: ` +
        `sudo apt-get install -y ${missing.join(' ')} && npm install`,
    )
    return
  }
  say(
    `no prebuilt ${client} for this machine: building it from source against the system libraries (CKJS_LINKING=dynamic, a minute or two)`,
  )
  const npm = process.env['npm_execpath']
  const args = [
    'install',
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    `${client}@${lockedVersion()}`,
  ]
  const run = npm
    ? spawnSync(process.execPath, [npm, ...args], {
        stdio: 'inherit',
        env: { ...process.env, CKJS_LINKING: 'dynamic', [guard]: '1' },
      })
    : spawnSync('npm', args, {
        stdio: 'inherit',
        env: { ...process.env, CKJS_LINKING: 'dynamic', [guard]: '1' },
      })
  if (run.status === 0 && loads()) say(`${client} built from source; the service will use it`)
  else
    say(
      `building ${client} from source failed (run CKJS_LINKING=dynamic npm install --foreground-scripts to see why); ` +
        `the service will use kafkajs`,
    )
}

main()
