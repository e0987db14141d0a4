// The failover benchmark's command line (`npm run bench:failover -- [--quick] [options]`), pure so it is
// unit-tested. What a run is: one system (our engine on confluent, or Kafka Streams), three instances of
// it, one variant — killed with 0 or 1 standby replicas, or killed and restarted with static membership.

export const failoverSystems = ['engine', 'kstreams'] as const
export type FailoverSystem = (typeof failoverSystems)[number]

export const failoverVariants = ['standby0', 'standby1', 'standby2', 'static'] as const
export type FailoverVariant = (typeof failoverVariants)[number]

/** Run unless `--variants` says otherwise (`standby2`: a copy on every other instance of three). */
export const defaultVariants: readonly FailoverVariant[] = ['standby0', 'standby1', 'static']

export interface FailoverVariantSpec {
  readonly id: FailoverVariant
  readonly label: string
  readonly standbys: number
  /** Every instance has a group.instance.id, and the killed one is restarted at once with the same id and state. */
  readonly restart: boolean
}

export const variantSpecs: Readonly<Record<FailoverVariant, FailoverVariantSpec>> = {
  standby0: { id: 'standby0', label: 'kill -9, no standby', standbys: 0, restart: false },
  standby1: { id: 'standby1', label: 'kill -9, 1 standby', standbys: 1, restart: false },
  standby2: { id: 'standby2', label: 'kill -9, 2 standbys', standbys: 2, restart: false },
  static: {
    id: 'static',
    label: 'kill -9 and restart, static membership',
    standbys: 0,
    restart: true,
  },
}

export interface FailoverOptions {
  readonly quick: boolean
  /** Distinct keys preloaded: the state each run starts from (spread over the partitions). */
  readonly keys: number
  readonly partitions: number
  readonly instances: number
  readonly reps: number
  /** Records per second offered throughout (before, during and after the kill). */
  readonly rate: number
  /** Seconds of live load before the kill (standbys catch up, latency settles). */
  readonly steadySeconds: number
  /** Inputs sent this long after the kill make the failover window's latency figures. */
  readonly windowSeconds: number
  /** Longest wait for every partition to be processed again after the kill. */
  readonly recoveryTimeoutSeconds: number
  readonly systems: readonly FailoverSystem[]
  readonly variants: readonly FailoverVariant[]
  readonly commitIntervalMs: number
  readonly sessionTimeoutMs: number
  readonly javaHeapMb: number
  /** Our engine's record cache (cacheMaxBytes; default 0, the engine's default; Kafka Streams' is 10 MiB). */
  readonly engineCacheBytes: number
}

function listOf<T extends string>(
  name: string,
  text: string | undefined,
  known: readonly T[],
  fallback: readonly T[] = known,
): T[] {
  if (text === undefined) return [...fallback]
  return text.split(',').map((item) => {
    if (!(known as readonly string[]).includes(item))
      throw new Error(`--${name}: unknown ${item}; known: ${known.join(', ')}`)
    return item as T
  })
}

export function parseFailoverOptions(argv: readonly string[]): FailoverOptions {
  const args = new Map<string, string>()
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (!match) throw new Error(`unexpected argument ${arg}`)
    args.set(match[1]!, match[2] ?? 'true')
  }
  const quick = args.get('quick') === 'true'
  const number = (name: string, fallback: number, min = 1): number => {
    const text = args.get(name)
    if (text === undefined) return fallback
    const value = Number(text)
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name}=${text}: a whole number ≥ ${min}`)
    return value
  }
  const known = new Set([
    'quick',
    'keys',
    'reps',
    'rate',
    'steady-seconds',
    'window-seconds',
    'systems',
    'variants',
    'engine-cache-bytes',
  ])
  for (const name of args.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}`)
  return {
    quick,
    keys: number('keys', quick ? 100_000 : 1_000_000),
    partitions: 6,
    instances: 3,
    reps: number('reps', 1),
    rate: number('rate', 1000),
    steadySeconds: number('steady-seconds', quick ? 10 : 20),
    windowSeconds: number('window-seconds', 30),
    recoveryTimeoutSeconds: quick ? 120 : 300,
    systems: listOf('systems', args.get('systems'), failoverSystems),
    variants: listOf('variants', args.get('variants'), failoverVariants, defaultVariants),
    commitIntervalMs: 100,
    sessionTimeoutMs: 10_000,
    javaHeapMb: 512,
    engineCacheBytes: number('engine-cache-bytes', 0, 0),
  }
}
