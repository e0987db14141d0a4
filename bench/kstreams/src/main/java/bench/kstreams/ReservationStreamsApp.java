package bench.kstreams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
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
 * The two intermediate topics are created here (named as the TypeScript engine names its repartition
 * topics) because the topology has a cycle through them, which the DSL's repartition() cannot express.
 * Prints one "BENCH {json}" line per state change and per restored store, for the harness.
 */
public final class ReservationStreamsApp {
  private ReservationStreamsApp() {}

  public static void main(String[] args) throws Exception {
    AppConfig config = new AppConfig(System.getenv());
    createIntermediateTopics(config);
    KafkaStreams streams = new KafkaStreams(topology(config), properties(config));
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((next, previous) -> {
      emit("{\"event\":\"state\",\"state\":\"" + next + "\",\"previous\":\"" + previous + "\",\"at\":" + System.currentTimeMillis() + "}");
      if (next == KafkaStreams.State.NOT_RUNNING || next == KafkaStreams.State.ERROR) stopped.countDown();
    });
    streams.setGlobalStateRestoreListener(new RestoreReporter());
    streams.setUncaughtExceptionHandler(error -> {
      emit("{\"event\":\"error\",\"message\":" + quote(String.valueOf(error)) + "}");
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // leave the group, as the TypeScript engine does, so that a restart is not held up by the old member
      streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
      emit("{\"event\":\"closed\",\"at\":" + System.currentTimeMillis() + "}");
    }));
    streams.start();
    reportCommitMetrics(streams);
    stopped.await();
  }

  static Topology topology(AppConfig config) {
    Topology topology = new Topology();
    topology.addSource("commands-source", config.commandsTopic);
    topology.addSource("resources-source", config.resourcesTopic);
    topology.addSource("routed-payments-source", config.routedPaymentsTopic);
    topology.addProcessor("reservation-decider", () -> new Decider(config),
        "commands-source", "resources-source", "routed-payments-source");
    for (String store : Decider.STORES) topology.addStateStore(store(store), "reservation-decider");
    topology.addSink(Decider.EVENTS, config.eventsTopic, "reservation-decider");
    topology.addSink(Decider.NOTIFICATIONS, config.notificationsTopic, "reservation-decider");
    topology.addSink(Decider.ROUTES, config.routesTopic, "reservation-decider");

    topology.addSource("payments-source", config.paymentsTopic);
    topology.addSource("routes-source", config.routesTopic);
    topology.addProcessor("payment-router", () -> new PaymentRouter(config), "payments-source", "routes-source");
    for (String store : PaymentRouter.STORES) topology.addStateStore(store(store), "payment-router");
    topology.addSink(PaymentRouter.ROUTED, config.routedPaymentsTopic, "payment-router");
    topology.addSink(PaymentRouter.DLQ, config.dlqTopic, "payment-router");
    return topology;
  }

  /** RocksDB, change-logged, with the record cache: what a DSL store is by default. */
  private static StoreBuilder<KeyValueStore<String, String>> store(String name) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String())
        .withCachingEnabled()
        .withLoggingEnabled(Map.of());
  }

  static Properties properties(AppConfig config) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.brokers);
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        config.guarantee.equals("exactly_once") ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    // static membership (so close() can remove the member) and the TypeScript engine's session timeout
    props.put(StreamsConfig.mainConsumerPrefix("group.instance.id"), config.applicationId + "-instance");
    props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
    return props;
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

  /** Every second: the stream thread's commit count and average commit latency (ms), for the harness. */
  private static void reportCommitMetrics(KafkaStreams streams) {
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "bench-metrics");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleAtFixedRate(() -> {
      double total = 0;
      double latencyAvg = 0;
      for (var entry : streams.metrics().entrySet()) {
        var name = entry.getKey();
        if (!name.group().equals("stream-thread-metrics")) continue;
        Object value = entry.getValue().metricValue();
        if (!(value instanceof Number number) || Double.isNaN(number.doubleValue())) continue;
        if (name.name().equals("commit-total")) total += number.doubleValue();
        if (name.name().equals("commit-latency-avg")) latencyAvg = number.doubleValue();
      }
      emit("{\"event\":\"metrics\",\"values\":{\"commit-total\":" + total + ",\"commit-latency-avg-ms\":" + latencyAvg
          + "},\"at\":" + System.currentTimeMillis() + "}");
    }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
  }

  static synchronized void emit(String json) {
    System.out.println("BENCH " + json);
    System.out.flush();
  }

  static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
  }

  /** Reports each store partition's restore: from its first record to its end. */
  private static final class RestoreReporter implements StateRestoreListener {
    private final Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
      started.put(partition.toString(), System.currentTimeMillis());
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
      total.addAndGet(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
      long now = System.currentTimeMillis();
      emit("{\"event\":\"restored\",\"store\":\"" + store + "\",\"partition\":\"" + partition + "\",\"records\":" + totalRestored
          + ",\"startAt\":" + started.getOrDefault(partition.toString(), now) + ",\"endAt\":" + now + "}");
    }
  }
}
