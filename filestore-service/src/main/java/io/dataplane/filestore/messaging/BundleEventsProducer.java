package io.dataplane.filestore.messaging;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.events.BundlePublished;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.Topics;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.filestore.config.FilestoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** BundlePublished, written to the outbox with the bundle's row and relayed to Kafka. */
@ApplicationScoped
public class BundleEventsProducer {

  public static final String SOURCE = "filestore-service";

  private final Outbox outbox;
  private final String bootstrapServers;
  private final MeterRegistry meters;
  private volatile Producer<String, byte[]> producer;

  public BundleEventsProducer(
      AgroalDataSource dataSource,
      FilestoreConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      MeterRegistry meters) {
    this.bootstrapServers = bootstrapServers;
    this.meters = meters;
    this.outbox = new Outbox(config.schema(), dataSource, this::producer, 5000);
  }

  void start(@Observes StartupEvent e) {
    outbox.start();
  }

  void stop(@Observes ShutdownEvent e) {
    outbox.close();
    if (producer != null) {
      producer.close();
    }
  }

  private synchronized Producer<String, byte[]> producer() {
    if (producer == null) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      p.put(ProducerConfig.CLIENT_ID_CONFIG, "filestore-outbox");
      producer =
          KafkaClients.producer(p, new StringSerializer(), new ByteArraySerializer(), meters);
    }
    return producer;
  }

  /** Appends the event inside the caller's transaction; key: the bundle digest. */
  public void published(Connection c, BundlePublished event, String traceparent)
      throws SQLException {
    outbox.append(
        c, Topics.BUNDLE_EVENTS, event.digest(), EventEnvelope.of(SOURCE, event), traceparent);
  }
}
