package io.dataplane.common.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka clients that the services build themselves, with Micrometer's {@link KafkaClientMetrics}
 * bound to the service's registry: the {@code kafka_consumer_*} (consumer lag included) and {@code
 * kafka_producer_*} metrics of {@code /q/metrics}. Quarkus binds them only to the clients it
 * creates itself, which Dataplane does not use.
 *
 * <p>Closing the client closes its binder, which removes its meters: a client re-created after a
 * failure leaves none behind. Meters are told apart by the {@code client.id} (tag {@code
 * client_id}), so every client of a process needs an id of its own.
 *
 * <p>Every client, these and the admin and share-group clients a service builds, takes the security
 * settings of {@link #SECURITY_KEYS} from configuration ({@code kafka.security.protocol}, or the
 * environment variable {@code KAFKA_SECURITY_PROTOCOL}, and so on): SASL/SCRAM or TLS without a
 * code change (docs/deploy.md).
 */
public final class KafkaClients {

  /** The client settings taken from configuration as {@code kafka.<key>} ({@code KAFKA_<KEY>}). */
  public static final List<String> SECURITY_KEYS =
      List.of(
          "security.protocol",
          "sasl.mechanism",
          "sasl.jaas.config",
          "ssl.truststore.location",
          "ssl.truststore.password",
          "ssl.truststore.type",
          "ssl.keystore.location",
          "ssl.keystore.password",
          "ssl.keystore.type",
          "ssl.key.password",
          "ssl.endpoint.identification.algorithm");

  private KafkaClients() {}

  /** The security settings configured for this process (empty: PLAINTEXT, Kafka's default). */
  public static Map<String, String> security() {
    Function<String, Optional<String>> lookup;
    try {
      org.eclipse.microprofile.config.Config config =
          org.eclipse.microprofile.config.ConfigProvider.getConfig();
      lookup = k -> config.getOptionalValue(k, String.class);
    } catch (RuntimeException | LinkageError e) {
      lookup = k -> Optional.ofNullable(System.getenv(k.toUpperCase().replace('.', '_')));
    }
    return security(lookup);
  }

  /** The security settings found through {@code lookup} (by {@code kafka.<key>}). */
  public static Map<String, String> security(Function<String, Optional<String>> lookup) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : SECURITY_KEYS) {
      lookup
          .apply("kafka." + key)
          .filter(v -> !v.isBlank())
          .ifPresent(v -> out.put(key, v.strip()));
    }
    return out;
  }

  /**
   * {@code config} with the configured security settings added (a setting {@code config} has
   * already wins); for the clients built without this class (admin, share consumers).
   */
  public static Properties secured(Properties config) {
    security().forEach(config::putIfAbsent);
    return config;
  }

  /**
   * Commits the consumer's current position on those of {@code parts} its group has no offset for
   * yet, so that a restart resumes there even with {@code auto.offset.reset=latest} (what was
   * published while every member was down is not skipped on partitions that had seen nothing
   * before). Call it when partitions are assigned.
   */
  public static void commitStartOffsets(Consumer<?, ?> consumer, Collection<TopicPartition> parts) {
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(parts));
    Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
    for (TopicPartition tp : parts) {
      if (committed.get(tp) == null) {
        start.put(tp, new OffsetAndMetadata(consumer.position(tp)));
      }
    }
    if (!start.isEmpty()) {
      consumer.commitSync(start);
    }
  }

  /** A consumer whose (de)serializers are named in {@code config}. */
  public static <K, V> KafkaConsumer<K, V> consumer(Properties config, MeterRegistry registry) {
    return new MeteredConsumer<>(secured(config), null, null, registry);
  }

  /** A consumer with the given deserializers. */
  public static <K, V> KafkaConsumer<K, V> consumer(
      Properties config, Deserializer<K> keys, Deserializer<V> values, MeterRegistry registry) {
    return new MeteredConsumer<>(secured(config), keys, values, registry);
  }

  /** A producer whose serializers are named in {@code config}. */
  public static <K, V> KafkaProducer<K, V> producer(Properties config, MeterRegistry registry) {
    return new MeteredProducer<>(secured(config), null, null, registry);
  }

  /** A producer with the given serializers. */
  public static <K, V> KafkaProducer<K, V> producer(
      Properties config, Serializer<K> keys, Serializer<V> values, MeterRegistry registry) {
    return new MeteredProducer<>(secured(config), keys, values, registry);
  }

  /**
   * The binder of one client, closed at most once (a second close could hit a successor's meters).
   */
  private static final class Binding {
    private final KafkaClientMetrics metrics;
    private final AtomicBoolean closed = new AtomicBoolean();

    Binding(KafkaClientMetrics metrics, MeterRegistry registry) {
      this.metrics = metrics;
      metrics.bindTo(registry);
    }

    void close() {
      if (closed.compareAndSet(false, true)) {
        metrics.close();
      }
    }
  }

  // Both close methods are overridden: the meters go first, so a scrape never reads a closed
  // client.

  private static final class MeteredConsumer<K, V> extends KafkaConsumer<K, V> {
    private final Binding binding;

    MeteredConsumer(
        Properties config, Deserializer<K> keys, Deserializer<V> values, MeterRegistry registry) {
      super(config, keys, values);
      binding = new Binding(new KafkaClientMetrics(this), registry);
    }

    @Override
    public void close() {
      try {
        binding.close();
      } finally {
        super.close();
      }
    }

    @Override
    public void close(Duration timeout) {
      try {
        binding.close();
      } finally {
        super.close(timeout);
      }
    }
  }

  private static final class MeteredProducer<K, V> extends KafkaProducer<K, V> {
    private final Binding binding;

    MeteredProducer(
        Properties config, Serializer<K> keys, Serializer<V> values, MeterRegistry registry) {
      super(config, keys, values);
      binding = new Binding(new KafkaClientMetrics(this), registry);
    }

    @Override
    public void close() {
      try {
        binding.close();
      } finally {
        super.close();
      }
    }

    @Override
    public void close(Duration timeout) {
      try {
        binding.close();
      } finally {
        super.close(timeout);
      }
    }
  }
}
