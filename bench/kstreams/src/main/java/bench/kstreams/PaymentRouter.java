package bench.kstreams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Routes payments (keyed by reservationId) to their reservation's resource, as the TypeScript service's
 * payment-router: a table reservationId → resourceId fed by the decider's route records, joined with the
 * payments stream; a payment that arrives before its route waits in a store, and goes to the DLQ when no
 * route appears within the grace period of stream time.
 */
final class PaymentRouter implements Processor<String, String, String, String> {
  static final String[] STORES = {"payment-routes", "pending-payments"};
  static final String ROUTED = "routed-payments-sink";
  static final String DLQ = "dlq-sink";

  private final AppConfig config;
  private ProcessorContext<String, String> ctx;
  private KeyValueStore<String, String> routes;
  private KeyValueStore<String, String> pending;

  PaymentRouter(AppConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, String> context) {
    ctx = context;
    routes = context.getStateStore("payment-routes");
    pending = context.getStateStore("pending-payments");
    long interval = Math.min(config.punctuationIntervalMs, Math.max(1, config.strayGraceMs));
    context.schedule(Duration.ofMillis(interval), PunctuationType.STREAM_TIME, this::deadLetterStrays);
  }

  @Override
  public void process(Record<String, String> record) {
    RecordMetadata origin = ctx.recordMetadata().orElseThrow();
    if (origin.topic().equals(config.routesTopic)) {
      String resourceId = record.value();
      routes.put(record.key(), resourceId);
      String prefix = Keys.id(record.key()) + "|";
      for (KeyValue<String, String> waiting : scan(prefix, prefix + Keys.AFTER_ALL)) {
        pending.delete(waiting.key);
        JsonNode held = parse(waiting.value);
        long timestamp = Math.max(held.path("timestamp").asLong(), record.timestamp());
        ctx.forward(new Record<>(resourceId, held.path("value").asText(), timestamp), ROUTED);
      }
      return;
    }
    JsonNode payment = parse(record.value());
    String reservationId = payment.path("reservationId").asText();
    String resourceId = routes.get(reservationId);
    if (resourceId != null) {
      ctx.forward(new Record<>(resourceId, record.value(), record.timestamp()), ROUTED);
      return;
    }
    ObjectNode held = Outcome.JSON.createObjectNode();
    held.put("reservationId", reservationId);
    held.put("topic", origin.topic());
    held.put("partition", origin.partition());
    held.put("offset", origin.offset());
    held.put("timestamp", record.timestamp());
    held.put("key", record.key());
    held.put("value", record.value());
    pending.put(Keys.id(reservationId) + "|" + origin.topic() + "|" + origin.partition() + "|" + Keys.pad(origin.offset(), 15),
        held.toString());
  }

  private void deadLetterStrays(long now) {
    for (KeyValue<String, String> waiting : scan("", Keys.AFTER_ALL)) {
      JsonNode held = parse(waiting.value);
      if (held.path("timestamp").asLong() >= now - config.strayGraceMs) continue;
      pending.delete(waiting.key);
      ctx.forward(new Record<>(held.path("key").asText(), held.path("value").asText(), held.path("timestamp").asLong()), DLQ);
    }
  }

  private List<KeyValue<String, String>> scan(String from, String to) {
    List<KeyValue<String, String>> found = new ArrayList<>();
    try (KeyValueIterator<String, String> it = pending.range(from, to)) {
      while (it.hasNext()) found.add(it.next());
    }
    return found;
  }

  private static JsonNode parse(String text) {
    try {
      return Outcome.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + text, e);
    }
  }
}
