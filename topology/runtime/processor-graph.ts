// A task's processor graph (Kafka Streams' ProcessorTopology with its ProcessorNode, SinkNode and
// ProcessorContextImpl): one runner per node of the subtopology, one context per processor, and the work
// queue that runs a record, and everything it forwards, to completion before the next one.
//
// What a run comes from is an argument of each run (RunContext): the input record (none for a punctuation
// or a cache flush at commit) and, for an entry a record cache hands on, that entry's record time. The
// processor contexts (`origin`, `deadLetter`), failures at the sinks and the stores' changelog timestamps
// read it from the run in progress, and it is gone when the run ends.
import type { ConsumedRecord } from '../../kafka/index.js'
import type { BuiltStore } from '../../state/index.js'
import { StreamsError } from '../errors.js'
import type { Cancellable, Processor, ProcessorContext, PunctuationType } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { ProcessorNode, SinkNode, Subtopology, TopologyNode } from '../topology.js'
import { deadLetter, handleFailure } from './dead-letter.js'
import { partitionForKey } from './partitioner.js'
import type { TaskEnv } from './task-environment.js'

/** What the graph needs of its task. */
export interface GraphTask {
  readonly id: string
  readonly partition: number
  readonly taskCount: number
  readonly env: TaskEnv
  readonly stores: ReadonlyMap<string, BuiltStore<unknown>>
  streamTime(): number
  schedule(
    interval: number,
    type: PunctuationType,
    callback: (time: number) => void | Promise<void>,
  ): Cancellable
  requestCommit(): void
  droppedRecord(): void
}

type AnyRecord = StreamRecord<unknown, unknown>

interface NodeRunner {
  readonly name: string
  process(record: AnyRecord): void | Promise<void>
}

/** A piece of a run's work: a node and the record it gets, or a callback (a punctuation, a cache's emit). */
type Work = NodeRunner | (() => void | Promise<void>)

/** What the run in progress comes from. */
export interface RunContext {
  /** The input record being processed; undefined in a punctuation and in a cache flush at commit. */
  readonly input: ConsumedRecord | undefined
  /** The record time of an entry a record cache hands on (it overrides the input's). */
  readonly cachedRecordTime?: number
}

const noWork: Work = () => undefined

export class ProcessorGraph {
  private readonly runners = new Map<string, NodeRunner>()
  private readonly processors: {
    readonly processor: Processor<unknown, unknown, unknown, unknown>
    readonly context: ProcessorContext<unknown, unknown>
  }[] = []
  /**
   * The run's work queue, as two arrays (a node and its record at one index) filled up to `queued`: no
   * object is made per piece of work, and the arrays keep their storage from run to run (setting an
   * array's length to 0 gives it up, and the next run's first push allocates it again).
   */
  private readonly work: Work[] = []
  private readonly workRecords: (AnyRecord | undefined)[] = []
  private queued = 0
  /** What the run in progress comes from (RunContext's two fields, kept apart: no object per record). */
  private runInput: ConsumedRecord | undefined
  private runCachedRecordTime: number | undefined

  constructor(
    private readonly subtopology: Subtopology,
    private readonly task: GraphTask,
  ) {}

  /** The record time of the run in progress, if it has one (the stores' changelog timestamps read it). */
  get recordTime(): number | undefined {
    return this.runCachedRecordTime ?? this.runInput?.timestamp
  }

  private get input(): ConsumedRecord | undefined {
    return this.runInput
  }

  /** Creates every node's runner (and so its processor), then initializes the processors. */
  async init(): Promise<void> {
    for (const node of this.subtopology.nodes) this.runners.set(node.name, this.runnerFor(node))
    for (const { processor, context } of this.processors) await processor.init?.(context)
  }

  async close(): Promise<void> {
    for (const { processor } of this.processors) await processor.close?.()
  }

  /**
   * Runs `record` from source `source`, coming from `input`, and everything it forwards, to completion.
   * Synchronous unless a processor's work is: then it returns a promise (no promise per record otherwise).
   */
  runRecord(source: string, record: AnyRecord, input: ConsumedRecord): void | Promise<void> {
    return this.run(this.runners.get(source)!, record, input, undefined)
  }

  /** Runs a punctuation callback, with no input record, and everything it forwards, to completion. */
  async runPunctuation(callback: () => void | Promise<void>): Promise<void> {
    await this.run(callback, undefined, undefined, undefined)
  }

  /** Runs what a record cache hands on (`emit`), and everything it forwards, to completion. */
  runCached(emit: () => void, context: RunContext): void | Promise<void> {
    return this.run(emit, undefined, context.input, context.cachedRecordTime)
  }

  /** Runs the work queue synchronously until a piece of work returns a promise, then `runAsync`. */
  private run(
    first: Work,
    record: AnyRecord | undefined,
    input: ConsumedRecord | undefined,
    cachedRecordTime: number | undefined,
  ): void | Promise<void> {
    // a run started inside another gives the outer one's context back when it ends
    const outerInput = this.runInput
    const outerTime = this.runCachedRecordTime
    this.runInput = input
    this.runCachedRecordTime = cachedRecordTime
    this.queued = 0
    this.enqueue(first, record)
    try {
      for (let i = 0; i < this.queued; i++) {
        const result = this.runWork(i)
        // the rest of the run, and its end, are the async continuation's
        if (result) return this.runAsync(result, i + 1, outerInput, outerTime)
      }
    } catch (error) {
      this.endRun(outerInput, outerTime)
      throw error
    }
    this.endRun(outerInput, outerTime)
  }

  private async runAsync(
    pending: Promise<void>,
    from: number,
    outerInput: ConsumedRecord | undefined,
    outerTime: number | undefined,
  ): Promise<void> {
    try {
      await pending
      for (let i = from; i < this.queued; i++) {
        const result = this.runWork(i)
        if (result) await result
      }
    } finally {
      this.endRun(outerInput, outerTime)
    }
  }

  private enqueue(work: Work, record: AnyRecord | undefined): void {
    this.work[this.queued] = work
    this.workRecords[this.queued] = record
    this.queued += 1
  }

  private runWork(i: number): void | Promise<void> {
    const work = this.work[i]!
    return typeof work === 'function' ? work() : work.process(this.workRecords[i]!)
  }

  private endRun(outerInput: ConsumedRecord | undefined, outerTime: number | undefined): void {
    // this run's records and callbacks are not kept alive until the next one
    this.work.fill(noWork, 0, this.queued)
    this.workRecords.fill(undefined, 0, this.queued)
    this.queued = 0
    this.runInput = outerInput
    this.runCachedRecordTime = outerTime
  }

  private runnerFor(node: TopologyNode): NodeRunner {
    switch (node.kind) {
      case 'source':
        return { name: node.name, process: (record) => this.forwardTo(node.children, record) }
      case 'processor':
        return this.processorRunner(node)
      case 'sink':
        return this.sinkRunner(node)
    }
  }

  private forwardTo(children: readonly string[], record: AnyRecord, only?: string): void {
    for (const child of children) {
      if (only !== undefined && child !== only) continue
      this.enqueue(this.runners.get(child)!, record)
    }
    if (only !== undefined && !children.includes(only))
      throw new StreamsError('TOPOLOGY_INVALID', `forward to unknown child ${only}`)
  }

  private processorRunner(node: ProcessorNode): NodeRunner {
    const { task } = this
    const inputOf = () => this.input
    const context: ProcessorContext<unknown, unknown> = {
      taskId: task.id,
      partition: task.partition,
      taskCount: task.taskCount,
      applicationId: task.env.applicationId,
      get streamTime() {
        return task.streamTime()
      },
      get origin() {
        const input = inputOf()
        return input ? { topic: input.topic, partition: input.partition, offset: input.offset } : undefined
      },
      get wallClockTime() {
        return task.env.now()
      },
      forward: (record, childName) => this.forwardTo(node.children, record, childName),
      store: (ref) => {
        const local = task.stores.get(ref.name)
        if (local && node.stores.includes(ref.name)) return local.store as never
        const global = task.env.globalStores.get(ref.name)
        if (global) return global as never
        throw new StreamsError(
          'TOPOLOGY_INVALID',
          `processor ${node.name} did not declare store ${ref.name} in its supplier`,
        )
      },
      schedule: (interval, type, callback) => task.schedule(interval, type, callback),
      deadLetter: (reason, record) =>
        deadLetter(task.env, task.id, 'processing', reason, record ? { ...record, headers: {} } : this.input),
      requestCommit: () => task.requestCommit(),
      droppedRecord: () => task.droppedRecord(),
    }
    const processor = node.supplier.create(context)
    this.processors.push({ processor, context })
    return { name: node.name, process: (record) => processor.process(record) }
  }

  private sinkRunner(node: SinkNode): NodeRunner {
    const { env } = this.task
    const topic = env.resolveTopic(node.topic, node.internal)
    return {
      name: node.name,
      process: (record) => {
        let key: Buffer | null
        let value: Buffer | null
        let partition: number | readonly number[] | undefined
        try {
          key = record.key === null || record.key === undefined ? null : node.keySerde.serialize(record.key)
          value =
            record.value === null || record.value === undefined
              ? null
              : node.valueSerde.serialize(record.value)
          const partitions = env.partitionsOf(topic)
          // a partitioner that does not choose leaves the record to the default, as in Kafka Streams
          partition =
            node.partitioner?.(key, record.value, partitions) ??
            (key === null ? undefined : partitionForKey(key, partitions))
        } catch (error) {
          handleFailure(env, this.task.id, 'production', error, this.input)
          return
        }
        // one object per record sent, none besides it
        const { timestamp, headers } = record
        if (typeof partition !== 'object') env.sink.send({ topic, key, value, timestamp, partition, headers })
        else
          for (const one of partition)
            env.sink.send({ topic, key, value, timestamp, partition: one, headers })
      },
    }
  }
}
