// Shared test helpers for state/: temp dirs, a recording changelog writer, a counting bytes store.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { ByteRange, BytesKeyValueStore, BytesWrite, ChangelogWriter } from '../../state/index.js'

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'state-test-'))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

export interface LoggedRecord {
  readonly key: string
  readonly value: string | null
  readonly timestamp: number
}

/** A changelog writer that remembers what it was given, keys and values as latin1 text. */
export class RecordingWriter implements ChangelogWriter {
  readonly records: LoggedRecord[] = []
  readonly raw: BytesWrite[] = []

  log(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.raw.push({ key, value })
    this.records.push({ key: key.toString('latin1'), value: value?.toString('latin1') ?? null, timestamp })
  }
}

/** Wraps a bytes store and counts reads and writes that reach it. */
export class CountingBytesStore implements BytesKeyValueStore {
  gets = 0
  ranges = 0
  writes: { batch: readonly BytesWrite[]; checkpoint: number | undefined }[] = []

  /** Present when `scanSync` and the inner store can scan synchronously (as the inner store's). */
  readonly rangeSync?: (range: ByteRange) => (readonly [Buffer, Buffer])[]

  constructor(
    readonly inner: BytesKeyValueStore,
    scanSync = false,
  ) {
    const innerSync = inner.rangeSync
    if (scanSync && innerSync)
      this.rangeSync = (range) => {
        this.ranges++
        return innerSync(range)
      }
  }

  get isOpen(): boolean {
    return this.inner.isOpen
  }
  get persistent(): boolean {
    return this.inner.persistent
  }
  open(): Promise<void> {
    return this.inner.open()
  }
  close(): Promise<void> {
    return this.inner.close()
  }
  get(key: Buffer): Promise<Buffer | undefined> {
    this.gets++
    return this.inner.get(key)
  }
  range(range: ByteRange): AsyncIterable<readonly [Buffer, Buffer]> {
    this.ranges++
    return this.inner.range(range)
  }
  write(batch: readonly BytesWrite[], checkpoint?: number): Promise<void> {
    this.writes.push({ batch, checkpoint })
    return this.inner.write(batch, checkpoint)
  }
  checkpoint(): Promise<number | undefined> {
    return this.inner.checkpoint()
  }
  wipe(): Promise<void> {
    return this.inner.wipe()
  }
  approximateBytes(): Promise<number> {
    return this.inner.approximateBytes()
  }
  keyCount(): Promise<number> {
    return this.inner.keyCount()
  }
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

/** Range results as `key=value` text, for compact assertions. */
export async function entries(iterable: AsyncIterable<readonly [Buffer, Buffer]>): Promise<string[]> {
  return (await collect(iterable)).map(
    ([key, value]) => `${key.toString('latin1')}=${value.toString('latin1')}`,
  )
}

export const b = (text: string): Buffer => Buffer.from(text, 'latin1')
export const put = (key: string, value: string): BytesWrite => ({ key: b(key), value: b(value) })
export const del = (key: string): BytesWrite => ({ key: b(key), value: null })
