// Restores new tasks in the background (Kafka Streams' state updater, KIP-869): while the stores of newly
// assigned tasks are rebuilt from their changelogs, the tasks already running here go on processing and
// committing. A restoring task buffers what the consumer fetches for it (flow control pauses its inputs
// when the buffer is full, as for a running task) and processes nothing until it is restored.
//
// State updater protocol:
//   1. `add`: new tasks (their stores open, task-manager.ts) wait for the next pass; tasks a recovery
//      names as corrupted are wiped first (changelog-restorer.ts), in whichever pass restores them.
//   2. A pass restores every waiting task in one reader pass (changelog-restorer.ts), off the instance's
//      queue. Tasks added during a pass wait for the next one.
//   3. `remove` (a task revoked, the instance closing or recovering): a waiting task is dropped; a task
//      in the running pass cancels the pass — the reader stops at its next batch, after the store writes in
//      flight — and `remove` resolves once the pass has stopped, so the caller may close the task's
//      stores. The pass's other tasks wait for the next pass, which starts from their checkpoints (each
//      restore batch is written atomically with its checkpoint: nothing restored is lost or applied twice).
//   4. A pass that ends hands its tasks still wanted to `restored` (on the instance's queue: they
//      initialize their processors and start processing). A pass that fails for another reason than a
//      cancel hands the error to `failed` (the instance stops, as Kafka Streams' thread does when its
//      restore fails after task.timeout.ms of broker retries).
import { RestoreCancelled, type ChangelogRestorer } from './changelog-restorer.js'
import type { StreamTask } from './stream-task.js'

export interface StateUpdaterContext {
  readonly restorer: Pick<ChangelogRestorer, 'restore'>
  /** Step 4: the restored tasks of a pass that are still wanted. */
  readonly restored: (tasks: readonly StreamTask[]) => Promise<void>
  /** Step 4: a pass failed. */
  readonly failed: (error: unknown) => void
}

interface Pass {
  /** The pass's tasks still wanted: `remove` deletes from it. */
  readonly tasks: Map<string, StreamTask>
  readonly abort: AbortController
  /** Settles (never rejects) once the pass has stopped reading and writing. */
  readonly stopped: Promise<void>
}

export class StateUpdater {
  private readonly waiting = new Map<string, StreamTask>()
  private readonly corrupted = new Set<string>()
  private pass: Pass | undefined
  /** Settles once every restored task so far is handed over (never rejects): `idle()` waits for it. */
  private handedOver: Promise<void> = Promise.resolve()
  private closed = false

  constructor(private readonly context: StateUpdaterContext) {}

  /** Tasks added and not yet handed to `restored`. */
  get restoring(): number {
    return this.waiting.size + (this.pass?.tasks.size ?? 0)
  }

  /** Step 1. */
  add(tasks: readonly StreamTask[], corrupted: readonly string[] = []): void {
    if (this.closed) throw new Error('state updater closed')
    for (const task of tasks) this.waiting.set(task.id, task)
    for (const id of corrupted) if (this.waiting.has(id)) this.corrupted.add(id)
    this.startPass()
  }

  /** Step 3: resolves once none of `taskIds` is being restored. */
  async remove(taskIds: readonly string[]): Promise<void> {
    const pass = this.pass
    let inPass = false
    for (const id of taskIds) {
      this.waiting.delete(id)
      this.corrupted.delete(id)
      if (pass?.tasks.delete(id)) inPass = true
    }
    if (pass && inPass) {
      pass.abort.abort()
      await pass.stopped
    }
  }

  /** Stops restoring: every task is removed (the caller closes them). */
  async close(): Promise<void> {
    this.closed = true
    await this.remove([...this.waiting.keys(), ...(this.pass?.tasks.keys() ?? [])])
  }

  /** Resolves when no pass runs and none is handing its tasks over (for tests and operators). */
  async idle(): Promise<void> {
    for (;;) {
      const pass = this.pass
      if (pass) await pass.stopped
      await this.handedOver
      if (!this.pass) return
    }
  }

  /** Step 2. */
  private startPass(): void {
    if (this.pass || this.waiting.size === 0 || this.closed) return
    const tasks = new Map(this.waiting)
    this.waiting.clear()
    const corrupted = new Set([...tasks.keys()].filter((id) => this.corrupted.has(id)))
    let stopped!: () => void
    const pass: Pass = {
      tasks,
      abort: new AbortController(),
      stopped: new Promise<void>((resolve) => (stopped = resolve)),
    }
    this.pass = pass
    // 4: each task as soon as its own stores are restored
    const restored = (task: StreamTask) => {
      if (pass.tasks.get(task.id) !== task) return // removed meanwhile
      pass.tasks.delete(task.id)
      this.corrupted.delete(task.id)
      this.handOver([task])
    }
    const result = this.context.restorer
      .restore([...tasks.values()], corrupted, pass.abort.signal, restored)
      .then(
        () => undefined,
        (error: unknown) => error ?? new Error('restore failed'),
      )
    void result.then((error) => {
      stopped()
      this.pass = undefined
      if (error === undefined) {
        // every task was handed over as it finished; none is left but one removed meanwhile
        if (pass.tasks.size > 0) this.handOver([...pass.tasks.values()])
      } else if (error instanceof RestoreCancelled) {
        // 3: the pass's other tasks restore again, from their checkpoints
        for (const [id, task] of pass.tasks) if (!this.closed) this.waiting.set(id, task)
      } else {
        this.context.failed(error) // 4
        return
      }
      this.startPass()
    })
  }

  /** Step 4, in order. */
  private handOver(tasks: readonly StreamTask[]): void {
    this.handedOver = this.handedOver
      .then(() => this.context.restored(tasks))
      .catch((error: unknown) => this.context.failed(error))
  }
}
