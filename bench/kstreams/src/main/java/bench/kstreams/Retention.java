package bench.kstreams;

import bench.kstreams.Model.Reservation;
import bench.kstreams.Model.Resource;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Retention (spec §9), as the TypeScript service does it (processors/domain/retention.ts and
 * workspace.ts): every reservation has a `retention-index` key saying from when its retention runs (its
 * end, or its hold's expiry if later, while it holds units; the moment it stopped holding them after), and
 * every remembered command or payment id a `command-index` key. On each punctuation the sweep scans both
 * up to their cutoffs (RETENTION_MS, DEDUP_RETENTION_MS of stream time) and removes what is due: the
 * reservation with its units, index, hold and retention keys and a route tombstone; the command id with
 * its index key.
 */
final class Retention {
  /** At most this many keys of each index are removed per punctuation; the rest at the next. */
  private static final int MAX_REMOVALS_PER_SWEEP = 10_000;

  interface Finish {
    void finish(Outcome out, String idempotencyKey);
  }

  interface Outcomes {
    Outcome outcome(String resourceId, String inputId, long now);
  }

  private final Decider.Stores stores;
  private final AppConfig config;
  private final Slots slots;
  private final Finish finish;
  private final Outcomes outcomes;
  /** Where the scan of `command-index` starts: every key before it was removed. */
  private long commandsSweptFrom = 0;

  Retention(Decider.Stores stores, AppConfig config, Slots slots, Finish finish, Outcomes outcomes) {
    this.stores = stores;
    this.config = config;
    this.slots = slots;
    this.finish = finish;
    this.outcomes = outcomes;
  }

  static Reservation copy(Reservation r) {
    Reservation c = new Reservation();
    c.reservationId = r.reservationId;
    c.resourceId = r.resourceId;
    c.customerId = r.customerId;
    c.start = r.start;
    c.end = r.end;
    c.quantity = r.quantity;
    c.priceCents = r.priceCents;
    c.status = r.status;
    c.holdExpiresAt = r.holdExpiresAt;
    c.authorizedCents = r.authorizedCents;
    c.refundedCents = r.refundedCents;
    c.createdAt = r.createdAt;
    c.createdBy = r.createdBy;
    return c;
  }

  /** While it holds units, a reservation's retention runs from its end, or its hold's expiry if later. */
  static long openRetentionStart(Reservation r) {
    return Math.max(r.end * 60_000L, r.holdExpiresAt);
  }

  /**
   * Keeps the reservation's retention-index key in step with a save (`previous` null for a new one): from
   * `openRetentionStart` while it holds units, from `now` once it stopped holding them.
   */
  void saved(Reservation previous, Reservation next, long now) {
    Reservation before = previous != null && previous.status.holdsUnits() ? previous : null;
    String from = before == null ? null : Keys.reservationRetention(openRetentionStart(before), next.resourceId, next.reservationId);
    if (next.status.holdsUnits()) {
      replace(from, Keys.reservationRetention(openRetentionStart(next), next.resourceId, next.reservationId), next.resourceId);
    } else if (previous == null || before != null) {
      replace(from, Keys.reservationRetention(now, next.resourceId, next.reservationId), next.resourceId);
    }
  }

  private void replace(String from, String to, String resourceId) {
    if (from != null && from.equals(to)) return;
    if (from != null) stores.retentionIndex.delete(from);
    if (to != null) stores.retentionIndex.put(to, resourceId);
  }

  /** Removes what retention has made due at stream time `now`. */
  void sweep(long now) {
    long cutoff = now - config.retentionMs;
    for (String key : keys(stores.retentionIndex, "r|", "r|" + Keys.pad(cutoff + 1, 15))) removeReservation(key, cutoff, now);
    // waitlist entries ("w|…") are never written by this application: the workload adds none
    keys(stores.retentionIndex, "w|", "w|" + Keys.pad(cutoff + 1, 15));
    long dedupCutoff = now - config.dedupRetentionMs;
    List<String> recorded = keys(stores.commandIndex, Keys.pad(commandsSweptFrom, 15), Keys.pad(dedupCutoff + 1, 15));
    for (String key : recorded) {
      stores.commandIndex.delete(key);
      stores.commands.delete(key.substring(key.indexOf('|') + 1));
    }
    commandsSweptFrom = recorded.size() == MAX_REMOVALS_PER_SWEEP
        ? Long.parseLong(recorded.get(recorded.size() - 1).substring(0, 15))
        : Math.max(commandsSweptFrom, dedupCutoff + 1);
  }

  private static List<String> keys(KeyValueStore<String, String> store, String from, String toExclusive) {
    List<String> found = new ArrayList<>();
    try (KeyValueIterator<String, String> it = store.range(from, toExclusive)) {
      while (it.hasNext() && found.size() < MAX_REMOVALS_PER_SWEEP) {
        String key = it.next().key;
        if (key.compareTo(toExclusive) >= 0) break; // range() is inclusive of its upper bound
        found.add(key);
      }
    }
    return found;
  }

  private void removeReservation(String retentionKey, long cutoff, long now) {
    String[] parts = retentionKey.split("\\|");
    long since = Long.parseLong(parts[1]);
    String resourceId = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
    String reservationId = URLDecoder.decode(parts[3], StandardCharsets.UTF_8);
    if (since > cutoff) return;
    String reservationKey = Keys.reservation(resourceId, reservationId);
    Reservation reservation = stores.reservations.get(reservationKey);
    if (reservation == null) {
      stores.retentionIndex.delete(retentionKey);
      return;
    }
    if (reservation.status.holdsUnits() && openRetentionStart(reservation) != since) {
      stores.retentionIndex.delete(retentionKey); // a stale key; the reservation has its own
      return;
    }
    if (reservation.status.unpaid()) return; // its hold is still open: the expiry punctuator ends it first
    stores.reservations.delete(reservationKey);
    if (reservation.status.holdsUnits()) {
      Resource resource = stores.resources.get(resourceId);
      int slotMinutes = resource == null ? 1440 : resource.slotMinutes();
      slots.release(resourceId, slots.scan(resourceId, reservation.start, reservation.end), reservation.start,
          reservation.end, slotMinutes, reservation.quantity);
      stores.index.delete(Keys.reservationIndex(resourceId, reservation.end, reservationId));
    }
    if (reservation.holdExpiresAt != 0) stores.holds.delete(Keys.hold(reservation.holdExpiresAt, resourceId, reservationId));
    stores.retentionIndex.delete(retentionKey);
    Outcome out = outcomes.outcome(resourceId, "retention:" + now + ":" + reservationId, now);
    out.routes.add(new String[] {reservationId, null});
    finish.finish(out, null);
  }
}
