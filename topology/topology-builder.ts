// The low-level topology builder (Kafka Streams' Topology#addSource/addProcessor/addSink): it records
// nodes and stores, checks them, and groups them into subtopologies. It performs no I/O.
import type { KeyValueStoreRef, Serde, StoreRef } from '../state/index.js'
import { TopologyError } from './errors.js'
import type { ProcessorSupplier } from './processor.js'
import {
  Topology,
  type GlobalTable,
  type Partitioner,
  type ProcessorNode,
  type SinkNode,
  type SourceNode,
  type Subtopology,
  type TopologyNode,
} from './topology.js'

export interface SourceSpec<K, V> {
  readonly name: string
  readonly topics: readonly string[]
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly internal?: boolean
  /** Deliver tombstones as `null` values (a table's source) instead of dead-lettering them (default false). */
  readonly acceptsTombstones?: boolean
}

export interface ProcessorSpec<KIn, VIn, KOut, VOut> {
  readonly name: string
  readonly supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>
  readonly parents: readonly string[]
}

export interface SinkSpec<K, V> {
  readonly name: string
  readonly topic: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly parents: readonly string[]
  readonly internal?: boolean
  readonly partitioner?: Partitioner
  /** Partitions of an internal topic (default: the task count of the subtopology writing it). */
  readonly partitions?: number
}

export interface GlobalTableSpec<K, V> {
  readonly topic: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly store: KeyValueStoreRef<K, V>
}

type Mutable<T> = { -readonly [P in keyof T]: T[P] extends readonly (infer E)[] ? E[] : T[P] }

export class TopologyBuilder {
  private readonly nodes = new Map<string, Mutable<TopologyNode>>()
  private readonly order: string[] = []
  private readonly stores = new Map<string, StoreRef>()
  private readonly globals: GlobalTable[] = []

  addSource<K, V>(spec: SourceSpec<K, V>): this {
    this.claim(spec.name)
    if (spec.topics.length === 0) throw new TopologyError(`source ${spec.name} needs at least one topic`)
    const node: Mutable<SourceNode> = {
      kind: 'source',
      name: spec.name,
      topics: [...spec.topics],
      internal: spec.internal ?? false,
      keySerde: spec.keySerde,
      valueSerde: spec.valueSerde,
      acceptsTombstones: spec.acceptsTombstones ?? false,
      children: [],
    }
    this.add(node)
    return this
  }

  addProcessor<KIn, VIn, KOut, VOut>(spec: ProcessorSpec<KIn, VIn, KOut, VOut>): this {
    this.claim(spec.name)
    const stores = (spec.supplier.stores ?? []).map((ref) => this.addStore(ref))
    const node: Mutable<ProcessorNode> = {
      kind: 'processor',
      name: spec.name,
      supplier: spec.supplier,
      parents: [...spec.parents],
      children: [],
      stores,
    }
    this.link(node, spec.parents)
    this.add(node)
    return this
  }

  addSink<K, V>(spec: SinkSpec<K, V>): this {
    this.claim(spec.name)
    const node: Mutable<SinkNode> = {
      kind: 'sink',
      name: spec.name,
      topic: spec.topic,
      internal: spec.internal ?? false,
      keySerde: spec.keySerde,
      valueSerde: spec.valueSerde,
      partitioner: spec.partitioner,
      partitions: spec.partitions,
      parents: [...spec.parents],
    }
    this.link(node, spec.parents)
    this.add(node)
    return this
  }

  /** A table every instance keeps whole, updated from `topic` (Kafka Streams' GlobalKTable). */
  addGlobalTable<K, V>(spec: GlobalTableSpec<K, V>): this {
    if (this.stores.has(spec.store.name) || this.globals.some((g) => g.store.name === spec.store.name)) {
      throw new TopologyError(`store ${spec.store.name} is declared twice`)
    }
    this.globals.push({
      name: `GLOBAL-${spec.store.name}`,
      topic: spec.topic,
      keySerde: spec.keySerde,
      valueSerde: spec.valueSerde,
      store: { ...spec.store, persistent: false, logging: false },
    })
    return this
  }

  /** The global table refs, so processors can read them (read-only). */
  globalStoreNames(): string[] {
    return this.globals.map((g) => g.store.name)
  }

  build(): Topology {
    for (const node of this.nodes.values()) {
      if (node.kind === 'processor' && node.parents.length === 0)
        throw new TopologyError(`processor ${node.name} has no parent`)
    }
    return new Topology(this.subtopologies(), [...this.globals])
  }

  private addStore(ref: StoreRef): string {
    const existing = this.stores.get(ref.name)
    if (existing && existing !== ref) {
      const same =
        existing.type === ref.type &&
        existing.persistent === ref.persistent &&
        existing.logging === ref.logging
      if (!same) throw new TopologyError(`store ${ref.name} is declared twice with different settings`)
    }
    if (this.globals.some((g) => g.store.name === ref.name)) return ref.name // a read-only use of a global table
    this.stores.set(ref.name, existing ?? ref)
    return ref.name
  }

  private claim(name: string): void {
    if (!name) throw new TopologyError('every node needs a name')
    if (this.nodes.has(name)) throw new TopologyError(`node name ${name} is used twice`)
  }

  private add(node: Mutable<TopologyNode>): void {
    this.nodes.set(node.name, node)
    this.order.push(node.name)
  }

  private link(child: Mutable<ProcessorNode | SinkNode>, parents: readonly string[]): void {
    if (parents.length === 0) throw new TopologyError(`${child.kind} ${child.name} needs a parent`)
    for (const parentName of parents) {
      const parent = this.nodes.get(parentName)
      if (!parent)
        throw new TopologyError(`${child.name}: parent ${parentName} does not exist (add parents first)`)
      if (parent.kind === 'sink')
        throw new TopologyError(`${child.name}: a sink (${parentName}) cannot have children`)
      parent.children.push(child.name)
    }
  }

  /** Union-find over edges and shared stores; subtopologies are numbered by their first node. */
  private subtopologies(): Subtopology[] {
    const root = new Map<string, string>(this.order.map((n) => [n, n]))
    const find = (n: string): string => {
      let r = n
      while (root.get(r) !== r) r = root.get(r)!
      root.set(n, r)
      return r
    }
    const union = (a: string, b: string) => root.set(find(a), find(b))
    const storeUser = new Map<string, string>()
    for (const node of this.nodes.values()) {
      if (node.kind !== 'source') for (const parent of node.parents) union(node.name, parent)
      if (node.kind === 'processor') {
        for (const store of node.stores) {
          if (!this.stores.has(store)) continue
          const other = storeUser.get(store)
          if (other) union(node.name, other)
          else storeUser.set(store, node.name)
        }
      }
    }
    const groups = new Map<string, TopologyNode[]>()
    for (const name of this.order) {
      const r = find(name)
      let group = groups.get(r)
      if (!group) groups.set(r, (group = []))
      group.push(this.nodes.get(name) as TopologyNode)
    }
    return [...groups.values()].map((nodes, id) => {
      const sources = nodes.filter((n): n is SourceNode => n.kind === 'source')
      if (sources.length === 0)
        throw new TopologyError(`nodes ${nodes.map((n) => n.name).join(', ')} have no source`)
      const storeNames = new Set(nodes.flatMap((n) => (n.kind === 'processor' ? n.stores : [])))
      return {
        id,
        nodes,
        sourceTopics: sources.flatMap((s) => s.topics),
        internalSources: sources.filter((s) => s.internal).flatMap((s) => s.topics),
        stores: [...storeNames].flatMap((s) => (this.stores.has(s) ? [this.stores.get(s)!] : [])),
        internalSinks: nodes
          .filter((n): n is SinkNode => n.kind === 'sink' && n.internal)
          .map((n) => n.topic),
        internalSinkPartitions: new Map(
          nodes.flatMap((n) =>
            n.kind === 'sink' && n.internal && n.partitions !== undefined
              ? [[n.topic, n.partitions] as const]
              : [],
          ),
        ),
      }
    })
  }
}
