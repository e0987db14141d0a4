// What a test file leaves behind, undone after all its tests: the applications it started are closed, then
// its temporary directories removed.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'

export interface Cleanup {
  /** A new directory under the OS temp dir (`prefix` + random), removed after the file's tests. */
  tempDir(prefix: string): Promise<string>
  /** Closes `resource` after the file's tests, before the directories are removed (a failed close is ignored); returns it. */
  closing<T extends { close(): Promise<unknown> }>(resource: T): T
}

/** Call at a test file's top level: registers the file's `afterAll` that undoes what the returned `Cleanup` made. */
export function cleanupAfterAll(): Cleanup {
  const dirs: string[] = []
  const open: { close(): Promise<unknown> }[] = []
  afterAll(async () => {
    await Promise.all(open.map((resource) => resource.close().catch(() => undefined)))
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return {
    async tempDir(prefix) {
      const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
      dirs.push(dir)
      return dir
    },
    closing(resource) {
      open.push(resource)
      return resource
    },
  }
}
