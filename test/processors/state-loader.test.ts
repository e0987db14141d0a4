// The decider's loader against the engine's stores loads exactly what MemoryState.load (the reference in
// memory) loads, whether every read is answered at once (a plain value back: no promise) or the stores
// only answer by awaiting (a promise), for every input a domain scenario ran, against its final state.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DecisionInput, DecisionResult } from '../../processors/domain/index.js'
import { reservationStoreRefs, type ReservationStores } from '../../processors/reservation-stores.js'
import { loadDecisionState } from '../../processors/state-loader.js'
import { buildKeyValueStore, type BuiltStore, type KeyValueStore } from '../../state/index.js'
import { RecordingWriter, tempDir } from '../state/helpers.js'
import { DAY, Harness, jan } from './domain/harness.js'

/** A harness whose every decision's writes also go to the engine's stores, and which keeps its inputs. */
class Mirrored extends Harness {
  readonly ran: { readonly input: DecisionInput; readonly now: number }[] = []
  constructor(private readonly engine: ReservationStores) {
    super()
  }

  override run(input: DecisionInput): DecisionResult {
    this.ran.push({ input, now: this.now })
    const result = super.run(input)
    for (const write of result.writes) {
      const store = this.engine[write.store] as KeyValueStore<string, unknown>
      if (write.value === null) store.delete(write.key)
      else store.put(write.key, write.value)
    }
    return result
  }
}

/** The same store without its answers at once: every read is awaited. */
function awaitedOnly<V>(store: KeyValueStore<string, V>): KeyValueStore<string, V> {
  return Object.assign(Object.create(store) as KeyValueStore<string, V>, {
    getNow: undefined,
    rangeNow: undefined,
  })
}

let dir: Awaited<ReturnType<typeof tempDir>>
let built: BuiltStore<KeyValueStore<string, unknown>>[]
beforeEach(async () => {
  dir = await tempDir()
  built = []
})
afterEach(async () => {
  for (const store of built) await store.close()
  await dir.remove()
})

describe('the decider state loader', () => {
  it('loads what MemoryState.load loads, at once when the stores answer at once and awaited otherwise', async () => {
    const engine: Record<string, KeyValueStore<string, unknown>> = {}
    for (const [name, ref] of Object.entries(reservationStoreRefs)) {
      const stack = buildKeyValueStore<string, unknown>(ref, {
        dir: dir.path,
        changelog: new RecordingWriter(),
      })
      await stack.open()
      built.push(stack)
      engine[name] = stack.store
    }
    const stores = engine as unknown as ReservationStores
    const awaited = Object.fromEntries(
      Object.entries(engine).map(([name, store]) => [name, awaitedOnly(store)]),
    ) as unknown as ReservationStores

    // a scenario touching every read of the plan: reservations, waitlist, live ranges, slots, commands
    const h = new Mirrored(stores)
    h.define()
    h.create('r1', 3, 6)
    h.create('r2', 4, 8, { quantity: 1 })
    h.create('r3', 4, 6, { waitlistIfUnavailable: true })
    h.waitlist('w1', 5, 7)
    h.modify('r2', { end: jan(9) })
    h.payInFull('r1')
    h.cancel('r2')
    h.simple('SendReservationConfirmation', 'r1')
    h.create('r4', 5, 7, { waitlistIfUnavailable: true })
    h.define({ capacity: 1 }) // fewer rooms: reservations over capacity for ProcessOverreservation
    h.command({ type: 'ProcessOverreservation', start: null, end: null })
    h.advance(2 * DAY)
    h.command({ type: 'CancelReservation', reservationId: 'r1', reason: null }, 'cmd-2') // a command id seen before
    expect(h.ran.length).toBeGreaterThan(10)

    const covered = { waitlist: 0, live: 0, slots: 0, reservations: 0, seenCommand: 0 }
    for (const { input, now } of h.ran) {
      const expected = h.state.load(input, now, h.config)
      if (expected.waitlist?.length) covered.waitlist += 1
      if (expected.live?.reservations.length) covered.live += 1
      if (expected.slots.size > 0) covered.slots += 1
      if ([...expected.reservations.values()].some((r) => r !== undefined)) covered.reservations += 1
      if ([...expected.outcomes.values()].some((o) => o !== undefined)) covered.seenCommand += 1
      const atOnce = loadDecisionState(stores, undefined, input, now, h.config)
      expect(atOnce).not.toBeInstanceOf(Promise)
      expect(atOnce).toEqual(expected)
      const later = loadDecisionState(awaited, undefined, input, now, h.config)
      expect(later).toBeInstanceOf(Promise)
      expect(await later).toEqual(expected)
    }
    // every kind of read found something at least once
    expect(
      Object.values(covered).every((count) => count > 0),
      JSON.stringify(covered),
    ).toBe(true)
  })
})
