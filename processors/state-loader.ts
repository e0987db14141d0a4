// The loading protocol of processors/domain/read-plan.ts against the engine's stores (MemoryState.load is
// the same protocol in memory): exactly the keys and ranges the plan names, so a command on a resource
// with thousands of reservations costs a few point reads and one or two short range scans.
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
  type WaitlistEntry,
} from './domain/index.js'
import type { PromotionDefinition } from '../schemas/index.js'
import type { KeyValueStore } from '../state/index.js'
import type { ReservationStores } from './reservation-stores.js'

async function scan<V>(store: KeyValueStore<string, V>, range: KeyRange): Promise<[string, V][]> {
  const entries: [string, V][] = []
  for await (const { key, value } of store.range({ gte: range.gte, lt: range.lt })) entries.push([key, value])
  return entries
}

export async function loadDecisionState(
  stores: ReservationStores,
  promotions: KeyValueStore<string, PromotionDefinition> | undefined,
  input: DecisionInput,
  now: number,
  config: DecisionConfig,
): Promise<PreloadedData> {
  // 1. the plan
  const plan = readPlan(input, now)
  const resourceId = plan.resourceId
  // 2. point reads and the plan's scans
  const reservations = new Map<string, Reservation | undefined>()
  const getReservation = async (id: string) => {
    reservations.set(id, await stores.reservations.get(storeKeys.reservation(resourceId, id)))
  }
  for (const id of plan.reservationIds) await getReservation(id)
  const waitlist: WaitlistEntry[] | undefined = plan.waitlist
    ? (await scan(stores.waitlist, keyRanges.waitlist(resourceId))).map(([, entry]) => entry)
    : undefined
  let live: PreloadedData['live']
  if (plan.live !== undefined) {
    const found: Reservation[] = []
    for (const [, id] of await scan(
      stores['reservation-index'],
      keyRanges.reservationsEndingAfter(resourceId, plan.live.start),
    )) {
      const reservation = await stores.reservations.get(storeKeys.reservation(resourceId, id))
      if (reservation !== undefined) found.push(reservation)
    }
    live = { range: plan.live, reservations: found }
  }
  const resource = await stores.resources.get(storeKeys.resource(resourceId))
  // 3. what depends on step 2
  const second = secondReadPlan(
    input,
    { resource, reservations, waitlist, live: live?.reservations },
    now,
    config,
  )
  // 4. its reads
  for (const id of second.reservationIds) if (!reservations.has(id)) await getReservation(id)
  const slots = new Map<number, number>()
  for (const window of second.slotWindows) {
    for (const [key, usage] of await scan(stores.slots, keyRanges.slots(resourceId, window))) {
      slots.set(parseSlotKey(key).slotStart, usage.used)
    }
  }
  const outcomes = new Map<string, string | undefined>()
  if (plan.idempotencyKey !== undefined)
    outcomes.set(plan.idempotencyKey, await stores.commands.get(plan.idempotencyKey))
  const promotionDefinitions = new Map<string, PromotionDefinition | undefined>()
  const promotionUses = new Map<string, number>()
  for (const code of plan.promotionCodes) {
    promotionDefinitions.set(code, await promotions?.get(code))
    promotionUses.set(
      code,
      (await stores['promotion-uses'].get(storeKeys.promotionUses(resourceId, code))) ?? 0,
    )
  }
  return {
    resourceId,
    resource,
    meta: await stores['resource-meta'].get(storeKeys.meta(resourceId)),
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
