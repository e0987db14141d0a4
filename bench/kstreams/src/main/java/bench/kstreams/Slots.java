package bench.kstreams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** Units used per slot (`slots`: resource|slotStartMinute → units, absent when 0): scans, fits, changes. */
final class Slots {
  private final KeyValueStore<String, Integer> store;

  Slots(KeyValueStore<String, Integer> store) {
    this.store = store;
  }

  /** Units used in the slots of [start, end) that have any. */
  Map<Long, Integer> scan(String resourceId, long start, long end) {
    Map<Long, Integer> used = new HashMap<>();
    String to = Keys.slot(resourceId, end);
    try (KeyValueIterator<String, Integer> it = store.range(Keys.slot(resourceId, start), to)) {
      while (it.hasNext()) {
        KeyValue<String, Integer> entry = it.next();
        if (entry.key.compareTo(to) >= 0) break; // range() is inclusive of its upper bound
        used.put(Keys.parseSlotStart(entry.key), entry.value);
      }
    }
    return used;
  }

  /** True when `quantity` more units fit in every slot of [start, end); `freed` = {start, end, quantity} counted as free. */
  static boolean fits(Map<Long, Integer> used, long start, long end, int slotMinutes, int quantity, int limit, long[] freed) {
    for (long slot = start; slot < end; slot += slotMinutes) {
      int units = used.getOrDefault(slot, 0);
      if (freed != null && slot >= freed[0] && slot < freed[1]) units -= (int) freed[2];
      if (units + quantity > limit) return false;
    }
    return true;
  }

  void add(String resourceId, Map<Long, Integer> used, long start, long end, int slotMinutes, int quantity) {
    for (long slot = start; slot < end; slot += slotMinutes) {
      int units = used.getOrDefault(slot, 0) + quantity;
      used.put(slot, units);
      store.put(Keys.slot(resourceId, slot), units);
    }
  }

  void release(String resourceId, Map<Long, Integer> used, long start, long end, int slotMinutes, int quantity) {
    for (long slot = start; slot < end; slot += slotMinutes) {
      int units = used.getOrDefault(slot, 0) - quantity;
      used.put(slot, Math.max(0, units));
      if (units > 0) store.put(Keys.slot(resourceId, slot), units);
      else store.delete(Keys.slot(resourceId, slot));
    }
  }

  /** Up to 3 nearest same-length ranges within 14 slots that fit within capacity, earliest first. */
  List<long[]> alternatives(String resourceId, long start, long end, int slotMinutes, int quantity, int capacity, long now) {
    long window = 14L * slotMinutes;
    long nowMinute = now / 60_000L;
    Map<Long, Integer> used = scan(resourceId, start - window, end + window);
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
}
