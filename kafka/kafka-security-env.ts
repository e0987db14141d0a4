// The security settings from the environment (README, Configuration). Every secret can be given as
// `NAME` or as `NAME_FILE`, the path of a file holding it (as Kubernetes mounts a Secret); setting both is
// an error. A bad combination fails at start with a message naming the variables — never their values.
import { readFileSync } from 'node:fs'
import { KafkaError } from './kafka-error.js'
import {
  saslMechanisms,
  Secret,
  securityProtocols,
  usesSasl,
  usesTls,
  type KafkaSecurity,
  type SaslMechanism,
  type SaslSettings,
  type SecurityProtocol,
  type TlsSettings,
} from './kafka-security.js'

/** Every variable read here, for documentation and for tests that check nothing else is needed. */
export const securityVariables = [
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
  'KAFKA_SASL_OAUTHBEARER_CLIENT_ID',
  'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET',
  'KAFKA_SASL_OAUTHBEARER_SCOPE',
  'KAFKA_SSL_CA',
  'KAFKA_SSL_CERT',
  'KAFKA_SSL_KEY',
  'KAFKA_SSL_KEY_PASSWORD',
] as const

type ReadFile = (path: string) => string

function invalid(message: string): KafkaError {
  return new KafkaError('INVALID_ARGUMENT', message)
}

/** `NAME` or the content of the file `NAME_FILE` names; undefined when neither is set. */
function valueOrFile(env: NodeJS.ProcessEnv, name: string, readFile: ReadFile): string | undefined {
  const direct = env[name]
  const file = env[`${name}_FILE`]
  if (direct && file) throw invalid(`${name} and ${name}_FILE are both set; set one of them`)
  if (!file) return direct || undefined
  try {
    return readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw invalid(`${name}_FILE=${file} cannot be read (${code})`)
  }
}

/** A user name or secret: surrounding whitespace (the newline `echo` leaves in a file) is not part of it. */
function credential(env: NodeJS.ProcessEnv, name: string, readFile: ReadFile): string | undefined {
  const value = valueOrFile(env, name, readFile)?.trim()
  return value || undefined
}

function pem(env: NodeJS.ProcessEnv, name: string, readFile: ReadFile, what: string): string | undefined {
  const value = valueOrFile(env, name, readFile)
  if (value === undefined) return undefined
  if (!value.includes('-----BEGIN '))
    throw invalid(`${env[`${name}_FILE`] ? `${name}_FILE` : name} does not hold a PEM ${what}`)
  return value
}

export function kafkaSecurityFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  readFile: ReadFile = (path) => readFileSync(path, 'utf8'),
): KafkaSecurity {
  const raw = env['KAFKA_SECURITY_PROTOCOL'] || 'PLAINTEXT'
  const protocol = raw.toUpperCase() as SecurityProtocol
  if (!(securityProtocols as readonly string[]).includes(protocol))
    throw invalid(`KAFKA_SECURITY_PROTOCOL=${raw} must be one of: ${securityProtocols.join(', ')}`)
  const tls = tlsFromEnv(env, protocol, readFile)
  const sasl = saslFromEnv(env, protocol, readFile)
  return { protocol, ...(sasl ? { sasl } : {}), ...(tls ? { tls } : {}) }
}

function saslFromEnv(
  env: NodeJS.ProcessEnv,
  protocol: SecurityProtocol,
  readFile: ReadFile,
): SaslSettings | undefined {
  const rawMechanism = env['KAFKA_SASL_MECHANISM']
  const given = securityVariables.filter(
    (name) => name.startsWith('KAFKA_SASL_') && (env[name] || env[`${name}_FILE`]),
  )
  if (!usesSasl(protocol)) {
    if (given.length > 0)
      throw invalid(
        `${given.join(', ')} set with KAFKA_SECURITY_PROTOCOL=${protocol}, which does not use SASL (use SASL_SSL or SASL_PLAINTEXT)`,
      )
    return undefined
  }
  const mechanism = rawMechanism?.toUpperCase() as SaslMechanism | undefined
  if (mechanism === undefined || !(saslMechanisms as readonly string[]).includes(mechanism))
    throw invalid(
      `KAFKA_SASL_MECHANISM${rawMechanism ? `=${rawMechanism}` : ''} must be one of ${saslMechanisms.join(', ')} with KAFKA_SECURITY_PROTOCOL=${protocol}`,
    )
  const required = (name: string, value: string | undefined): string => {
    if (value === undefined) throw invalid(`${name} (or ${name}_FILE) is required with ${mechanism}`)
    return value
  }
  if (mechanism === 'OAUTHBEARER') {
    const scope = env['KAFKA_SASL_OAUTHBEARER_SCOPE']
    return {
      mechanism,
      tokenEndpointUrl: required(
        'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
        env['KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL'] || undefined,
      ),
      clientId: required(
        'KAFKA_SASL_OAUTHBEARER_CLIENT_ID',
        credential(env, 'KAFKA_SASL_OAUTHBEARER_CLIENT_ID', readFile),
      ),
      clientSecret: new Secret(
        required(
          'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET',
          credential(env, 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET', readFile),
        ),
      ),
      ...(scope ? { scope } : {}),
    }
  }
  return {
    mechanism,
    username: required('KAFKA_SASL_USERNAME', credential(env, 'KAFKA_SASL_USERNAME', readFile)),
    password: new Secret(required('KAFKA_SASL_PASSWORD', credential(env, 'KAFKA_SASL_PASSWORD', readFile))),
  }
}

function tlsFromEnv(
  env: NodeJS.ProcessEnv,
  protocol: SecurityProtocol,
  readFile: ReadFile,
): TlsSettings | undefined {
  const names = ['KAFKA_SSL_CA', 'KAFKA_SSL_CERT', 'KAFKA_SSL_KEY', 'KAFKA_SSL_KEY_PASSWORD']
  const given = names.filter((name) => env[name] || env[`${name}_FILE`])
  if (!usesTls(protocol)) {
    if (given.length > 0)
      throw invalid(
        `${given.join(', ')} set with KAFKA_SECURITY_PROTOCOL=${protocol}, which does not use TLS (use SSL or SASL_SSL)`,
      )
    return undefined
  }
  const ca = pem(env, 'KAFKA_SSL_CA', readFile, 'certificate')
  const cert = pem(env, 'KAFKA_SSL_CERT', readFile, 'certificate')
  const key = pem(env, 'KAFKA_SSL_KEY', readFile, 'private key')
  const keyPassword = credential(env, 'KAFKA_SSL_KEY_PASSWORD', readFile)
  if ((cert === undefined) !== (key === undefined))
    throw invalid('KAFKA_SSL_CERT and KAFKA_SSL_KEY go together (mutual TLS): set both or neither')
  if (keyPassword !== undefined && key === undefined)
    throw invalid('KAFKA_SSL_KEY_PASSWORD is set without KAFKA_SSL_KEY')
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key: new Secret(key) }),
    ...(keyPassword === undefined ? {} : { keyPassword: new Secret(keyPassword) }),
  }
}
