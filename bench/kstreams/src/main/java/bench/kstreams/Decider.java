package bench.kstreams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The reservation decisions for the resources of one partition — the counterpart of the TypeScript
 * service's reservation-decider: commands, resource definitions and routed payments in (keyed by
 * resourceId); per-resource sequenced events, notifications (keyed by customer) and payment routes
 * (reservationId → resourceId) out. Holds expire by a stream-time punctuator.
 *
 * <p>Covers what the benchmark's workload sends: CreateReservation (UNKNOWN_RESOURCE, DUPLICATE,
 * UNAVAILABLE with alternatives), CancelReservation, ModifyReservation (CONFLICT), PaymentAuthorized,
 * PaymentCompleted, PaymentFailed, hold expiry. Waitlists are read (every input that frees units scans
 * the resource's waitlist) but the workload never adds to them.
 */
final class Decider implements Processor<String, String, String, String> {
  static final String[] STORES = {
    "resources", "resource-meta", "reservations", "reservation-index", "slots", "waitlist", "holds", "commands",
  };
  static final String EVENTS = "events-sink";
  static final String NOTIFICATIONS = "notifications-sink";
  static final String ROUTES = "routes-sink";

  private final AppConfig config;
  private ProcessorContext<String, String> ctx;
  private KeyValueStore<String, String> resources, meta, reservations, index, slots, waitlist, holds, commands;

  Decider(AppConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, String> context) {
    ctx = context;
    resources = context.getStateStore("resources");
    meta = context.getStateStore("resource-meta");
    reservations = context.getStateStore("reservations");
    index = context.getStateStore("reservation-index");
    slots = context.getStateStore("slots");
    waitlist = context.getStateStore("waitlist");
    holds = context.getStateStore("holds");
    commands = context.getStateStore("commands");
    context.schedule(Duration.ofMillis(config.punctuationIntervalMs), PunctuationType.STREAM_TIME, this::expireHolds);
  }

  @Override
  public void process(Record<String, String> record) {
    String topic = ctx.recordMetadata().map(RecordMetadata::topic).orElse("");
    JsonNode value;
    try {
      value = Outcome.JSON.readTree(record.value());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return; // the workload sends no bad records
    }
    long now = ctx.currentStreamTimeMs();
    if (topic.equals(config.resourcesTopic)) {
      resources.put(record.key(), record.value());
      scanWaitlist(record.key());
      return;
    }
    if (topic.equals(config.routedPaymentsTopic)) {
      payment(record.key(), value, now);
      return;
    }
    String type = value.path("type").asText();
    switch (type) {
      case "CreateReservation" -> create(record.key(), value, now);
      case "CancelReservation" -> cancel(record.key(), value, now);
      case "ModifyReservation" -> modify(record.key(), value, now);
      default -> { } // not in the benchmark's workload
    }
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────────────────

  private void create(String resourceId, JsonNode command, long now) {
    String commandId = command.path("commandId").asText();
    String commandKey = Keys.command(resourceId, commandId);
    if (commands.get(commandKey) != null) return; // a repeated command changes nothing
    String reservationId = command.path("reservationId").asText();
    String customerId = command.path("customerId").asText();
    int quantity = command.path("quantity").asInt();
    long start = Keys.minutes(command.path("start").asText());
    long end = Keys.minutes(command.path("end").asText());
    Outcome out = outcome(resourceId, "command:" + commandId, now);

    JsonNode resource = readJson(resources.get(resourceId));
    if (resource == null) {
      reject(out, "CreateReservation", reservationId, commandId, "UNKNOWN_RESOURCE", "unknown resource " + resourceId, null);
      finish(out, commandKey);
      return;
    }
    String reservationKey = Keys.reservation(resourceId, reservationId);
    if (reservations.get(reservationKey) != null) {
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

    int slotMinutes = resource.path("slotMinutes").asInt();
    int limit = resource.path("capacity").asInt() + resource.path("overbookingLimit").asInt();
    Map<Long, Integer> used = scanSlots(resourceId, start, end);
    if (!fits(used, start, end, slotMinutes, quantity, limit, null)) {
      List<long[]> alternatives = alternatives(resourceId, start, end, slotMinutes, quantity, resource.path("capacity").asInt(), now);
      reject(out, "CreateReservation", reservationId, commandId, "UNAVAILABLE",
          quantity + " unit(s) of " + resourceId + " are not available from " + Keys.iso(start) + " to " + Keys.iso(end),
          Outcome.alternatives(alternatives, resourceId, quantity));
      finish(out, commandKey);
      return;
    }
    long priceCents = resource.path("priceCentsPerUnitSlot").asLong() * quantity * ((end - start) / slotMinutes);
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

    ObjectNode reservation = Outcome.JSON.createObjectNode();
    reservation.put("reservationId", reservationId);
    reservation.put("resourceId", resourceId);
    reservation.put("customerId", customerId);
    reservation.put("start", start);
    reservation.put("end", end);
    reservation.put("quantity", quantity);
    reservation.put("priceCents", priceCents);
    reservation.put("status", "PENDING_PAYMENT");
    reservation.put("holdExpiresAt", holdExpiresAt);
    reservation.put("authorizedCents", 0);
    reservation.put("refundedCents", 0);
    reservation.put("createdAt", now);
    reservation.put("createdBy", createdId);

    confirmation(out, reservation, createdId, "CREATED", "is booked");
    ObjectNode paymentRequested = out.event("PaymentRequested", reservationId, createdId);
    paymentRequested.put("customerId", customerId);
    paymentRequested.put("amountCents", priceCents);
    paymentRequested.put("status", "PENDING_PAYMENT");
    paymentRequested.put("purpose", "INITIAL");
    out.seal(paymentRequested);
    out.routes.add(new String[] {reservationId, resourceId});

    addUnits(resourceId, used, start, end, slotMinutes, quantity);
    reservations.put(reservationKey, reservation.toString());
    index.put(Keys.reservationIndex(resourceId, end, reservationId), reservationId);
    holds.put(Keys.hold(holdExpiresAt, resourceId, reservationId), resourceId);
    finish(out, commandKey);
  }

  private void cancel(String resourceId, JsonNode command, long now) {
    String commandId = command.path("commandId").asText();
    String commandKey = Keys.command(resourceId, commandId);
    if (commands.get(commandKey) != null) return;
    String reservationId = command.path("reservationId").asText();
    Outcome out = outcome(resourceId, "command:" + commandId, now);
    String reservationKey = Keys.reservation(resourceId, reservationId);
    ObjectNode reservation = (ObjectNode) readJson(reservations.get(reservationKey));
    if (reservation == null) {
      reject(out, "CancelReservation", reservationId, commandId, "NOT_FOUND", "no reservation " + reservationId, null);
      finish(out, commandKey);
      return;
    }
    String status = reservation.path("status").asText();
    if (!List.of("PENDING_PAYMENT", "PAYMENT_FAILED", "AUTHORIZED", "FINALIZED").contains(status)) {
      reject(out, "CancelReservation", reservationId, commandId, "INVALID_STATE",
          "reservation " + reservationId + " is " + status + "; please contact support", null);
      finish(out, commandKey);
      return;
    }
    JsonNode resource = readJson(resources.get(resourceId));
    int slotMinutes = resource == null ? 1440 : resource.path("slotMinutes").asInt();
    long start = reservation.path("start").asLong();
    long end = reservation.path("end").asLong();
    int quantity = reservation.path("quantity").asInt();
    releaseUnits(resourceId, scanSlots(resourceId, start, end), start, end, slotMinutes, quantity);
    index.delete(Keys.reservationIndex(resourceId, end, reservationId));
    holds.delete(Keys.hold(reservation.path("holdExpiresAt").asLong(), resourceId, reservationId));
    reservation.put("status", "CANCELED");

    ObjectNode canceled = out.event("ReservationCanceled", reservationId, commandId);
    canceled.put("customerId", reservation.path("customerId").asText());
    canceled.put("start", Keys.iso(start));
    canceled.put("end", Keys.iso(end));
    canceled.put("quantity", quantity);
    canceled.put("status", "CANCELED");
    canceled.put("previousStatus", status);
    canceled.putNull("reason");
    out.seal(canceled);
    String canceledId = canceled.path("eventId").asText();
    confirmation(out, reservation, canceledId, "CANCELED", "was canceled");
    long held = reservation.path("authorizedCents").asLong() - reservation.path("refundedCents").asLong();
    if (held > 0) {
      refund(out, reservation, canceledId, held, "CANCELED");
      reservation.put("refundedCents", reservation.path("refundedCents").asLong() + held);
    }
    reservations.put(reservationKey, reservation.toString());
    scanWaitlist(resourceId);
    finish(out, commandKey);
  }

  private void modify(String resourceId, JsonNode command, long now) {
    String commandId = command.path("commandId").asText();
    String commandKey = Keys.command(resourceId, commandId);
    if (commands.get(commandKey) != null) return;
    String reservationId = command.path("reservationId").asText();
    Outcome out = outcome(resourceId, "command:" + commandId, now);
    String reservationKey = Keys.reservation(resourceId, reservationId);
    ObjectNode reservation = (ObjectNode) readJson(reservations.get(reservationKey));
    JsonNode resource = readJson(resources.get(resourceId));
    if (reservation == null || resource == null) {
      reject(out, "ModifyReservation", reservationId, commandId, "NOT_FOUND", "no reservation " + reservationId, null);
      finish(out, commandKey);
      return;
    }
    String status = reservation.path("status").asText();
    if (!List.of("PENDING_PAYMENT", "PAYMENT_FAILED", "AUTHORIZED", "FINALIZED").contains(status)) {
      reject(out, "ModifyReservation", reservationId, commandId, "INVALID_STATE", "reservation " + reservationId + " is " + status, null);
      finish(out, commandKey);
      return;
    }
    int slotMinutes = resource.path("slotMinutes").asInt();
    int limit = resource.path("capacity").asInt() + resource.path("overbookingLimit").asInt();
    long oldStart = reservation.path("start").asLong();
    long oldEnd = reservation.path("end").asLong();
    int oldQuantity = reservation.path("quantity").asInt();
    long oldPrice = reservation.path("priceCents").asLong();
    long start = command.hasNonNull("start") ? Keys.minutes(command.path("start").asText()) : oldStart;
    long end = command.hasNonNull("end") ? Keys.minutes(command.path("end").asText()) : oldEnd;
    int quantity = command.hasNonNull("quantity") ? command.path("quantity").asInt() : oldQuantity;
    Map<Long, Integer> used = scanSlots(resourceId, Math.min(start, oldStart), Math.max(end, oldEnd));
    if (!fits(used, start, end, slotMinutes, quantity, limit, new long[] {oldStart, oldEnd, oldQuantity})) {
      reject(out, "ModifyReservation", reservationId, commandId, "CONFLICT",
          quantity + " unit(s) of " + resourceId + " are not available from " + Keys.iso(start) + " to " + Keys.iso(end),
          Outcome.JSON.createArrayNode());
      finish(out, commandKey);
      return;
    }
    releaseUnits(resourceId, used, oldStart, oldEnd, slotMinutes, oldQuantity);
    addUnits(resourceId, used, start, end, slotMinutes, quantity);
    index.delete(Keys.reservationIndex(resourceId, oldEnd, reservationId));
    index.put(Keys.reservationIndex(resourceId, end, reservationId), reservationId);
    long price = resource.path("priceCentsPerUnitSlot").asLong() * quantity * ((end - start) / slotMinutes);
    reservation.put("start", start);
    reservation.put("end", end);
    reservation.put("quantity", quantity);
    reservation.put("priceCents", price);

    ObjectNode modified = out.event("ReservationModified", reservationId, commandId);
    modified.put("oldStart", Keys.iso(oldStart));
    modified.put("oldEnd", Keys.iso(oldEnd));
    modified.put("oldQuantity", oldQuantity);
    modified.put("oldPriceCents", oldPrice);
    modified.put("start", Keys.iso(start));
    modified.put("end", Keys.iso(end));
    modified.put("quantity", quantity);
    modified.put("priceCents", price);
    modified.put("status", status);
    modified.put("overbooked", false);
    modified.putArray("alternatives");
    out.seal(modified);
    String modifiedId = modified.path("eventId").asText();
    confirmation(out, reservation, modifiedId, "MODIFIED", "was changed");
    long authorized = reservation.path("authorizedCents").asLong();
    if (price != oldPrice) {
      if (authorized == 0 || price > authorized) {
        ObjectNode requested = out.event("PaymentRequested", reservationId, modifiedId);
        requested.put("customerId", reservation.path("customerId").asText());
        requested.put("amountCents", authorized == 0 ? price : price - authorized);
        requested.put("status", status);
        requested.put("purpose", authorized == 0 ? "PRICE_CHANGED" : "ADDITIONAL_CHARGE");
        out.seal(requested);
      } else {
        refund(out, reservation, modifiedId, authorized - price, "PRICE_DECREASED");
      }
    }
    reservations.put(reservationKey, reservation.toString());
    scanWaitlist(resourceId);
    finish(out, commandKey);
  }

  // ── payments (routed here by the payment router, keyed by resourceId) ───────────────────────────────

  private void payment(String resourceId, JsonNode payment, long now) {
    String type = payment.path("type").asText();
    String paymentId = payment.path("paymentId").asText();
    String idempotencyKey = Keys.payment(resourceId, type, paymentId);
    if (commands.get(idempotencyKey) != null) return;
    String reservationId = payment.path("reservationId").asText();
    String reservationKey = Keys.reservation(resourceId, reservationId);
    ObjectNode reservation = (ObjectNode) readJson(reservations.get(reservationKey));
    if (reservation == null) return; // unknown reservations were dead-lettered by the router
    Outcome out = outcome(resourceId, "payment:" + type + ":" + paymentId, now);
    String status = reservation.path("status").asText();
    long amount = payment.path("amountCents").asLong();
    boolean ended = List.of("EXPIRED", "CANCELED", "BUMPED").contains(status);
    boolean pending = status.equals("PENDING_PAYMENT") || status.equals("PAYMENT_FAILED");
    switch (type) {
      case "PaymentAuthorized" -> {
        if (ended) {
          refund(out, reservation, paymentId, amount, "LATE_PAYMENT");
        } else {
          if (pending) {
            holds.delete(Keys.hold(reservation.path("holdExpiresAt").asLong(), resourceId, reservationId));
            reservation.put("status", "AUTHORIZED");
          }
          reservation.put("authorizedCents", reservation.path("authorizedCents").asLong() + amount);
          ObjectNode e = out.event("PaymentAuthorized", reservationId, paymentId);
          e.put("paymentId", paymentId);
          e.put("amountCents", amount);
          e.put("method", payment.path("method").asText("card"));
          e.put("status", reservation.path("status").asText());
          out.seal(e);
        }
      }
      case "PaymentCompleted" -> {
        if (ended) {
          refund(out, reservation, paymentId, amount, "LATE_PAYMENT");
        } else {
          if (pending) {
            holds.delete(Keys.hold(reservation.path("holdExpiresAt").asLong(), resourceId, reservationId));
            reservation.put("authorizedCents", reservation.path("authorizedCents").asLong() + amount);
          }
          ObjectNode completed = out.event("PaymentCompleted", reservationId, paymentId);
          completed.put("paymentId", paymentId);
          completed.put("amountCents", amount);
          completed.put("status", pending ? "AUTHORIZED" : status);
          out.seal(completed);
          reservation.put("status", "FINALIZED");
          ObjectNode finalized = out.event("ReservationFinalized", reservationId, completed.path("eventId").asText());
          finalized.put("priceCents", reservation.path("priceCents").asLong());
          finalized.put("paidCents", amount);
          finalized.put("status", "FINALIZED");
          out.seal(finalized);
        }
      }
      case "PaymentFailed" -> {
        if (pending) reservation.put("status", "PAYMENT_FAILED");
        ObjectNode failed = out.event("PaymentFailed", reservationId, paymentId);
        failed.put("paymentId", paymentId);
        failed.put("amountCents", amount);
        failed.put("status", reservation.path("status").asText());
        out.seal(failed);
        out.notification("PaymentFailed", reservation.path("customerId").asText(), reservationId,
            failed.path("eventId").asText(), reservation.path("status").asText(),
            "The payment for your reservation " + reservationId + " failed; please try another payment method.");
      }
      default -> {
        return;
      }
    }
    reservations.put(reservationKey, reservation.toString());
    finish(out, idempotencyKey);
  }

  // ── hold expiry (stream-time punctuation) ───────────────────────────────────────────────────────────

  private void expireHolds(long now) {
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it = holds.range("", Keys.pad(now + 1, 15))) {
      while (it.hasNext()) due.add(it.next());
    }
    for (KeyValue<String, String> hold : due) {
      holds.delete(hold.key);
      String resourceId = hold.value;
      String reservationId = java.net.URLDecoder.decode(hold.key.substring(hold.key.lastIndexOf('|') + 1), java.nio.charset.StandardCharsets.UTF_8);
      String reservationKey = Keys.reservation(resourceId, reservationId);
      ObjectNode reservation = (ObjectNode) readJson(reservations.get(reservationKey));
      if (reservation == null) continue;
      String status = reservation.path("status").asText();
      if (!status.equals("PENDING_PAYMENT") && !status.equals("PAYMENT_FAILED")) continue;
      JsonNode resource = readJson(resources.get(resourceId));
      int slotMinutes = resource == null ? 1440 : resource.path("slotMinutes").asInt();
      long start = reservation.path("start").asLong();
      long end = reservation.path("end").asLong();
      int quantity = reservation.path("quantity").asInt();
      Outcome out = outcome(resourceId, "holds:" + now + ":" + reservationId, now);
      releaseUnits(resourceId, scanSlots(resourceId, start, end), start, end, slotMinutes, quantity);
      index.delete(Keys.reservationIndex(resourceId, end, reservationId));
      reservation.put("status", "EXPIRED");
      ObjectNode expired = out.event("ReservationExpired", reservationId, reservation.path("createdBy").asText());
      expired.put("start", Keys.iso(start));
      expired.put("end", Keys.iso(end));
      expired.put("quantity", quantity);
      expired.put("status", "EXPIRED");
      expired.put("previousStatus", status);
      out.seal(expired);
      out.notification("HoldExpired", reservation.path("customerId").asText(), reservationId,
          expired.path("eventId").asText(), "EXPIRED",
          "Your reservation " + reservationId + " expired because no payment was authorized in time.");
      reservations.put(reservationKey, reservation.toString());
      scanWaitlist(resourceId);
      finish(out, null);
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────────────

  private Outcome outcome(String resourceId, String inputId, long now) {
    String sequence = meta.get(resourceId);
    return new Outcome(resourceId, inputId, sequence == null ? 0 : Long.parseLong(sequence), now);
  }

  /** Writes the outcome's idempotency record and sequence, and forwards its records. */
  private void finish(Outcome out, String idempotencyKey) {
    if (out.events.isEmpty()) return;
    if (idempotencyKey != null) commands.put(idempotencyKey, out.events.get(0).path("eventId").asText());
    meta.put(out.resourceId, Long.toString(out.sequence));
    long timestamp = out.occurredAt;
    for (ObjectNode event : out.events)
      ctx.forward(new Record<>(out.resourceId, event.toString(), timestamp), EVENTS);
    for (ObjectNode notification : out.notifications)
      ctx.forward(new Record<>(notification.path("customerId").asText(), notification.toString(), timestamp), NOTIFICATIONS);
    for (String[] route : out.routes) ctx.forward(new Record<>(route[0], route[1], timestamp), ROUTES);
  }

  private void reject(Outcome out, String commandType, String reservationId, String commandId, String reason, String message,
      com.fasterxml.jackson.databind.node.ArrayNode alternatives) {
    ObjectNode e = out.event("CommandRejected", reservationId, commandId);
    e.put("commandType", commandType);
    e.put("reason", reason);
    e.put("message", message);
    if (alternatives != null) e.set("alternatives", alternatives);
    else e.putArray("alternatives");
    out.seal(e);
  }

  private void confirmation(Outcome out, ObjectNode reservation, String causationId, String confirms, String verb) {
    String reservationId = reservation.path("reservationId").asText();
    String customerId = reservation.path("customerId").asText();
    String start = Keys.iso(reservation.path("start").asLong());
    String end = Keys.iso(reservation.path("end").asLong());
    int quantity = reservation.path("quantity").asInt();
    long price = reservation.path("priceCents").asLong();
    String status = reservation.path("status").asText();
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

  private void refund(Outcome out, ObjectNode reservation, String causationId, long amount, String reason) {
    ObjectNode e = out.event("RefundRequested", reservation.path("reservationId").asText(), causationId);
    e.put("customerId", reservation.path("customerId").asText());
    e.put("amountCents", amount);
    e.put("reason", reason);
    e.put("status", reservation.path("status").asText());
    out.seal(e);
  }

  private Map<Long, Integer> scanSlots(String resourceId, long start, long end) {
    Map<Long, Integer> used = new HashMap<>();
    try (KeyValueIterator<String, String> it = slots.range(Keys.slot(resourceId, start), Keys.slot(resourceId, end))) {
      while (it.hasNext()) {
        KeyValue<String, String> entry = it.next();
        if (entry.key.compareTo(Keys.slot(resourceId, end)) >= 0) break; // range() is inclusive of its upper bound
        used.put(Keys.parseSlotStart(entry.key), Integer.parseInt(entry.value));
      }
    }
    return used;
  }

  /** True when `quantity` more units fit in every slot of [start, end); `freed` = {start, end, quantity} counted as free. */
  private static boolean fits(Map<Long, Integer> used, long start, long end, int slotMinutes, int quantity, int limit, long[] freed) {
    for (long slot = start; slot < end; slot += slotMinutes) {
      int units = used.getOrDefault(slot, 0);
      if (freed != null && slot >= freed[0] && slot < freed[1]) units -= (int) freed[2];
      if (units + quantity > limit) return false;
    }
    return true;
  }

  private void addUnits(String resourceId, Map<Long, Integer> used, long start, long end, int slotMinutes, int quantity) {
    for (long slot = start; slot < end; slot += slotMinutes) {
      int units = used.getOrDefault(slot, 0) + quantity;
      used.put(slot, units);
      slots.put(Keys.slot(resourceId, slot), Integer.toString(units));
    }
  }

  private void releaseUnits(String resourceId, Map<Long, Integer> used, long start, long end, int slotMinutes, int quantity) {
    for (long slot = start; slot < end; slot += slotMinutes) {
      int units = used.getOrDefault(slot, 0) - quantity;
      used.put(slot, Math.max(0, units));
      if (units > 0) slots.put(Keys.slot(resourceId, slot), Integer.toString(units));
      else slots.delete(Keys.slot(resourceId, slot));
    }
  }

  /** Up to 3 nearest same-length ranges within 14 slots that fit within capacity, earliest first. */
  private List<long[]> alternatives(String resourceId, long start, long end, int slotMinutes, int quantity, int capacity, long now) {
    long window = 14L * slotMinutes;
    long nowMinute = now / 60_000L;
    Map<Long, Integer> used = scanSlots(resourceId, start - window, end + window);
    List<long[]> found = new ArrayList<>();
    long length = end - start;
    for (int distance = 1; distance <= 14 && found.size() < 3; distance++) {
      for (int sign : new int[] {-1, 1}) {
        long candidate = start + (long) sign * distance * slotMinutes;
        if (candidate < nowMinute || found.size() >= 3) continue;
        if (fits(used, candidate, candidate + length, slotMinutes, quantity, capacity, null))
          found.add(new long[] {candidate, candidate + length});
      }
    }
    found.sort((a, b) -> Long.compare(a[0], b[0]));
    return found;
  }

  /** Reads a resource's waitlist, as every input that may free units does (the workload never fills it). */
  private void scanWaitlist(String resourceId) {
    String prefix = Keys.prefix(resourceId);
    try (KeyValueIterator<String, String> it = waitlist.range(prefix, prefix + Keys.AFTER_ALL)) {
      while (it.hasNext()) it.next();
    }
  }

  private static JsonNode readJson(String text) {
    if (text == null) return null;
    try {
      return Outcome.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt store value: " + text, e);
    }
  }
}
