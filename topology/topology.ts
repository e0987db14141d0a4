// The logical topology: a description only (no I/O, no runtime objects). The builder produces it; the
// runtime and the test driver instantiate one processor graph per task from it.
import type { KeyValueStoreRef, Serde, StoreRef } from '../state/index.js'
import type { ProcessorSupplier } from './processor.js'

/**
 * Chooses the partition of an outgoing record; the default hashes the key bytes with murmur2. A list sends
 * the record to each of those partitions (Kafka Streams' multicast, KIP-837), e.g. a marker every
 * downstream task must see; undefined falls back to the default (by key; a null key: the producer chooses).
 */
export type Partitioner = (
  key: Buffer | null,
  value: unknown,
  partitions: number,
) => number | readonly number[] | undefined

export interface SourceNode {
  readonly kind: 'source'
  readonly name: string
  readonly topics: readonly string[]
  /** Internal topics (repartition) get the application id as prefix at run time. */
  readonly internal: boolean
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
  /**
   * A record without a value (a tombstone) reaches the children with value `null` — a table's source,
   * where it deletes the key. Otherwise (a stream) it is dead-lettered as undecodable.
   */
  readonly acceptsTombstones: boolean
  readonly children: readonly string[]
}

export interface ProcessorNode {
  readonly kind: 'processor'
  readonly name: string
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>
  readonly parents: readonly string[]
  readonly children: readonly string[]
  readonly stores: readonly string[]
}

export interface SinkNode {
  readonly kind: 'sink'
  readonly name: string
  readonly topic: string
  readonly internal: boolean
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
  readonly partitioner: Partitioner | undefined
  /** Partitions of an internal topic, when not the task count of the subtopology writing it. */
  readonly partitions: number | undefined
  readonly parents: readonly string[]
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode

/** A table every instance holds whole (all partitions), read straight from its topic; no changelog. */
export interface GlobalTable {
  readonly name: string
  readonly topic: string
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
  readonly store: KeyValueStoreRef<unknown, unknown>
}

/** Nodes connected by edges or shared stores: they must run in the same task. */
export interface Subtopology {
  readonly id: number
  readonly nodes: readonly TopologyNode[]
  /** Source topics as declared; `internalSources` are the ones to prefix with the application id. */
  readonly sourceTopics: readonly string[]
  readonly internalSources: readonly string[]
  readonly stores: readonly StoreRef[]
  /** Internal topics this subtopology writes (repartition sinks). */
  readonly internalSinks: readonly string[]
  /** Partition counts some internal sinks ask for (KStream.repartition with a count). */
  readonly internalSinkPartitions: ReadonlyMap<string, number>
}

export class Topology {
  constructor(
    readonly subtopologies: readonly Subtopology[],
    readonly globalTables: readonly GlobalTable[],
  ) {}

  node(name: string): TopologyNode | undefined {
    for (const sub of this.subtopologies) {
      const node = sub.nodes.find((n) => n.name === name)
      if (node) return node
    }
    return undefined
  }

  /** Every store of every subtopology (not global tables). */
  get stores(): readonly StoreRef[] {
    return this.subtopologies.flatMap((s) => s.stores)
  }

  /** A readable description, in the format of Kafka Streams' TopologyDescription. */
  describe(): string {
    const lines = ['Topologies:']
    for (const sub of this.subtopologies) {
      lines.push(`   Sub-topology: ${sub.id}`)
      for (const node of sub.nodes) {
        switch (node.kind) {
          case 'source':
            lines.push(`    Source: ${node.name} (topics: [${node.topics.join(', ')}])`)
            lines.push(`      --> ${node.children.join(', ') || 'none'}`)
            break
          case 'processor':
            lines.push(`    Processor: ${node.name} (stores: [${node.stores.join(', ')}])`)
            lines.push(`      --> ${node.children.join(', ') || 'none'}`)
            lines.push(`      <-- ${node.parents.join(', ')}`)
            break
          case 'sink':
            lines.push(`    Sink: ${node.name} (topic: ${node.topic})`)
            lines.push(`      <-- ${node.parents.join(', ')}`)
            break
        }
      }
    }
    for (const table of this.globalTables) {
      lines.push(`   Global table: ${table.name} (topic: ${table.topic}, store: ${table.store.name})`)
    }
    return lines.join('\n')
  }
}
