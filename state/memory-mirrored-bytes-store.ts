// A persistent store whose data is also held in memory: LevelDB keeps it (and its checkpoint) across
// restarts, memory serves every read. For small stores scanned on the hot path, where a LevelDB
// iterator (a thread-pool round trip per scan) costs more than the decision that needs it.
import type { ByteRange } from './byte-range.js'
import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import { InMemoryBytesStore } from './in-memory-bytes-store.js'

/**
 * `inner` (persistent) mirrored by an `InMemoryBytesStore`.
 *
 * Invariants:
 * - While open, `memory` holds exactly the data of `inner`: `open` loads it, `write` applies each
 *   batch to `inner` first and to `memory` only once that succeeded, `wipe` empties both.
 * - Reads never touch `inner`; the checkpoint and the size estimate always come from `inner`.
 */
export class MemoryMirroredBytesStore implements BytesKeyValueStore {
  readonly persistent: boolean
  private readonly memory: InMemoryBytesStore

  constructor(
    private readonly inner: BytesKeyValueStore,
    name = 'mirrored',
  ) {
    this.persistent = inner.persistent
    this.memory = new InMemoryBytesStore(name)
  }

  get isOpen(): boolean {
    return this.inner.isOpen && this.memory.isOpen
  }

  async open(): Promise<void> {
    await this.inner.open()
    await this.memory.wipe()
    const batch: BytesWrite[] = []
    for await (const [key, value] of this.inner.range({})) batch.push({ key, value })
    await this.memory.write(batch)
  }

  async close(): Promise<void> {
    await this.memory.close()
    await this.inner.close()
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.memory.get(key)
  }

  range(range: ByteRange): AsyncIterable<readonly [Buffer, Buffer]> {
    return this.memory.range(range)
  }

  readonly rangeSync = (range: ByteRange): (readonly [Buffer, Buffer])[] => this.memory.rangeSync(range)

  async write(batch: readonly BytesWrite[], checkpoint?: number): Promise<void> {
    await this.inner.write(batch, checkpoint)
    await this.memory.write(batch)
  }

  checkpoint(): Promise<number | undefined> {
    return this.inner.checkpoint()
  }

  async wipe(): Promise<void> {
    await this.memory.wipe()
    await this.inner.wipe()
  }

  approximateBytes(): Promise<number> {
    return this.inner.approximateBytes()
  }

  /** Exact, from memory (which holds exactly the data of `inner`). */
  keyCount(): Promise<number> {
    return this.memory.keyCount()
  }
}
