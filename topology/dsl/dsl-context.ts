// What every DSL object shares: the low-level builder the DSL compiles into, and Kafka Streams' naming of
// generated processors, stores and internal topics.
//
// Nodes are written to the TopologyBuilder when the topology is built, in the order the DSL calls made
// them, not at the call: a later call can still change an earlier node (a join asks an upstream table to
// materialize its store or to send old values), as Kafka Streams' graph nodes are written at build().
import type { Serde } from '../../state/index.js'
import { TopologyError } from '../errors.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Topology } from '../topology.js'
import { TopologyBuilder, type SinkSpec, type SourceSpec } from '../topology-builder.js'

export class DslContext {
  private index = 0
  private readonly writes: (() => void)[] = []
  private readonly names = new Set<string>()
  private built: Topology | undefined

  constructor(readonly topology: TopologyBuilder = new TopologyBuilder()) {}

  /** A generated node name, `<prefix><index>`, e.g. `KSTREAM-FILTER-0000000001` (Kafka Streams' scheme). */
  newName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`
  }

  /** A generated store name, `<prefix>STATE-STORE-<index>`, e.g. `KSTREAM-AGGREGATE-STATE-STORE-0000000003`. */
  newStoreName(prefix: string): string {
    return this.newName(`${prefix}STATE-STORE-`)
  }

  /** `given`, or a generated name with `prefix`. */
  nameOr(given: string | undefined, prefix: string): string {
    return given ?? this.newName(prefix)
  }

  /** `given + suffix` when the user named the operation, else a generated name with `prefix`. */
  suffixedOr(given: string | undefined, suffix: string, prefix: string): string {
    return given === undefined ? this.newName(prefix) : `${given}${suffix}`
  }

  addSource<K, V>(spec: SourceSpec<K, V>): string {
    this.claim(spec.name)
    this.writes.push(() => this.topology.addSource(spec))
    return spec.name
  }

  /**
   * Adds a processor named `name`. Its supplier's `stores` are read when the topology is built, so a
   * supplier may declare them with a getter that later DSL calls still change.
   */
  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    parents: readonly string[],
  ): string {
    this.claim(name)
    this.writes.push(() => this.topology.addProcessor({ name, supplier, parents }))
    return name
  }

  addSink<K, V>(spec: SinkSpec<K, V>): string {
    this.claim(spec.name)
    this.writes.push(() => this.topology.addSink(spec))
    return spec.name
  }

  /**
   * A sink to the internal topic `<topic>` and a source reading it back, so records move to the partition of
   * their key (the runtime prefixes the application id). Returns the source's name.
   */
  repartition<K, V>(options: {
    readonly parent: string
    readonly topic: string
    readonly sinkName: string
    readonly sourceName: string
    readonly keySerde: Serde<K>
    readonly valueSerde: Serde<V>
    readonly partitions?: number | undefined
    readonly partitioner?: SinkSpec<K, V>['partitioner']
    readonly acceptsTombstones?: boolean
  }): string {
    this.addSink({
      name: options.sinkName,
      topic: options.topic,
      internal: true,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      parents: [options.parent],
      ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
      ...(options.partitioner ? { partitioner: options.partitioner } : {}),
    })
    return this.addSource({
      name: options.sourceName,
      topics: [options.topic],
      internal: true,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      acceptsTombstones: options.acceptsTombstones ?? true,
    })
  }

  /** Writes every node and builds the topology (once; later calls return the same topology). */
  build(): Topology {
    if (this.built) return this.built
    for (const write of this.writes) write()
    this.built = this.topology.build()
    return this.built
  }

  private claim(name: string): void {
    if (this.built) throw new TopologyError(`the topology was built already; cannot add ${name}`)
    if (this.names.has(name)) throw new TopologyError(`node name ${name} is used twice`)
    this.names.add(name)
  }
}
