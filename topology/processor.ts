// The Processor API: what a processor sees of its task. Processors are created per task by a supplier,
// get typed store handles from their context, forward records to their children and schedule punctuations.
import type { StoreHandle, StoreRef } from '../state/index.js'
import type { StreamRecord } from './record.js'

export const punctuationTypes = ['stream-time', 'wall-clock'] as const
/** Stream time advances with record timestamps; wall-clock time with the machine's clock. */
export type PunctuationType = (typeof punctuationTypes)[number]

export interface Cancellable {
  cancel(): void
}

/** Where the record being processed came from (absent during punctuation). */
export interface RecordOrigin {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/** A record to dead-letter that is not the one being processed: its original bytes and coordinates. */
export interface DeadLetterRecord extends RecordOrigin {
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: number
}

export interface ProcessorContext<KOut, VOut> {
  /** `<subtopology>_<partition>`, as in Kafka Streams. */
  readonly taskId: string
  readonly partition: number
  /** Tasks of this processor's subtopology (its inputs' partition count): partitions 0 to taskCount − 1. */
  readonly taskCount: number
  readonly applicationId: string
  /** The highest record timestamp this task has seen. */
  readonly streamTime: number
  /** The wall-clock time in epoch ms (the test driver's mocked clock under the test driver). */
  readonly wallClockTime: number
  /** The input record being processed, or undefined in a punctuation. */
  readonly origin: RecordOrigin | undefined
  /** Sends a record to every child node, or to the named child. Children run after this processor returns. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void
  /** A typed handle for a store the processor declared in its supplier's `stores`. */
  store<R extends StoreRef>(ref: R): StoreHandle<R>
  /**
   * Calls `callback(time)` every `intervalMs` of stream time (checked as records arrive) or wall-clock
   * time (checked by a timer). A stream-time punctuator fires once per advance, at most once per interval.
   */
  schedule(
    intervalMs: number,
    type: PunctuationType,
    callback: (time: number) => void | Promise<void>,
  ): Cancellable
  /**
   * Sends the current input record (or `record`, e.g. one buffered earlier), bytes unchanged, to the
   * dead-letter topic with `reason` and its source coordinates in headers; processing continues.
   */
  deadLetter(reason: string, record?: DeadLetterRecord): void
  /** Asks for a commit as soon as the current record is done. */
  requestCommit(): void
  /**
   * Counts a record this processor skipped (a null key, a window already closed…): Kafka Streams'
   * dropped-records sensor of the task (`streams_dropped_records_total`).
   */
  droppedRecord(): void
}

export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void | Promise<void>
  process(record: StreamRecord<KIn, VIn>): void | Promise<void>
  close?(): void | Promise<void>
}

/** Makes a fresh processor per task (never share one between tasks). */
export interface ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> {
  readonly name?: string
  /** The stores this processor uses; the topology creates them per task. */
  readonly stores?: readonly StoreRef[]
  create(context: ProcessorContext<KOut, VOut>): Processor<KIn, VIn, KOut, VOut>
}
