package io.dataplane.common.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
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
 */
public final class KafkaClients {

  private KafkaClients() {}

  /** A consumer whose (de)serializers are named in {@code config}. */
  public static <K, V> KafkaConsumer<K, V> consumer(Properties config, MeterRegistry registry) {
    return new MeteredConsumer<>(config, null, null, registry);
  }

  /** A consumer with the given deserializers. */
  public static <K, V> KafkaConsumer<K, V> consumer(
      Properties config, Deserializer<K> keys, Deserializer<V> values, MeterRegistry registry) {
    return new MeteredConsumer<>(config, keys, values, registry);
  }

  /** A producer whose serializers are named in {@code config}. */
  public static <K, V> KafkaProducer<K, V> producer(Properties config, MeterRegistry registry) {
    return new MeteredProducer<>(config, null, null, registry);
  }

  /** A producer with the given serializers. */
  public static <K, V> KafkaProducer<K, V> producer(
      Properties config, Serializer<K> keys, Serializer<V> values, MeterRegistry registry) {
    return new MeteredProducer<>(config, keys, values, registry);
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
