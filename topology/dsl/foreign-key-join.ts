// Foreign-key table–table joins (Kafka Streams' KIP-213): each row of this table points, through a
// foreign key extracted from its value, at a row of the other table, which is keyed differently and may
// be partitioned differently. The join runs in two hops:
//   1. subscription: this table's update is sent to the other table's partition of its foreign key
//      (`<app>-…-subscription-registration-topic`), where it is remembered in the subscription store and
//      joined with the other table's row; an update of the other table is joined with every subscriber;
//   2. response: the other table's value goes back to the subscriber's partition
//      (`<app>-…-subscription-response-topic`) with a hash of the subscriber's value, and is joined there
//      only if the subscriber still has that value (a stale response is dropped).
import { createHash } from 'node:crypto'
import { bufferSerde, storeRef, type Serde, type StoreRef } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Partitioner } from '../topology.js'
import { valueAndTimestampSerde, type Change, type ValueAndTimestamp } from './change.js'
import type { DslContext } from './dsl-context.js'
import type { KTable } from './ktable.js'
import { resolveMaterialized, tableStore, type Materialized, type Named } from './options.js'
import { TableSourceNode } from './table-source.js'

/** What a subscription asks the other side to do (Kafka Streams' SubscriptionWrapper.Instruction). */
const instructions = {
  deleteKeyNoPropagate: 0,
  deleteKeyAndPropagate: 1,
  propagateNullIfNoForeignValue: 2,
  propagateOnlyIfForeignValue: 3,
} as const
type Instruction = (typeof instructions)[keyof typeof instructions]

interface Subscription<K> {
  readonly hash: Buffer | null
  readonly instruction: Instruction
  readonly primaryKey: K
  readonly primaryPartition: number
}

interface Response<VO> {
  readonly hash: Buffer | null
  readonly foreignValue: VO | null
  readonly primaryPartition: number
}

/** Options of a foreign-key join (Kafka Streams' TableJoined and Materialized). */
export type ForeignKeyJoinOptions<K, VR> = Named & Materialized<K, VR>

function hashOf(bytes: Buffer): Buffer {
  return createHash('md5').update(bytes).digest()
}

/** `version ‖ instruction ‖ partition (4) ‖ hash length (1) ‖ hash ‖ primary key`. */
function subscriptionSerde<K>(keySerde: Serde<K>): Serde<Subscription<K>> {
  return {
    serialize: (s) => {
      const head = Buffer.allocUnsafe(7)
      head[0] = 1
      head[1] = s.instruction
      head.writeInt32BE(s.primaryPartition, 2)
      head[6] = s.hash === null ? 0 : s.hash.length
      return Buffer.concat([head, s.hash ?? Buffer.alloc(0), keySerde.serialize(s.primaryKey)])
    },
    deserialize: (b) => {
      const hashLength = b[6]!
      return {
        instruction: b[1] as Instruction,
        primaryPartition: b.readInt32BE(2),
        hash: hashLength === 0 ? null : b.subarray(7, 7 + hashLength),
        primaryKey: keySerde.deserialize(b.subarray(7 + hashLength)),
      }
    },
  }
}

/** `partition (4) ‖ hash length (1) ‖ hash ‖ foreign value (absent: null)`. */
function responseSerde<VO>(valueSerde: Serde<VO>): Serde<Response<VO>> {
  return {
    serialize: (r) => {
      const head = Buffer.allocUnsafe(6)
      head.writeInt32BE(r.primaryPartition, 0)
      head[4] = r.hash === null ? 0 : r.hash.length
      head[5] = r.foreignValue === null ? 0 : 1
      const value = r.foreignValue === null ? Buffer.alloc(0) : valueSerde.serialize(r.foreignValue)
      return Buffer.concat([head, r.hash ?? Buffer.alloc(0), value])
    },
    deserialize: (b) => {
      const hashLength = b[4]!
      return {
        primaryPartition: b.readInt32BE(0),
        hash: hashLength === 0 ? null : b.subarray(6, 6 + hashLength),
        foreignValue: b[5] === 0 ? null : valueSerde.deserialize(b.subarray(6 + hashLength)),
      }
    },
  }
}

/** Subscription store keys: `foreign key length (4) ‖ foreign key ‖ primary key`, so a prefix scan finds a foreign key's subscribers. */
function combinedKey(foreign: Buffer, primary: Buffer): Buffer {
  const length = Buffer.allocUnsafe(4)
  length.writeInt32BE(foreign.length)
  return Buffer.concat([length, foreign, primary])
}

export function foreignKeyJoin<K, V, KO, VO, VR>(
  context: DslContext,
  table: KTable<K, V>,
  other: KTable<KO, VO>,
  foreignKeyExtractor: (value: V, key: K) => KO,
  joiner: (value: V, foreignValue: VO | null, key: K) => VR,
  leftJoin: boolean,
  options: ForeignKeyJoinOptions<K, VR>,
): { node: string; producer: TableSourceNode<K, VR>; queryable: string | undefined; valueSerde: Serde<VR> } {
  // old values of the other table spare work; old values of this one route deletes to the old foreign key
  other.enableSendingOldValues(true)
  table.enableSendingOldValues(true)
  const named = options.name
  const foreignKeySerde = other.keySerde
  const subscriptions = subscriptionSerde(table.keySerde)
  const responses = responseSerde(other.valueSerde)
  const hashValue = (value: V | null) => (value === null ? null : hashOf(table.valueSerde.serialize(value)))

  const subscriptionTopic =
    context.suffixedOr(named, '-subscription-registration', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-') +
    '-topic'
  const sendName = context.suffixedOr(
    named,
    '-subscription-registration-processor',
    'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-',
  )
  const send: ProcessorSupplier<K, Change<V>, KO | null, Subscription<K>> = {
    create: (ctx) => ({
      process: (record) => {
        const { newValue, oldValue } = record.value
        let hash: Buffer | null | undefined
        const forward = (foreignKey: KO | null, instruction: Instruction) => {
          hash = hash === undefined ? hashValue(newValue) : hash
          const value = { hash, instruction, primaryKey: record.key, primaryPartition: ctx.partition }
          ctx.forward({ ...record, key: foreignKey, value })
        }
        const same = (a: KO | null, b: KO | null) =>
          a !== null && b !== null && foreignKeySerde.serialize(a).equals(foreignKeySerde.serialize(b))
        const fk = (value: V) => foreignKeyExtractor(value, record.key) ?? null
        // Kafka Streams 4.1's instructions (SubscriptionSendProcessorSupplier)
        if (leftJoin) {
          if (oldValue !== null) {
            const oldKey = fk(oldValue)
            const newKey = newValue === null ? null : fk(newValue)
            if (oldKey !== null && !same(newKey, oldKey)) forward(oldKey, instructions.deleteKeyNoPropagate)
            forward(newKey, instructions.propagateNullIfNoForeignValue)
          } else if (newValue !== null) {
            forward(fk(newValue), instructions.propagateNullIfNoForeignValue)
          }
          return
        }
        if (oldValue !== null) {
          const oldKey = fk(oldValue)
          const newKey = newValue === null ? null : fk(newValue)
          if (oldKey === null && newKey === null) ctx.droppedRecord()
          else if (oldKey === null) forward(newKey, instructions.propagateOnlyIfForeignValue)
          else if (newKey === null) forward(oldKey, instructions.deleteKeyAndPropagate)
          else if (!same(newKey, oldKey)) {
            forward(oldKey, instructions.deleteKeyNoPropagate)
            forward(newKey, instructions.propagateNullIfNoForeignValue)
          } else forward(newKey, instructions.propagateOnlyIfForeignValue)
        } else if (newValue !== null) {
          const newKey = fk(newValue)
          if (newKey === null) ctx.droppedRecord()
          else forward(newKey, instructions.propagateOnlyIfForeignValue)
        }
      },
    }),
  }
  context.addProcessor(sendName, send, [table.node])
  const subscriptionSource = context.repartition({
    parent: sendName,
    topic: subscriptionTopic,
    sinkName: context.suffixedOr(named, '-subscription-registration-sink', 'KTABLE-SINK-'),
    sourceName: context.suffixedOr(named, '-subscription-registration-source', 'KSTREAM-SOURCE-'),
    keySerde: foreignKeySerde,
    valueSerde: subscriptions,
  })

  const store = storeRef<Buffer, ValueAndTimestamp<Subscription<K>>>({
    name: context.suffixedOr(named, '-subscription-store', 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-'),
    keySerde: bufferSerde,
    valueSerde: valueAndTimestampSerde(subscriptions),
  })
  const foreignValues = other.valueGetterSupplier()
  const receiveName = context.suffixedOr(
    named,
    '-subscription-receive',
    'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-',
  )
  const joinForeignName = context.suffixedOr(
    named,
    '-subscription-join-foreign',
    'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-',
  )
  // the subscription's receiving end remembers (or forgets) it…
  const receive: ProcessorSupplier<KO | null, Subscription<K>, KO | null, Subscription<K>> = {
    stores: [store],
    create: (ctx) => {
      const subscribed = ctx.store(store)
      return {
        process: (record) => {
          const s = record.value
          const nullKey = record.key === null || record.key === undefined
          if (nullKey && s.instruction !== instructions.propagateNullIfNoForeignValue) {
            ctx.droppedRecord()
            return
          }
          if (!nullKey) {
            const id = combinedKey(
              foreignKeySerde.serialize(record.key),
              table.keySerde.serialize(s.primaryKey),
            )
            if (
              s.instruction === instructions.deleteKeyAndPropagate ||
              s.instruction === instructions.deleteKeyNoPropagate
            )
              subscribed.delete(id)
            else subscribed.put(id, { value: s, timestamp: record.timestamp })
          }
          ctx.forward(record)
        },
      }
    },
  }
  context.addProcessor(receiveName, receive, [subscriptionSource])
  // …and joins it with the foreign row
  const joinForeign: ProcessorSupplier<KO | null, Subscription<K>, K, Response<VO>> = {
    get stores(): readonly StoreRef[] {
      return foreignValues.storeRefs()
    },
    create: (ctx) => {
      const foreign = foreignValues.create(ctx)
      return {
        process: async (record) => {
          const s = record.value
          const row =
            record.key === null || record.key === undefined ? undefined : await foreign.get(record.key)
          const timestamp = row === undefined ? record.timestamp : Math.max(record.timestamp, row.timestamp)
          const respond = (foreignValue: VO | null) =>
            ctx.forward({
              key: s.primaryKey,
              value: { hash: s.hash, foreignValue, primaryPartition: s.primaryPartition },
              timestamp,
            })
          switch (s.instruction) {
            case instructions.deleteKeyAndPropagate:
              respond(null)
              break
            case instructions.propagateNullIfNoForeignValue:
              respond(row === undefined ? null : row.value)
              break
            case instructions.propagateOnlyIfForeignValue:
              if (row !== undefined) respond(row.value)
              break
            case instructions.deleteKeyNoPropagate:
              break
          }
        },
      }
    },
  }
  context.addProcessor(joinForeignName, joinForeign, [receiveName])

  // an update of the foreign table reaches every subscriber of its key
  const foreignJoinName = context.suffixedOr(
    named,
    '-foreign-join-subscription',
    'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-',
  )
  const foreignJoin: ProcessorSupplier<KO, Change<VO>, K, Response<VO>> = {
    stores: [store],
    create: (ctx) => {
      const subscribed = ctx.store(store)
      return {
        process: async (record) => {
          if (record.key === null || record.key === undefined) {
            ctx.droppedRecord()
            return
          }
          const foreignKey = foreignKeySerde.serialize(record.key)
          const prefix = combinedKey(foreignKey, Buffer.alloc(0))
          for await (const { key, value } of subscribed.prefixScan(prefix)) {
            if (key.readInt32BE(0) !== foreignKey.length) continue
            ctx.forward({
              ...record,
              key: value.value.primaryKey,
              value: {
                hash: value.value.hash,
                foreignValue: record.value.newValue,
                primaryPartition: value.value.primaryPartition,
              },
            })
          }
        },
      }
    },
  }
  context.addProcessor(foreignJoinName, foreignJoin, [other.node])

  // the response goes back to the subscriber's own partition
  const responseTopic =
    context.suffixedOr(named, '-subscription-response', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-') + '-topic'
  const toSubscriber: Partitioner = (_key, value) => (value as Response<VO>).primaryPartition
  const responseSinkName = context.suffixedOr(named, '-subscription-response-sink', 'KTABLE-SINK-')
  const responseSourceName = context.suffixedOr(named, '-subscription-response-source', 'KSTREAM-SOURCE-')
  context.addSink({
    name: responseSinkName,
    topic: responseTopic,
    internal: true,
    keySerde: table.keySerde,
    valueSerde: responses,
    partitioner: toSubscriber,
    parents: [joinForeignName, foreignJoinName],
  })
  context.addSource({
    name: responseSourceName,
    topics: [responseTopic],
    internal: true,
    keySerde: table.keySerde,
    valueSerde: responses,
  })

  const primaryValues = table.valueGetterSupplier()
  const resolveName = context.suffixedOr(
    named,
    '-subscription-response-resolver',
    'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-',
  )
  const resolve: ProcessorSupplier<K, Response<VO>, K, VR | null> = {
    get stores(): readonly StoreRef[] {
      return primaryValues.storeRefs()
    },
    create: (ctx) => {
      const primary = primaryValues.create(ctx)
      return {
        process: async (record) => {
          const current = await primary.get(record.key)
          const currentHash = current === undefined ? null : hashValue(current.value)
          const hash = record.value.hash
          const fresh =
            hash === null ? currentHash === null : currentHash !== null && hash.equals(currentHash)
          if (!fresh) {
            ctx.droppedRecord()
            return
          }
          const { foreignValue } = record.value
          const result =
            foreignValue === null && (!leftJoin || current === undefined)
              ? null
              : joiner(current!.value, foreignValue, record.key)
          ctx.forward({ ...record, value: result })
        },
      }
    },
  }
  context.addProcessor(resolveName, resolve, [responseSourceName])

  const resultName = context.suffixedOr(named, '-result', 'KTABLE-FK-JOIN-OUTPUT-')
  const m = resolveMaterialized(context, options, 'KTABLE-FK-JOIN-OUTPUT-')
  const valueSerde = m.valueSerde ?? (table.valueSerde as unknown as Serde<VR>)
  const result = new TableSourceNode(tableStore(m, m.keySerde ?? table.keySerde, valueSerde), m.queryable)
  context.addProcessor(resultName, result.supplier(), [resolveName])
  return { node: resultName, producer: result, queryable: m.queryable ? m.storeName : undefined, valueSerde }
}
