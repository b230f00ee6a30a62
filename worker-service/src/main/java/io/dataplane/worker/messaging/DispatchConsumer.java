package io.dataplane.worker.messaging;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.common.tracing.KafkaTracing;
import io.dataplane.worker.client.OrchestratorClient;
import io.dataplane.worker.config.WorkerConfig;
import io.dataplane.worker.service.AttemptService;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Takes TaskDispatched records of the worker's groups, one at a time and only while a slot is free
 * (otherwise the partitions are paused, so idle workers of the group get the work). Each attempt is
 * claimed at the orchestrator before it starts; the record's offset is committed only once the
 * attempt is claimed and held, so a crash before that point redelivers the dispatch.
 */
@ApplicationScoped
public class DispatchConsumer {

  /** Consumer group shared by all workers. */
  public static final String GROUP_ID = "dataplane-workers";

  private final WorkerConfig config;
  private final AttemptService attempts;
  private final OrchestratorClient orchestrator;
  private final MeterRegistry registry;
  private final String bootstrap;
  private final EventCodec codec = new EventCodec();
  private volatile boolean running;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private Thread thread;

  public DispatchConsumer(
      WorkerConfig config,
      AttemptService attempts,
      OrchestratorClient orchestrator,
      MeterRegistry registry,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.config = config;
    this.attempts = attempts;
    this.orchestrator = orchestrator;
    this.registry = registry;
    this.bootstrap = bootstrap;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "dp-dispatch-consumer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops taking work; returns once the consumer is closed. */
  public void stop() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void loop() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "worker-" + config.instanceId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    List<String> topics = config.groups().stream().map(Topics::taskDispatch).toList();
    while (running) {
      try (KafkaConsumer<String, byte[]> c =
          new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer = c;
        c.subscribe(
            topics,
            new ConsumerRebalanceListener() {
              @Override
              public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

              @Override
              public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                Log.debugf("dispatch partitions assigned: %s", partitions);
              }
            });
        Log.infof("consuming %s", topics);
        while (running) {
          boolean canTake = attempts.freeSlots() > 0 && !attempts.draining();
          if (canTake) {
            if (!c.paused().isEmpty()) {
              c.resume(c.paused());
            }
          } else {
            c.pause(c.assignment());
          }
          for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(100))) {
            if (!running || !handle(c, record)) {
              // not taken: read it again on the next poll
              c.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
              break;
            }
          }
        }
      } catch (WakeupException e) {
        // stopping
      } catch (RuntimeException e) {
        if (running) {
          Log.warnf("dispatch consumer failed, reconnecting: %s", e.toString());
          sleep(1000);
        }
      } finally {
        consumer = null;
      }
    }
  }

  /** Returns false when the record must be read again (no slot, orchestrator unreachable). */
  private boolean handle(KafkaConsumer<String, byte[]> c, ConsumerRecord<String, byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    EventEnvelope<?> envelope;
    try {
      envelope = codec.decode(record.value());
    } catch (EventCodec.UnreadableEventException e) {
      Log.warnf("skipping unreadable record %s@%d: %s", tp, record.offset(), e.getMessage());
      commit(c, tp, record.offset());
      return true;
    }
    if (!(envelope.payload() instanceof TaskDispatched d)) {
      commit(c, tp, record.offset());
      return true;
    }
    if (attempts.freeSlots() == 0 || attempts.draining()) {
      return false;
    }
    if (attempts.isRunning(d.taskRunId(), d.attempt())) {
      commit(c, tp, record.offset()); // a redelivery of what this worker holds already
      return true;
    }
    boolean claimed;
    try {
      claimed = orchestrator.claim(d.taskRunId(), d.attempt(), config.instanceId());
    } catch (IOException e) {
      Log.warnf(
          "cannot claim %s/%d yet (%s); retrying", d.taskRunId(), d.attempt(), e.getMessage());
      sleep(500);
      return false;
    }
    if (!claimed) {
      Log.infof("attempt %s/%d refused by the orchestrator: skipped", d.taskRunId(), d.attempt());
      registry.counter("dataplane.worker.attempts.skipped").increment();
      commit(c, tp, record.offset());
      return true;
    }
    Context parent = KafkaTracing.extract(record.headers());
    if (!attempts.accept(d, parent)) {
      Log.warnf("attempt %s/%d claimed but not taken", d.taskRunId(), d.attempt());
    }
    commit(c, tp, record.offset());
    return true;
  }

  private static void commit(KafkaConsumer<String, byte[]> c, TopicPartition tp, long offset) {
    c.commitSync(Map.of(tp, new OffsetAndMetadata(offset + 1)));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
