// Every name the runtime gives a topic, a task or a transactional id, in one place, used by the Kafka
// runtime and the test driver alike (Kafka Streams' naming): internal topics get the application id as
// prefix, a store's changelog is `<app>-<store>-changelog`, a task is `<subtopology>_<partition>`.
import type { Subtopology, Topology } from '../topology.js'

/** The changelog topic of a store. */
export function changelogTopic(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`
}

/** An internal topic (repartition, foreign-key join…) by the name the topology gives it. */
export function internalTopic(applicationId: string, name: string): string {
  return `${applicationId}-${name}`
}

/** The compacted topic where instances announce their tasks (instance-registry.ts). */
export function instancesTopic(applicationId: string): string {
  return `${applicationId}-instances`
}

/** The transactional id of the producer of an instance, or of a task under exactly-once per task. */
export function transactionalId(applicationId: string, owner: string): string {
  return `${applicationId}-${owner}`
}

/** A task's id: its subtopology and partition, as Kafka Streams writes it. */
export function taskIdOf(subtopology: number, partition: number): string {
  return `${subtopology}_${partition}`
}

/** The run-time name of a topic a node reads or writes: internal ones get the application id as prefix. */
export function runtimeTopic(applicationId: string, name: string, internal: boolean): string {
  return internal ? internalTopic(applicationId, name) : name
}

/** The run-time names of a subtopology's source topics. */
export function sourceTopicsOf(applicationId: string, sub: Subtopology): string[] {
  return sub.sourceTopics.map((t) => runtimeTopic(applicationId, t, sub.internalSources.includes(t)))
}

/** The run-time names of every source topic of the topology (what the consumer subscribes to). */
export function sourceTopics(applicationId: string, topology: Topology): string[] {
  return topology.subtopologies.flatMap((sub) => sourceTopicsOf(applicationId, sub))
}

/** Internal topics the topology reads back (repartition topics and the like), by run-time name. */
export function internalSourceTopics(applicationId: string, topology: Topology): Set<string> {
  return new Set(
    topology.subtopologies.flatMap((sub) => sub.internalSources.map((t) => internalTopic(applicationId, t))),
  )
}

/** The subtopology that owns a store, if any. */
export function subtopologyOfStore(topology: Topology, store: string): Subtopology | undefined {
  return topology.subtopologies.find((s) => s.stores.some((r) => r.name === store))
}

/** Whether a run-time topic name is one of the application's own (changelog, repartition…). */
export function isInternalTopic(applicationId: string, topic: string): boolean {
  return topic.startsWith(internalTopic(applicationId, ''))
}
