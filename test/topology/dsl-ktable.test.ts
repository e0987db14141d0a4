// KTable.transformValues on the broker-free test driver: a transformer per task with its own store, that
// sees deletes; materialized or read through its value getter by a join; old values for a regrouping.
import { describe, expect, it } from 'vitest'
import { int64Serde, storeRef, stringSerde as str, type StoreHandle } from '../../state/index.js'
import {
  StreamsBuilder,
  TopologyTestDriver,
  type ValueTransformerWithKeySupplier,
} from '../../topology/index.js'

const versions = storeRef<string, number>({ name: 'versions', keySerde: str, valueSerde: int64Serde })

/** Upper-cases each value and numbers the key's versions in a store; a delete becomes `<key> gone`. */
const versioned: ValueTransformerWithKeySupplier<string, string, string> = {
  stores: [versions],
  get() {
    let store: StoreHandle<typeof versions> | undefined
    return {
      init(context) {
        store = context.store(versions)
      },
      async transform(key, value) {
        const n = ((await store!.get(key)) ?? 0) + 1
        store!.put(key, n)
        return value === null ? `${key} gone` : `${value.toUpperCase()} v${n}`
      },
    }
  },
}

/** Stateless: upper-cases values, keeps deletes. */
const upper: ValueTransformerWithKeySupplier<string, string, string> = {
  get: () => ({ transform: (_key, value) => (value === null ? null : value.toUpperCase()) }),
}

describe('KTable transformValues', () => {
  it('transforms every update, deletes included, with a store of its own; materialized under its store name', async () => {
    const b = new StreamsBuilder()
    b.table('in', { keySerde: str, valueSerde: str })
      .transformValues(versioned, { storeName: 'latest' })
      .toStream()
      .to('out')
    const topology = b.build()
    expect(topology.describe()).toContain('KTABLE-TRANSFORMVALUES-0000000003')
    const driver = new TopologyTestDriver(topology)
    await driver.pipe('in', str, str, 'a', 'x', { timestamp: 1 })
    await driver.pipe('in', str, str, 'a', 'y', { timestamp: 2 })
    await driver.pipeRaw('in', Buffer.from('a'), null, { timestamp: 3 })
    expect(driver.readOutput('out', str, str).map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'X v1', 1],
      ['a', 'Y v2', 2],
      ['a', 'a gone', 3],
    ])
    expect(await (await driver.keyValueStore<string, string>('latest')).get('a')).toBe('a gone')
    await driver.close()
  })

  it('lets a stream–table join read an unmaterialized result through the transformer', async () => {
    const b = new StreamsBuilder()
    const names = b.table('names', { keySerde: str, valueSerde: str }).transformValues(upper)
    b.stream('orders', { keySerde: str, valueSerde: str })
      .join(names, (order, name) => `${order} for ${name}`)
      .to('out')
    const driver = new TopologyTestDriver(b.build())
    await driver.pipe('names', str, str, 'u1', 'ann')
    await driver.pipe('orders', str, str, 'u1', 'book')
    await driver.pipe('orders', str, str, 'u2', 'pen') // no row: the inner join drops it
    expect(driver.readOutput('out', str, str).map((r) => r.value)).toEqual(['book for ANN'])
    await driver.close()
  })

  it('sends old values, transformed from the parent’s, when a regrouping asks for them', async () => {
    const b = new StreamsBuilder()
    b.table('in', { keySerde: str, valueSerde: str })
      .transformValues(upper)
      .groupBy((_k, v) => ({ key: v, value: v }))
      .count()
      .toStream()
      .to('counts', { valueSerde: int64Serde })
    const driver = new TopologyTestDriver(b.build())
    await driver.pipe('in', str, str, 'a', 'x')
    await driver.pipe('in', str, str, 'a', 'y')
    expect(driver.readOutput('counts', str, int64Serde).map((r) => [r.key, r.value])).toEqual([
      ['X', 1],
      ['X', 0],
      ['Y', 1],
    ])
    await driver.close()
  })
})
