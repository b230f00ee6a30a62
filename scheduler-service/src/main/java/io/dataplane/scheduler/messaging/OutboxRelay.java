package io.dataplane.scheduler.messaging;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.messaging.DeadLetters;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The service's transactional outbox and the Kafka producer its relay sends with. */
@ApplicationScoped
public class OutboxRelay {

  private final Outbox outbox;
  private final String bootstrap;
  private final MeterRegistry meters;
  private volatile Producer<String, byte[]> producer;

  public OutboxRelay(
      AgroalDataSource dataSource,
      SchedulerConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      MeterRegistry meters) {
    this.bootstrap = bootstrap;
    this.meters = meters;
    this.outbox =
        new Outbox(
            config.schema(),
            dataSource,
            this::producer,
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
    Producer<String, byte[]> p = producer;
    if (p != null) {
      p.close();
    }
  }

  public Outbox outbox() {
    return outbox;
  }

  /** The shared producer (also sends the consumer's dead letters). */
  synchronized Producer<String, byte[]> producer() {
    if (producer == null) {
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      props.put(ProducerConfig.CLIENT_ID_CONFIG, "scheduler-outbox");
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      producer = KafkaClients.producer(props, meters);
    }
    return producer;
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
