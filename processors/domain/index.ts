// Public surface of the reservation domain: pure decisions, their state contracts, and the auditor.
export { decide } from './decide.js'
export {
  type DecisionConfig,
  defaultDecisionConfig,
  type WaitlistPolicy,
  waitlistPolicies,
} from './decision-config.js'
export {
  type DecisionInput,
  type DecisionInputType,
  decisionInputTypes,
  type DueHold,
  idempotencyKey,
  type RetentionDue,
  inputResourceId,
} from './decision-input.js'
export {
  type DecisionView,
  NotPreloadedError,
  type PreloadedData,
  preloadedView,
  rangeOfReservation,
} from './decision-view.js'
export { type FirstStage, type ReadPlan, readPlan, type SecondReadPlan, secondReadPlan } from './read-plan.js'
export { type DecisionResult, emptyDecisionResult, type StateWrite } from './state-write.js'
export {
  type AppliedPromotion,
  emptyResourceMeta,
  type Reservation,
  type ResourceMeta,
  type SlotUsage,
  type StoreValues,
  type WaitlistEntry,
} from './state-records.js'
export {
  type KeyRange,
  keyRanges,
  parseCommandIndexKey,
  parseHoldKey,
  parseRetentionKey,
  parseSlotKey,
  type RetentionKey,
  storeKeys,
  type StoreName,
  storeNames,
} from './store-keys.js'
export { canTransition, holdsUnits, isUnpaid, statusTransitions } from './reservation-status.js'
export { commandOutcomes, commandRejectionReasons, isOutcomeOf } from './outcome-table.js'
export {
  checkInvariants,
  type CommandSent,
  type Guarantee,
  guarantees,
  type InvariantOptions,
  type ResourceAt,
  resourceHistory,
  type Violation,
} from './check-invariants.js'
export { MemoryState } from './memory-state.js'
export { openRetentionStart, retentionInputs } from './retention.js'
export { deterministicId } from './event-id.js'
export { isoOf, type MinuteRange, minutesOf } from './time-range.js'
