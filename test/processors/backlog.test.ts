// Issue #11 / spec §5 (late or stray payments): a backlog of commands and payments — half published before
// the service starts, the rest in bursts while it runs, the service SIGKILLed twice — is decided as if it had
// arrived live: every payment whose reservation had been created at or before the payment's timestamp is
// applied, none dead-lettered. The full-size run is `npm run backlog` (tools/backlog/cli.ts).
import { describe, expect, it } from 'vitest'
import { runBacklog } from '../support/backlog.js'
import { brokers } from '../support/kafka.js'

describe('a backlog of commands and payments', () => {
  it(
    'applies every payment whose reservation existed at its timestamp, across two SIGKILLs, and dead-letters none of them',
    { timeout: 180_000 },
    async () => {
      const result = await runBacklog({
        brokers: brokers(),
        commands: 1500,
        resources: 12,
        kills: 2,
        seed: 7,
        preloaded: 0.5,
        bursts: 6,
      })
      console.log(
        `backlog: ${result.records} records, ${result.validPayments} valid payments, ${result.eligible} for reservations that existed: ${result.applied} applied, ${result.eligibleDeadLettered} dead-lettered (${result.elapsedMs} ms)`,
      )
      expect(result.killed).toBe(2)
      expect(result.examples).toEqual([])
      expect(result.eligibleDeadLettered).toBe(0)
      expect(result.missing).toBe(0)
      expect(result.applied).toBe(result.eligible)
      // the workload is large enough to say something: hundreds of payments, most of them for live reservations
      expect(result.eligible).toBeGreaterThan(150)
    },
  )
})
