// The engine workloads written with our DSL, as a user of the engine would write them — the counterparts of
// bench/kstreams/.../EngineWorkloadsApp.java (the same operators, serdes and store names). String keys
// (windowed: the key and the window start, Kafka's TimeWindowedSerializer), opaque byte values; counts as
// 8-byte big-endian longs (Kafka's LongSerializer).
import { bufferSerde, int64Serde, stringSerde } from '../state/index.js'
import { joinWindows, StreamsBuilder, TimeWindows, type Topology } from '../topology/index.js'
import type { EngineWorkloadId } from './keyed-workload.js'

export interface EngineTopics {
  readonly source: string
  /** The right-hand stream of the stream–stream join. */
  readonly other: string
  /** The table of the stream–table join. */
  readonly table: string
  readonly sink: string
}

export interface WindowSettings {
  /** The stream–stream join: records join when their timestamps differ by at most this (before and after). */
  readonly joinDifferenceMs: number
  /** The windowed count's hopping windows. */
  readonly windowSizeMs: number
  readonly windowAdvanceMs: number
  /** How late a record may be for a join or a window (both). */
  readonly graceMs: number
}

const consumed = { keySerde: stringSerde, valueSerde: bufferSerde }

const concat = (left: Buffer, right: Buffer): Buffer => Buffer.concat([left, right])

export function engineTopology(
  workload: EngineWorkloadId,
  topics: EngineTopics,
  windows: WindowSettings,
): Topology {
  const builder = new StreamsBuilder()
  switch (workload) {
    case 'pipe':
      builder
        .stream(topics.source, consumed)
        .mapValues((value) => value)
        .to(topics.sink)
      break
    case 'count':
      builder
        .stream(topics.source, consumed)
        .groupByKey()
        .count({ storeName: 'counts', valueSerde: int64Serde })
        .toStream()
        .to(topics.sink)
      break
    case 'windowed-count':
      builder
        .stream(topics.source, consumed)
        .groupByKey()
        .windowedBy(
          TimeWindows.ofSizeAndGrace(windows.windowSizeMs, windows.graceMs).advanceBy(
            windows.windowAdvanceMs,
          ),
        )
        .count({ storeName: 'windowed-counts', valueSerde: int64Serde })
        .toStream()
        .to(topics.sink)
      break
    case 'table-join': {
      const table = builder.table(topics.table, { ...consumed, storeName: 'table' })
      builder.stream(topics.source, consumed).join(table, concat).to(topics.sink)
      break
    }
    case 'stream-join': {
      const right = builder.stream(topics.other, consumed)
      builder
        .stream(topics.source, consumed)
        .joinWindowed(right, concat, joinWindows(windows.joinDifferenceMs, windows.graceMs))
        .to(topics.sink)
      break
    }
  }
  return builder.build()
}
