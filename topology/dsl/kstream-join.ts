// The joins of a KStream (KStream.join, leftJoin, outerJoin): picks the join by what the stream is joined
// with — another stream (windowed, stream-stream-join.ts), a table (stream-table-join.ts) or a global table
// (stream-global-table-join.ts) — repartitions first where the join needs co-location, and wraps the join
// node in a new KStream. What each join implies for partitioning:
// - stream–stream and stream–table: both inputs are repartitioned first if their key changed; the output
//   is co-located (not marked).
// - stream–global table: no repartitioning, none caused; a key changed upstream stays marked.
import type { Serde } from '../../state/index.js'
import { KStream, type ValueJoiner } from './kstream.js'
import { KTable } from './ktable.js'
import { asSerdes, type Serdes } from './options.js'
import type { DslContext } from './dsl-context.js'
import { streamGlobalTableJoin, type GlobalKTable } from './stream-global-table-join.js'
import { streamStreamJoin, type StreamJoinKind, type StreamJoined } from './stream-stream-join.js'
import { streamTableJoin } from './stream-table-join.js'
import type { JoinWindows } from './windows.js'

/**
 * Joins `stream` with `other`, as `KStream.join` (`inner`), `leftJoin` (`left`) or `outerJoin` (`outer`)
 * was called: `third` and `fourth` are the arguments after the joiner of the overload taken (windows and
 * options for a stream; options for a table; key selector's joiner and options for a global table, where
 * `joiner` is the key selector). `outerJoin` takes streams only, so its `other` is never read as a global
 * table.
 */
export function kstreamJoin<K, V>(
  context: DslContext,
  stream: KStream<K, V>,
  kind: StreamJoinKind,
  other: unknown,
  joiner: unknown,
  third: unknown,
  fourth: unknown,
): KStream<K, unknown> {
  if (kind !== 'outer' && isGlobalTable(other)) {
    return globalJoin(context, stream, other, joiner, third, fourth, kind === 'left')
  }
  if (other instanceof KTable) {
    const serdes = asSerdes(third as Serde<unknown> | Serdes<K, unknown> | undefined)
    const node = streamTableJoin(
      context,
      stream.colocated(),
      other as KTable<K, unknown>,
      joiner as ValueJoiner<V, unknown, unknown, K>,
      {
        left: kind === 'left',
        name: serdes.name,
      },
    )
    return new KStream(context, node, stream.keySerde, serdes.valueSerde ?? stream.valueSerde, false)
  }
  const otherStream = other as KStream<K, unknown>
  const options = (fourth ?? {}) as StreamJoined<K, V, unknown> & Serdes<K, unknown>
  const node = streamStreamJoin(
    context,
    stream.colocated(),
    otherStream.colocated(),
    joiner as (v: V | null, o: unknown, k: K) => unknown,
    third as JoinWindows,
    kind,
    options,
  )
  return new KStream(context, node, stream.keySerde, options.valueSerde ?? stream.valueSerde, false)
}

function globalJoin<K, V>(
  context: DslContext,
  stream: KStream<K, V>,
  globalTable: GlobalKTable<unknown, unknown>,
  keySelector: unknown,
  joiner: unknown,
  options: unknown,
  left: boolean,
): KStream<K, unknown> {
  const serdes = asSerdes(options as Serde<unknown> | Serdes<K, unknown> | undefined)
  const node = streamGlobalTableJoin(
    context,
    stream.node,
    globalTable,
    keySelector as (key: K, value: V) => unknown,
    joiner as ValueJoiner<V, unknown, unknown, K>,
    { left, name: serdes.name },
  )
  return new KStream(
    context,
    node,
    stream.keySerde,
    serdes.valueSerde ?? stream.valueSerde,
    stream.repartitionRequired,
  )
}

/** A global table's store ref, as opposed to a KStream or KTable (the other things joins take). */
function isGlobalTable(other: unknown): other is GlobalKTable<unknown, unknown> {
  return !(other instanceof KStream) && !(other instanceof KTable)
}
