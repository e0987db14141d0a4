// Windowed stream–stream join (Kafka Streams' KStreamKStreamJoin): each side keeps its records in a window
// store; a record joins the other side's records of the same key within [t - before, t + after].
// Records later than stream time minus (before + after + grace) are dropped, and store entries older than
// that horizon are expired as stream time advances.
import { windowStoreRef, type WindowStore } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { KStream } from './kstream.js'
import type { DslContext } from './streams-builder.js'

export interface JoinWindows {
  /** How far the other side's record may precede this one, in ms. */
  readonly beforeMs: number
  /** How far it may follow, in ms. */
  readonly afterMs: number
  /** How long after the window closes a late record is still accepted, in ms. */
  readonly graceMs: number
}

export function joinWindows(differenceMs: number, graceMs: number): JoinWindows {
  return { beforeMs: differenceMs, afterMs: differenceMs, graceMs }
}

export function streamStreamJoin<K, V, VO, VR>(
  context: DslContext,
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: (value: V, otherValue: VO, key: K) => VR,
  windows: JoinWindows,
): string {
  const base = context.name('JOIN')
  const leftStore = windowStoreRef<K, V>({
    name: `${base}-this-store`,
    keySerde: left.keySerde,
    valueSerde: left.valueSerde,
  })
  const rightStore = windowStoreRef<K, VO>({
    name: `${base}-other-store`,
    keySerde: right.keySerde,
    valueSerde: right.valueSerde,
  })
  const horizon = windows.beforeMs + windows.afterMs + windows.graceMs
  const merge = `${base}-MERGE`

  const side = <VThis, VOther>(
    name: string,
    own: typeof leftStore | typeof rightStore,
    other: typeof leftStore | typeof rightStore,
    fromOffset: number,
    toOffset: number,
    join: (mine: VThis, theirs: VOther, key: K) => VR,
  ): ProcessorSupplier<K, VThis, K, VR> => ({
    name,
    stores: [leftStore, rightStore],
    create: (ctx) => {
      const mine = ctx.store(own) as unknown as WindowStore<K, VThis>
      const theirs = ctx.store(other) as unknown as WindowStore<K, VOther>
      let expiredUpTo = -1
      return {
        process: async (record) => {
          const streamTime = ctx.streamTime
          if (record.key === null || record.key === undefined) return
          if (record.timestamp < streamTime - horizon) return // late: past the grace period
          mine.put(record.key, record.value, record.timestamp)
          const matches = await theirs.fetch(
            record.key,
            Math.max(0, record.timestamp - fromOffset),
            record.timestamp + toOffset,
          )
          for (const match of matches) {
            ctx.forward(
              {
                key: record.key,
                value: join(record.value, match.value, record.key),
                timestamp: Math.max(record.timestamp, match.timestamp),
              },
              merge,
            )
          }
          const expireBefore = streamTime - horizon
          if (expireBefore > expiredUpTo + windows.graceMs) {
            expiredUpTo = expireBefore
            await mine.expireBefore(expireBefore)
          }
        },
      }
    },
  })

  const leftName = `${base}-THIS`
  const rightName = `${base}-OTHER`
  context.addProcessor(
    'JOIN-THIS',
    side<V, VO>(leftName, leftStore, rightStore, windows.beforeMs, windows.afterMs, joiner),
    [left.node],
  )
  context.addProcessor(
    'JOIN-OTHER',
    side<VO, V>(rightName, rightStore, leftStore, windows.afterMs, windows.beforeMs, (mine, theirs, key) =>
      joiner(theirs, mine, key),
    ),
    [right.node],
  )
  context.addProcessor('MERGE', { name: merge, create: (ctx) => ({ process: (r) => ctx.forward(r) }) }, [
    leftName,
    rightName,
  ])
  return merge
}
