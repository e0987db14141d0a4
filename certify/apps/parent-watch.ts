// A certification app exits when the runner that started it is gone (even killed by SIGKILL): the runner
// gives each child its own process group, so no terminal signal would reach it otherwise.
export function exitWithParent(): void {
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) {
      console.log(`${new Date().toISOString()} the runner (pid ${parent}) is gone; exiting`)
      process.exit(3)
    }
  }, 1000).unref()
}
