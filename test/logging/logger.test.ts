import { describe, expect, it } from 'vitest'
import { createLogger, loggerOptionsFromEnv } from '../../logging/logger.js'
import { prettyLine } from '../../logging/pretty-lines.js'

function capture(format: 'json' | 'pretty', level: 'info' | 'debug' = 'info') {
  const lines: string[] = []
  const logger = createLogger({
    level,
    format,
    destination: { write: (line: string) => void lines.push(line) },
  })
  return { logger, lines }
}

describe('logger', () => {
  it('writes one JSON object per line with level, time, message and fields', () => {
    const { logger, lines } = capture('json')
    logger.child({ component: 'streams' }).warn({ task: '0_1', partition: 1 }, 'store behind\nits changelog')
    expect(lines).toHaveLength(1)
    expect(lines[0]!.trimEnd().split('\n')).toHaveLength(1)
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(entry).toMatchObject({
      level: 'warn',
      component: 'streams',
      task: '0_1',
      partition: 1,
      msg: 'store behind\nits changelog',
    })
    expect(typeof entry['time']).toBe('string')
  })

  it('drops lines below LOG_LEVEL', () => {
    const { logger, lines } = capture('json')
    logger.debug('not shown')
    logger.info('shown')
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown'])
  })

  it('writes a readable line for a terminal', () => {
    const { logger, lines } = capture('pretty')
    logger.child({ component: 'kafka' }).error({ fac: 'FAIL', repeated: 3 }, 'Connect failed')
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR \[kafka\] Connect failed fac=FAIL repeated=3\n$/)
  })

  it('formats a line without colour codes unless asked', () => {
    const line = prettyLine(
      '{"level":"info","time":"2026-11-30T10:00:00.000Z","msg":"hi","component":"main"}',
    )
    expect(line).toBe('10:00:00.000 INFO  [main] hi')
    expect(prettyLine('not json\n')).toBe('not json')
  })

  it('reads LOG_LEVEL and LOG_FORMAT, refusing unknown values with the accepted ones', () => {
    expect(loggerOptionsFromEnv({})).toEqual({ level: 'info' })
    expect(loggerOptionsFromEnv({ LOG_LEVEL: 'DEBUG', LOG_FORMAT: 'json' })).toEqual({
      level: 'debug',
      format: 'json',
    })
    expect(() => loggerOptionsFromEnv({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL=verbose .*debug/)
    expect(() => loggerOptionsFromEnv({ LOG_FORMAT: 'xml' })).toThrow(/json or pretty/)
  })
})
