// What every certification app needs of its process: its settings from the environment and a way to print
// the timestamped lines the runner waits for.

/** An environment variable the runner always sets; its absence is a runner bug, said by name. */
export function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}

/** One line on stdout, prefixed with the time. */
export function say(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`)
}
