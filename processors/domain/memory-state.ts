// All stores of the reservation processor in memory, with the loading protocol of read-plan.ts run
// synchronously: the reference for the processor's loader (state-loader.ts), and the state of domain tests and of
// the broker-free test driver.
import type { PromotionDefinition, ResourceDefinition } from '../../schemas/generated/types.js'
import type { DecisionConfig } from './decision-config.js'
import type { DecisionInput, DueHold } from './decision-input.js'
import { type DecisionView, type PreloadedData, preloadedView } from './decision-view.js'
import { readPlan, secondReadPlan } from './read-plan.js'
import { retentionInputs } from './retention.js'
import type { Reservation, StoreValues, WaitlistEntry } from './state-records.js'
import type { StateWrite } from './state-write.js'
import {
  type KeyRange,
  keyRanges,
  parseHoldKey,
  parseSlotKey,
  storeKeys,
  type StoreName,
  storeNames,
} from './store-keys.js'

type Stores = { readonly [S in StoreName]: Map<string, StoreValues[S]> }

export class MemoryState {
  readonly stores: Stores = Object.fromEntries(
    storeNames.map((name) => [name, new Map()]),
  ) as unknown as Stores
  /** The global promotions table (code → definition). */
  readonly promotions = new Map<string, PromotionDefinition>()

  apply(writes: readonly StateWrite[]): void {
    for (const write of writes) {
      const store = this.stores[write.store] as Map<string, unknown>
      if (write.value === null) store.delete(write.key)
      else store.set(write.key, write.value)
    }
  }

  /** Entries of a store within a key range, in key order. */
  scan<S extends StoreName>(store: S, range: KeyRange): [string, StoreValues[S]][] {
    return [...this.stores[store].entries()]
      .filter(([key]) => key >= range.gte && key < range.lt)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /** Steps 1–5 of the loading protocol (read-plan.ts): exactly what the plan names, nothing more. */
  load(input: DecisionInput, now: number, config: DecisionConfig): PreloadedData {
    const plan = readPlan(input, now)
    const resourceId = plan.resourceId
    const reservations = new Map<string, Reservation | undefined>()
    const getReservation = (id: string): void => {
      reservations.set(id, this.stores.reservations.get(storeKeys.reservation(resourceId, id)))
    }
    plan.reservationIds.forEach(getReservation)
    const waitlist: WaitlistEntry[] | undefined = plan.waitlist
      ? this.scan('waitlist', keyRanges.waitlist(resourceId)).map(([, entry]) => entry)
      : undefined
    let live: PreloadedData['live']
    if (plan.live !== undefined) {
      const range = keyRanges.reservationsEndingAfter(resourceId, plan.live.start)
      const found = this.scan('reservation-index', range)
        .map(([, id]) => this.stores.reservations.get(storeKeys.reservation(resourceId, id)))
        .filter((reservation): reservation is Reservation => reservation !== undefined)
      live = { range: plan.live, reservations: found }
    }
    const resource = this.stores.resources.get(storeKeys.resource(resourceId))
    const second = secondReadPlan(
      input,
      { resource, reservations, waitlist, live: live?.reservations },
      now,
      config,
    )
    second.reservationIds.filter((id) => !reservations.has(id)).forEach(getReservation)
    const slots = new Map<number, number>()
    for (const window of second.slotWindows) {
      for (const [key, usage] of this.scan('slots', keyRanges.slots(resourceId, window))) {
        slots.set(parseSlotKey(key).slotStart, usage.used)
      }
    }
    const outcomes = new Map<string, string | undefined>()
    if (plan.idempotencyKey !== undefined)
      outcomes.set(plan.idempotencyKey, this.stores.commands.get(plan.idempotencyKey))
    return {
      resourceId,
      resource,
      meta: this.stores['resource-meta'].get(storeKeys.meta(resourceId)),
      reservations,
      slotWindows: second.slotWindows,
      slots,
      waitlist,
      live,
      promotions: new Map(plan.promotionCodes.map((code) => [code, this.promotions.get(code)])),
      promotionUses: new Map(
        plan.promotionCodes.map((code) => [
          code,
          this.stores['promotion-uses'].get(storeKeys.promotionUses(resourceId, code)) ?? 0,
        ]),
      ),
      outcomes,
    }
  }

  view(input: DecisionInput, now: number, config: DecisionConfig): DecisionView {
    return preloadedView(this.load(input, now, config))
  }

  /** What the expiry punctuator does: due holds, one `holds-due` input per resource. */
  dueHolds(now: number): DecisionInput[] {
    const byResource = new Map<string, DueHold[]>()
    for (const [key, resourceId] of this.scan('holds', keyRanges.dueHolds(now))) {
      const holds = byResource.get(resourceId) ?? []
      const { expiresAt, reservationId } = parseHoldKey(key)
      holds.push({ expiresAt, reservationId })
      byResource.set(resourceId, holds)
    }
    return [...byResource].map(([resourceId, holds]) => ({ type: 'holds-due', resourceId, holds }))
  }

  /** What the retention sweep does: everything due, one `retention-due` input per resource (retention.ts). */
  retentionDue(now: number, config: DecisionConfig): DecisionInput[] {
    const cutoff = now - config.retentionMs
    const retained = [
      ...this.scan('retention-index', keyRanges.reservationsRetainedUpTo(cutoff)),
      ...this.scan('retention-index', keyRanges.waitlistRetainedUpTo(cutoff)),
    ].map(([key]) => key)
    const recorded = this.scan('command-index', keyRanges.commandsRecorded(0, now - config.dedupRetentionMs))
    return retentionInputs(
      retained,
      recorded.map(([key]) => key),
    )
  }

  defineResource(definition: ResourceDefinition): void {
    this.stores.resources.set(storeKeys.resource(definition.resourceId), definition)
  }

  definePromotion(definition: PromotionDefinition): void {
    this.promotions.set(definition.code, definition)
  }
}
