// Entry-point helpers: a SetupError is printed as its message alone (it already says what to do) and the
// process exits with status 2; anything else keeps its stack trace.
import { SetupError } from './setup-error.js'

export async function runOrExplain(main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (error) {
    if (error instanceof SetupError) {
      console.error(`\n${error.message}\n`)
      process.exit(2)
    }
    throw error
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      resolve(signal)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
