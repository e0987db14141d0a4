// The reference scenarios' topologies, built with our DSL exactly as tools/kafka-reference/KafkaReference.java
// builds them with Kafka Streams'. Outputs are strings: windowed keys as `[key@start/end]`, values via String().
import { int64Serde, stringSerde as S } from '../../../state/index.js'
import {
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  type KTable,
  type Topology,
  type Windowed,
} from '../../../topology/index.js'

const str = (value: string | number | null): string | null => (value === null ? null : String(value))
const concat = (a: string, b: string) => `${a},${b}`

function windowedOut<V extends string | number>(table: KTable<Windowed<string>, V>, topic: string): void {
  table
    .toStream()
    .map((k, v) => ({ key: k.toString(), value: str(v) }), { keySerde: S, valueSerde: S })
    .to(topic, { keySerde: S, valueSerde: S })
}

function tableOut<V extends string | number>(table: KTable<string, V>, topic: string): void {
  table
    .toStream()
    .mapValues((v) => str(v), S)
    .to(topic, { keySerde: S, valueSerde: S })
}

function windows(): Topology {
  const b = new StreamsBuilder()
  const g = b.stream('in', { keySerde: S, valueSerde: S }).groupByKey()
  windowedOut(g.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(), 'out-tumbling-count')
  windowedOut(
    g.windowedBy(TimeWindows.ofSizeAndGrace(10, 3).advanceBy(5)).aggregate(
      () => 0,
      (_k, v, a) => a + Number(v),
      {
        valueSerde: int64Serde,
      },
    ),
    'out-hopping-sum',
  )
  windowedOut(g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).reduce(concat), 'out-tumbling-concat')
  windowedOut(g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).count(), 'out-sliding-count')
  windowedOut(
    g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).reduce(concat),
    'out-sliding-concat',
  )
  windowedOut(g.windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 3)).count(), 'out-session-count')
  windowedOut(g.windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 3)).reduce(concat), 'out-session-concat')
  return b.build()
}

function aggregates(): Topology {
  const b = new StreamsBuilder()
  const input = b.stream('in', { keySerde: S, valueSerde: S })
  const g = input.groupByKey()
  tableOut(g.count(), 'out-count')
  tableOut(g.reduce(concat), 'out-reduce')
  tableOut(
    g.aggregate(
      () => '',
      (_k, v, a) => a + v,
      { storeName: 'agg-store', valueSerde: S },
    ),
    'out-aggregate',
  )
  tableOut(
    input.groupBy((_k, v) => (v === null ? null : v.substring(0, 1)) as string, { keySerde: S }).count(),
    'out-regroup-count',
  )
  return b.build()
}

export const topologies: Record<string, () => Topology> = { windows, aggregates }
