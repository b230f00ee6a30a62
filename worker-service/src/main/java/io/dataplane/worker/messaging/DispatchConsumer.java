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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
 * (otherwise the partitions are paused, so idle workers of the group get the work). One consumer
 * per group, in the consumer group {@code dataplane-workers.<group>} shared by that group's
 * workers. A slot is reserved, then the attempt is claimed at the orchestrator; the record's offset
 * is committed only once the attempt is claimed and held, so a crash before that point redelivers
 * the dispatch.
 */
@ApplicationScoped
public class DispatchConsumer {

  /** Prefix of the consumer group of each worker group. */
  public static final String GROUP_ID_PREFIX = "dataplane-workers.";

  private final WorkerConfig config;
  private final AttemptService attempts;
  private final OrchestratorClient orchestrator;
  private final MeterRegistry registry;
  private final String bootstrap;
  private final EventCodec codec = new EventCodec();
  private final List<GroupConsumer> consumers = new ArrayList<>();
  private volatile boolean running;

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
    for (String group : config.groups()) {
      GroupConsumer gc = new GroupConsumer(group);
      consumers.add(gc);
      gc.thread.start();
    }
  }

  /** Stops taking work; returns once every consumer is closed. */
  public synchronized void stop() {
    running = false;
    for (GroupConsumer gc : consumers) {
      KafkaConsumer<String, byte[]> c = gc.consumer;
      if (c != null) {
        c.wakeup();
      }
    }
    for (GroupConsumer gc : consumers) {
      try {
        gc.thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    consumers.clear();
  }

  private final class GroupConsumer {
    final String group;
    final Thread thread;
    volatile KafkaConsumer<String, byte[]> consumer;

    GroupConsumer(String group) {
      this.group = group;
      this.thread = new Thread(this::loop, "dp-dispatch-" + group);
      this.thread.setDaemon(true);
    }

    private void loop() {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID_PREFIX + group);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, "worker-" + config.instanceId() + "-" + group);
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
      String topic = Topics.taskDispatch(group);
      while (running) {
        try (KafkaConsumer<String, byte[]> c =
            new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
          consumer = c;
          c.subscribe(List.of(topic));
          Log.infof("consuming %s", topic);
          while (running) {
            if (attempts.freeSlots() > 0 && !attempts.draining()) {
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
            Log.warnf("dispatch consumer of %s failed, reconnecting: %s", group, e.toString());
            sleep(1000);
          }
        } finally {
          consumer = null;
        }
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
    if (attempts.isRunning(d.taskRunId(), d.attempt())) {
      commit(c, tp, record.offset()); // a redelivery of what this worker holds already
      return true;
    }
    int slot = attempts.reserveSlot();
    if (slot < 0) {
      return false;
    }
    boolean claimed;
    try {
      claimed = orchestrator.claim(d.taskRunId(), d.attempt(), config.instanceId());
    } catch (IOException e) {
      attempts.releaseSlot(slot);
      Log.warnf(
          "cannot claim %s/%d yet (%s); retrying", d.taskRunId(), d.attempt(), e.getMessage());
      sleep(500);
      return false;
    }
    if (!claimed) {
      attempts.releaseSlot(slot);
      Log.infof("attempt %s/%d refused by the orchestrator: skipped", d.taskRunId(), d.attempt());
      registry.counter("dataplane.worker.attempts.skipped").increment();
      commit(c, tp, record.offset());
      return true;
    }
    Context parent = KafkaTracing.extract(record.headers());
    attempts.accept(d, parent, slot);
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
