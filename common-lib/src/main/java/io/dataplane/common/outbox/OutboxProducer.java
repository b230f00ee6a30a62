package io.dataplane.common.outbox;

import io.dataplane.common.messaging.KafkaClients;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka producer an {@link Outbox} relays with, created on first use (so that a service starts
 * while Kafka is away): acknowledged by all in-sync replicas, idempotent, no linger; String keys,
 * byte[] values, the configured security settings and client metrics.
 */
public final class OutboxProducer implements Supplier<Producer<String, byte[]>>, AutoCloseable {

  private final String bootstrapServers;
  private final String clientId;
  private final MeterRegistry meters;
  private Producer<String, byte[]> producer;

  public OutboxProducer(String bootstrapServers, String clientId, MeterRegistry meters) {
    this.bootstrapServers = bootstrapServers;
    this.clientId = clientId;
    this.meters = meters;
  }

  @Override
  public synchronized Producer<String, byte[]> get() {
    if (producer == null) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
      producer =
          KafkaClients.producer(p, new StringSerializer(), new ByteArraySerializer(), meters);
    }
    return producer;
  }

  /** Closes the producer if it was created. */
  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close();
    }
  }
}
