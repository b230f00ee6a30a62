package io.dataplane.orchestrator.messaging;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.RunRequested;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.common.messaging.DeadLetters;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.engine.LostResultRule;
import io.dataplane.orchestrator.service.LogService;
import io.dataplane.orchestrator.service.RunEngine;
import io.dataplane.orchestrator.service.WorkerService;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The orchestrator's Kafka consumers, one thread per topic: run requests, task events, worker
 * heartbeats and task logs. Offsets are committed after processing (at least once); handlers are
 * idempotent by eventId or by state guards. A record that fails for a transient reason (database
 * down) is retried; one that can never be processed (unreadable, or its data refused by the
 * database) goes to {@code dataplane.dead-letters} with the reason and source, is counted in {@code
 * dataplane_dead_letters_total}, and the consumer moves on. A record refused by a business rule
 * (unknown pipeline, invalid params) is logged and skipped.
 */
@ApplicationScoped
public class EventConsumers {

  private final OrchestratorConfig config;
  private final String bootstrap;
  private final RunEngine engine;
  private final WorkerService workers;
  private final LogService logs;
  private final MeterRegistry meters;
  private final EventOutbox outbox;
  private final EventCodec codec = new EventCodec();
  private final List<Loop> loops = new ArrayList<>();

  public EventConsumers(
      OrchestratorConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      RunEngine engine,
      WorkerService workers,
      LogService logs,
      MeterRegistry meters,
      EventOutbox outbox) {
    this.outbox = outbox;
    this.config = config;
    this.bootstrap = bootstrap;
    this.engine = engine;
    this.workers = workers;
    this.logs = logs;
    this.meters = meters;
  }

  void start(@Observes @Priority(100) StartupEvent ev) {
    loops.add(new Loop("run-requests", Topics.RUN_REQUESTS, this::onRunRequest));
    Loop taskEvents =
        new Loop("task-events", Topics.TASK_EVENTS, env -> engine.onTaskEvents(List.of(env)));
    taskEvents.onCaughtUp = workers::taskEventsCaughtUp;
    taskEvents.batchHandler = engine::onTaskEvents;
    loops.add(taskEvents);
    loops.add(
        new Loop(
            "heartbeats",
            Topics.WORKER_HEARTBEATS,
            this::onHeartbeat,
            workers::heartbeatsFlowing,
            workers::heartbeatsReadable));
    loops.add(new Loop("task-logs", Topics.TASK_LOGS, this::onLog));
    // every series exists from the start, so that the alert sees the first dead letter increase it
    for (Loop l : loops) {
      for (String reason :
          List.of(
              DeadLetters.UNREADABLE,
              DeadLetters.REFUSED_BY_DATABASE,
              DeadLetters.PROCESSING_FAILED)) {
        meters.counter("dataplane.dead.letters", "topic", l.topic, "reason", reason);
      }
    }
    loops.forEach(Loop::start);
    // reading from "latest", a consumer must hold its partitions before anyone relies on it
    for (Loop l : loops) {
      try {
        if (!l.assigned.await(30, TimeUnit.SECONDS)) {
          Log.warnf("consumer %s has no partitions yet", l.name);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  void stop(@Observes ShutdownEvent ev) {
    loops.forEach(Loop::stop);
  }

  private void onRunRequest(EventEnvelope<? extends Event> env) {
    if (env.payload() instanceof RunRequested r) {
      try {
        RunEngine.Started s =
            engine.start(
                new RunEngine.StartRequest(
                    r.environment(),
                    r.pipeline(),
                    r.releaseId(),
                    r.params(),
                    r.requestId(),
                    r.trigger() == null ? "EVENT" : r.trigger(),
                    r.requestedBy()));
        Log.debugf("run request %s → run %s", r.requestId(), s.run().id());
      } catch (DataplaneException e) {
        Log.warnf(
            "run request %s for %s/%s refused: %s",
            r.requestId(), r.environment(), r.pipeline(), e.getMessage());
      }
    }
  }

  private void onHeartbeat(EventEnvelope<? extends Event> env) {
    if (env.payload() instanceof WorkerHeartbeat hb) {
      workers.onHeartbeat(env.occurredAt(), hb);
    }
  }

  private void onLog(EventEnvelope<? extends Event> env) {
    if (env.payload() instanceof LogChunk c) {
      logs.store(c);
    }
  }

  private final class Loop implements Runnable {
    final String name;
    final String topic;
    final Consumer<EventEnvelope<? extends Event>> handler;
    final CountDownLatch assigned = new CountDownLatch(1);
    volatile boolean running = true;
    KafkaConsumer<String, byte[]> consumer;
    Thread thread;

    final Runnable onAssigned;

    /**
     * Called after a poll when every assigned partition was read to its end, with an instant before
     * which every record then in the partitions was processed.
     */
    java.util.function.Consumer<java.time.Instant> onCaughtUp = NOT_WATCHED;

    /**
     * Applies several records' events at once (one transaction), or throws having applied none;
     * null: every record is handled on its own.
     */
    Consumer<List<EventEnvelope<? extends Event>>> batchHandler;

    /** Called after every poll that completed a fetch from the broker (it answers). */
    final Runnable onFetched;

    private DistributionSummary batchSizes;
    private Metric fetchTotal;
    private double fetches;

    Loop(String name, String topic, Consumer<EventEnvelope<? extends Event>> handler) {
      this(name, topic, handler, () -> {}, () -> {});
    }

    Loop(
        String name,
        String topic,
        Consumer<EventEnvelope<? extends Event>> handler,
        Runnable onAssigned,
        Runnable onFetched) {
      this.name = name;
      this.topic = topic;
      this.handler = handler;
      this.onAssigned = onAssigned;
      this.onFetched = onFetched;
    }

    /**
     * Tells {@link #onFetched} when the consumer's count of completed fetches grew: a fetch
     * completes about twice a second while the broker answers, records or not.
     */
    private void noteFetches() {
      if (fetchTotal == null) {
        for (Map.Entry<MetricName, ? extends Metric> m : consumer.metrics().entrySet()) {
          MetricName n = m.getKey();
          if (n.name().equals("fetch-total")
              && n.group().equals("consumer-fetch-manager-metrics")
              && !n.tags().containsKey("topic")) {
            fetchTotal = m.getValue();
          }
        }
        if (fetchTotal == null) {
          return;
        }
      }
      if (fetchTotal.metricValue() instanceof Number n && n.doubleValue() > fetches) {
        fetches = n.doubleValue();
        onFetched.run();
      }
    }

    void start() {
      batchSizes =
          DistributionSummary.builder("dataplane.consumer.batch.size")
              .description("Records applied in one transaction by a consumer (group commit)")
              .tag("consumer", name)
              .register(meters);
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup() + "." + name);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, "orchestrator-" + name + "-" + config.instanceId());
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.consumerOffsetReset());
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      consumer = KafkaClients.consumer(p, meters);
      thread = new Thread(this, "orchestrator-consumer-" + name);
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      running = false;
      if (consumer != null) {
        consumer.wakeup();
      }
      if (thread != null) {
        try {
          thread.join(5000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void run() {
      try {
        consumer.subscribe(
            List.of(topic),
            new ConsumerRebalanceListener() {
              @Override
              public void onPartitionsRevoked(Collection<TopicPartition> parts) {}

              @Override
              public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                for (TopicPartition tp : parts) {
                  consumer.position(tp); // fixes the starting offset now
                }
                commitStart(parts);
                if (assigned.getCount() > 0) {
                  try {
                    onAssigned.run();
                  } catch (RuntimeException e) {
                    Log.warnf(e, "consumer %s: start-up action failed", name);
                  }
                }
                assigned.countDown();
              }
            });
        while (running) {
          try {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
            noteFetches();
            for (TopicPartition tp : records.partitions()) {
              List<ConsumerRecord<String, byte[]>> recs = records.records(tp);
              for (int from = 0; from < recs.size(); from += BATCH) {
                List<ConsumerRecord<String, byte[]>> chunk =
                    recs.subList(from, Math.min(from + BATCH, recs.size()));
                if (!handleAll(tp, chunk)) {
                  break; // a record is retried: the rest of the partition comes again after it
                }
              }
            }
            if (!records.isEmpty()) {
              consumer.commitSync();
            }
            if (onCaughtUp != NOT_WATCHED) {
              java.time.Instant readTo = readToEnd();
              if (readTo != null) {
                onCaughtUp.accept(readTo);
              }
            }
          } catch (WakeupException e) {
            throw e;
          } catch (RuntimeException e) {
            // the broker is away (a commit timed out) or the group moved on: keep consuming; what
            // was not committed comes again and is handled idempotently
            Log.warnf("consumer %s: %s; going on", name, e.toString());
            sleep(1000);
          }
        }
      } catch (WakeupException e) {
        // shutting down
      } finally {
        try {
          consumer.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
          // closing anyway
        }
      }
    }

    /**
     * An instant before which every record of the assigned partitions has been processed, or null
     * when they are not read to their end. The lag the consumer knows is measured against ends from
     * its last fetch, which can be seconds old after a long batch: it only says when to ask the
     * broker for the ends, which are then compared with the positions (LostResultRule).
     */
    private java.time.Instant readToEnd() {
      Set<TopicPartition> parts = consumer.assignment();
      if (parts.isEmpty()) {
        return null;
      }
      for (TopicPartition tp : parts) {
        java.util.OptionalLong lag = consumer.currentLag(tp);
        if (lag.isEmpty() || lag.getAsLong() > 0) {
          return null;
        }
      }
      // a second of slack for the difference between this clock and the database's
      java.time.Instant asked = java.time.Instant.now().minusSeconds(1);
      Map<TopicPartition, Long> ends;
      try {
        ends = consumer.endOffsets(parts, Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        return null; // the broker does not answer: not known to be read
      }
      Map<TopicPartition, Long> positions = new HashMap<>();
      for (TopicPartition tp : parts) {
        positions.put(tp, consumer.position(tp));
      }
      return LostResultRule.readToEnd(positions, ends) ? asked : null;
    }

    /**
     * Commits where the group starts on partitions it has no offset for yet, so that a restart
     * resumes there even with {@code latest}: otherwise what was published while the orchestrator
     * was down would be skipped on partitions that had seen nothing before.
     */
    private void commitStart(Collection<TopicPartition> parts) {
      try {
        KafkaClients.commitStartOffsets(consumer, parts);
      } catch (RuntimeException e) {
        Log.warnf("consumer %s: could not commit its start offsets: %s", name, e.toString());
      }
    }

    /**
     * Handles a chunk of one partition's records: in one transaction when there is a batch handler
     * and every record is readable, else (or when the batch failed, having applied nothing) one by
     * one, where each failure is retried or dead-lettered on its own. False when a record must be
     * tried again: the consumer was moved back to it.
     */
    private boolean handleAll(TopicPartition tp, List<ConsumerRecord<String, byte[]>> chunk) {
      if (batchHandler != null && chunk.size() > 1) {
        List<EventEnvelope<? extends Event>> envs = new ArrayList<>(chunk.size());
        try {
          for (ConsumerRecord<String, byte[]> rec : chunk) {
            envs.add(codec.decode(rec.value()));
          }
          batchHandler.accept(envs);
          batchSizes.record(chunk.size());
          return true;
        } catch (RuntimeException e) {
          Log.debugf(
              "consumer %s: batch of %d not applied (%s); one by one", name, chunk.size(), e);
        }
      }
      for (ConsumerRecord<String, byte[]> rec : chunk) {
        if (!handle(rec)) {
          // transient failure: go back to this record and try again shortly
          consumer.seek(tp, rec.offset());
          sleep(1000);
          return false;
        }
        batchSizes.record(1); // applied in a transaction of its own
      }
      return true;
    }

    private boolean handle(ConsumerRecord<String, byte[]> rec) {
      EventEnvelope<? extends Event> env;
      try {
        env = codec.decode(rec.value());
      } catch (RuntimeException e) {
        // not an event this version reads (garbage, a tombstone, an unknown type): never will be
        return deadLetter(rec, DeadLetters.UNREADABLE, e.getMessage());
      }
      try {
        handler.accept(env);
        return true;
      } catch (DataplaneException e) {
        Log.warnf("event %s %s refused: %s", env.type(), env.eventId(), e.getMessage());
        return true;
      } catch (RuntimeException e) {
        if (!running) {
          return false; // shutting down: not committed, handled again after the restart
        }
        if (DeadLetters.isTransient(e)) {
          Log.warnf(e, "event %s %s failed; retrying", env.type(), env.eventId());
          return false;
        }
        Log.errorf(e, "event %s %s can never be processed", env.type(), env.eventId());
        return deadLetter(rec, DeadLetters.reasonOf(e), DeadLetters.describe(e));
      }
    }

    /** Sends a record to the dead letters; false (retry it) when that could not be done. */
    private boolean deadLetter(ConsumerRecord<String, byte[]> rec, String reason, String detail) {
      try {
        ProducerRecord<String, byte[]> dead =
            DeadLetters.record(
                rec,
                EventOutbox.SOURCE + "/" + config.consumerGroup() + "." + name,
                reason,
                detail);
        try {
          outbox.producer().send(dead).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof RecordTooLargeException)) {
            throw e;
          }
          outbox.producer().send(DeadLetters.withoutValue(dead)).get(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (Exception e) {
        Log.warnf(
            "consumer %s: could not send record %s-%d@%d to %s (%s); retrying it",
            name, rec.topic(), rec.partition(), rec.offset(), Topics.DEAD_LETTERS, e.toString());
        return false;
      }
      meters.counter("dataplane.dead.letters", "topic", rec.topic(), "reason", reason).increment();
      Log.errorf(
          "consumer %s: record %s-%d@%d can never be processed (%s: %s); sent to %s, moving on",
          name, rec.topic(), rec.partition(), rec.offset(), reason, detail, Topics.DEAD_LETTERS);
      return true;
    }
  }

  private static final java.util.function.Consumer<java.time.Instant> NOT_WATCHED = at -> {};

  /**
   * Most records applied in one transaction: a batch holds its runs' locks until it commits, and
   * the events it causes (the next dispatches) are sent then.
   */
  static final int BATCH = 64;

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
