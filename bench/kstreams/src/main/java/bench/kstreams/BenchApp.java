package bench.kstreams;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * What both benchmark applications share: the Kafka Streams configuration an expert would deploy with, and
 * the harness protocol — one "BENCH {json}" line on stdout per state change, per restored store partition,
 * and every second the stream thread's commit count and average commit latency.
 */
final class BenchApp {
  private BenchApp() {}

  /**
   * Configuration from the same environment as the TypeScript service (APPLICATION_ID, KAFKA_BROKERS,
   * STATE_DIR, PROCESSING_GUARANTEE, COMMIT_INTERVAL_MS): one stream thread (as our engine), RocksDB
   * bounded as the memory guide recommends, the topology optimisations the configuration guide recommends
   * (listed by name, as it advises for production), static membership so that close() leaves the group.
   * Everything else is Kafka Streams' default (record cache 10 MB, producer linger 100 ms, 1000 records per poll).
   */
  static Properties properties(Map<String, String> env) {
    String applicationId = env.getOrDefault("APPLICATION_ID", "bench-kstreams");
    boolean exactlyOnce = env.getOrDefault("PROCESSING_GUARANTEE", "exactly_once").equals("exactly_once");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, env.getOrDefault("KAFKA_BROKERS", "127.0.0.1:9092"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, env.getOrDefault("STATE_DIR", "/tmp/kafka-streams"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
        Long.parseLong(env.getOrDefault("COMMIT_INTERVAL_MS", exactlyOnce ? "100" : "30000")));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class);
    props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG,
        StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS + "," + StreamsConfig.MERGE_REPARTITION_TOPICS);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    // static membership (so close() can remove the member) and the TypeScript engine's session timeout;
    // GROUP_INSTANCE_ID names the member (several instances of one application: the failover benchmark),
    // empty for dynamic membership
    String instanceId = env.getOrDefault("GROUP_INSTANCE_ID", applicationId + "-instance");
    if (!instanceId.isEmpty()) props.put(StreamsConfig.mainConsumerPrefix("group.instance.id"), instanceId);
    props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
    // NUM_STANDBY_REPLICAS (failover benchmark): warm copies of each task's state on other instances; the
    // rest of the high-availability settings (acceptable.recovery.lag 10,000, max.warmup.replicas 2,
    // probing.rebalance.interval.ms 10 min) stay at their defaults
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.parseInt(env.getOrDefault("NUM_STANDBY_REPLICAS", "0")));
    return props;
  }

  /** Starts the application, reports to the harness, and blocks until it stops (SIGTERM closes it). */
  static void run(Topology topology, Properties props) throws InterruptedException {
    KafkaStreams streams = new KafkaStreams(topology, props);
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

  /** Every second: the stream thread's commit count and average commit latency (ms), for the harness. */
  private static void reportCommitMetrics(KafkaStreams streams) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
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
    }, 1, 1, TimeUnit.SECONDS);
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
    private final Map<String, Long> started = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
      started.put(partition.toString(), System.currentTimeMillis());
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {}

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
      long now = System.currentTimeMillis();
      emit("{\"event\":\"restored\",\"store\":\"" + store + "\",\"partition\":\"" + partition + "\",\"records\":" + totalRestored
          + ",\"startAt\":" + started.getOrDefault(partition.toString(), now) + ",\"endAt\":" + now + "}");
    }
  }
}
