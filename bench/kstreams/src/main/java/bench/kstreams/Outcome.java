package bench.kstreams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The events and notifications one input produces, as the TypeScript service writes them (the same JSON
 * fields): every event carries a deterministic eventId (SHA-256 of resource, input id and position) and
 * the resource's next sequence number.
 */
final class Outcome {
  static final ObjectMapper JSON = Codecs.JSON;
  /** One digest per thread (the stream thread), reset by every digest(). */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  final String resourceId;
  final String inputId;
  final long occurredAt;
  long sequence;
  final List<ObjectNode> events = new ArrayList<>();
  final List<ObjectNode> notifications = new ArrayList<>();
  /** reservationId → resourceId records for the payment router. */
  final List<String[]> routes = new ArrayList<>();

  Outcome(String resourceId, String inputId, long sequence, long occurredAt) {
    this.resourceId = resourceId;
    this.inputId = inputId;
    this.sequence = sequence;
    this.occurredAt = occurredAt;
  }

  /** Starts an event; the caller adds its payload fields and then calls {@link #seal}. */
  ObjectNode event(String type, String reservationId, String causationId) {
    ObjectNode e = JSON.createObjectNode();
    e.put("eventId", eventId(events.size()));
    e.put("type", type);
    e.put("resourceId", resourceId);
    if (reservationId != null) e.put("reservationId", reservationId);
    e.put("causationId", causationId);
    events.add(e);
    return e;
  }

  /** Adds sequence and occurredAt last, as the service's events have them. */
  void seal(ObjectNode e) {
    sequence += 1;
    e.put("sequence", sequence);
    e.put("occurredAt", occurredAt);
  }

  ObjectNode notification(String type, String customerId, String reservationId, String causationId, String status, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.put("notificationId", eventId(1000 + notifications.size()));
    n.put("resourceId", resourceId);
    n.put("occurredAt", occurredAt);
    n.put("type", type);
    n.put("customerId", customerId);
    n.put("reservationId", reservationId);
    n.put("causationId", causationId);
    n.put("status", status);
    n.put("message", message);
    n.putArray("alternatives");
    notifications.add(n);
    return n;
  }

  String eventId(int position) {
    MessageDigest sha = SHA256.get();
    sha.update(resourceId.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(inputId.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(Integer.toString(position).getBytes(StandardCharsets.UTF_8));
    String hex = HexFormat.of().formatHex(sha.digest(), 0, 16);
    return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-8" + hex.substring(13, 16) + "-"
        + hex.substring(16, 20) + "-" + hex.substring(20, 32);
  }

  static ArrayNode alternatives(List<long[]> ranges, String resourceId, int quantity) {
    ArrayNode list = JSON.createArrayNode();
    for (long[] r : ranges) {
      ObjectNode a = list.addObject();
      a.put("resourceId", resourceId);
      a.put("start", Keys.iso(r[0]));
      a.put("end", Keys.iso(r[1]));
      a.put("quantity", quantity);
    }
    return list;
  }
}
