// Interactive queries over the local state of a running instance (Kafka Streams' IQ): a key is answered
// here when this instance runs the key's task, otherwise the answer names the instance that does — or,
// when the caller allows stale reads (Kafka Streams' enableStaleStores), from this instance's standby
// copy of the task (standby-tasks.ts), as of its last catch-up. Reads of active tasks run on the runtime's
// work queue, so they never see a record half-processed.
import type { KeyValueStore, KeyValueStoreRef } from '../../state/index.js'
import type { Topology } from '../topology.js'
import type { InstanceInfo, InstanceRegistry } from './instance-registry.js'
import type { TopicLayout } from './internal-topics.js'
import { partitionForKey } from './partitioner.js'
import { subtopologyOfStore, taskIdOf } from './topic-names.js'
import type { StreamTask } from './stream-task.js'

/** Where a key of a store lives: here (with its value), on another instance, or nowhere right now. */
export type KeyQueryResult<V> =
  | { readonly where: 'local'; readonly taskId: string; readonly value: V | undefined }
  /** From a standby copy: only with `staleStores`, at most one catch-up (~0.5 s) behind the active task. */
  | { readonly where: 'standby'; readonly taskId: string; readonly value: V | undefined }
  | { readonly where: 'remote'; readonly taskId: string; readonly owner: InstanceInfo }
  | { readonly where: 'unavailable'; readonly taskId: string; readonly reason: string }

/** What the queries need from the runtime, read at call time. */
export interface QuerySource {
  readonly topology: Topology
  readonly instanceId: string
  layout(): TopicLayout | undefined
  tasks(): ReadonlyMap<string, StreamTask>
  registry(): InstanceRegistry | undefined
  running(): boolean
  exclusive<T>(work: () => Promise<T>): Promise<T>
  /** A store of this instance's standby copy of a task, if it keeps one. */
  standbyStore(taskId: string, storeName: string): unknown
}

export interface KeyQueryOptions {
  /** The key of the record the store's key was partitioned by, when the two differ. */
  readonly partitionKey?: Buffer
  /** Answer from a local standby copy when the task runs elsewhere (Kafka Streams' enableStaleStores). */
  readonly staleStores?: boolean
}

export class InteractiveQueries {
  constructor(private readonly source: QuerySource) {}

  /** The task that owns a key of a store: the key's partition (or that of `partitionKey`, when the
   * store key differs from the record key it was partitioned by). */
  taskIdFor(storeName: string, partitionKey: Buffer): string | undefined {
    const sub = subtopologyOfStore(this.source.topology, storeName)
    const layout = this.source.layout()
    if (!sub || !layout) return undefined
    return taskIdOf(sub.id, partitionForKey(partitionKey, layout.tasksPerSubtopology.get(sub.id) ?? 1))
  }

  /** Looks a key up (Kafka Streams' queryMetadataForKey and a store query in one call). */
  async queryKey<K, V>(
    ref: KeyValueStoreRef<K, V>,
    key: K,
    options: Buffer | KeyQueryOptions = {},
  ): Promise<KeyQueryResult<V>> {
    const { partitionKey, staleStores = false } = Buffer.isBuffer(options)
      ? { partitionKey: options }
      : options
    const taskId = this.taskIdFor(ref.name, partitionKey ?? ref.keySerde.serialize(key))
    if (taskId === undefined)
      return { where: 'unavailable', taskId: '', reason: `no store named ${ref.name} (or not started)` }
    const local = await this.queryTask(taskId, ref.name, (store) => (store as KeyValueStore<K, V>).get(key))
    if (local.found) return { where: 'local', taskId, value: local.value }
    const standby = staleStores ? this.source.standbyStore(taskId, ref.name) : undefined
    if (standby !== undefined) {
      // a standby closed meanwhile (its task moved here): the next query finds the active task
      const value = await (standby as KeyValueStore<K, V>).get(key).then(
        (v) => ({ ok: true as const, v }),
        () => ({ ok: false as const }),
      )
      if (value.ok) return { where: 'standby', taskId, value: value.v }
    }
    const owner = this.ownerOfTask(taskId)
    if (owner && owner.instanceId !== this.source.instanceId) return { where: 'remote', taskId, owner }
    return {
      where: 'unavailable',
      taskId,
      reason: `task ${taskId} is not running anywhere right now (rebalancing or restoring)`,
    }
  }

  /** Runs `read` against the store of one local task, between records. */
  async queryTask<T>(
    taskId: string,
    storeName: string,
    read: (store: unknown) => Promise<T>,
  ): Promise<{ found: true; value: T } | { found: false }> {
    const store = this.source.running()
      ? this.source.tasks().get(taskId)?.stores.get(storeName)?.store
      : undefined
    if (store === undefined) return { found: false }
    return { found: true, value: await this.source.exclusive(() => read(store)) }
  }

  /** The instance announced as running a task (this one included). */
  ownerOfTask(taskId: string): InstanceInfo | undefined {
    return this.source.registry()?.ownerOf(taskId)
  }

  /** Instances of this application and their tasks, as announced. */
  instances(): InstanceInfo[] {
    return this.source.registry()?.all() ?? []
  }
}
