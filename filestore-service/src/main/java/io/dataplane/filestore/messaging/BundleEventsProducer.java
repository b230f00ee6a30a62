package io.dataplane.filestore.messaging;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.events.BundlePublished;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.Topics;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.common.outbox.OutboxProducer;
import io.dataplane.filestore.config.FilestoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;

/** BundlePublished, written to the outbox with the bundle's row and relayed to Kafka. */
@ApplicationScoped
public class BundleEventsProducer {

  public static final String SOURCE = "filestore-service";

  private final Outbox outbox;
  private final OutboxProducer producer;
  private final String schema;

  public BundleEventsProducer(
      AgroalDataSource dataSource,
      FilestoreConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      MeterRegistry meters) {
    this.producer = new OutboxProducer(bootstrapServers, "filestore-outbox", meters);
    this.schema = config.schema();
    this.outbox = new Outbox(config.schema(), dataSource, producer, 5000);
  }

  void start(@Observes StartupEvent e) {
    outbox.start();
  }

  void stop(@Observes ShutdownEvent e) {
    outbox.close();
    producer.close();
  }

  /**
   * Appends the event inside the caller's transaction (the rows and NOTIFY of {@link
   * Outbox#append}); key: the bundle digest.
   */
  public Uni<Void> published(Mutiny.Session session, BundlePublished event, String traceparent) {
    EventEnvelope<BundlePublished> envelope = EventEnvelope.of(SOURCE, event);
    Outbox.Item item = Outbox.item(Topics.BUNDLE_EVENTS, event.digest(), envelope);
    return session
        .createNativeQuery(
            "insert into "
                + schema
                + ".outbox (event_id, topic, msg_key, payload, traceparent)"
                + " values (:id, :topic, :key, :payload, cast(:traceparent as text))")
        .setParameter("id", envelope.eventId())
        .setParameter("topic", item.topic())
        .setParameter("key", item.key())
        .setParameter("payload", item.payload())
        .setParameter("traceparent", traceparent)
        .executeUpdate()
        .chain(
            () ->
                session
                    .createNativeQuery("select 1 from pg_notify(:channel, '')")
                    .setParameter("channel", schema + "_outbox")
                    .getSingleResult())
        .replaceWithVoid();
  }
}
