// The engine tests' aggregate: sums the JSON numbers per string key into a store and writes each new sum.
import { jsonSerde, stringSerde } from '../../state/index.js'
import { StreamsBuilder, type Topology } from '../../topology/index.js'

export function summingTopology(input: string, output: string, storeName = 'sums'): Topology {
  const num = jsonSerde<number>()
  const builder = new StreamsBuilder()
  builder
    .stream(input, { keySerde: stringSerde, valueSerde: num })
    .groupByKey()
    .aggregate(
      () => 0,
      (_k, v, sum) => sum + v,
      { storeName, valueSerde: num },
    )
    .toStream()
    .to(output)
  return builder.build()
}
