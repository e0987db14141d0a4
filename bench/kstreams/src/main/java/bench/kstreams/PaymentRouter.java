package bench.kstreams;

import bench.kstreams.Model.Payment;
import bench.kstreams.Model.PendingPayment;
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
 * payment-router: a table reservationId → resourceId fed by the decider's route records (a tombstone
 * removes a route), joined with the payments stream; a payment that arrives before its route waits in a
 * store, and goes to the DLQ (its original bytes) when no route appears within the grace period of stream
 * time. Inputs: payments as their JSON bytes (parsed here once), routes as strings.
 */
final class PaymentRouter implements Processor<String, Object, String, Object> {
  static final String ROUTED = "routed-payments-sink";
  static final String DLQ = "dlq-sink";

  private final AppConfig config;
  private ProcessorContext<String, Object> ctx;
  private KeyValueStore<String, String> routes;
  private KeyValueStore<String, PendingPayment> pending;

  PaymentRouter(AppConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    ctx = context;
    routes = context.getStateStore("payment-routes");
    pending = context.getStateStore("pending-payments");
    long interval = Math.min(config.punctuationIntervalMs, Math.max(1, config.strayGraceMs));
    context.schedule(Duration.ofMillis(interval), PunctuationType.STREAM_TIME, this::deadLetterStrays);
  }

  @Override
  public void process(Record<String, Object> record) {
    RecordMetadata origin = ctx.recordMetadata().orElseThrow();
    if (origin.topic().equals(config.routesTopic)) {
      route(record.key(), (String) record.value(), record.timestamp());
      return;
    }
    byte[] bytes = (byte[]) record.value();
    Payment payment = Codecs.PAYMENT_JSON.deserialize(origin.topic(), bytes);
    String resourceId = routes.get(payment.reservationId());
    if (resourceId != null) {
      ctx.forward(new Record<>(resourceId, payment, record.timestamp()), ROUTED);
      return;
    }
    pending.put(Keys.id(payment.reservationId()) + "|" + origin.topic() + "|" + origin.partition() + "|" + Keys.pad(origin.offset(), 15),
        new PendingPayment(payment.reservationId(), origin.topic(), origin.partition(), origin.offset(), record.timestamp(),
            record.key(), bytes));
  }

  private void route(String reservationId, String resourceId, long timestamp) {
    if (resourceId == null) {
      routes.delete(reservationId);
      return;
    }
    routes.put(reservationId, resourceId);
    String prefix = Keys.id(reservationId) + "|";
    for (KeyValue<String, PendingPayment> waiting : scan(prefix, prefix + Keys.AFTER_ALL)) {
      pending.delete(waiting.key);
      PendingPayment held = waiting.value;
      Payment payment = Codecs.PAYMENT_JSON.deserialize(held.topic(), held.value());
      ctx.forward(new Record<>(resourceId, payment, Math.max(held.timestamp(), timestamp)), ROUTED);
    }
  }

  private void deadLetterStrays(long now) {
    for (KeyValue<String, PendingPayment> waiting : scan("", Keys.AFTER_ALL)) {
      PendingPayment held = waiting.value;
      if (held.timestamp() >= now - config.strayGraceMs) continue;
      pending.delete(waiting.key);
      ctx.forward(new Record<>(held.key(), held.value(), held.timestamp()), DLQ);
    }
  }

  private List<KeyValue<String, PendingPayment>> scan(String from, String to) {
    List<KeyValue<String, PendingPayment>> found = new ArrayList<>();
    try (KeyValueIterator<String, PendingPayment> it = pending.range(from, to)) {
      while (it.hasNext()) found.add(it.next());
    }
    return found;
  }
}
