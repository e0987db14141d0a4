// The persistent bytes store: LevelDB through classic-level. The only file that imports LevelDB.

import { mkdir, rm } from 'node:fs/promises'

import { ClassicLevel } from 'classic-level'

import type { ByteRange } from './byte-range.js'
import { keyCountMaxAgeMs, type BytesKeyValueStore, type BytesWrite } from './bytes-key-value-store.js'
import type { StateStoreErrorCode } from './errors.js'
import { StateStoreError } from './errors.js'

export interface LevelDbOptions {
  /** Name used in error messages. Defaults to the directory. */
  readonly name?: string
  /** LevelDB block cache in bytes (default 8 MiB). */
  readonly cacheSizeBytes?: number
  /** LevelDB memtable size in bytes before it is written to a table file (default 4 MiB). */
  readonly writeBufferSizeBytes?: number
  /**
   * Serve `get` with LevelDB's synchronous read (default true). A read from the block cache or
   * the OS page cache then costs about a microsecond instead of a thread-pool round trip (tens of
   * microseconds); a read that goes to disk blocks the event loop for its duration, as RocksDB
   * reads block the stream thread in Kafka Streams.
   */
  readonly syncReads?: boolean
}

/** Layout version in the metadata sublevel; bump when the key layout of this class changes. */
const formatVersion = Buffer.from('1')
const formatKey = Buffer.from('format')
const checkpointKey = Buffer.from('checkpoint')
/**
 * Entries asked for per native call while iterating. classic-level hands back fewer once a read holds
 * `highWaterMarkBytes` (16 KiB by default), so a short read is not the end of a range: only an empty one is.
 */
const iteratorBatch = 256
/** Stores up to this many keys are counted exactly; larger ones estimated (see `keyCount`). */
export const exactKeyCountLimit = 4096

function openHandles(location: string, options: LevelDbOptions) {
  const db = new ClassicLevel<Buffer, Buffer>(location, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
    createIfMissing: true,
    ...(options.cacheSizeBytes === undefined ? {} : { cacheSize: options.cacheSizeBytes }),
    ...(options.writeBufferSizeBytes === undefined ? {} : { writeBufferSize: options.writeBufferSizeBytes }),
  })
  const encodings = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const
  const data = db.sublevel<Buffer, Buffer>('data', encodings)
  const meta = db.sublevel<Buffer, Buffer>('meta', encodings)
  const dataPrefix = Buffer.from(data.prefix, 'latin1')
  const dataEnd = Buffer.from(dataPrefix)
  dataEnd[dataEnd.length - 1]!++
  return { db, data, meta, dataPrefix, dataEnd, checkpointKey: meta.prefixKey(checkpointKey, 'buffer') }
}
type Handles = ReturnType<typeof openHandles>

/**
 * A `BytesKeyValueStore` in a LevelDB directory.
 *
 * Layout: user data in the `data` sublevel; the changelog checkpoint and the layout version in
 * the `meta` sublevel, so metadata can never collide with (or be scanned as) user keys. Hot paths
 * address the sublevels through their key prefixes on the root database (same layout, fewer
 * layers: about 2.5x faster batches and reads than going through sublevel objects).
 *
 * Invariants:
 * - `write` is one LevelDB batch spanning both sublevels, so data and checkpoint are atomic.
 * - Writes are not fsynced: an OS crash may lose the latest batches, but LevelDB recovers a
 *   prefix of whole batches, so data and checkpoint stay consistent and restore replays the rest.
 * - One directory is opened by at most one instance (LevelDB's lock); a second `open()` fails with
 *   a retriable `STORE_LOCKED`.
 */
export class LevelDbBytesStore implements BytesKeyValueStore {
  readonly persistent = true
  private handles: Handles | undefined
  /** The `open()` in progress, so concurrent calls share it instead of racing for the lock. */
  private opening: Promise<void> | undefined
  private readonly name: string
  private readonly syncReads: boolean
  /** The last key count and when it was taken (wall clock). */
  private counted: { readonly keys: number; readonly at: number } | undefined

  constructor(
    readonly location: string,
    private readonly options: LevelDbOptions = {},
  ) {
    this.name = options.name ?? location
    this.syncReads = options.syncReads ?? true
    this.getSync = this.syncReads ? this.readSync : undefined
  }

  get isOpen(): boolean {
    return this.handles !== undefined
  }

  async open(): Promise<void> {
    if (this.handles !== undefined) return
    this.opening ??= this.openOnce().finally(() => (this.opening = undefined))
    return this.opening
  }

  private async openOnce(): Promise<void> {
    await mkdir(this.location, { recursive: true })
    const handles = openHandles(this.location, this.options)
    try {
      await handles.db.open()
      const format = await handles.meta.get(formatKey)
      if (format === undefined) await handles.meta.put(formatKey, formatVersion)
      else if (!format.equals(formatVersion)) {
        throw new StateStoreError('STORE_CORRUPTED', `unknown layout version '${format.toString()}'`, {
          store: this.name,
        })
      }
    } catch (error) {
      await handles.db.close().catch(() => undefined)
      throw this.translate(error, 'open')
    }
    this.handles = handles
  }

  async close(): Promise<void> {
    const handles = this.handles
    if (handles === undefined) return
    this.handles = undefined
    try {
      await handles.db.close()
    } catch (error) {
      throw this.translate(error, 'close')
    }
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    if (this.syncReads) return this.readSync(key)
    const { db, dataPrefix } = this.opened()
    const prefixed = withPrefix(dataPrefix, key)
    try {
      return await db.get(prefixed)
    } catch (error) {
      throw this.translate(error, 'get')
    }
  }

  /** LevelDB's synchronous read, present with `syncReads` (see `BytesKeyValueStore.getSync`). */
  readonly getSync: ((key: Buffer) => Buffer | undefined) | undefined

  /** LevelDB's synchronous read: blocks for a read that goes to disk. */
  private readonly readSync = (key: Buffer): Buffer | undefined => {
    const { db, dataPrefix } = this.opened()
    const prefixed = withPrefix(dataPrefix, key)
    try {
      return db.getSync(prefixed)
    } catch (error) {
      throw this.translate(error, 'get')
    }
  }

  async *range(range: ByteRange): AsyncGenerator<readonly [Buffer, Buffer]> {
    const { db, dataPrefix, dataEnd } = this.opened()
    const iterator = db.iterator({
      gte: range.gte === undefined ? dataPrefix : withPrefix(dataPrefix, range.gte),
      lt: range.lt === undefined ? dataEnd : withPrefix(dataPrefix, range.lt),
    })
    const skip = dataPrefix.length
    try {
      for (;;) {
        const entries = await iterator.nextv(iteratorBatch)
        if (entries.length === 0) return
        for (const [key, value] of entries) yield [key.subarray(skip), value]
      }
    } catch (error) {
      throw this.translate(error, 'range')
    } finally {
      await iterator.close().catch(() => undefined)
    }
  }

  /**
   * One LevelDB batch, built with the chained batch API: each operation is one native call with the key
   * and value as arguments, where the array form has the native side look up `type`, `key` and `value` on
   * each operation object (about half the main thread's time per record, measured on restore batches).
   */
  async write(batch: readonly BytesWrite[], checkpoint?: number): Promise<void> {
    const handles = this.opened()
    const { dataPrefix } = handles
    let chained: ReturnType<Handles['db']['batch']> | undefined
    try {
      chained = handles.db.batch()
      for (const { key, value } of batch) {
        const prefixed = withPrefix(dataPrefix, key)
        if (value === null) chained.del(prefixed)
        else chained.put(prefixed, value)
      }
      if (checkpoint !== undefined) chained.put(handles.checkpointKey, encodeOffset(checkpoint))
      await chained.write()
    } catch (error) {
      // a batch that failed before its write still holds its native resources until closed
      await chained?.close().catch(() => undefined)
      throw this.translate(error, 'write')
    }
  }

  async checkpoint(): Promise<number | undefined> {
    const { meta } = this.opened()
    try {
      const bytes = await meta.get(checkpointKey)
      if (bytes === undefined) return undefined
      if (bytes.length !== 8)
        throw new StateStoreError('STORE_CORRUPTED', 'malformed checkpoint', { store: this.name })
      return Number(bytes.readBigInt64BE())
    } catch (error) {
      throw this.translate(error, 'read checkpoint of')
    }
  }

  /**
   * 1. Delete the checkpoint first (if the store is readable), so a crash during the wipe never
   *    leaves a checkpoint next to partial data.
   * 2. Close and delete the directory: this also clears a store too corrupted to open.
   * 3. Open an empty store.
   */
  async wipe(): Promise<void> {
    // An open store with no data (one just created, as every store of a restore into an empty state
    // directory): deleting its checkpoint is the whole wipe; closing, deleting and reopening the directory
    // (tens of milliseconds per store) would leave the same empty store
    if (this.handles !== undefined && (await this.holdsNoData(this.handles))) {
      try {
        await this.handles.meta.del(checkpointKey)
        this.counted = undefined
        return
      } catch {
        // the full wipe below
      }
    }
    // Step 1
    if (this.handles !== undefined) await this.handles.meta.del(checkpointKey).catch(() => undefined)
    // Step 2
    await this.close().catch(() => undefined)
    await rm(this.location, { recursive: true, force: true })
    // Step 3
    this.counted = undefined
    await this.open()
  }

  /** True when the data sublevel is empty; false when it is not, or cannot be read. */
  private async holdsNoData({ db, dataPrefix, dataEnd }: Handles): Promise<boolean> {
    try {
      return (await db.keys({ gte: dataPrefix, lt: dataEnd, limit: 1 }).all()).length === 0
    } catch {
      return false
    }
  }

  async approximateBytes(): Promise<number> {
    const { db, dataPrefix, dataEnd } = this.opened()
    try {
      return await db.approximateSize(dataPrefix, dataEnd)
    } catch (error) {
      throw this.translate(error, 'measure')
    }
  }

  /**
   * The number of data keys, at most once per `keyCountMaxAgeMs`: exact up to `exactKeyCountLimit` keys,
   * estimated beyond (LevelDB keeps no count, and a scan of every key turns each into a JavaScript value
   * on the main thread: for the stores of a 300,000-record drain, a scan a minute took up to half of it).
   *   1. Read the first `exactKeyCountLimit + 1` keys. Fewer: that is the count.
   *   2. Otherwise scale the sample by LevelDB's on-disk sizes: keys ≈ sample × size(all) / size(sample),
   *      as RocksDB's `estimate-num-keys` estimates (compression cancels out; overwritten and deleted
   *      entries not yet compacted away count as keys, as there).
   *   3. Sizes count table files only: when the sample's keys are all still in the memtable (its size is 0),
   *      count them all with the scan instead.
   */
  async keyCount(): Promise<number> {
    if (this.counted !== undefined && Date.now() - this.counted.at < keyCountMaxAgeMs)
      return this.counted.keys
    const { db, dataPrefix, dataEnd } = this.opened()
    try {
      // Step 1
      const sample = await db.keys({ gte: dataPrefix, lt: dataEnd, limit: exactKeyCountLimit + 1 }).all()
      let keys = sample.length
      if (keys > exactKeyCountLimit) {
        // Step 2
        const sampleBytes = await db.approximateSize(dataPrefix, sample[exactKeyCountLimit]!)
        if (sampleBytes > 0) {
          const allBytes = await db.approximateSize(dataPrefix, dataEnd)
          keys = Math.max(keys, Math.round((exactKeyCountLimit * allBytes) / sampleBytes))
        } else keys = await this.countAll(db, dataPrefix, dataEnd) // Step 3
      }
      this.counted = { keys, at: Date.now() }
      return keys
    } catch (error) {
      throw this.translate(error, 'count the keys of')
    }
  }

  private async countAll(db: Handles['db'], gte: Buffer, lt: Buffer): Promise<number> {
    const iterator = db.keys({ gte, lt })
    let keys = 0
    try {
      for (;;) {
        const batch = await iterator.nextv(1000)
        if (batch.length === 0) return keys
        keys += batch.length
      }
    } finally {
      await iterator.close().catch(() => undefined)
    }
  }

  private opened(): Handles {
    if (this.handles === undefined) {
      throw new StateStoreError('STORE_CLOSED', 'LevelDB store is not open', { store: this.name })
    }
    return this.handles
  }

  /** LevelDB error codes → state errors; the original error is kept as `cause`. */
  private translate(error: unknown, action: string): StateStoreError {
    if (error instanceof StateStoreError) return error
    const code = levelCode(error)
    const causeCode = levelCode(error instanceof Error ? error.cause : undefined)
    const options = { cause: error, store: this.name }
    const effective = code === 'LEVEL_DATABASE_NOT_OPEN' && causeCode !== undefined ? causeCode : code
    const [stateCode, reason] = (effective === undefined ? undefined : levelErrors.get(effective)) ?? [
      'STORE_IO',
      '',
    ]
    return new StateStoreError(stateCode, `cannot ${action} LevelDB store${reason}`, options)
  }
}

/** LevelDB error codes and what they mean for the store; anything else is `STORE_IO`. */
const levelErrors = new Map<string, readonly [StateStoreErrorCode, string]>([
  ['LEVEL_LOCKED', ['STORE_LOCKED', ': directory is locked by another instance']],
  ['LEVEL_CORRUPTION', ['STORE_CORRUPTED', ': data is corrupted']],
  ['LEVEL_DATABASE_NOT_OPEN', ['STORE_CLOSED', ': it is closed']],
  ['LEVEL_ITERATOR_NOT_OPEN', ['STORE_CLOSED', ': it is closed']],
  ['LEVEL_BATCH_NOT_OPEN', ['STORE_CLOSED', ': it is closed']],
])

function levelCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}

function encodeOffset(offset: number): Buffer {
  const bytes = Buffer.allocUnsafe(8)
  bytes.writeBigInt64BE(BigInt(offset))
  return bytes
}

/** `prefix` then `key`, in one new buffer (no array and no loop per key, as `Buffer.concat` has). */
function withPrefix(prefix: Buffer, key: Buffer): Buffer {
  const prefixed = Buffer.allocUnsafe(prefix.length + key.length)
  prefixed.set(prefix, 0)
  prefixed.set(key, prefix.length)
  return prefixed
}
