package io.dataplane.orchestrator.messaging;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.common.tracing.KafkaTracing;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.repository.Db;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.Properties;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every event the orchestrator publishes goes through here: written to the outbox in the caller's
 * transaction, relayed to Kafka by the common-lib relay as soon as the transaction commits.
 */
@ApplicationScoped
public class EventOutbox {

  public static final String SOURCE = "orchestrator-service";

  private final Db db;
  private final OrchestratorConfig config;
  private final String bootstrap;
  private final MeterRegistry meters;
  private volatile Producer<String, byte[]> producer;
  private Outbox outbox;

  public EventOutbox(
      Db db,
      OrchestratorConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      MeterRegistry meters) {
    this.db = db;
    this.config = config;
    this.bootstrap = bootstrap;
    this.meters = meters;
  }

  void start(@Observes @Priority(10) StartupEvent ev) {
    outbox =
        new Outbox(
            config.schema(), db.dataSource(), this::producer, config.outboxSweep().toMillis());
    outbox.start();
  }

  void stop(@Observes ShutdownEvent ev) {
    if (outbox != null) {
      outbox.close();
    }
    if (producer != null) {
      producer.close();
    }
  }

  /** The shared producer (acks=all, idempotent, no linger). */
  public synchronized Producer<String, byte[]> producer() {
    if (producer == null) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      p.put(ProducerConfig.CLIENT_ID_CONFIG, "orchestrator-outbox-" + config.instanceId());
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      producer = KafkaClients.producer(p, meters);
    }
    return producer;
  }

  /** Appends an event to the outbox in the transaction of {@code tx}. */
  public <T extends Event> EventEnvelope<T> append(Db.Tx tx, String topic, String key, T payload)
      throws SQLException {
    EventEnvelope<T> env = EventEnvelope.of(SOURCE, payload);
    outbox.append(tx.connection(), topic, key, env, KafkaTracing.traceparent(Context.current()));
    return env;
  }

  /** Deletes rows relayed more than {@code olderThanSeconds} ago. */
  public int purgeSent(long olderThanSeconds) throws SQLException {
    return outbox == null ? 0 : outbox.purgeSent(olderThanSeconds);
  }

  public long pending() {
    return outbox == null ? 0 : outbox.pending();
  }
}
