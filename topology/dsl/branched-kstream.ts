// KStream.split(): branches of a stream by predicate (Kafka Streams' BranchedKStream and Branched, KIP-418).
// A record goes to the first branch whose predicate holds, else to the default branch if there is one,
// else nowhere. Names follow Kafka Streams: the splitter is `<split name>` (generated `KSTREAM-BRANCH-…`),
// a branch is `<split name><branch name>`, or `<split name><n>` for the n-th branch (from 1) when unnamed,
// `<split name>0` for an unnamed default branch; the returned map is keyed by those names.
import type { ProcessorSupplier } from '../processor.js'
import type { DslContext } from './dsl-context.js'
import type { KStream } from './kstream.js'

export type Predicate<K, V> = (key: K, value: V) => boolean

/** How a branch is named and what is done with it (Kafka Streams' Branched). */
export class Branched<K, V> {
  private constructor(
    readonly name: string | undefined,
    /** Applied to the branch; its result (unless null or undefined) goes into the returned map. */
    readonly chainFunction: ((branch: KStream<K, V>) => KStream<K, V> | null | undefined) | undefined,
    /** Given the branch, which then stays out of the returned map. */
    readonly chainConsumer: ((branch: KStream<K, V>) => void) | undefined,
  ) {}

  /** A branch named `<split name><name>`. */
  static as<K, V>(name: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined, undefined)
  }

  /** The branch goes through `chain`; the map holds what `chain` returns (nothing when it returns null). */
  static withFunction<K, V>(
    chain: (branch: KStream<K, V>) => KStream<K, V> | null | undefined,
    name?: string,
  ): Branched<K, V> {
    return new Branched<K, V>(name, chain, undefined)
  }

  /** The branch goes to `chain` (e.g. to write it to a topic) and not into the map. */
  static withConsumer<K, V>(chain: (branch: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined, chain)
  }

  withName(name: string): Branched<K, V> {
    return new Branched<K, V>(name, this.chainFunction, this.chainConsumer)
  }
}

/** The branches of a split stream under construction (Kafka Streams' BranchedKStream). */
export class BranchedKStream<K, V> {
  /** Method-shaped, so a BranchedKStream<K, V> stays assignable where V is widened, as KStream is. */
  private readonly predicates: { test(key: K, value: V): boolean }[] = []
  /** The branches' node names: one per predicate, in order, then the default branch's if any. */
  private readonly childNames: string[] = []
  private readonly branches = new Map<string, KStream<K, V>>()

  /**
   * @param newBranch makes the stream of a branch node (a KStream with the source's serdes and
   *   repartitioning flag)
   */
  constructor(
    private readonly context: DslContext,
    parent: string,
    private readonly splitterName: string,
    private readonly newBranch: (node: string) => KStream<K, V>,
  ) {
    const { predicates, childNames } = this
    const splitter: ProcessorSupplier<K, V, K, V> = {
      create: (ctx) => ({
        process: (record) => {
          const index = predicates.findIndex((p) => p.test(record.key, record.value))
          if (index >= 0) ctx.forward(record, childNames[index])
          else if (childNames.length > predicates.length) ctx.forward(record, childNames[predicates.length])
        },
      }),
    }
    context.addProcessor(splitterName, splitter, [parent])
  }

  /** Adds a branch for the records that satisfy `predicate` and no earlier branch's predicate. */
  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): this {
    this.predicates.push({ test: predicate })
    this.createBranch(branched, this.predicates.length)
    return this
  }

  /** Adds a branch for the records no predicate took; returns the branches by name. */
  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    this.createBranch(branched, 0)
    return this.branches
  }

  /** Returns the branches by name; records no predicate took are dropped. */
  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.branches
  }

  private createBranch(branched: Branched<K, V> | undefined, index: number): void {
    const name = `${this.splitterName}${branched?.name ?? String(index)}`
    this.childNames.push(name)
    this.context.newName(name) // Kafka Streams numbers each branch, so later generated names match its own
    this.context.addProcessor(name, { create: (ctx) => ({ process: (r) => ctx.forward(r) }) }, [
      this.splitterName,
    ])
    const branch = this.newBranch(name)
    if (branched?.chainFunction) {
      const chained = branched.chainFunction(branch)
      if (chained !== null && chained !== undefined) this.branches.set(name, chained)
    } else if (branched?.chainConsumer) {
      branched.chainConsumer(branch)
    } else {
      this.branches.set(name, branch)
    }
  }
}
