// The native client, @confluentinc/kafka-javascript (librdkafka), is an optional dependency: its binary is
// downloaded or built at install and may be missing. It is loaded here, on first use, and nowhere else;
// which client runs is decided once, from KAFKA_CLIENT and whether it loaded (`chooseClient`).
import type * as NativeClient from '@confluentinc/kafka-javascript'
import { createRequire } from 'node:module'
import { KafkaError } from './kafka-error.js'
import { clientKinds, type ClientKind } from './kafka-port.js'

export type NativeClientModule = typeof NativeClient

/** The outcome of loading the native client: loaded, or why not (the loader's own message). */
export type NativeClientLoad = { readonly loaded: true } | { readonly loaded: false; readonly reason: string }

/** The client to run and why, for the one line the service logs about it. */
export interface ClientChoice {
  readonly kind: ClientKind
  readonly reason: string
  /** The native client was the default and could not be loaded. */
  readonly fellBack: boolean
}

const packageName = '@confluentinc/kafka-javascript'

/** What gets the native client onto a machine without its prebuilt binary (README "Prerequisites"). */
export const nativeClientInstallHint =
  'install the system libraries (Debian: sudo apt-get install -y build-essential python3 pkg-config ' +
  'libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev) and run npm install ' +
  'again (it then builds the client from source)'

let loaded: { readonly module: NativeClientModule } | { readonly error: Error } | undefined

function load(): { readonly module: NativeClientModule } | { readonly error: Error } {
  if (!loaded) {
    try {
      loaded = { module: createRequire(import.meta.url)(packageName) as NativeClientModule }
    } catch (error) {
      loaded = { error: error instanceof Error ? error : new Error(String(error)) }
    }
  }
  return loaded
}

/** Whether the native client loads; loads it once (a later call answers from the first). */
export function tryLoadNativeClient(): NativeClientLoad {
  const result = load()
  if ('module' in result) return { loaded: true }
  return { loaded: false, reason: firstLine(result.error) }
}

/** "Cannot find module '…'" or the dynamic linker's complaint, without the require stack. */
function firstLine(error: Error): string {
  return error.message.split('\n')[0] ?? error.message
}

/** The native client's module; throws CLIENT_UNAVAILABLE, saying what to do, when it does not load. */
export function nativeClient(): NativeClientModule {
  const result = load()
  if ('module' in result) return result.module
  throw new KafkaError(
    'CLIENT_UNAVAILABLE',
    `the native Kafka client ${packageName} is not available (${firstLine(result.error)}): ${nativeClientInstallHint}; or set KAFKA_CLIENT=kafkajs`,
    { cause: result.error, retriable: false },
  )
}

/**
 * KAFKA_CLIENT and the outcome of loading the native client (asked only when it matters) → the client to
 * run. Unset: the native client when it loaded, else kafkajs (said why). Set: that client, and an explicit
 * `confluent` that did not load is an error saying what to do — the operator asked for it. Anything else
 * is an error listing the choices.
 */
export function chooseClient(
  requested: string | undefined,
  loadNative: () => NativeClientLoad,
): ClientChoice {
  if (requested === undefined || requested === '') {
    const native = loadNative()
    if (native.loaded)
      return { kind: 'confluent', reason: `native client ${packageName} (the default)`, fellBack: false }
    return {
      kind: 'kafkajs',
      reason: `native client unavailable (${native.reason}): using kafkajs; to use it, ${nativeClientInstallHint}`,
      fellBack: true,
    }
  }
  if (!(clientKinds as readonly string[]).includes(requested))
    throw new KafkaError(
      'INVALID_ARGUMENT',
      `KAFKA_CLIENT=${requested} is not a known client; use one of: ${clientKinds.join(', ')}`,
    )
  const kind = requested as ClientKind
  const native = kind === 'confluent' ? loadNative() : undefined
  if (native && !native.loaded)
    throw new KafkaError(
      'CLIENT_UNAVAILABLE',
      `KAFKA_CLIENT=confluent, but the native client ${packageName} is not available (${native.reason}): ` +
        `${nativeClientInstallHint}; or unset KAFKA_CLIENT (or set it to kafkajs) to use kafkajs`,
    )
  return { kind, reason: `KAFKA_CLIENT=${kind}`, fellBack: false }
}
