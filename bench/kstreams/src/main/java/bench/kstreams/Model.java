package bench.kstreams;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The application's typed records: what the decider reads from its inputs (bound from JSON once, by the
 * source's deserializer) and keeps in its stores (in the compact binary form of {@link Codecs}), so that no
 * store read re-parses JSON.
 */
final class Model {
  private Model() {}

  enum Status {
    PENDING_PAYMENT, PAYMENT_FAILED, AUTHORIZED, FINALIZED, CANCELED, EXPIRED, BUMPED;

    /** Statuses that hold units of their slots. */
    boolean holdsUnits() {
      return this != EXPIRED && this != CANCELED && this != BUMPED;
    }

    /** Before authorization: the hold can expire. */
    boolean unpaid() {
      return this == PENDING_PAYMENT || this == PAYMENT_FAILED;
    }

    /** The statuses a cancel or modify applies to. */
    boolean changeable() {
      return this == PENDING_PAYMENT || this == PAYMENT_FAILED || this == AUTHORIZED || this == FINALIZED;
    }
  }

  /** What the decider's sources deliver. */
  sealed interface DeciderInput permits Resource, Command, Payment {}

  /** A resource definition (the `resources` topic and store). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Resource(String resourceId, int capacity, int slotMinutes, int overbookingLimit, long priceCentsPerUnitSlot)
      implements DeciderInput {}

  /** A reservation command; the fields the workload's commands carry ({@code null} when absent). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Command(String commandId, String type, String resourceId, String reservationId, String customerId,
      String start, String end, Integer quantity) implements DeciderInput {}

  /** A payment event; routed to the reservation's resource by the payment router. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Payment(String paymentId, String type, String reservationId, long amountCents, String method)
      implements DeciderInput {}

  /** A payment waiting for its reservation's route, with its original bytes for the DLQ. */
  record PendingPayment(String reservationId, String topic, int partition, long offset, long timestamp, String key,
      byte[] value) {}

  /** A reservation as the decider keeps it; times in minutes (range) and milliseconds (the rest). */
  static final class Reservation {
    String reservationId;
    String resourceId;
    String customerId;
    long start;
    long end;
    int quantity;
    long priceCents;
    Status status;
    /** Stream time the unauthorized hold expires; 0 once authorized or ended. */
    long holdExpiresAt;
    long authorizedCents;
    long refundedCents;
    long createdAt;
    String createdBy;
  }
}
