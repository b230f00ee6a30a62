package io.dataplane.worker.messaging;

import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.Topics;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.worker.config.WorkerConfig;
import io.dataplane.worker.service.AttemptService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads {@code dataplane.task-control} from its end, without a consumer group (every worker sees
 * every record), and acts on the CancelAttempts addressed to this worker.
 */
@ApplicationScoped
public class ControlConsumer {

  private final WorkerConfig config;
  private final AttemptService attempts;
  private final String bootstrap;
  private final MeterRegistry meters;
  private final EventCodec codec = new EventCodec();
  private volatile boolean running;
  private volatile boolean ready;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private Thread thread;

  public ControlConsumer(
      WorkerConfig config,
      AttemptService attempts,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      MeterRegistry meters) {
    this.config = config;
    this.attempts = attempts;
    this.bootstrap = bootstrap;
    this.meters = meters;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "dp-control-consumer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether it is positioned and listening. */
  public boolean ready() {
    return ready;
  }

  public void stop() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void loop() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "worker-control-" + config.instanceId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    while (running) {
      // a new consumer (and new meters) after a failure; closing the old one removed its meters
      try (KafkaConsumer<String, byte[]> c =
          KafkaClients.consumer(p, new StringDeserializer(), new ByteArrayDeserializer(), meters)) {
        consumer = c;
        List<PartitionInfo> infos = c.partitionsFor(Topics.TASK_CONTROL, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
          sleep(1000);
          continue;
        }
        List<TopicPartition> parts =
            infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(parts);
        c.seekToEnd(parts);
        for (TopicPartition tp : parts) {
          c.position(tp); // resolve the end now, so nothing sent after "ready" is missed
        }
        ready = true;
        while (running) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
            handle(r);
          }
        }
      } catch (WakeupException e) {
        // stopping
      } catch (RuntimeException e) {
        if (running) {
          Log.warnf("control consumer failed, reconnecting: %s", e.toString());
          ready = false;
          sleep(1000);
        }
      } finally {
        consumer = null;
      }
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
    EventEnvelope<?> envelope;
    try {
      envelope = codec.decode(r.value());
    } catch (EventCodec.UnreadableEventException e) {
      return;
    }
    if (envelope.payload() instanceof CancelAttempt c && config.instanceId().equals(c.workerId())) {
      Log.infof("cancel of attempt %s/%d: %s", c.taskRunId(), c.attempt(), c.reason());
      attempts.cancel(c);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
