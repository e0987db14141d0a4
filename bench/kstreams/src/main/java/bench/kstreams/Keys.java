package bench.kstreams;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Store keys laid out as the TypeScript service's (processors/domain/store-keys.ts): ids URI-encoded,
 * numbers zero-padded, so a resource's slots or a time range of holds is one key-range scan.
 */
final class Keys {
  private Keys() {}

  static final String AFTER_ALL = "~";
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  static String id(String value) {
    // ids in the benchmark are plain ASCII; the encoder is there so that layout and cost match ours
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String pad(long value, int width) {
    String digits = Long.toString(Math.max(0, value));
    if (digits.length() >= width) return digits;
    return "0".repeat(width - digits.length()) + digits;
  }

  static String reservation(String resourceId, String reservationId) {
    return id(resourceId) + "|" + id(reservationId);
  }

  static String reservationIndex(String resourceId, long endMinute, String reservationId) {
    return id(resourceId) + "|" + pad(endMinute, 10) + "|" + id(reservationId);
  }

  static String slot(String resourceId, long slotStartMinute) {
    return id(resourceId) + "|" + pad(slotStartMinute, 10);
  }

  static String hold(long expiresAtMillis, String resourceId, String reservationId) {
    return pad(expiresAtMillis, 15) + "|" + id(resourceId) + "|" + id(reservationId);
  }

  static String command(String resourceId, String commandId) {
    return id(resourceId) + "|" + id(commandId);
  }

  static String payment(String resourceId, String type, String paymentId) {
    return id(resourceId) + "|payment:" + type + ":" + id(paymentId);
  }

  /** `retention-index` key of a reservation: from when its retention runs (processors/domain/retention.ts). */
  static String reservationRetention(long sinceMillis, String resourceId, String reservationId) {
    return "r|" + pad(sinceMillis, 15) + "|" + id(resourceId) + "|" + id(reservationId);
  }

  /** `command-index` key: when a `commands` key was recorded, and that key. */
  static String commandIndex(long recordedAtMillis, String commandsKey) {
    return pad(recordedAtMillis, 15) + "|" + commandsKey;
  }

  static String prefix(String resourceId) {
    return id(resourceId) + "|";
  }

  static long parseSlotStart(String slotKey) {
    return Long.parseLong(slotKey.substring(slotKey.lastIndexOf('|') + 1));
  }

  static long minutes(String isoInstant) {
    return Instant.parse(isoInstant).toEpochMilli() / 60_000L;
  }

  static String iso(long minute) {
    return ISO.format(Instant.ofEpochMilli(minute * 60_000L));
  }
}
