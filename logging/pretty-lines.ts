// The terminal form of a log line, instead of pino-pretty: `12:04:05.123 WARN  kafka  broker away  task=0_1`.
// Our own twenty lines because they write synchronously in the same thread (pino-pretty as a transport
// runs in a worker and can lose the last lines of a process that exits), work in the pruned production
// image (pino-pretty would be a dev dependency), and print nothing we do not use.
import type { DestinationStream } from 'pino'

const colours: Record<string, string> = {
  fatal: '\x1b[41m',
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[90m',
  trace: '\x1b[90m',
}
const reset = '\x1b[0m'
const text = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))

/** One JSON line from pino as one readable line (the JSON itself when it is not an object). */
export function prettyLine(json: string, colour = false): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(json) as Record<string, unknown>
  } catch {
    return json.trimEnd()
  }
  const { time, level, msg, component, err, ...fields } = entry
  const clock = typeof time === 'string' ? time.slice(11, 23) : ''
  const label = text(level ?? '')
    .toUpperCase()
    .padEnd(5)
  const paint = (s: string) =>
    colour && typeof level === 'string' ? `${colours[level] ?? ''}${s}${reset}` : s
  const extras = Object.entries(fields).map(([k, v]) => `${k}=${text(v)}`)
  const stack =
    err && typeof err === 'object' && 'stack' in err && typeof err.stack === 'string' ? `\n${err.stack}` : ''
  return [clock, paint(label), component ? `[${text(component)}]` : '', text(msg ?? ''), ...extras]
    .filter((part) => part !== '')
    .join(' ')
    .concat(stack)
}

export function prettyDestination(out: DestinationStream, colour: boolean): DestinationStream {
  return { write: (line: string) => void out.write(`${prettyLine(line, colour)}\n`) }
}
