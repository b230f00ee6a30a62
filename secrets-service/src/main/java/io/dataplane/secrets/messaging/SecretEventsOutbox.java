package io.dataplane.secrets.messaging;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.SecretChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.common.tracing.KafkaTracing;
import io.dataplane.secrets.config.SecretsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@link SecretChanged} events through the transactional outbox: written with the change, relayed
 * to {@link Topics#SECRET_EVENTS} (key: environment) after the commit. Names and versions only.
 */
@ApplicationScoped
public class SecretEventsOutbox {

  static final String SOURCE = "secrets-service";

  private final Outbox outbox;
  private final String bootstrap;
  private final MeterRegistry meters;
  private final Duration retention;
  private volatile Producer<String, byte[]> producer;

  public SecretEventsOutbox(
      AgroalDataSource dataSource,
      SecretsConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      MeterRegistry meters) {
    this.bootstrap = bootstrap;
    this.meters = meters;
    this.retention = config.outboxRetention();
    this.outbox = new Outbox(config.schema(), dataSource, this::producer, 5000);
  }

  void onStart(@Observes StartupEvent ev) {
    outbox.start();
  }

  /** Sent events are kept a while for inspection, then deleted. */
  @Scheduled(
      identity = "secrets-outbox-purge",
      every = "1h",
      delayed = "1m",
      concurrentExecution = ConcurrentExecution.SKIP)
  void purge() {
    try {
      int n = outbox.purgeSent(retention.toSeconds());
      if (n > 0) {
        Log.infof("outbox: %d sent events older than %s purged", n, retention);
      }
    } catch (SQLException e) {
      Log.warnf("outbox purge failed: %s", e.getMessage());
    }
  }

  void onStop(@Observes ShutdownEvent ev) {
    outbox.close();
    if (producer != null) {
      producer.close();
    }
  }

  /** Appends one event in the caller's transaction. */
  public void changed(Connection c, String environment, List<SecretChanged.Change> changes)
      throws SQLException {
    outbox.append(
        c,
        Topics.SECRET_EVENTS,
        environment,
        EventEnvelope.of(SOURCE, new SecretChanged(environment, changes)),
        KafkaTracing.traceparent(Context.current()));
  }

  public long pending() {
    return outbox.pending();
  }

  private Producer<String, byte[]> producer() {
    Producer<String, byte[]> p = producer;
    if (p == null) {
      synchronized (this) {
        if (producer == null) {
          Properties props = new Properties();
          props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
          props.put(ProducerConfig.ACKS_CONFIG, "all");
          props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
          props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
          props.put(ProducerConfig.CLIENT_ID_CONFIG, SOURCE + "-outbox");
          props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
          props.put(
              ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
          producer = KafkaClients.producer(props, meters);
        }
        p = producer;
      }
    }
    return p;
  }
}
