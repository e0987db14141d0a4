// The reference scenarios' topologies, built with our DSL exactly as tools/kafka-reference/KafkaReference.java
// builds them with Kafka Streams'. Outputs are strings: windowed keys as `[key@start/end]`, values via String().
import { int64Serde, stringSerde as S } from '../../../state/index.js'
import {
  Branched,
  BufferConfig,
  JoinWindows,
  Suppressed,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  type KTable,
  type Topology,
  withTimestamp,
  withValue,
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

function tables(): Topology {
  const b = new StreamsBuilder()
  const left = b.table('left', { keySerde: S, valueSerde: S })
  const right = b.table('right', { keySerde: S, valueSerde: S, storeName: 'right-store' })
  tableOut(
    left.filter((_k, v) => v.length > 2),
    'out-filter',
  )
  tableOut(
    right.filter((_k, v) => v.length > 2),
    'out-filter-of-materialized',
  )
  tableOut(
    left.mapValues((v) => v.toUpperCase()),
    'out-map',
  )
  tableOut(
    left.filterNot((_k, v) => v.startsWith('x'), { storeName: 'filtered-store' }),
    'out-filternot-materialized',
  )
  tableOut(
    left.join(right, (a, c) => `${a}+${c}`),
    'out-join',
  )
  tableOut(
    left.leftJoin(right, (a, c) => `${a}+${c}`),
    'out-leftjoin',
  )
  tableOut(
    left.outerJoin(right, (a, c) => `${a}+${c}`),
    'out-outerjoin',
  )
  tableOut(
    left.join(right, (a, c) => `${a}+${c}`).mapValues((v) => `${v}!`),
    'out-join-mapped',
  )
  return b.build()
}

function streamJoins(): Topology {
  const b = new StreamsBuilder()
  const l = b.stream('left', { keySerde: S, valueSerde: S })
  const r = b.stream('right', { keySerde: S, valueSerde: S })
  const joiner = (a: string | null, c: string | null) => `${a}+${c}`
  l.join(r, joiner, JoinWindows.ofTimeDifferenceAndGrace(10, 5)).to('out-inner')
  l.leftJoin(r, joiner, JoinWindows.ofTimeDifferenceAndGrace(10, 5)).to('out-left')
  l.outerJoin(r, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(10).before(3)).to('out-outer')
  return b.build()
}

function streamTable(): Topology {
  const b = new StreamsBuilder()
  const t = b.table('table', { keySerde: S, valueSerde: S, storeName: 't-store' })
  const input = b.stream('in', { keySerde: S, valueSerde: S })
  input.join(t, (v, tv) => `${v}+${tv}`).to('out-join')
  input.leftJoin(t, (v, tv) => `${v}+${tv}`).to('out-leftjoin')
  return b.build()
}

function cogroup(): Topology {
  const b = new StreamsBuilder()
  const g1 = b.stream('in1', { keySerde: S, valueSerde: S }).groupByKey()
  const g2 = b.stream('in2', { keySerde: S, valueSerde: S }).groupByKey()
  tableOut(
    g1
      .cogroup<string>((_k, v, a) => `${a}1${v}`)
      .cogroup(g2, (_k, v, a) => `${a}2${v}`)
      .aggregate(() => '', { valueSerde: S }),
    'out-cogroup',
  )
  windowedOut(
    g1
      .cogroup<string>((_k, v, a) => `${a}1${v}`)
      .cogroup(g2, (_k, v, a) => `${a}2${v}`)
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 0))
      .aggregate(() => '', { valueSerde: S }),
    'out-cogroup-windowed',
  )
  return b.build()
}

function tableAggregates(): Topology {
  const b = new StreamsBuilder()
  const t = b.table('in', { keySerde: S, valueSerde: S })
  const byLetter = (_k: string, v: string) => ({ key: v.substring(0, 1), value: v })
  tableOut(t.groupBy(byLetter).count(), 'out-count')
  tableOut(
    t.groupBy(byLetter, { name: 'by-letter' }).reduce(
      (a, v) => `${a}+${v}`,
      (a, v) => `${a}-${v}`,
    ),
    'out-reduce',
  )
  tableOut(
    t.groupBy(byLetter).aggregate(
      () => '',
      (_k, v, a) => `${a}+${v}`,
      (_k, v, a) => `${a}-${v}`,
      { valueSerde: S },
    ),
    'out-aggregate',
  )
  tableOut(
    t.groupBy((k, v) => ({ key: v.length > 3 ? (null as unknown as string) : k, value: v })).count(),
    'out-count-null-keys',
  )
  return b.build()
}

function suppress(): Topology {
  const b = new StreamsBuilder()
  const g = b.stream('in', { keySerde: S, valueSerde: S }).groupByKey()
  windowedOut(
    g
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())),
    'out-final',
  )
  windowedOut(
    g
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 2))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())),
    'out-session-final',
  )
  tableOut(g.count().suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded())), 'out-time-limit')
  tableOut(
    g.count().suppress(Suppressed.untilTimeLimit(100, BufferConfig.maxRecords(2))),
    'out-emit-early-records',
  )
  tableOut(
    g.count().suppress(Suppressed.untilTimeLimit(100, BufferConfig.maxBytes(120))),
    'out-emit-early-bytes',
  )
  const table = b.table('table', { keySerde: S, valueSerde: S })
  tableOut(table.suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded())), 'out-table')
  return b.build()
}

function fk(): Topology {
  const b = new StreamsBuilder()
  const orders = b.table('orders', { keySerde: S, valueSerde: S })
  const products = b.table('products', { keySerde: S, valueSerde: S })
  const product = (v: string) => (v.startsWith('-') ? null : v.split(':')[0]!)
  tableOut(
    orders.join(products, product, (o, p) => `${o}/${p}`),
    'out-fk-inner',
  )
  tableOut(
    orders.leftJoin(products, product, (o, p) => `${o}/${p}`),
    'out-fk-left',
  )
  return b.build()
}

function branches(): Topology {
  const b = new StreamsBuilder()
  const input = b.stream('in', { keySerde: S, valueSerde: S })
  const starts = (prefix: string) => (_k: string, v: string | null) => v !== null && v.startsWith(prefix)
  const branched = input
    .split({ name: 's-' })
    .branch(starts('a'), Branched.as('a'))
    .branch(
      starts('b'),
      Branched.withFunction((s) => s.mapValues((v) => v.toUpperCase())),
    )
    .branch(
      starts('c'),
      Branched.withConsumer((s) => s.to('out-c')),
    )
    .defaultBranch()
  for (const [name, stream] of branched) stream.to(`out-${name}`)
  input
    .processValues<string>({
      create: (ctx) => ({
        process: (r) => ctx.forward(withTimestamp(withValue(r, `${r.value}!`), r.timestamp + 1)),
      }),
    })
    .to('out-processvalues')
  const g = b.globalTable('global', { keySerde: S, valueSerde: S })
  const selector = (_k: string, v: string) => (v === '-' ? null : v)
  input.join(g, selector, (v, gv) => `${v}+${gv}`).to('out-global-join')
  input.leftJoin(g, selector, (v, gv) => `${v}+${gv}`).to('out-global-leftjoin')
  const tv = b.table('table', { keySerde: S, valueSerde: S }).transformValues<string>({
    get: () => ({ transform: (k, v) => (v === null ? `${k}-gone` : v.toUpperCase()) }),
  })
  tableOut(tv, 'out-transformvalues')
  input.join(tv, (v, x) => `${v}+${x}`).to('out-transformvalues-join')
  tableOut(tv.groupBy((_k, v) => ({ key: v, value: v })).count(), 'out-transformvalues-regroup')
  return b.build()
}

function sessionAggregates(): Topology {
  const b = new StreamsBuilder()
  const g = b.stream('in', { keySerde: S, valueSerde: S }).groupByKey()
  const g2 = b.stream('in2', { keySerde: S, valueSerde: S }).groupByKey()
  const merge = (_k: string, a1: string, a2: string) => `${a1}|${a2}`
  windowedOut(
    g.windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 3)).aggregate(
      () => '',
      (_k, v, a) => a + v,
      merge,
      { valueSerde: S },
    ),
    'out-session-aggregate',
  )
  windowedOut(
    g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).aggregate(
      () => '',
      (_k, v, a) => a + v,
      {
        valueSerde: S,
      },
    ),
    'out-sliding-aggregate',
  )
  windowedOut(
    g
      .cogroup<string>((_k, v, a) => `${a}1${v}`)
      .cogroup(g2, (_k, v, a) => `${a}2${v}`)
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 3))
      .aggregate(() => '', merge, { valueSerde: S }),
    'out-cogroup-session',
  )
  windowedOut(
    g
      .cogroup<string>((_k, v, a) => `${a}1${v}`)
      .cogroup(g2, (_k, v, a) => `${a}2${v}`)
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
      .aggregate(() => '', { valueSerde: S }),
    'out-cogroup-sliding',
  )
  return b.build()
}

export const topologies: Record<string, () => Topology> = {
  'table-aggregates': tableAggregates,
  suppress,
  fk,
  windows,
  aggregates,
  tables,
  'stream-joins': streamJoins,
  'stream-table': streamTable,
  cogroup,
  branches,
  'session-aggregates': sessionAggregates,
}
