package bench.kstreams;

import java.util.Map;

/** The application's configuration, from the same environment variables as the TypeScript service. */
final class AppConfig {
  final String brokers;
  final String applicationId;
  final String stateDir;
  final String guarantee;
  final long commitIntervalMs;
  final String commandsTopic;
  final String paymentsTopic;
  final String resourcesTopic;
  final String eventsTopic;
  final String notificationsTopic;
  final String dlqTopic;
  final String routesTopic;
  final String routedPaymentsTopic;
  final long holdTimeoutMs;
  final long punctuationIntervalMs;
  final long strayGraceMs;
  final int partitions;
  final long retentionMs;
  final long dedupRetentionMs;

  AppConfig(Map<String, String> env) {
    brokers = env.getOrDefault("KAFKA_BROKERS", "127.0.0.1:9092");
    applicationId = env.getOrDefault("APPLICATION_ID", "reservation-kstreams");
    stateDir = env.getOrDefault("STATE_DIR", "/tmp/kafka-streams");
    guarantee = env.getOrDefault("PROCESSING_GUARANTEE", "exactly_once");
    commitIntervalMs = Long.parseLong(env.getOrDefault("COMMIT_INTERVAL_MS", guarantee.equals("exactly_once") ? "100" : "30000"));
    commandsTopic = env.getOrDefault("COMMANDS_TOPIC", "reservation-commands");
    paymentsTopic = env.getOrDefault("PAYMENTS_TOPIC", "payments");
    resourcesTopic = env.getOrDefault("RESOURCES_TOPIC", "resources");
    eventsTopic = env.getOrDefault("EVENTS_TOPIC", "reservation");
    notificationsTopic = env.getOrDefault("NOTIFICATIONS_TOPIC", "reservation-notifications");
    dlqTopic = env.getOrDefault("DLQ_TOPIC", "reservation-dlq");
    // the same names the TypeScript engine gives its repartition topics
    routesTopic = applicationId + "-reservation-routes-repartition";
    routedPaymentsTopic = applicationId + "-payments-by-resource-repartition";
    holdTimeoutMs = Long.parseLong(env.getOrDefault("HOLD_TIMEOUT_MS", "900000"));
    punctuationIntervalMs = Long.parseLong(env.getOrDefault("PUNCTUATION_INTERVAL_MS", "10000"));
    strayGraceMs = Long.parseLong(env.getOrDefault("STRAY_PAYMENT_GRACE_MS", "60000"));
    partitions = Integer.parseInt(env.getOrDefault("PARTITIONS", "6"));
    // the TypeScript service's defaults (service/config.ts): 30 and 7 days of stream time
    retentionMs = Long.parseLong(env.getOrDefault("RETENTION_MS", "2592000000"));
    dedupRetentionMs = Long.parseLong(env.getOrDefault("DEDUP_RETENTION_MS", "604800000"));
  }
}
