// Aggregation over sliding windows (Kafka Streams' KStreamSlidingWindowAggregate, reverse-iteration
// variant): windows [t - diff, t] end at each record and [t + 1, t + 1 + diff] start just after it, both
// bounds inclusive. A record updates the existing windows that contain it, creates its own left window
// (from the previous record's right window, if any) and its right window when later records fall in it.
import type { StoreRef, TimeWindowStore, TimeWindowStoreRef, Window } from '../../state/index.js'
import type { ProcessorContext, ProcessorSupplier } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { Change, ValueAndTimestamp } from './change.js'
import type { Aggregator, Initializer } from './stream-aggregate.js'
import type { TableProducer, ValueGetterSupplier } from './table-node.js'
import { windowForwarder, windowStoreGetter } from './window-aggregate.js'
import { Windowed } from './windowed.js'
import type { SlidingWindows } from './windows.js'

type Row<VA> = ValueAndTimestamp<VA>

export class SlidingWindowAggregateNode<K, VA> implements TableProducer<Windowed<K>, VA> {
  private sendOldValues = false

  constructor(
    readonly store: TimeWindowStoreRef<K, Row<VA>>,
    private readonly windows: SlidingWindows,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true
    return true
  }

  view(): ValueGetterSupplier<Windowed<K>, VA> {
    return windowStoreGetter(this.store)
  }

  aggregator<V>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
  ): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
    const stores = (): readonly StoreRef[] => [this.store]
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => new SlidingWindowProcessor(ctx, this, initializer, aggregator, this.sendOldValues),
    }
  }

  get timeDifferenceMs(): number {
    return this.windows.timeDifferenceMs
  }

  get graceMs(): number {
    return this.windows.graceMs
  }
}

class SlidingWindowProcessor<K, V, VA> {
  private observedStreamTime = -1
  private readonly diff: number
  private readonly store: TimeWindowStore<K, Row<VA>>
  /** Undefined when the store's cache forwards (`windowForwarder`). */
  private readonly forwardUpdate: ((record: StreamRecord<Windowed<K>, Change<VA>>) => void) | undefined

  constructor(
    private readonly ctx: ProcessorContext<Windowed<K>, Change<VA>>,
    private readonly node: SlidingWindowAggregateNode<K, VA>,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
    sendOldValues: boolean,
  ) {
    this.diff = node.timeDifferenceMs
    this.store = ctx.store(node.store)
    this.forwardUpdate = windowForwarder(ctx, this.store, this.diff, sendOldValues)
  }

  async process(record: StreamRecord<K, V>): Promise<void> {
    if (
      record.key === null ||
      record.key === undefined ||
      record.value === null ||
      record.value === undefined
    ) {
      this.ctx.droppedRecord()
      return
    }
    const timestamp = record.timestamp
    this.observedStreamTime = Math.max(this.observedStreamTime, timestamp)
    const closeTime = this.observedStreamTime - this.node.graceMs
    if (timestamp + this.diff < closeTime) {
      this.ctx.droppedRecord()
      return
    }
    if (timestamp < this.diff) await this.processEarly(record, closeTime)
    else await this.processReverse(record, closeTime)
  }

  private async processReverse(record: StreamRecord<K, V>, closeTime: number): Promise<void> {
    const timestamp = record.timestamp
    const starts = new Set<number>()
    let leftWinAgg: Row<VA> | undefined
    let rightWinAgg: Row<VA> | undefined
    let leftWinAlreadyCreated = false
    let rightWinAlreadyCreated = false
    let previousRecordTimestamp: number | undefined
    const found = await this.store.fetchRange(
      record.key,
      Math.max(0, timestamp - 2 * this.diff),
      timestamp + 1,
      true,
    )
    for (const { windowStart: start, value: row } of found) {
      starts.add(start)
      const end = start + this.diff
      const windowMaxRecordTimestamp = row.timestamp
      if (start === timestamp + 1) {
        rightWinAlreadyCreated = true
      } else if (end > timestamp) {
        rightWinAgg ??= row
        this.updateWindowAndForward({ start, end }, row, record, closeTime)
      } else if (end === timestamp) {
        leftWinAlreadyCreated = true
        this.updateWindowAndForward({ start, end }, row, record, closeTime)
        if (windowMaxRecordTimestamp < timestamp) previousRecordTimestamp = windowMaxRecordTimestamp
        else return
      } else {
        leftWinAgg = row
        previousRecordTimestamp = windowMaxRecordTimestamp
        break
      }
    }
    this.createWindows(
      record,
      closeTime,
      starts,
      rightWinAgg,
      leftWinAgg,
      leftWinAlreadyCreated,
      rightWinAlreadyCreated,
      previousRecordTimestamp,
    )
  }

  /** Records earlier than the time difference go to the window [0, diff] (no negative starts). */
  private async processEarly(record: StreamRecord<K, V>, closeTime: number): Promise<void> {
    const timestamp = record.timestamp
    let combined: { start: number; row: Row<VA> } | undefined
    let rightWinAgg: Row<VA> | undefined
    let rightWinAlreadyCreated = false
    const starts = new Set<number>()
    let previousRecordTimestamp: number | undefined
    for (const { windowStart: start, value: row } of await this.store.fetchRange(
      record.key,
      0,
      timestamp + 1,
    )) {
      starts.add(start)
      if (start === 0) {
        combined = { start, row }
        if (row.timestamp < timestamp) previousRecordTimestamp = row.timestamp
      } else if (start <= timestamp) {
        rightWinAgg = row
        this.updateWindowAndForward({ start, end: start + this.diff }, row, record, closeTime)
      } else if (start === timestamp + 1) {
        rightWinAlreadyCreated = true
      }
    }
    if (rightWinAgg === undefined && combined !== undefined && combined.row.timestamp > timestamp)
      rightWinAgg = combined.row
    if (!rightWinAlreadyCreated && rightWinAgg !== undefined && rightWinAgg.timestamp > timestamp)
      this.createCurrentRecordRightWindow(timestamp, rightWinAgg, record)
    if (previousRecordTimestamp !== undefined && !starts.has(previousRecordTimestamp + 1))
      this.createPreviousRecordRightWindow(previousRecordTimestamp + 1, record, closeTime)
    if (combined === undefined) {
      const initial = { value: this.initializer(), timestamp }
      this.updateWindowAndForward({ start: 0, end: this.diff }, initial, record, closeTime)
    } else {
      this.updateWindowAndForward({ start: 0, end: this.diff }, combined.row, record, closeTime)
    }
  }

  private createWindows(
    record: StreamRecord<K, V>,
    closeTime: number,
    starts: ReadonlySet<number>,
    rightWinAgg: Row<VA> | undefined,
    leftWinAgg: Row<VA> | undefined,
    leftWinAlreadyCreated: boolean,
    rightWinAlreadyCreated: boolean,
    previousRecordTimestamp: number | undefined,
  ): void {
    const timestamp = record.timestamp
    if (previousRecordTimestamp !== undefined) {
      const previousRightWinStart = previousRecordTimestamp + 1
      if (!starts.has(previousRightWinStart) && previousRightWinStart + this.diff >= timestamp)
        this.createPreviousRecordRightWindow(previousRightWinStart, record, closeTime)
    }
    if (!leftWinAlreadyCreated) {
      const leftWindowNotEmpty =
        previousRecordTimestamp !== undefined && timestamp - this.diff <= previousRecordTimestamp
      const row =
        leftWindowNotEmpty && leftWinAgg !== undefined
          ? { value: leftWinAgg.value, timestamp }
          : { value: this.initializer(), timestamp }
      this.updateWindowAndForward({ start: timestamp - this.diff, end: timestamp }, row, record, closeTime)
    }
    if (!rightWinAlreadyCreated && rightWinAgg !== undefined && rightWinAgg.timestamp > timestamp)
      this.createCurrentRecordRightWindow(timestamp, rightWinAgg, record)
  }

  /** The record's right window holds the later records of its left neighbour's aggregate. */
  private createCurrentRecordRightWindow(
    timestamp: number,
    rightWinAgg: Row<VA>,
    record: StreamRecord<K, V>,
  ): void {
    const window = { start: timestamp + 1, end: timestamp + 1 + this.diff }
    if (!this.store.put(record.key, rightWinAgg, window.start)) this.ctx.droppedRecord()
    this.forward(record, window, null, rightWinAgg.value, rightWinAgg.timestamp)
  }

  private createPreviousRecordRightWindow(
    start: number,
    record: StreamRecord<K, V>,
    closeTime: number,
  ): void {
    const row = { value: this.initializer(), timestamp: record.timestamp }
    this.updateWindowAndForward({ start, end: start + this.diff }, row, record, closeTime)
  }

  private updateWindowAndForward(
    window: Window,
    row: Row<VA>,
    record: StreamRecord<K, V>,
    closeTime: number,
  ): void {
    if (window.end < closeTime) {
      this.ctx.droppedRecord()
      return
    }
    const oldValue = row.value
    const newValue = this.aggregator(record.key, record.value, oldValue)
    const newTimestamp = Math.max(record.timestamp, row.timestamp)
    if (!this.store.put(record.key, { value: newValue, timestamp: newTimestamp }, window.start))
      this.ctx.droppedRecord()
    this.forward(record, window, oldValue, newValue, newTimestamp)
  }

  private forward(
    record: StreamRecord<K, V>,
    window: Window,
    oldValue: VA | null,
    newValue: VA,
    timestamp: number,
  ): void {
    this.forwardUpdate?.({
      ...record,
      key: new Windowed(record.key, window),
      timestamp,
      value: { newValue, oldValue },
    })
  }
}
