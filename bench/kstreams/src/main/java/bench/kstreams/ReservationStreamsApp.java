package bench.kstreams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The Reservation Service's topology as a Kafka Streams application, for the benchmark (bench/README.md):
 *
 * <pre>
 *   reservation-commands ─┐
 *   resources ────────────┼─▶ decider ─▶ reservation (events), reservation-notifications,
 *   payments-by-resource ─┘   (stores)   reservation-routes (reservationId → resourceId)
 *   payments ─────────────┐
 *   reservation-routes ───┴─▶ payment-router ─▶ payments-by-resource
 * </pre>
 *
 * Inputs are bound from JSON once by their sources' deserializers; stores hold typed values in a binary
 * form ({@link Codecs}). The two intermediate topics are created here (named as the TypeScript engine names
 * its repartition topics) because the topology has a cycle through them, which the DSL's repartition()
 * cannot express.
 */
public final class ReservationStreamsApp {
  private ReservationStreamsApp() {}

  public static void main(String[] args) throws Exception {
    AppConfig config = new AppConfig(System.getenv());
    createIntermediateTopics(config);
    BenchApp.run(topology(config), BenchApp.properties(System.getenv()));
  }

  static Topology topology(AppConfig config) {
    Topology topology = new Topology();
    var strings = Serdes.String();
    topology.addSource("commands-source", strings.deserializer(), Codecs.COMMAND_JSON, config.commandsTopic);
    topology.addSource("resources-source", strings.deserializer(), Codecs.RESOURCE_JSON, config.resourcesTopic);
    topology.addSource("routed-payments-source", strings.deserializer(), Codecs.PAYMENT.deserializer(), config.routedPaymentsTopic);
    topology.addProcessor("reservation-decider", () -> new Decider(config),
        "commands-source", "resources-source", "routed-payments-source");
    topology.addStateStore(store("resources", Codecs.RESOURCE), "reservation-decider");
    topology.addStateStore(store("resource-meta", Serdes.Long()), "reservation-decider");
    topology.addStateStore(store("reservations", Codecs.RESERVATION), "reservation-decider");
    topology.addStateStore(store("slots", Serdes.Integer()), "reservation-decider");
    for (String name : List.of("reservation-index", "waitlist", "holds", "commands", "retention-index", "command-index"))
      topology.addStateStore(store(name, Serdes.String()), "reservation-decider");
    topology.addSink(Decider.EVENTS, config.eventsTopic, strings.serializer(), Codecs.JSON_NODE, "reservation-decider");
    topology.addSink(Decider.NOTIFICATIONS, config.notificationsTopic, strings.serializer(), Codecs.JSON_NODE, "reservation-decider");
    topology.addSink(Decider.ROUTES, config.routesTopic, strings.serializer(), strings.serializer(), "reservation-decider");

    topology.addSource("payments-source", strings.deserializer(), Serdes.ByteArray().deserializer(), config.paymentsTopic);
    topology.addSource("routes-source", strings.deserializer(), strings.deserializer(), config.routesTopic);
    topology.addProcessor("payment-router", () -> new PaymentRouter(config), "payments-source", "routes-source");
    topology.addStateStore(store("payment-routes", Serdes.String()), "payment-router");
    topology.addStateStore(store("pending-payments", Codecs.PENDING_PAYMENT), "payment-router");
    topology.addSink(PaymentRouter.ROUTED, config.routedPaymentsTopic, strings.serializer(), Codecs.PAYMENT.serializer(), "payment-router");
    topology.addSink(PaymentRouter.DLQ, config.dlqTopic, strings.serializer(), Serdes.ByteArray().serializer(), "payment-router");
    return topology;
  }

  /** RocksDB, change-logged, with the record cache: what a DSL store is by default. */
  private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values)
        .withCachingEnabled()
        .withLoggingEnabled(Map.of());
  }

  private static void createIntermediateTopics(AppConfig config) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.brokers);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : List.of(config.routesTopic, config.routedPaymentsTopic))
        if (!existing.contains(topic)) missing.add(new NewTopic(topic, Optional.of(config.partitions), Optional.empty()));
      if (!missing.isEmpty()) admin.createTopics(missing).all().get();
    }
  }
}
