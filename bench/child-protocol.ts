// How the benchmark's child processes (the raw pipes and the reservation service; the Kafka Streams
// application prints the same lines from Java) report to the harness: one line `BENCH {json}` per event
// on stdout. Children also exit when the harness dies, so no run leaves a process behind.

export type ChildEvent =
  | { readonly event: 'state'; readonly state: string; readonly previous: string; readonly at: number }
  | {
      readonly event: 'restored'
      readonly store: string
      readonly partition: string
      readonly records: number
      readonly startAt: number
      readonly endAt: number
    }
  | { readonly event: 'error'; readonly message: string }
  /** The engine's own counters, on SIGUSR2 (the service only). */
  | { readonly event: 'metrics'; readonly values: Readonly<Record<string, number>>; readonly at: number }
  | { readonly event: 'closed'; readonly at: number }

export const childEventPrefix = 'BENCH '

export function emit(event: ChildEvent): void {
  process.stdout.write(`${childEventPrefix}${JSON.stringify(event)}\n`)
}

/** Parses a `BENCH {json}` line; undefined for any other line. */
export function parseChildEvent(line: string): ChildEvent | undefined {
  if (!line.startsWith(childEventPrefix)) return undefined
  try {
    return JSON.parse(line.slice(childEventPrefix.length)) as ChildEvent
  } catch {
    return undefined
  }
}

/** Exits this process once its parent (the harness) is gone, checked every second. */
export function exitWithParent(): void {
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1)
  }, 1000).unref()
}

/** Runs `stop` on SIGTERM/SIGINT, reports `closed` and exits; a second signal exits at once. */
export function onTermination(stop: () => Promise<void>): void {
  let stopping = false
  const handler = () => {
    if (stopping) process.exit(1)
    stopping = true
    void stop()
      .catch((error: unknown) => emit({ event: 'error', message: `stop failed: ${String(error)}` }))
      .finally(() => {
        emit({ event: 'closed', at: Date.now() })
        process.exit(0)
      })
  }
  process.on('SIGTERM', handler)
  process.on('SIGINT', handler)
}
