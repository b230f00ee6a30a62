package io.dataplane.secrets.messaging;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.SecretChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.common.outbox.OutboxProducer;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@link SecretChanged} events through the transactional outbox: written with the change, relayed
 * to {@link Topics#SECRET_EVENTS} (key: environment) after the commit. Names and versions only.
 */
@ApplicationScoped
public class SecretEventsOutbox {

  static final String SOURCE = "secrets-service";

  private final Outbox outbox;
  private final OutboxProducer producer;
  private final Duration retention;

  public SecretEventsOutbox(
      AgroalDataSource dataSource,
      SecretsConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      MeterRegistry meters) {
    this.producer = new OutboxProducer(bootstrap, SOURCE + "-outbox", meters);
    this.retention = config.outboxRetention();
    this.outbox = new Outbox(config.schema(), dataSource, producer, 5000);
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
    producer.close();
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
}
