// The project's one logger (pino). Every line is one event: JSON in production (what a log pipeline
// parses), a short readable line when stdout is a terminal. LOG_LEVEL picks the threshold (info default);
// LOG_FORMAT=json|pretty overrides the terminal check. Modules take a child logger with their fields
// (`component`, `task`, `partition`) rather than formatting them into the message.
import { pino, type DestinationStream, type Level, type Logger } from 'pino'
import { StreamsError } from '../errors/index.js'
import { prettyDestination } from './pretty-lines.js'

export type { Logger } from 'pino'

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

export interface LoggerOptions {
  readonly level?: LogLevel
  /** 'pretty' for a terminal, 'json' otherwise; default: pretty when the destination is a TTY. */
  readonly format?: 'json' | 'pretty'
  /** Where lines go (stdout by default); written synchronously, so the last lines before exit are kept. */
  readonly destination?: DestinationStream & { readonly isTTY?: boolean }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true })
  const tty = options.destination ? options.destination.isTTY === true : process.stdout.isTTY
  const format = options.format ?? (tty ? 'pretty' : 'json')
  return pino(
    {
      level: options.level ?? 'info',
      base: null, // no pid/hostname on every line: the platform adds them
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    format === 'pretty' ? prettyDestination(destination, tty) : destination,
  )
}

/** Reads LOG_LEVEL and LOG_FORMAT; an unknown value is a CONFIG_INVALID error naming the accepted ones. */
export function loggerOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): {
  level: LogLevel
  format?: 'json' | 'pretty'
} {
  const level = (env['LOG_LEVEL'] ?? '').toLowerCase() || 'info'
  if (!(logLevels as readonly string[]).includes(level))
    throw new StreamsError(
      'CONFIG_INVALID',
      `LOG_LEVEL=${env['LOG_LEVEL']} is not a level; use one of: ${logLevels.join(', ')}`,
    )
  const format = env['LOG_FORMAT']
  if (format !== undefined && format !== '' && format !== 'json' && format !== 'pretty')
    throw new StreamsError('CONFIG_INVALID', `LOG_FORMAT=${format} is not a format; use json or pretty`)
  return { level: level as LogLevel, ...(format ? { format } : {}) }
}

let root: Logger | undefined

/** The process's logger, made from the environment on first use. */
export function rootLogger(): Logger {
  root ??= createLogger(loggerOptionsFromEnv())
  return root
}

/** A logger that drops everything (tests that assert on other output). */
export const silentLogger: Logger = pino({ level: 'silent' })

export type LevelName = Level

/** Fields of a line (`task`, `partition`, `store`, counts): flat values a log pipeline can index. */
export type LogFields = Readonly<Record<string, string | number | boolean>>

/** A `(level, message, fields)` function writing to a logger: the shape the engine and tools take. */
export function logTo(logger: Logger): (level: Level, message: string, fields?: LogFields) => void {
  return (level, message, fields) => logger[level](fields ?? {}, message)
}
