// The records of the engine workloads (after Kafka's SimpleBenchmark): keys from a space of 10,000, picked
// uniformly or by a Zipf law, and values of 100 bytes that begin with the record's id (`#<id>;`), so that
// an output carrying an input's value (the pipe, both joins) names the input it answers. Deterministic for
// a seed.
//
//   workload         topics                       records
//   pipe, count,     source                       one record per position
//   windowed-count
//   table-join       table (loaded first), source one table record per key; then stream records
//   stream-join      source (left), other (right) pairs: a left record, and `partnerDelay` positions
//                                                 later a right record with the same key
import { prng, resourceWeights, sampler, type Distribution } from './workload.js'

export const engineWorkloadIds = ['pipe', 'count', 'windowed-count', 'table-join', 'stream-join'] as const
export type EngineWorkloadId = (typeof engineWorkloadIds)[number]

/** The input topics of the engine workloads, by role (names in `RunTopics`). */
export type KeyedTopic = 'source' | 'other' | 'table'

export interface KeyedRecord {
  readonly topic: KeyedTopic
  readonly key: string
  readonly value: Buffer
  readonly id: string
  /** The record makes output by itself, so the latency probe times it (a join's left record waits for its partner). */
  readonly answered: boolean
  readonly position: number
}

export interface KeyedWorkloadOptions {
  readonly workload: EngineWorkloadId
  readonly seed: number
  readonly keys: number
  readonly distribution: Distribution
  /** Input records to generate (both streams of a join together; the table of table-join not counted). */
  readonly records: number
  /** Distinguishes the ids of one generation from another's (warm-up, backlog, live phases). */
  readonly idPrefix: string
  readonly valueBytes: number
  /** How many positions after its left record a join's right record comes, [min, max]. */
  readonly partnerDelay: readonly [number, number]
}

export function keyName(index: number): string {
  return `k${String(index).padStart(5, '0')}`
}

const idPattern = /#([^;#]+);/g

/** The ids of the values an output record carries (one for the pipe and the table join, two for a stream join). */
export function carriedIds(value: Buffer | null): string[] {
  if (!value) return []
  return [...value.toString('latin1').matchAll(idPattern)].map((match) => match[1]!)
}

/** Random lowercase text the values are cut from (incompressible enough, and cheap to slice). */
function paddingSource(seed: number): string {
  const random = prng(seed ^ 0x5bd1e995)
  return Array.from({ length: 4096 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('')
}

function valueOf(id: string, bytes: number, padding: string, random: () => number): Buffer {
  const head = `#${id};`
  const length = Math.max(0, bytes - head.length)
  const from = Math.floor(random() * (padding.length - length))
  return Buffer.from(head + padding.slice(from, from + length), 'latin1')
}

/** The table of the table join: one record per key. */
export function tableRecords(
  options: Pick<KeyedWorkloadOptions, 'seed' | 'keys' | 'valueBytes'>,
): KeyedRecord[] {
  const random = prng(options.seed)
  const padding = paddingSource(options.seed)
  return Array.from({ length: options.keys }, (_, index) => ({
    topic: 'table',
    key: keyName(index),
    value: valueOf(`t${index}`, options.valueBytes, padding, random),
    id: `t${index}`,
    answered: false,
    position: index,
  }))
}

/** The stream records of the workload, in stream order, generated lazily. */
export function* keyedRecords(options: KeyedWorkloadOptions): Generator<KeyedRecord> {
  const random = prng(options.seed)
  const pick = sampler(resourceWeights(options.keys, options.distribution), random)
  const padding = paddingSource(options.seed)
  const make = (topic: KeyedTopic, key: string, position: number, answered: boolean): KeyedRecord => {
    const id = `${options.idPrefix}${position}`
    return { topic, key, value: valueOf(id, options.valueBytes, padding, random), id, answered, position }
  }
  if (options.workload !== 'stream-join') {
    for (let position = 0; position < options.records; position++)
      yield make('source', keyName(pick()), position, true)
    return
  }
  const [minDelay, maxDelay] = options.partnerDelay
  // partners due, in position order (delays are short, so a sorted insert stays cheap)
  const partners: { due: number; key: string }[] = []
  for (let position = 0; position < options.records; position++) {
    const due = partners[0]
    if (due && due.due <= position) {
      partners.shift()
      yield make('other', due.key, position, true)
      continue
    }
    const key = keyName(pick())
    const partner = { due: position + minDelay + Math.floor(random() * (maxDelay - minDelay + 1)), key }
    let at = partners.length
    while (at > 0 && partners[at - 1]!.due > partner.due) at--
    partners.splice(at, 0, partner)
    yield make('source', key, position, false)
  }
}
