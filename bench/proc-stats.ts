// Readers of /proc (Linux): CPU time and peak memory of a process, and finding processes by command line.
// Parsing is separated from reading so the tests can feed it sample text.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'

let ticksPerSecond: number | undefined

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on every common kernel). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/**
 * utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in clock ticks. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted after its last ')'.
 */
export function parseStatTicks(stat: string): { utime: number; stime: number; ppid: number } {
  const close = stat.lastIndexOf(')')
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`)
  // after ')': field 3 (state) is index 0
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/)
  const utime = Number(fields[14 - 3])
  const stime = Number(fields[15 - 3])
  const ppid = Number(fields[4 - 3])
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`bad stat fields: ${stat.slice(0, 120)}`)
  return { utime, stime, ppid }
}

/** A `Vm*:   12345 kB` field of /proc/<pid>/status, in bytes; undefined when absent. */
export function parseStatusKb(status: string, field: 'VmHWM' | 'VmRSS' | 'VmPeak'): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)
  return match ? Number(match[1]) * 1024 : undefined
}

/** CPU seconds (user + system) the process has used so far; undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const { utime, stime } = parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    return (utime + stime) / clockTicks()
  } catch {
    return undefined
  }
}

/** Peak resident set size (VmHWM) in bytes; undefined when the process is gone. */
export function peakRssBytes(pid: number): number | undefined {
  try {
    return parseStatusKb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmHWM')
  } catch {
    return undefined
  }
}

/** Pids of the direct children of `pid` (from /proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  const children: number[] = []
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim()
      if (text) children.push(...text.split(/\s+/).map(Number))
    }
  } catch {
    // gone
  }
  return children
}

/** The command line of a process as its arguments; empty when it is gone. */
export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '')
  } catch {
    return []
  }
}

/** Pids of every process whose command line contains all of `needles`. */
export function findPids(needles: readonly string[]): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const line = commandLine(Number(entry)).join(' ')
    if (line && needles.every((n) => line.includes(n))) found.push(Number(entry))
  }
  return found
}
