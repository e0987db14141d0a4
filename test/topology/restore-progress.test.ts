import { describe, expect, it } from 'vitest'
import { RestoreProgress } from '../../topology/runtime/restore-progress.js'

describe('RestoreProgress', () => {
  it('reports records restored, records left and the rate', () => {
    const lines: { message: string; fields: unknown }[] = []
    let now = 0
    const progress = new RestoreProgress(
      (_level, message, fields) => lines.push({ message, fields }),
      { tasks: 2, partitions: 2 },
      { everyMs: 0, now: () => now },
    )
    const a = { topic: 'app-store-changelog', partition: 0 }
    const b = { topic: 'app-store-changelog', partition: 1 }
    progress.expect(a, 6000)
    progress.expect(b, 4000)
    progress.start()
    now = 2000
    progress.restored(a, 3000, 3000)
    progress.restored(b, 1000, 3000)
    progress.report()
    now = 4000
    progress.restored(a, 3000, 0)
    progress.restored(b, 2000, 0) // compaction: fewer records than offsets
    progress.finish()
    expect(lines.map((l) => l.message)).toEqual([
      'restoring state: up to 10000 records',
      'restoring state: 4000 records restored, 6000 left, 2000/s',
      'restored 9000 records in 4000 ms (2250/s)',
    ])
    expect(lines[1]!.fields).toEqual({
      tasks: 2,
      partitions: 2,
      restored: 4000,
      remaining: 6000,
      perSecond: 2000,
      elapsedMs: 2000,
    })
  })
})
