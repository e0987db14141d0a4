// The persistent bytes store: LevelDB through classic-level. The only file that imports LevelDB.

import { mkdir, rm } from 'node:fs/promises'

import { ClassicLevel } from 'classic-level'

import type { ByteRange } from './byte-range.js'
import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import type { StateStoreErrorCode } from './errors.js'
import { StateStoreError } from './errors.js'

export interface LevelDbOptions {
  /** Name used in error messages. Defaults to the directory. */
  readonly name?: string
  /** LevelDB block cache in bytes (default 8 MiB). */
  readonly cacheSizeBytes?: number
  /** LevelDB memtable size in bytes before it is written to a table file (default 4 MiB). */
  readonly writeBufferSizeBytes?: number
}

/** Layout version in the metadata sublevel; bump when the key layout of this class changes. */
const formatVersion = Buffer.from('1')
const formatKey = Buffer.from('format')
const checkpointKey = Buffer.from('checkpoint')
/** Entries fetched per native call while iterating. */
const iteratorBatch = 256

function openHandles(location: string, options: LevelDbOptions) {
  const db = new ClassicLevel<Buffer, Buffer>(location, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
    createIfMissing: true,
    ...(options.cacheSizeBytes === undefined ? {} : { cacheSize: options.cacheSizeBytes }),
    ...(options.writeBufferSizeBytes === undefined ? {} : { writeBufferSize: options.writeBufferSizeBytes }),
  })
  const encodings = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const
  return {
    db,
    data: db.sublevel<Buffer, Buffer>('data', encodings),
    meta: db.sublevel<Buffer, Buffer>('meta', encodings),
  }
}
type Handles = ReturnType<typeof openHandles>

/**
 * A `BytesKeyValueStore` in a LevelDB directory.
 *
 * Layout: user data in the `data` sublevel; the changelog checkpoint and the layout version in
 * the `meta` sublevel, so metadata can never collide with (or be scanned as) user keys.
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
  private readonly name: string

  constructor(
    readonly location: string,
    private readonly options: LevelDbOptions = {},
  ) {
    this.name = options.name ?? location
  }

  get isOpen(): boolean {
    return this.handles !== undefined
  }

  async open(): Promise<void> {
    if (this.handles !== undefined) return
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
    const { data } = this.opened()
    try {
      return await data.get(key)
    } catch (error) {
      throw this.translate(error, 'get')
    }
  }

  async *range(range: ByteRange): AsyncGenerator<readonly [Buffer, Buffer]> {
    const { data } = this.opened()
    const iterator = data.iterator({
      ...(range.gte === undefined ? {} : { gte: range.gte }),
      ...(range.lt === undefined ? {} : { lt: range.lt }),
    })
    try {
      for (;;) {
        const entries = await iterator.nextv(iteratorBatch)
        for (const entry of entries) yield entry
        if (entries.length < iteratorBatch) return
      }
    } catch (error) {
      throw this.translate(error, 'range')
    } finally {
      await iterator.close().catch(() => undefined)
    }
  }

  async write(batch: readonly BytesWrite[], checkpoint?: number): Promise<void> {
    const { db, data, meta } = this.opened()
    const chained = db.batch()
    try {
      for (const { key, value } of batch) {
        if (value === null) chained.del(key, { sublevel: data })
        else chained.put(key, value, { sublevel: data })
      }
      if (checkpoint !== undefined) chained.put(checkpointKey, encodeOffset(checkpoint), { sublevel: meta })
      await chained.write()
    } catch (error) {
      await chained.close().catch(() => undefined)
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
    // Step 1
    if (this.handles !== undefined) await this.handles.meta.del(checkpointKey).catch(() => undefined)
    // Step 2
    await this.close().catch(() => undefined)
    await rm(this.location, { recursive: true, force: true })
    // Step 3
    await this.open()
  }

  async approximateBytes(): Promise<number> {
    const { db } = this.opened()
    try {
      return await db.approximateSize(Buffer.from('!data!'), Buffer.from('!data"'))
    } catch (error) {
      throw this.translate(error, 'measure')
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
