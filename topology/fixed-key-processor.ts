// Fixed-key processors (Kafka Streams' FixedKeyProcessor, KIP-820), for KStream.processValues: a processor
// that may change a record's value, timestamp and headers but never its key, so the stream needs no
// repartitioning after it. The key is fixed by type: a processor forwards a FixedKeyRecord, which it gets
// only from its input (and the `with…` functions below), never by building one with a key of its choice.
import type { Headers } from '../kafka/index.js'
import type { StoreRef } from '../state/index.js'
import type { ProcessorContext } from './processor.js'
import type { StreamRecord } from './record.js'

declare const fixedKey: unique symbol

/** A record whose key is the one its processor received. */
export type FixedKeyRecord<K, V> = StreamRecord<K, V> & { readonly [fixedKey]: true }

/** The record with a new value (Kafka Streams' FixedKeyRecord#withValue). */
export function withValue<K, V, V2>(record: FixedKeyRecord<K, V>, value: V2): FixedKeyRecord<K, V2> {
  return { ...record, value }
}

/** The record with a new timestamp. */
export function withTimestamp<K, V>(record: FixedKeyRecord<K, V>, timestamp: number): FixedKeyRecord<K, V> {
  return { ...record, timestamp }
}

/** The record with new headers. */
export function withHeaders<K, V>(record: FixedKeyRecord<K, V>, headers: Headers): FixedKeyRecord<K, V> {
  return { ...record, headers }
}

/** A processor context whose forward takes fixed-key records only. */
export interface FixedKeyProcessorContext<K, VOut> extends Omit<ProcessorContext<K, VOut>, 'forward'> {
  /** Sends a record to every child node, or to the named child. */
  forward(record: FixedKeyRecord<K, VOut>, childName?: string): void
}

export interface FixedKeyProcessor<K, VIn, VOut> {
  init?(context: FixedKeyProcessorContext<K, VOut>): void | Promise<void>
  process(record: FixedKeyRecord<K, VIn>): void | Promise<void>
  close?(): void | Promise<void>
}

/** Makes a fresh fixed-key processor per task, as ProcessorSupplier does. */
export interface FixedKeyProcessorSupplier<K, VIn, VOut> {
  readonly name?: string
  /** The stores this processor uses; the topology creates them per task. */
  readonly stores?: readonly StoreRef[]
  create(context: FixedKeyProcessorContext<K, VOut>): FixedKeyProcessor<K, VIn, VOut>
}
