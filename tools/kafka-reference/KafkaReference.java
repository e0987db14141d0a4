// Runs DSL scenarios on Kafka Streams' own TopologyTestDriver and prints what each output topic received,
// so our engine's DSL can be compared with Kafka Streams record by record (test/topology/reference).
//
// Usage: java -cp <kafka streams + test utils> KafkaReference.java <scenario file>...
// A scenario file names a topology (built below, and identically in test/topology/reference/topologies.ts)
// and lists input steps; the output goes to stdout, one scenario after the other, each started by
// "== <file>". Keys and values are strings; "~" stands for null.
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.Suppressed.BufferConfig;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.ValueTransformerWithKey;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.test.TestRecord;

public class KafkaReference {
    static final Serde<String> S = Serdes.String();

    static String str(final Object value) {
        return value == null ? null : value.toString();
    }

    static String concat(final String a, final String b) {
        return a + "," + b;
    }

    /** Writes a windowed table's updates as `[key@start/end] -> value`. */
    static <V> void windowedOut(final KTable<Windowed<String>, V> table, final String topic) {
        table.toStream().map((k, v) -> KeyValue.pair(k.toString(), str(v))).to(topic, Produced.with(S, S));
    }

    static <V> void tableOut(final KTable<String, V> table, final String topic) {
        table.toStream().mapValues(KafkaReference::str).to(topic, Produced.with(S, S));
    }

    static Topology windows() {
        final StreamsBuilder b = new StreamsBuilder();
        final KGroupedStream<String, String> g = b.stream("in", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        windowedOut(g.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5))).count(),
            "out-tumbling-count");
        windowedOut(g.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(3))
                .advanceBy(Duration.ofMillis(5)))
            .aggregate(() -> 0L, (k, v, a) -> a + Long.parseLong(v), Materialized.with(S, Serdes.Long())),
            "out-hopping-sum");
        windowedOut(g.windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(10))).reduce(KafkaReference::concat),
            "out-tumbling-concat");
        windowedOut(g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .count(), "out-sliding-count");
        windowedOut(g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .reduce(KafkaReference::concat), "out-sliding-concat");
        windowedOut(g.windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(3)))
            .count(), "out-session-count");
        windowedOut(g.windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(3)))
            .reduce(KafkaReference::concat), "out-session-concat");
        return b.build();
    }

    static Topology aggregates() {
        final StreamsBuilder b = new StreamsBuilder();
        final KStream<String, String> in = b.stream("in", Consumed.with(S, S));
        final KGroupedStream<String, String> g = in.groupByKey(Grouped.with(S, S));
        tableOut(g.count(), "out-count");
        tableOut(g.reduce(KafkaReference::concat), "out-reduce");
        tableOut(g.aggregate(() -> "", (k, v, a) -> a + v, Materialized.<String, String, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("agg-store").withValueSerde(S)),
            "out-aggregate");
        tableOut(in.groupBy((k, v) -> v == null ? null : v.substring(0, 1), Grouped.with(S, S)).count(),
            "out-regroup-count");
        return b.build();
    }

    static Topology tables() {
        final StreamsBuilder b = new StreamsBuilder();
        final KTable<String, String> left = b.table("left", Consumed.with(S, S));
        final KTable<String, String> right = b.table("right", Consumed.with(S, S), Materialized.as("right-store"));
        tableOut(left.filter((k, v) -> v.length() > 2), "out-filter");
        tableOut(right.filter((k, v) -> v.length() > 2), "out-filter-of-materialized");
        tableOut(left.mapValues(v -> v.toUpperCase()), "out-map");
        tableOut(left.filterNot((k, v) -> v.startsWith("x"),
            Materialized.<String, String, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("filtered-store")),
            "out-filternot-materialized");
        tableOut(left.join(right, (a, c) -> a + "+" + c), "out-join");
        tableOut(left.leftJoin(right, (a, c) -> a + "+" + c), "out-leftjoin");
        tableOut(left.outerJoin(right, (a, c) -> a + "+" + c), "out-outerjoin");
        tableOut(left.join(right, (a, c) -> a + "+" + c).mapValues(v -> v + "!"), "out-join-mapped");
        return b.build();
    }

    static Topology streamJoins() {
        final StreamsBuilder b = new StreamsBuilder();
        final KStream<String, String> l = b.stream("left", Consumed.with(S, S));
        final KStream<String, String> r = b.stream("right", Consumed.with(S, S));
        l.join(r, (a, c) -> a + "+" + c, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .to("out-inner", Produced.with(S, S));
        l.leftJoin(r, (a, c) -> a + "+" + c, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .to("out-left", Produced.with(S, S));
        l.outerJoin(r, (a, c) -> a + "+" + c,
                JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10)).before(Duration.ofMillis(3)))
            .to("out-outer", Produced.with(S, S));
        return b.build();
    }

    static Topology streamTable() {
        final StreamsBuilder b = new StreamsBuilder();
        final KTable<String, String> t = b.table("table", Consumed.with(S, S), Materialized.as("t-store"));
        final KStream<String, String> in = b.stream("in", Consumed.with(S, S));
        in.join(t, (v, tv) -> v + "+" + tv).to("out-join", Produced.with(S, S));
        in.leftJoin(t, (v, tv) -> v + "+" + tv).to("out-leftjoin", Produced.with(S, S));
        return b.build();
    }

    static Topology cogroup() {
        final StreamsBuilder b = new StreamsBuilder();
        final KGroupedStream<String, String> g1 = b.stream("in1", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        final KGroupedStream<String, String> g2 = b.stream("in2", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        tableOut(g1.<String>cogroup((k, v, a) -> a + "1" + v).cogroup(g2, (k, v, a) -> a + "2" + v)
            .aggregate(() -> "", Materialized.with(S, S)), "out-cogroup");
        windowedOut(g1.<String>cogroup((k, v, a) -> a + "1" + v).cogroup(g2, (k, v, a) -> a + "2" + v)
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(0)))
            .aggregate(() -> "", Materialized.with(S, S)), "out-cogroup-windowed");
        return b.build();
    }

    static Topology tableAggregates() {
        final StreamsBuilder b = new StreamsBuilder();
        final KTable<String, String> t = b.table("in", Consumed.with(S, S));
        tableOut(t.groupBy((k, v) -> KeyValue.pair(v.substring(0, 1), v), Grouped.with(S, S)).count(), "out-count");
        tableOut(t.groupBy((k, v) -> KeyValue.pair(v.substring(0, 1), v), Grouped.with("by-letter", S, S))
            .reduce((a, v) -> a + "+" + v, (a, v) -> a + "-" + v), "out-reduce");
        tableOut(t.groupBy((k, v) -> KeyValue.pair(v.substring(0, 1), v), Grouped.with(S, S))
            .aggregate(() -> "", (k, v, a) -> a + "+" + v, (k, v, a) -> a + "-" + v, Materialized.with(S, S)),
            "out-aggregate");
        tableOut(t.groupBy((k, v) -> KeyValue.pair(v.length() > 3 ? null : k, v), Grouped.with(S, S)).count(),
            "out-count-null-keys");
        return b.build();
    }

    static Topology suppress() {
        final StreamsBuilder b = new StreamsBuilder();
        final KGroupedStream<String, String> g = b.stream("in", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        windowedOut(g.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5))).count()
            .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())), "out-final");
        windowedOut(g.windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(2))).count()
            .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())), "out-session-final");
        tableOut(g.count().suppress(Suppressed.untilTimeLimit(Duration.ofMillis(10), BufferConfig.unbounded())),
            "out-time-limit");
        tableOut(g.count().suppress(Suppressed.untilTimeLimit(Duration.ofMillis(100), BufferConfig.maxRecords(2))),
            "out-emit-early-records");
        tableOut(g.count().suppress(Suppressed.untilTimeLimit(Duration.ofMillis(100), BufferConfig.maxBytes(120))),
            "out-emit-early-bytes");
        final KTable<String, String> table = b.table("table", Consumed.with(S, S));
        tableOut(table.suppress(Suppressed.untilTimeLimit(Duration.ofMillis(10), BufferConfig.unbounded())),
            "out-table");
        return b.build();
    }

    static Topology fk() {
        final StreamsBuilder b = new StreamsBuilder();
        final KTable<String, String> orders = b.table("orders", Consumed.with(S, S));
        final KTable<String, String> products = b.table("products", Consumed.with(S, S));
        tableOut(orders.join(products, v -> v.startsWith("-") ? null : v.split(":")[0], (o, p) -> o + "/" + p),
            "out-fk-inner");
        tableOut(orders.leftJoin(products, v -> v.startsWith("-") ? null : v.split(":")[0], (o, p) -> o + "/" + p),
            "out-fk-left");
        return b.build();
    }

    /** split with named, function, consumer and default branches; processValues; global-table and transformValues joins. */
    static Topology branches() {
        final StreamsBuilder b = new StreamsBuilder();
        final KStream<String, String> in = b.stream("in", Consumed.with(S, S));
        final Map<String, KStream<String, String>> branches = in.split(Named.as("s-"))
            .branch((k, v) -> v != null && v.startsWith("a"), Branched.as("a"))
            .branch((k, v) -> v != null && v.startsWith("b"), Branched.withFunction(s -> s.mapValues(v -> v.toUpperCase())))
            .branch((k, v) -> v != null && v.startsWith("c"), Branched.withConsumer(s -> s.to("out-c", Produced.with(S, S))))
            .defaultBranch();
        for (final Map.Entry<String, KStream<String, String>> e : branches.entrySet()) {
            e.getValue().to("out-" + e.getKey(), Produced.with(S, S));
        }
        in.processValues(() -> new FixedKeyProcessor<String, String, String>() {
            private FixedKeyProcessorContext<String, String> context;

            @Override
            public void init(final FixedKeyProcessorContext<String, String> context) {
                this.context = context;
            }

            @Override
            public void process(final FixedKeyRecord<String, String> r) {
                context.forward(r.withValue(r.value() + "!").withTimestamp(r.timestamp() + 1));
            }
        }).to("out-processvalues", Produced.with(S, S));
        final GlobalKTable<String, String> g = b.globalTable("global", Consumed.with(S, S));
        in.join(g, (k, v) -> "-".equals(v) ? null : v, (v, gv) -> v + "+" + gv).to("out-global-join", Produced.with(S, S));
        in.leftJoin(g, (k, v) -> "-".equals(v) ? null : v, (v, gv) -> v + "+" + gv).to("out-global-leftjoin", Produced.with(S, S));
        final KTable<String, String> tv = b.table("table", Consumed.with(S, S))
            .transformValues(() -> new ValueTransformerWithKey<String, String, String>() {
                @Override
                public void init(final org.apache.kafka.streams.processor.ProcessorContext context) { }

                @Override
                public String transform(final String k, final String v) {
                    return v == null ? k + "-gone" : v.toUpperCase();
                }

                @Override
                public void close() { }
            });
        tableOut(tv, "out-transformvalues");
        in.join(tv, (v, x) -> v + "+" + x).to("out-transformvalues-join", Produced.with(S, S));
        tableOut(tv.groupBy((k, v) -> KeyValue.pair(v, v), Grouped.with(S, S)).count(), "out-transformvalues-regroup");
        return b.build();
    }

    /** Session and sliding aggregations with an aggregator (and a session merger), plain and cogrouped. */
    static Topology sessionAggregates() {
        final StreamsBuilder b = new StreamsBuilder();
        final KGroupedStream<String, String> g = b.stream("in", Consumed.with(S, S)).groupByKey();
        final KGroupedStream<String, String> g2 = b.stream("in2", Consumed.with(S, S)).groupByKey();
        windowedOut(g.windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(3)))
            .aggregate(() -> "", (k, v, a) -> a + v, (k, a1, a2) -> a1 + "|" + a2, Materialized.with(S, S)),
            "out-session-aggregate");
        windowedOut(g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .aggregate(() -> "", (k, v, a) -> a + v, Materialized.with(S, S)),
            "out-sliding-aggregate");
        windowedOut(g.<String>cogroup((k, v, a) -> a + "1" + v)
            .cogroup(g2, (k, v, a) -> a + "2" + v)
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(3)))
            .aggregate(() -> "", (k, a1, a2) -> a1 + "|" + a2, Materialized.with(S, S)),
            "out-cogroup-session");
        windowedOut(g.<String>cogroup((k, v, a) -> a + "1" + v)
            .cogroup(g2, (k, v, a) -> a + "2" + v)
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .aggregate(() -> "", Materialized.with(S, S)),
            "out-cogroup-sliding");
        return b.build();
    }

    static Topology build(final String name) {
        switch (name) {
            case "windows": return windows();
            case "aggregates": return aggregates();
            case "tables": return tables();
            case "stream-joins": return streamJoins();
            case "stream-table": return streamTable();
            case "cogroup": return cogroup();
            case "table-aggregates": return tableAggregates();
            case "suppress": return suppress();
            case "fk": return fk();
            case "branches": return branches();
            case "session-aggregates": return sessionAggregates();
            default: throw new IllegalArgumentException("unknown topology " + name);
        }
    }

    static String token(final String t) {
        return "~".equals(t) ? null : t;
    }

    static void run(final Path file) throws Exception {
        final List<String> lines = Files.readAllLines(file);
        String topologyName = null;
        for (final String line : lines) {
            if (line.startsWith("topology ")) topologyName = line.substring(9).trim();
        }
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reference");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
            org.apache.kafka.streams.state.BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class);
        for (final String line : lines) {
            if (line.startsWith("config ")) {
                final String[] parts = line.split(" ");
                props.put(parts[1], parts[2]);
            }
        }
        final Topology topology = build(topologyName);
        System.out.println("== " + file.getFileName());
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props, Instant.ofEpochMilli(0))) {
            for (final String line : lines) {
                final String[] p = line.trim().split("\\s+");
                if (p.length == 0 || p[0].isEmpty() || p[0].startsWith("#")) continue;
                switch (p[0]) {
                    case "pipe": {
                        final TestInputTopic<String, String> topic =
                            driver.createInputTopic(p[1], S.serializer(), S.serializer());
                        topic.pipeInput(new TestRecord<>(token(p[2]), token(p[3]), Instant.ofEpochMilli(Long.parseLong(p[4]))));
                        break;
                    }
                    case "wall":
                        driver.advanceWallClockTime(Duration.ofMillis(Long.parseLong(p[1])));
                        break;
                    default:
                        break;
                }
            }
            final TreeSet<String> topics = new TreeSet<>();
            for (final String t : driver.producedTopicNames()) if (t.startsWith("out")) topics.add(t);
            for (final String t : topics) {
                final TestOutputTopic<String, String> out = driver.createOutputTopic(t, S.deserializer(), S.deserializer());
                for (final TestRecord<String, String> r : out.readRecordsToList()) {
                    System.out.println(t + " " + (r.key() == null ? "~" : r.key()) + " "
                        + (r.value() == null ? "~" : r.value()) + " " + r.timestamp());
                }
            }
            double dropped = 0;
            for (final Map.Entry<MetricName, ? extends Metric> m : driver.metrics().entrySet()) {
                if (m.getKey().name().equals("dropped-records-total")) dropped += (Double) m.getValue().metricValue();
            }
            System.out.println("dropped " + (long) dropped);
        }
    }

    public static void main(final String[] args) throws Exception {
        for (final String arg : args) run(Path.of(arg));
    }
}
