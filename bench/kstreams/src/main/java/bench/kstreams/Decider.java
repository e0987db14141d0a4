package bench.kstreams;

import bench.kstreams.Model.Command;
import bench.kstreams.Model.DeciderInput;
import bench.kstreams.Model.Payment;
import bench.kstreams.Model.Reservation;
import bench.kstreams.Model.Resource;
import bench.kstreams.Model.Status;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The reservation decisions for the resources of one partition — the counterpart of the TypeScript
 * service's reservation-decider: resource definitions, commands and routed payments in (keyed by
 * resourceId, typed by their sources' deserializers); per-resource sequenced events, notifications (keyed
 * by customer) and payment routes (reservationId → resourceId; a tombstone when retention removes the
 * reservation) out. A stream-time punctuator expires due holds, then sweeps what retention removes
 * ({@link Retention}).
 *
 * <p>Covers what the benchmark's workload sends: CreateReservation (INVALID before the retention horizon,
 * UNKNOWN_RESOURCE, DUPLICATE, UNAVAILABLE with alternatives), CancelReservation, ModifyReservation
 * (CONFLICT), PaymentAuthorized, PaymentCompleted, PaymentFailed, hold expiry, retention. Waitlists are
 * read (every input that frees units scans the resource's waitlist) but the workload never adds to them.
 */
final class Decider implements Processor<String, DeciderInput, String, Object> {
  static final String EVENTS = "events-sink";
  static final String NOTIFICATIONS = "notifications-sink";
  static final String ROUTES = "routes-sink";

  private final AppConfig config;
  private ProcessorContext<String, Object> ctx;
  private Stores stores;
  private Slots slots;
  private Retention retention;

  Decider(AppConfig config) {
    this.config = config;
  }

  /** The decider's stores, typed. */
  static final class Stores {
    KeyValueStore<String, Resource> resources;
    KeyValueStore<String, Long> meta;
    KeyValueStore<String, Reservation> reservations;
    KeyValueStore<String, String> index;
    KeyValueStore<String, Integer> slots;
    KeyValueStore<String, String> waitlist;
    KeyValueStore<String, String> holds;
    KeyValueStore<String, String> commands;
    KeyValueStore<String, String> retentionIndex;
    KeyValueStore<String, String> commandIndex;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    ctx = context;
    stores = new Stores();
    stores.resources = context.getStateStore("resources");
    stores.meta = context.getStateStore("resource-meta");
    stores.reservations = context.getStateStore("reservations");
    stores.index = context.getStateStore("reservation-index");
    stores.slots = context.getStateStore("slots");
    stores.waitlist = context.getStateStore("waitlist");
    stores.holds = context.getStateStore("holds");
    stores.commands = context.getStateStore("commands");
    stores.retentionIndex = context.getStateStore("retention-index");
    stores.commandIndex = context.getStateStore("command-index");
    slots = new Slots(stores.slots);
    retention = new Retention(stores, config, slots, this::finish, this::outcome);
    context.schedule(Duration.ofMillis(config.punctuationIntervalMs), PunctuationType.STREAM_TIME, now -> {
      expireHolds(now);
      retention.sweep(now);
    });
  }

  @Override
  public void process(Record<String, DeciderInput> record) {
    long now = ctx.currentStreamTimeMs();
    DeciderInput input = record.value();
    if (input instanceof Resource resource) {
      stores.resources.put(record.key(), resource);
      scanWaitlist(record.key());
    } else if (input instanceof Payment payment) {
      payment(record.key(), payment, now);
    } else if (input instanceof Command command) {
      switch (command.type()) {
        case "CreateReservation" -> create(record.key(), command, now);
        case "CancelReservation" -> cancel(record.key(), command, now);
        case "ModifyReservation" -> modify(record.key(), command, now);
        default -> { } // not in the benchmark's workload
      }
    }
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────────────────

  private void create(String resourceId, Command command, long now) {
    String commandId = command.commandId();
    String commandKey = Keys.command(resourceId, commandId);
    if (stores.commands.get(commandKey) != null) return; // a repeated command changes nothing
    String reservationId = command.reservationId();
    String customerId = command.customerId();
    int quantity = command.quantity() == null ? 1 : command.quantity();
    long start = Keys.minutes(command.start());
    long end = Keys.minutes(command.end());
    Outcome out = outcome(resourceId, "command:" + commandId, now);

    if (start * 60_000L < now - config.retentionMs) {
      reject(out, "CreateReservation", reservationId, commandId, "INVALID",
          "the range starts before the retention horizon", null);
      finish(out, commandKey);
      return;
    }
    Resource resource = stores.resources.get(resourceId);
    if (resource == null) {
      reject(out, "CreateReservation", reservationId, commandId, "UNKNOWN_RESOURCE", "unknown resource " + resourceId, null);
      finish(out, commandKey);
      return;
    }
    String reservationKey = Keys.reservation(resourceId, reservationId);
    if (stores.reservations.get(reservationKey) != null) {
      reject(out, "CreateReservation", reservationId, commandId, "DUPLICATE_RESERVATION", "reservation exists", null);
      finish(out, commandKey);
      return;
    }
    ObjectNode requested = out.event("ReservationRequested", reservationId, commandId);
    requested.put("start", Keys.iso(start));
    requested.put("end", Keys.iso(end));
    requested.put("quantity", quantity);
    requested.put("customerId", customerId);
    requested.putNull("promotionCode");
    requested.put("waitlistIfUnavailable", false);
    out.seal(requested);

    int slotMinutes = resource.slotMinutes();
    int limit = resource.capacity() + resource.overbookingLimit();
    Map<Long, Integer> used = slots.scan(resourceId, start, end);
    if (!Slots.fits(used, start, end, slotMinutes, quantity, limit, null)) {
      List<long[]> alternatives = slots.alternatives(resourceId, start, end, slotMinutes, quantity, resource.capacity(), now);
      reject(out, "CreateReservation", reservationId, commandId, "UNAVAILABLE",
          quantity + " unit(s) of " + resourceId + " are not available from " + Keys.iso(start) + " to " + Keys.iso(end),
          Outcome.alternatives(alternatives, resourceId, quantity));
      finish(out, commandKey);
      return;
    }
    long priceCents = resource.priceCentsPerUnitSlot() * quantity * ((end - start) / slotMinutes);
    long holdExpiresAt = now + config.holdTimeoutMs;

    ObjectNode confirmed = out.event("AvailabilityConfirmed", reservationId, commandId);
    confirmed.put("start", Keys.iso(start));
    confirmed.put("end", Keys.iso(end));
    confirmed.put("quantity", quantity);
    confirmed.put("overbooked", false);
    out.seal(confirmed);

    ObjectNode created = out.event("ReservationCreated", reservationId, commandId);
    created.put("customerId", customerId);
    created.put("start", Keys.iso(start));
    created.put("end", Keys.iso(end));
    created.put("quantity", quantity);
    created.put("priceCents", priceCents);
    created.putNull("promotionCode");
    created.put("status", "PENDING_PAYMENT");
    created.put("holdExpiresAt", holdExpiresAt);
    created.put("overbooked", false);
    created.putArray("alternatives");
    created.putNull("fromWaitlistEntryId");
    out.seal(created);
    String createdId = created.path("eventId").asText();

    Reservation reservation = new Reservation();
    reservation.reservationId = reservationId;
    reservation.resourceId = resourceId;
    reservation.customerId = customerId;
    reservation.start = start;
    reservation.end = end;
    reservation.quantity = quantity;
    reservation.priceCents = priceCents;
    reservation.status = Status.PENDING_PAYMENT;
    reservation.holdExpiresAt = holdExpiresAt;
    reservation.createdAt = now;
    reservation.createdBy = createdId;

    confirmation(out, reservation, createdId, "CREATED", "is booked");
    ObjectNode paymentRequested = out.event("PaymentRequested", reservationId, createdId);
    paymentRequested.put("customerId", customerId);
    paymentRequested.put("amountCents", priceCents);
    paymentRequested.put("status", "PENDING_PAYMENT");
    paymentRequested.put("purpose", "INITIAL");
    out.seal(paymentRequested);
    out.routes.add(new String[] {reservationId, resourceId});

    slots.add(resourceId, used, start, end, slotMinutes, quantity);
    stores.reservations.put(reservationKey, reservation);
    stores.index.put(Keys.reservationIndex(resourceId, end, reservationId), reservationId);
    stores.holds.put(Keys.hold(holdExpiresAt, resourceId, reservationId), resourceId);
    retention.saved(null, reservation, now);
    finish(out, commandKey);
  }

  private void cancel(String resourceId, Command command, long now) {
    String commandId = command.commandId();
    String commandKey = Keys.command(resourceId, commandId);
    if (stores.commands.get(commandKey) != null) return;
    String reservationId = command.reservationId();
    Outcome out = outcome(resourceId, "command:" + commandId, now);
    String reservationKey = Keys.reservation(resourceId, reservationId);
    Reservation reservation = stores.reservations.get(reservationKey);
    if (reservation == null) {
      reject(out, "CancelReservation", reservationId, commandId, "NOT_FOUND", "no reservation " + reservationId, null);
      finish(out, commandKey);
      return;
    }
    Status status = reservation.status;
    if (!status.changeable()) {
      reject(out, "CancelReservation", reservationId, commandId, "INVALID_STATE",
          "reservation " + reservationId + " is " + status + "; please contact support", null);
      finish(out, commandKey);
      return;
    }
    Resource resource = stores.resources.get(resourceId);
    int slotMinutes = resource == null ? 1440 : resource.slotMinutes();
    Reservation before = Retention.copy(reservation);
    long start = reservation.start;
    long end = reservation.end;
    int quantity = reservation.quantity;
    slots.release(resourceId, slots.scan(resourceId, start, end), start, end, slotMinutes, quantity);
    stores.index.delete(Keys.reservationIndex(resourceId, end, reservationId));
    if (reservation.holdExpiresAt != 0)
      stores.holds.delete(Keys.hold(reservation.holdExpiresAt, resourceId, reservationId));
    reservation.status = Status.CANCELED;
    reservation.holdExpiresAt = 0;

    ObjectNode canceled = out.event("ReservationCanceled", reservationId, commandId);
    canceled.put("customerId", reservation.customerId);
    canceled.put("start", Keys.iso(start));
    canceled.put("end", Keys.iso(end));
    canceled.put("quantity", quantity);
    canceled.put("status", "CANCELED");
    canceled.put("previousStatus", status.name());
    canceled.putNull("reason");
    out.seal(canceled);
    String canceledId = canceled.path("eventId").asText();
    confirmation(out, reservation, canceledId, "CANCELED", "was canceled");
    long held = reservation.authorizedCents - reservation.refundedCents;
    if (held > 0) {
      refund(out, reservation, canceledId, held, "CANCELED");
      reservation.refundedCents += held;
    }
    stores.reservations.put(reservationKey, reservation);
    retention.saved(before, reservation, now);
    scanWaitlist(resourceId);
    finish(out, commandKey);
  }

  private void modify(String resourceId, Command command, long now) {
    String commandId = command.commandId();
    String commandKey = Keys.command(resourceId, commandId);
    if (stores.commands.get(commandKey) != null) return;
    String reservationId = command.reservationId();
    Outcome out = outcome(resourceId, "command:" + commandId, now);
    String reservationKey = Keys.reservation(resourceId, reservationId);
    Reservation reservation = stores.reservations.get(reservationKey);
    Resource resource = stores.resources.get(resourceId);
    if (reservation == null || resource == null) {
      reject(out, "ModifyReservation", reservationId, commandId, "NOT_FOUND", "no reservation " + reservationId, null);
      finish(out, commandKey);
      return;
    }
    Status status = reservation.status;
    if (!status.changeable()) {
      reject(out, "ModifyReservation", reservationId, commandId, "INVALID_STATE", "reservation " + reservationId + " is " + status, null);
      finish(out, commandKey);
      return;
    }
    int slotMinutes = resource.slotMinutes();
    int limit = resource.capacity() + resource.overbookingLimit();
    long oldStart = reservation.start;
    long oldEnd = reservation.end;
    int oldQuantity = reservation.quantity;
    long oldPrice = reservation.priceCents;
    long start = command.start() != null ? Keys.minutes(command.start()) : oldStart;
    long end = command.end() != null ? Keys.minutes(command.end()) : oldEnd;
    int quantity = command.quantity() != null ? command.quantity() : oldQuantity;
    if (start * 60_000L < now - config.retentionMs) {
      reject(out, "ModifyReservation", reservationId, commandId, "INVALID", "the range starts before the retention horizon", null);
      finish(out, commandKey);
      return;
    }
    Map<Long, Integer> used = slots.scan(resourceId, Math.min(start, oldStart), Math.max(end, oldEnd));
    if (!Slots.fits(used, start, end, slotMinutes, quantity, limit, new long[] {oldStart, oldEnd, oldQuantity})) {
      reject(out, "ModifyReservation", reservationId, commandId, "CONFLICT",
          quantity + " unit(s) of " + resourceId + " are not available from " + Keys.iso(start) + " to " + Keys.iso(end),
          Outcome.JSON.createArrayNode());
      finish(out, commandKey);
      return;
    }
    Reservation before = Retention.copy(reservation);
    slots.release(resourceId, used, oldStart, oldEnd, slotMinutes, oldQuantity);
    slots.add(resourceId, used, start, end, slotMinutes, quantity);
    stores.index.delete(Keys.reservationIndex(resourceId, oldEnd, reservationId));
    stores.index.put(Keys.reservationIndex(resourceId, end, reservationId), reservationId);
    long price = resource.priceCentsPerUnitSlot() * quantity * ((end - start) / slotMinutes);
    reservation.start = start;
    reservation.end = end;
    reservation.quantity = quantity;
    reservation.priceCents = price;

    ObjectNode modified = out.event("ReservationModified", reservationId, commandId);
    modified.put("oldStart", Keys.iso(oldStart));
    modified.put("oldEnd", Keys.iso(oldEnd));
    modified.put("oldQuantity", oldQuantity);
    modified.put("oldPriceCents", oldPrice);
    modified.put("start", Keys.iso(start));
    modified.put("end", Keys.iso(end));
    modified.put("quantity", quantity);
    modified.put("priceCents", price);
    modified.put("status", status.name());
    modified.put("overbooked", false);
    modified.putArray("alternatives");
    out.seal(modified);
    String modifiedId = modified.path("eventId").asText();
    confirmation(out, reservation, modifiedId, "MODIFIED", "was changed");
    long authorized = reservation.authorizedCents;
    if (price != oldPrice) {
      if (authorized == 0 || price > authorized) {
        ObjectNode requested = out.event("PaymentRequested", reservationId, modifiedId);
        requested.put("customerId", reservation.customerId);
        requested.put("amountCents", authorized == 0 ? price : price - authorized);
        requested.put("status", status.name());
        requested.put("purpose", authorized == 0 ? "PRICE_CHANGED" : "ADDITIONAL_CHARGE");
        out.seal(requested);
      } else {
        refund(out, reservation, modifiedId, authorized - price, "PRICE_DECREASED");
      }
    }
    stores.reservations.put(reservationKey, reservation);
    retention.saved(before, reservation, now);
    scanWaitlist(resourceId);
    finish(out, commandKey);
  }

  // ── payments (routed here by the payment router, keyed by resourceId) ───────────────────────────────

  private void payment(String resourceId, Payment payment, long now) {
    String type = payment.type();
    String paymentId = payment.paymentId();
    String idempotencyKey = Keys.payment(resourceId, type, paymentId);
    if (stores.commands.get(idempotencyKey) != null) return;
    String reservationId = payment.reservationId();
    String reservationKey = Keys.reservation(resourceId, reservationId);
    Reservation reservation = stores.reservations.get(reservationKey);
    if (reservation == null) return; // unknown reservations were dead-lettered by the router
    Reservation before = Retention.copy(reservation);
    Outcome out = outcome(resourceId, "payment:" + type + ":" + paymentId, now);
    Status status = reservation.status;
    long amount = payment.amountCents();
    boolean ended = !status.holdsUnits();
    boolean pending = status.unpaid();
    switch (type) {
      case "PaymentAuthorized" -> {
        if (ended) {
          refund(out, reservation, paymentId, amount, "LATE_PAYMENT");
        } else {
          if (pending) {
            stores.holds.delete(Keys.hold(reservation.holdExpiresAt, resourceId, reservationId));
            reservation.status = Status.AUTHORIZED;
            reservation.holdExpiresAt = 0;
          }
          reservation.authorizedCents += amount;
          ObjectNode e = out.event("PaymentAuthorized", reservationId, paymentId);
          e.put("paymentId", paymentId);
          e.put("amountCents", amount);
          e.put("method", payment.method() == null ? "card" : payment.method());
          e.put("status", reservation.status.name());
          out.seal(e);
        }
      }
      case "PaymentCompleted" -> {
        if (ended) {
          refund(out, reservation, paymentId, amount, "LATE_PAYMENT");
        } else {
          if (pending) {
            stores.holds.delete(Keys.hold(reservation.holdExpiresAt, resourceId, reservationId));
            reservation.authorizedCents += amount;
            reservation.holdExpiresAt = 0;
          }
          ObjectNode completed = out.event("PaymentCompleted", reservationId, paymentId);
          completed.put("paymentId", paymentId);
          completed.put("amountCents", amount);
          completed.put("status", pending ? "AUTHORIZED" : status.name());
          out.seal(completed);
          reservation.status = Status.FINALIZED;
          ObjectNode finalized = out.event("ReservationFinalized", reservationId, completed.path("eventId").asText());
          finalized.put("priceCents", reservation.priceCents);
          finalized.put("paidCents", amount);
          finalized.put("status", "FINALIZED");
          out.seal(finalized);
        }
      }
      case "PaymentFailed" -> {
        if (pending) reservation.status = Status.PAYMENT_FAILED;
        ObjectNode failed = out.event("PaymentFailed", reservationId, paymentId);
        failed.put("paymentId", paymentId);
        failed.put("amountCents", amount);
        failed.put("status", reservation.status.name());
        out.seal(failed);
        out.notification("PaymentFailed", reservation.customerId, reservationId,
            failed.path("eventId").asText(), reservation.status.name(),
            "The payment for your reservation " + reservationId + " failed; please try another payment method.");
      }
      default -> {
        return;
      }
    }
    stores.reservations.put(reservationKey, reservation);
    retention.saved(before, reservation, now);
    finish(out, idempotencyKey);
  }

  // ── hold expiry (stream-time punctuation) ───────────────────────────────────────────────────────────

  private void expireHolds(long now) {
    List<org.apache.kafka.streams.KeyValue<String, String>> due = new java.util.ArrayList<>();
    try (KeyValueIterator<String, String> it = stores.holds.range("", Keys.pad(now + 1, 15))) {
      while (it.hasNext()) due.add(it.next());
    }
    for (var hold : due) {
      stores.holds.delete(hold.key);
      String resourceId = hold.value;
      String reservationId = java.net.URLDecoder.decode(hold.key.substring(hold.key.lastIndexOf('|') + 1), java.nio.charset.StandardCharsets.UTF_8);
      String reservationKey = Keys.reservation(resourceId, reservationId);
      Reservation reservation = stores.reservations.get(reservationKey);
      if (reservation == null || !reservation.status.unpaid()) continue;
      Reservation before = Retention.copy(reservation);
      Status status = reservation.status;
      Resource resource = stores.resources.get(resourceId);
      int slotMinutes = resource == null ? 1440 : resource.slotMinutes();
      long start = reservation.start;
      long end = reservation.end;
      int quantity = reservation.quantity;
      Outcome out = outcome(resourceId, "holds:" + now + ":" + reservationId, now);
      slots.release(resourceId, slots.scan(resourceId, start, end), start, end, slotMinutes, quantity);
      stores.index.delete(Keys.reservationIndex(resourceId, end, reservationId));
      reservation.status = Status.EXPIRED;
      reservation.holdExpiresAt = 0;
      ObjectNode expired = out.event("ReservationExpired", reservationId, reservation.createdBy);
      expired.put("start", Keys.iso(start));
      expired.put("end", Keys.iso(end));
      expired.put("quantity", quantity);
      expired.put("status", "EXPIRED");
      expired.put("previousStatus", status.name());
      out.seal(expired);
      out.notification("HoldExpired", reservation.customerId, reservationId,
          expired.path("eventId").asText(), "EXPIRED",
          "Your reservation " + reservationId + " expired because no payment was authorized in time.");
      stores.reservations.put(reservationKey, reservation);
      retention.saved(before, reservation, now);
      scanWaitlist(resourceId);
      finish(out, null);
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────────────

  Outcome outcome(String resourceId, String inputId, long now) {
    Long sequence = stores.meta.get(resourceId);
    return new Outcome(resourceId, inputId, sequence == null ? 0 : sequence, now);
  }

  /**
   * Writes the outcome's idempotency record (and its command-index key, for the retention sweep) and the
   * resource's sequence, and forwards its records. Route tombstones go out even without events.
   */
  void finish(Outcome out, String idempotencyKey) {
    long timestamp = out.occurredAt;
    for (String[] route : out.routes) ctx.forward(new Record<>(route[0], route[1], timestamp), ROUTES);
    if (out.events.isEmpty()) return;
    if (idempotencyKey != null) {
      stores.commands.put(idempotencyKey, out.events.get(0).path("eventId").asText());
      stores.commandIndex.put(Keys.commandIndex(out.occurredAt, idempotencyKey), out.resourceId);
    }
    stores.meta.put(out.resourceId, out.sequence);
    for (ObjectNode event : out.events) ctx.forward(new Record<>(out.resourceId, event, timestamp), EVENTS);
    for (ObjectNode notification : out.notifications)
      ctx.forward(new Record<>(notification.path("customerId").asText(), notification, timestamp), NOTIFICATIONS);
  }

  private void reject(Outcome out, String commandType, String reservationId, String commandId, String reason, String message,
      ArrayNode alternatives) {
    ObjectNode e = out.event("CommandRejected", reservationId, commandId);
    e.put("commandType", commandType);
    e.put("reason", reason);
    e.put("message", message);
    if (alternatives != null) e.set("alternatives", alternatives);
    else e.putArray("alternatives");
    out.seal(e);
  }

  private void confirmation(Outcome out, Reservation reservation, String causationId, String confirms, String verb) {
    String reservationId = reservation.reservationId;
    String customerId = reservation.customerId;
    String start = Keys.iso(reservation.start);
    String end = Keys.iso(reservation.end);
    int quantity = reservation.quantity;
    long price = reservation.priceCents;
    String status = reservation.status.name();
    ObjectNode sent = out.event("ReservationConfirmationSent", reservationId, causationId);
    sent.put("customerId", customerId);
    sent.put("start", start);
    sent.put("end", end);
    sent.put("quantity", quantity);
    sent.put("priceCents", price);
    sent.put("status", status);
    sent.put("confirms", confirms);
    out.seal(sent);
    out.notification("ReservationConfirmation", customerId, reservationId, sent.path("eventId").asText(), status,
        "Your reservation " + reservationId + " " + verb + ": " + quantity + " unit(s) from " + start + " to " + end + ", "
            + price + " cents (" + status + ").");
  }

  private void refund(Outcome out, Reservation reservation, String causationId, long amount, String reason) {
    ObjectNode e = out.event("RefundRequested", reservation.reservationId, causationId);
    e.put("customerId", reservation.customerId);
    e.put("amountCents", amount);
    e.put("reason", reason);
    e.put("status", reservation.status.name());
    out.seal(e);
  }

  /** Reads a resource's waitlist, as every input that may free units does (the workload never fills it). */
  private void scanWaitlist(String resourceId) {
    String prefix = Keys.prefix(resourceId);
    try (KeyValueIterator<String, String> it = stores.waitlist.range(prefix, prefix + Keys.AFTER_ALL)) {
      while (it.hasNext()) it.next();
    }
  }
}
