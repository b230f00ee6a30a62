package io.dataplane.scheduler.messaging;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.messaging.DeadLetters;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.common.outbox.OutboxProducer;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The service's transactional outbox and the Kafka producer its relay sends with. */
@ApplicationScoped
public class OutboxRelay {

  private final Outbox outbox;
  private final OutboxProducer producer;

  public OutboxRelay(
      AgroalDataSource dataSource,
      SchedulerConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      MeterRegistry meters) {
    this.producer = new OutboxProducer(bootstrap, "scheduler-outbox", meters);
    this.outbox =
        new Outbox(
            config.schema(),
            dataSource,
            producer,
            config.outboxSweep().toMillis(),
            // a row Kafka refuses for good is moved aside and counted (alert
            // DataplaneOutboxRowsFailed)
            (topic, key, payload, reason) ->
                meters.counter("dataplane.outbox.failed", "topic", topic).increment());
  }

  void onStart(@Observes StartupEvent ev) {
    outbox.start();
  }

  void onStop(@Observes ShutdownEvent ev) {
    outbox.close();
    producer.close();
  }

  public Outbox outbox() {
    return outbox;
  }

  /** The shared producer (also sends the consumer's dead letters). */
  Producer<String, byte[]> producer() {
    return producer.get();
  }

  /**
   * Sends a consumed record that can never be processed to the dead letters (without its value when
   * Kafka finds it too large); throws when it cannot.
   */
  void deadLetter(ConsumerRecord<String, byte[]> r, String reason, String detail) throws Exception {
    ProducerRecord<String, byte[]> dead =
        DeadLetters.record(r, "scheduler-service", reason, detail);
    try {
      producer().send(dead).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof RecordTooLargeException)) {
        throw e;
      }
      producer().send(DeadLetters.withoutValue(dead)).get(10, TimeUnit.SECONDS);
    }
  }
}
