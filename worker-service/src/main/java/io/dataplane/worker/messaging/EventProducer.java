package io.dataplane.worker.messaging;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.common.tracing.KafkaTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Sends the worker's events (attempt events, log chunks, heartbeats). */
@ApplicationScoped
public class EventProducer {

  public static final String SOURCE = "worker-service";

  private final KafkaProducer<String, byte[]> producer;
  private final EventCodec codec = new EventCodec();

  public EventProducer(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, MeterRegistry meters) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(1024 * 1024));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "worker-service-events");
    this.producer =
        KafkaClients.producer(p, new StringSerializer(), new ByteArraySerializer(), meters);
  }

  /** Sends one event; failures are logged (Kafka retries internally). */
  public void send(String topic, String key, Event payload, Context trace) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, key, codec.encode(EventEnvelope.of(SOURCE, payload)));
    if (trace != null) {
      KafkaTracing.inject(trace, record.headers());
    }
    producer.send(
        record,
        (meta, error) -> {
          if (error != null) {
            Log.warnf(
                "could not send %s to %s: %s",
                payload.getClass().getSimpleName(), topic, error.toString());
          }
        });
  }

  /**
   * Sends an encoded event; {@code done} gets null once Kafka acknowledged it, or the failure (also
   * when the send could not even start).
   */
  public void sendEncoded(
      String topic, String key, byte[] value, Context trace, Consumer<Exception> done) {
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
    if (trace != null) {
      KafkaTracing.inject(trace, record.headers());
    }
    try {
      producer.send(record, (meta, error) -> done.accept(error));
    } catch (RuntimeException e) {
      done.accept(e);
    }
  }

  /** Waits until everything sent so far is acknowledged. */
  public void flush() {
    producer.flush();
  }

  @PreDestroy
  void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
