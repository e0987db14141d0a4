// TLS material for a secured local broker, made fresh per run with `openssl` in the broker's work
// directory: a throw-away CA, the broker's certificate signed by it (for 127.0.0.1 and localhost), the
// broker's PKCS#12 keystore, and a second CA that signed nothing (to show an untrusted broker is refused).
// EC P-256 keys: a run makes them in milliseconds.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { SetupError } from './setup-error.js'

export interface TlsMaterial {
  /** PEM of the CA that signed the broker's certificate. */
  readonly caPem: string
  readonly caFile: string
  /** PEM of a CA that signed nothing here. */
  readonly otherCaPem: string
  readonly keystoreFile: string
  readonly keystorePassword: string
}

export function requireOpenssl(): string {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0)
    throw new SetupError(
      'OPENSSL_MISSING',
      'openssl was not found: the secured local broker needs it to make its certificates ' +
        '(Debian/Ubuntu: apt-get install openssl).',
    )
  return 'openssl'
}

export async function makeTlsMaterial(dir: string): Promise<TlsMaterial> {
  const openssl = requireOpenssl()
  const run = (args: readonly string[]) => runOpenssl(openssl, dir, args)
  const file = (name: string) => path.join(dir, name)
  const keystorePassword = randomBytes(12).toString('hex')
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  for (const ca of ['ca', 'other-ca'])
    await run([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file(`${ca}.key`),
      '-out',
      file(`${ca}.crt`),
      '-days',
      '2',
      '-subj',
      `/CN=local-kafka ${ca} ${randomBytes(4).toString('hex')}`,
    ])
  await run([
    'req',
    ...ec,
    '-keyout',
    file('broker.key'),
    '-out',
    file('broker.csr'),
    '-subj',
    '/CN=localhost',
  ])
  await writeFile(file('broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  await run([
    'x509',
    '-req',
    '-in',
    file('broker.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('broker.crt'),
    '-days',
    '2',
    '-extfile',
    file('broker.ext'),
  ])
  await run([
    'pkcs12',
    '-export',
    '-in',
    file('broker.crt'),
    '-inkey',
    file('broker.key'),
    '-certfile',
    file('ca.crt'),
    '-name',
    'broker',
    '-out',
    file('broker.p12'),
    '-passout',
    `pass:${keystorePassword}`,
  ])
  return {
    caPem: await readFile(file('ca.crt'), 'utf8'),
    caFile: file('ca.crt'),
    otherCaPem: await readFile(file('other-ca.crt'), 'utf8'),
    keystoreFile: file('broker.p12'),
    keystorePassword,
  }
}

function runOpenssl(openssl: string, cwd: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(openssl, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new SetupError('OPENSSL_FAILED', `openssl ${args[0]} failed (exit ${code}):\n${output}`)),
    )
  })
}
