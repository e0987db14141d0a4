// The state updater's protocol without a broker (state-updater.ts): tasks are handed over one by one as
// their own restores end, a removed task cancels its pass and `remove` waits for the pass to stop, the
// pass's other tasks restore again, tasks added meanwhile wait for the next pass, a failure is reported.
import { describe, expect, it } from 'vitest'
import { RestoreCancelled } from '../../topology/runtime/changelog-restorer.js'
import { StateUpdater } from '../../topology/runtime/state-updater.js'
import type { StreamTask } from '../../topology/runtime/stream-task.js'
import { until } from '../support/until.js'

const task = (id: string) => ({ id }) as StreamTask

/** A restorer the test drives: each pass waits until the test finishes its tasks, fails it, or it is cancelled. */
function drivenRestorer() {
  const passes: {
    ids: string[]
    corrupted: string[]
    finish(id: string): void
    end(): void
    fail(error: Error): void
  }[] = []
  const restorer = {
    restore(
      tasks: readonly StreamTask[],
      corrupted: ReadonlySet<string>,
      signal?: AbortSignal,
      onRestored: (task: StreamTask) => void = () => {},
    ): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new RestoreCancelled()))
        passes.push({
          ids: tasks.map((t) => t.id),
          corrupted: [...corrupted],
          finish: (id) => onRestored(tasks.find((t) => t.id === id)!),
          end: resolve,
          fail: reject,
        })
      })
    },
  }
  return { restorer, passes }
}

/** An updater over a driven restorer, recording what it hands over and what fails. */
function updaterUnderTest() {
  const { restorer, passes } = drivenRestorer()
  const running: string[] = []
  const failures: unknown[] = []
  const make = () =>
    new StateUpdater({
      restorer,
      restored: async (tasks) => void running.push(...tasks.map((t) => t.id)),
      failed: (error) => void failures.push(error),
    })
  return { updater: make(), make, passes, running, failures }
}

/** Turns of the event loop until `condition` holds: the updater's steps run on promise callbacks. */
const settled = (what: string, condition: () => boolean) =>
  until(what, condition, { intervalMs: 0, timeoutMs: 5_000 })

describe('state updater', () => {
  it('hands each task over when its own restore ends, while the others of its pass go on', async () => {
    const { updater, passes, running, failures } = updaterUnderTest()
    updater.add([task('0_0'), task('0_1')], ['0_1'])
    expect(passes).toHaveLength(1)
    expect(passes[0]!.ids).toEqual(['0_0', '0_1'])
    expect(passes[0]!.corrupted).toEqual(['0_1'])
    passes[0]!.finish('0_0')
    await settled('one task running', () => running.length === 1)
    expect(running).toEqual(['0_0'])
    expect(updater.restoring).toBe(1)
    // added during a pass: waits for the next one
    updater.add([task('1_0')])
    expect(passes).toHaveLength(1)
    passes[0]!.finish('0_1')
    passes[0]!.end()
    await settled('a second pass', () => passes.length === 2)
    expect(passes[1]!.ids).toEqual(['1_0'])
    expect(passes[1]!.corrupted).toEqual([])
    passes[1]!.finish('1_0')
    passes[1]!.end()
    await updater.idle()
    expect(running).toEqual(['0_0', '0_1', '1_0'])
    expect(updater.restoring).toBe(0)
    expect(failures).toEqual([])
  })

  it('cancels the pass of a removed task, resolves remove once it stopped, and restores the others again', async () => {
    const { updater, passes, running, failures } = updaterUnderTest()
    updater.add([task('0_0'), task('0_1')], ['0_0'])
    let removed = false
    const removal = updater.remove(['0_1']).then(() => (removed = true))
    await removal
    expect(removed).toBe(true)
    // the other task of the cancelled pass restores again, still as corrupted (its wipe may not have run)
    await settled('a second pass', () => passes.length === 2)
    expect(passes[1]!.ids).toEqual(['0_0'])
    expect(passes[1]!.corrupted).toEqual(['0_0'])
    passes[1]!.finish('0_0')
    passes[1]!.end()
    await updater.idle()
    expect(running).toEqual(['0_0'])
    // a waiting task is dropped without a pass
    await updater.remove(['0_0'])
    expect(updater.restoring).toBe(0)
    expect(failures).toEqual([])
  })

  it('reports a failed pass and hands nothing over from it; close cancels what is restoring', async () => {
    const { updater, make, passes, running, failures } = updaterUnderTest()
    updater.add([task('0_0')])
    passes[0]!.fail(new Error('broker gone for longer than task.timeout.ms'))
    await settled('one failure reported', () => failures.length === 1)
    expect(running).toEqual([])

    const second = make()
    second.add([task('1_0')])
    await second.close()
    expect(second.restoring).toBe(0)
    expect(failures).toHaveLength(1) // a cancel is not a failure
    expect(() => second.add([task('1_1')])).toThrow('closed')
  })
})
