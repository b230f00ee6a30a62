package io.dataplane.orchestrator.messaging;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.common.tracing.KafkaTracing;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.repository.Db;
import io.dataplane.orchestrator.service.RunEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every event the orchestrator publishes goes through here: written to the outbox in the caller's
 * transaction and sent to Kafka by the committing thread right after the commit; the common-lib
 * relay marks the rows sent and sweeps what a crash left unsent. A row Kafka refuses for good is
 * moved aside by the relay and counted in {@code dataplane_outbox_failed_total}; when it was a
 * dispatch, its task fails with INPUTS_TOO_LARGE.
 */
@ApplicationScoped
public class EventOutbox {

  public static final String SOURCE = "orchestrator-service";

  private final Db db;
  private final OrchestratorConfig config;
  private final String bootstrap;
  private final MeterRegistry meters;
  private final Instance<RunEngine> engine;
  private final EventCodec codec = new EventCodec();
  private volatile Producer<String, byte[]> producer;
  private Outbox outbox;

  public EventOutbox(
      Db db,
      OrchestratorConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      MeterRegistry meters,
      Instance<RunEngine> engine) {
    this.engine = engine;
    this.db = db;
    this.config = config;
    this.bootstrap = bootstrap;
    this.meters = meters;
  }

  void start(@Observes @Priority(10) StartupEvent ev) {
    meters.counter("dataplane.outbox.failed", "topic", Topics.TASK_DISPATCH_PREFIX + "*");
    meters.counter("dataplane.outbox.failed", "topic", Topics.RUN_EVENTS);
    outbox =
        new Outbox(
            config.schema(),
            db.dataSource(),
            this::producer,
            config.outboxSweep().toMillis(),
            this::failed);
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

  /** A row Kafka refused for good was moved aside: count it, and fail the task it dispatched. */
  private void failed(String topic, String key, byte[] payload, String reason) {
    meters
        .counter(
            "dataplane.outbox.failed",
            "topic",
            topic.startsWith(Topics.TASK_DISPATCH_PREFIX)
                ? Topics.TASK_DISPATCH_PREFIX + "*"
                : topic)
        .increment();
    try {
      if (codec.decode(payload).payload() instanceof TaskDispatched d) {
        engine
            .get()
            .failUndeliverable(
                d.taskRunId(), d.attempt(), "its dispatch could not be sent (" + reason + ")");
      }
    } catch (RuntimeException e) {
      Log.warnf("outbox row to %s moved aside; its task could not be failed: %s", topic, e);
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
      // committing threads send directly: a broker that is down must not hold them for a minute
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
      p.put(ProducerConfig.CLIENT_ID_CONFIG, "orchestrator-outbox-" + config.instanceId());
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      producer = KafkaClients.producer(p, meters);
    }
    return producer;
  }

  /**
   * Appends an event to the outbox in the transaction of {@code tx}; the committing thread sends
   * the transaction's events to Kafka right after the commit (no relay wake-up on the hot path),
   * and the relay's sweep sends any that a crash or a refused send left behind.
   */
  public <T extends Event> EventEnvelope<T> append(Db.Tx tx, String topic, String key, T payload)
      throws SQLException {
    EventEnvelope<T> env = EventEnvelope.of(SOURCE, payload);
    Outbox.Written row =
        outbox.write(tx.connection(), topic, key, env, KafkaTracing.traceparent(Context.current()));
    List<Outbox.Written> rows =
        tx.attribute(
            this,
            () -> {
              List<Outbox.Written> l = new ArrayList<>();
              tx.afterCommit(() -> outbox.publish(l));
              return l;
            });
    rows.add(row);
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
