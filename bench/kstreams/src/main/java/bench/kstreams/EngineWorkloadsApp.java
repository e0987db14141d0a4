package bench.kstreams;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The engine workloads of the benchmark (after Kafka's SimpleBenchmark) with the Kafka Streams DSL — the
 * counterparts of bench/engine-topologies.ts: the same operators, String keys, byte[] values, Long counts,
 * the same store names. WORKLOAD selects one:
 *
 * <pre>
 *   pipe          source ─▶ mapValues ─▶ sink
 *   count         source ─▶ groupByKey ─▶ count ("counts") ─▶ sink
 *   windowed-count source ─▶ groupByKey ─▶ windowedBy(WINDOW_SIZE_MS every WINDOW_ADVANCE_MS, grace GRACE_MS)
 *                 ─▶ count ("windowed-counts") ─▶ sink (key: the key and the window start)
 *   table-join    source ─▶ join(table ("table")) ─▶ sink        (values concatenated)
 *   stream-join   source ─▶ join(other, window ± JOIN_WINDOW_MS, grace GRACE_MS) ─▶ sink
 * </pre>
 *
 * Topics: SOURCE_TOPIC, OTHER_TOPIC, TABLE_TOPIC, SINK_TOPIC; the rest of the environment as BenchApp.
 */
public final class EngineWorkloadsApp {
  private EngineWorkloadsApp() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    Properties props = BenchApp.properties(env);
    BenchApp.run(topology(env, props), props);
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isEmpty()) throw new IllegalArgumentException(name + " must be set");
    return value;
  }

  private static byte[] concat(byte[] left, byte[] right) {
    byte[] joined = new byte[left.length + right.length];
    System.arraycopy(left, 0, joined, 0, left.length);
    System.arraycopy(right, 0, joined, left.length, right.length);
    return joined;
  }

  /** Built with the properties, so that the configured topology optimisations apply. */
  static Topology topology(Map<String, String> env, Properties props) {
    String workload = required(env, "WORKLOAD");
    String source = required(env, "SOURCE_TOPIC");
    String sink = required(env, "SINK_TOPIC");
    var strings = Serdes.String();
    var bytes = Serdes.ByteArray();
    Consumed<String, byte[]> consumed = Consumed.with(strings, bytes);
    Produced<String, byte[]> produced = Produced.with(strings, bytes);
    StreamsBuilder builder = new StreamsBuilder();
    switch (workload) {
      case "pipe" -> builder.stream(source, consumed).mapValues(value -> value).to(sink, produced);
      case "count" -> builder.stream(source, consumed)
          .groupByKey(Grouped.with(strings, bytes))
          .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts")
              .withKeySerde(strings)
              .withValueSerde(Serdes.Long()))
          .toStream()
          .to(sink, Produced.with(strings, Serdes.Long()));
      case "windowed-count" -> {
        long size = Long.parseLong(required(env, "WINDOW_SIZE_MS"));
        TimeWindows windows = TimeWindows.ofSizeAndGrace(Duration.ofMillis(size),
                Duration.ofMillis(Long.parseLong(required(env, "GRACE_MS"))))
            .advanceBy(Duration.ofMillis(Long.parseLong(required(env, "WINDOW_ADVANCE_MS"))));
        builder.stream(source, consumed)
            .groupByKey(Grouped.with(strings, bytes))
            .windowedBy(windows)
            .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("windowed-counts")
                .withKeySerde(strings)
                .withValueSerde(Serdes.Long()))
            .toStream()
            .to(sink, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(String.class, size), Serdes.Long()));
      }
      case "table-join" -> {
        KTable<String, byte[]> table = builder.table(required(env, "TABLE_TOPIC"), consumed,
            Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as("table").withKeySerde(strings).withValueSerde(bytes));
        builder.stream(source, consumed)
            .join(table, EngineWorkloadsApp::concat, Joined.with(strings, bytes, bytes))
            .to(sink, produced);
      }
      case "stream-join" -> {
        KStream<String, byte[]> other = builder.stream(required(env, "OTHER_TOPIC"), consumed);
        JoinWindows window = JoinWindows.ofTimeDifferenceAndGrace(
            Duration.ofMillis(Long.parseLong(required(env, "JOIN_WINDOW_MS"))),
            Duration.ofMillis(Long.parseLong(required(env, "GRACE_MS"))));
        builder.stream(source, consumed)
            .join(other, EngineWorkloadsApp::concat, window,
                StreamJoined.with(strings, bytes, bytes).withStoreName("join"))
            .to(sink, produced);
      }
      default -> throw new IllegalArgumentException(
          "WORKLOAD=" + workload + ": expected pipe, count, windowed-count, table-join or stream-join");
    }
    return builder.build(props);
  }
}
