// Phase 8 of a run (stateful systems): the state directory deleted, the system started again; restore
// records/s = changelog records restored ÷ restore time, from the first store's restore start to the
// last one's end as each system reports them (Kafka Streams: onRestoreStart / onRestoreEnd of its
// StateRestoreListener; ours: each RestoreReport's startedAt / endedAt). Until 2026-12-02 ours was timed
// from REBALANCING to RUNNING, which also counted the group join and opening the stores. Also the
// process's CPU time from its REBALANCING to its RUNNING state (as the harness receives them): on a
// shared machine steadier than the wall time.
import { rm } from 'node:fs/promises'
import { cpuSeconds } from '../proc-stats.js'
import type { RestoreResult } from '../report.js'
import { startSystem, type RunContext } from '../run-context.js'

/** 8. Restores from the changelogs into an empty state directory; undefined when not measured. */
export async function measureRestore(ctx: RunContext): Promise<RestoreResult | undefined> {
  if (!ctx.stateful || !ctx.settings.restore) return undefined
  await rm(ctx.stateDir, { recursive: true, force: true })
  ctx.say(`${ctx.tag}   state deleted; restoring`)
  let cpuAtRebalancing: number | undefined
  const { child, runningAt } = await startSystem(ctx, 'restore', ctx.quick ? 300_000 : 900_000, (started) => {
    void started
      .waitFor((e) => e.event === 'state' && e.state === 'REBALANCING', 60_000, 'REBALANCING state')
      .then(() => (cpuAtRebalancing = cpuOf(started.measuredPid())))
      .catch(() => undefined)
  })
  const cpuAtRunning = cpuOf(child.measuredPid())
  // restore reports may trail the state change by a moment
  await child.waitFor((e) => e.event === 'restored', 1000, 'restore report').catch(() => undefined)
  await new Promise((resolve) => setTimeout(resolve, 200))
  const restored = child.events.flatMap((e) => (e.event === 'restored' ? [e] : []))
  const records = restored.reduce((sum, e) => sum + e.records, 0)
  const from = Math.min(...restored.map((e) => e.startAt))
  const to = Math.max(...restored.map((e) => e.endAt))
  const seconds = restored.length > 0 ? Math.max(0.001, (to - from) / 1000) : 0
  const restore: RestoreResult = {
    records,
    seconds,
    rate: seconds > 0 ? records / seconds : 0,
    readySeconds: (runningAt - child.spawnedAt) / 1000,
    ...(cpuAtRebalancing !== undefined && cpuAtRunning !== undefined
      ? { cpuSeconds: cpuAtRunning - cpuAtRebalancing }
      : {}),
  }
  ctx.say(
    `${ctx.tag}   restored ${records} changelog records in ${seconds.toFixed(2)} s (${Math.round(restore.rate)}/s), RUNNING ${restore.readySeconds.toFixed(1)} s after start${restore.cpuSeconds === undefined ? '' : `, ${restore.cpuSeconds.toFixed(2)} CPU-s from REBALANCING to RUNNING`}`,
  )
  await child.stop()
  return restore
}

function cpuOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    return cpuSeconds(pid)
  } catch {
    return undefined
  }
}
