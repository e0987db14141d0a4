// The loading protocol of processors/domain/read-plan.ts against the engine's stores (MemoryState.load is
// the same protocol in memory): exactly the keys and ranges the plan names, so a command on a resource
// with thousands of reservations costs a few point reads and one or two short range scans. The protocol
// is written once, as a generator of reads; `loadDecisionState` answers each read at once while the
// stores can (their caches, memory, LevelDB's synchronous reads) and awaits only one that would wait, so a
// decision whose state is at hand is loaded, decided and applied without a promise.
import {
  keyRanges,
  parseSlotKey,
  readPlan,
  secondReadPlan,
  storeKeys,
  type DecisionConfig,
  type DecisionInput,
  type KeyRange,
  type PreloadedData,
  type Reservation,
  type ResourceMeta,
  type StoreValues,
  type WaitlistEntry,
} from './domain/index.js'
import type { PromotionDefinition, ResourceDefinition } from '../schemas/index.js'
import type { KeyValueStore } from '../state/index.js'
import type { ReservationStores } from './reservation-stores.js'

/** A scan's answer. */
type Scanned<V> = readonly (readonly [string, V])[]

type Read =
  | { readonly kind: 'get'; readonly store: KeyValueStore<string, unknown>; readonly key: string }
  | { readonly kind: 'scan'; readonly store: KeyValueStore<string, unknown>; readonly range: KeyRange }

// The loader yields a read and gets its answer back from the driver: `(yield get(store, key)) as V`. Each
// read is one object, not a generator delegated to (`yield*`): that cost a generator and its results per read.

/** A read of `key` (the loader's step). */
function get(store: KeyValueStore<string, unknown>, key: string): Read {
  return { kind: 'get', store, key }
}

/** A scan of `range` (the loader's step); its answer is `[key, value][]`. */
function scan(store: KeyValueStore<string, unknown>, range: KeyRange): Read {
  return { kind: 'scan', store, range }
}

/** A read answered at once (`{ value }`), or `undefined` when only awaiting the store can answer it. */
function readNow(read: Read): { readonly value: unknown } | undefined {
  if (read.kind === 'get') return read.store.getNow?.(read.key)
  const found = read.store.rangeNow?.({ gte: read.range.gte, lt: read.range.lt })
  return found === undefined ? undefined : { value: found.map(({ key, value }) => [key, value]) }
}

async function readLater(read: Read): Promise<unknown> {
  if (read.kind === 'get') return read.store.get(read.key)
  const entries: [string, unknown][] = []
  for await (const { key, value } of read.store.range({ gte: read.range.gte, lt: read.range.lt }))
    entries.push([key, value])
  return entries
}

/** Runs the loader: synchronously while every read is answered at once, then awaiting from the first that is not. */
function drive<T>(loader: Generator<Read, T>): T | Promise<T> {
  let step = loader.next()
  while (!step.done) {
    const now = readNow(step.value)
    if (now === undefined) return driveLater(loader, step.value)
    step = loader.next(now.value)
  }
  return step.value
}

async function driveLater<T>(loader: Generator<Read, T>, pending: Read): Promise<T> {
  let step = loader.next(await readLater(pending))
  while (!step.done) {
    const now = readNow(step.value)
    step = loader.next(now === undefined ? await readLater(step.value) : now.value)
  }
  return step.value
}

/** The decision's state: at once when every read is (see the top of this file), else a promise. */
export function loadDecisionState(
  stores: ReservationStores,
  promotions: KeyValueStore<string, PromotionDefinition> | undefined,
  input: DecisionInput,
  now: number,
  config: DecisionConfig,
): PreloadedData | Promise<PreloadedData> {
  return drive(load(stores, promotions, input, now, config))
}

const noEntries: ReadonlyMap<string, never> = new Map<string, never>()

function* load(
  stores: ReservationStores,
  promotions: KeyValueStore<string, PromotionDefinition> | undefined,
  input: DecisionInput,
  now: number,
  config: DecisionConfig,
): Generator<Read, PreloadedData> {
  // 1. the plan
  const plan = readPlan(input, now)
  const resourceId = plan.resourceId
  // 2. point reads and the plan's scans
  const reservations = new Map<string, Reservation | undefined>()
  for (const id of plan.reservationIds) {
    const key = storeKeys.reservation(resourceId, id)
    reservations.set(id, (yield get(stores.reservations, key)) as Reservation | undefined)
  }
  let waitlist: WaitlistEntry[] | undefined
  if (plan.waitlist) {
    const entries = (yield scan(stores.waitlist, keyRanges.waitlist(resourceId))) as Scanned<WaitlistEntry>
    waitlist = entries.map(([, entry]) => entry)
  }
  let live: PreloadedData['live']
  if (plan.live !== undefined) {
    const found: Reservation[] = []
    const range = keyRanges.reservationsEndingAfter(resourceId, plan.live.start)
    for (const [, id] of (yield scan(stores['reservation-index'], range)) as Scanned<string>) {
      const key = storeKeys.reservation(resourceId, id)
      const reservation = (yield get(stores.reservations, key)) as Reservation | undefined
      if (reservation !== undefined) found.push(reservation)
    }
    live = { range: plan.live, reservations: found }
  }
  const resource = (yield get(stores.resources, storeKeys.resource(resourceId))) as
    ResourceDefinition | undefined
  // 3. what depends on step 2
  const second = secondReadPlan(
    input,
    { resource, reservations, waitlist, live: live?.reservations },
    now,
    config,
  )
  // 4. its reads
  for (const id of second.reservationIds) {
    if (reservations.has(id)) continue
    const key = storeKeys.reservation(resourceId, id)
    reservations.set(id, (yield get(stores.reservations, key)) as Reservation | undefined)
  }
  const slots = new Map<number, number>()
  for (const window of second.slotWindows) {
    const range = keyRanges.slots(resourceId, window)
    for (const [key, usage] of (yield scan(stores.slots, range)) as Scanned<StoreValues['slots']>) {
      slots.set(parseSlotKey(key).slotStart, usage.used)
    }
  }
  const outcomes = new Map<string, string | undefined>()
  if (plan.idempotencyKey !== undefined)
    outcomes.set(plan.idempotencyKey, (yield get(stores.commands, plan.idempotencyKey)) as string | undefined)
  // most inputs name no promotion: those share one empty map
  let promotionDefinitions: ReadonlyMap<string, PromotionDefinition | undefined> = noEntries
  let promotionUses: ReadonlyMap<string, number> = noEntries
  if (plan.promotionCodes.length > 0) {
    const definitions = new Map<string, PromotionDefinition | undefined>()
    const uses = new Map<string, number>()
    for (const code of plan.promotionCodes) {
      const definition =
        promotions === undefined
          ? undefined
          : ((yield get(promotions, code)) as PromotionDefinition | undefined)
      definitions.set(code, definition)
      const key = storeKeys.promotionUses(resourceId, code)
      uses.set(code, ((yield get(stores['promotion-uses'], key)) as number | undefined) ?? 0)
    }
    promotionDefinitions = definitions
    promotionUses = uses
  }
  const meta = (yield get(stores['resource-meta'], storeKeys.meta(resourceId))) as ResourceMeta | undefined
  return {
    resourceId,
    resource,
    meta,
    reservations,
    slotWindows: second.slotWindows,
    slots,
    waitlist,
    live,
    promotions: promotionDefinitions,
    promotionUses,
    outcomes,
  }
}
