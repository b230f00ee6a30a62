package io.dataplane.worker.messaging;

import io.dataplane.common.events.DispatchTopics;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.WorkerGroupRef;
import io.dataplane.common.messaging.KafkaClients;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Takes TaskDispatched records of the worker's groups through Kafka share groups (KIP-932): every
 * worker of a group reads every partition, and the broker hands each record to one of them. Each
 * consumer asks for one record at a time and only while a slot is free, so whichever worker is idle
 * takes the next attempt, whatever run it belongs to; a worker runs {@code dispatch-consumers} of
 * them per group (1 by default). One share consumer per worker group of an environment ({@code
 * environment/group}), reading {@code dataplane.task-dispatch.<environment>.<group>} in the share
 * group {@code dataplane-workers.<environment>.<group>}: a worker never sees another environment's
 * dispatches, and one that does arrive on the wrong topic is rejected, not run.
 *
 * <p>Acknowledgement is explicit: a record is accepted once its attempt is claimed at the
 * orchestrator and started here, or once the claim is refused (someone else holds it); it is
 * released when it cannot be taken now. A crash before the acknowledgement leaves the record
 * acquired until the broker's lock runs out, then another worker receives it.
 */
@ApplicationScoped
public class DispatchConsumer {

  /** Prefix of the share group of each worker group: {@code <prefix><environment>.<group>}. */
  public static final String GROUP_ID_PREFIX = "dataplane-workers.";

  /** The share group of an environment's worker group. */
  public static String shareGroup(WorkerGroupRef group) {
    return GROUP_ID_PREFIX + group.environment() + "." + group.group();
  }

  /**
   * Share-group settings the worker applies before it subscribes: a new share group starts at the
   * earliest record, so that dispatches sent before the group's first worker started are not
   * skipped (the broker's default is latest).
   */
  static final Map<String, String> SHARE_GROUP_CONFIG =
      Map.of("share.auto.offset.reset", "earliest");

  private static final Duration POLL = Duration.ofMillis(100);
  private static final int MAX_UNANSWERED_CLAIMS = 10_000;

  private final WorkerConfig config;
  private final AttemptService attempts;
  private final OrchestratorClient orchestrator;
  private final Map<String, UUID> unansweredClaims = new ConcurrentHashMap<>();
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
    int perGroup = Math.max(1, config.dispatchConsumers());
    for (WorkerGroupRef group : config.groups().stream().distinct().toList()) {
      for (int i = 0; i < perGroup; i++) {
        GroupConsumer gc = new GroupConsumer(group, i);
        consumers.add(gc);
        gc.thread.start();
      }
    }
  }

  /** True once every group's share consumer has subscribed. */
  public synchronized boolean ready() {
    return running && consumers.stream().allMatch(gc -> gc.subscribed);
  }

  /** Stops taking work; returns once every consumer is closed. */
  public synchronized void stop() {
    running = false;
    for (GroupConsumer gc : consumers) {
      KafkaShareConsumer<String, byte[]> c = gc.consumer;
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
    final WorkerGroupRef group;
    final int index;
    final Thread thread;
    volatile KafkaShareConsumer<String, byte[]> consumer;
    volatile boolean subscribed;

    GroupConsumer(WorkerGroupRef group, int index) {
      this.group = group;
      this.index = index;
      this.thread = new Thread(this::loop, "dp-dispatch-" + group + "-" + index);
      this.thread.setDaemon(true);
    }

    private void loop() {
      String shareGroup = shareGroup(group);
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, shareGroup);
      p.put(
          ConsumerConfig.CLIENT_ID_CONFIG,
          "worker-"
              + config.instanceId()
              + "-"
              + group.environment()
              + "."
              + group.group()
              + "-"
              + index);
      p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
      // exactly one record per poll (KIP-1206): a worker never holds dispatches it has no slot for
      p.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
      String topic = group.dispatchTopic();
      while (running) {
        try {
          prepare(group, shareGroup);
          try (KafkaShareConsumer<String, byte[]> c =
              new KafkaShareConsumer<>(
                  KafkaClients.secured(p), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(List.of(topic));
            subscribed = true;
            Log.infof("consuming %s in share group %s", topic, shareGroup);
            while (running) {
              if (!attempts.awaitFreeSlot(POLL)) {
                continue;
              }
              for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                c.acknowledge(record, handle(group, record));
                c.commitAsync();
              }
            }
          }
        } catch (WakeupException | InterruptedException e) {
          // stopping
        } catch (RuntimeException e) {
          if (running) {
            Log.warnf("dispatch consumer of %s failed, reconnecting: %s", group, e.toString());
            sleep(1000);
          }
        } finally {
          consumer = null;
          subscribed = false;
        }
      }
    }
  }

  /**
   * Creates the group's dispatch topic if it is missing (one partition, see {@link DispatchTopics})
   * and applies {@link #SHARE_GROUP_CONFIG} to the share group; idempotent.
   */
  private void prepare(WorkerGroupRef group, String shareGroup) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "worker-" + config.instanceId() + "-admin");
    try (Admin admin = Admin.create(KafkaClients.secured(p))) {
      int partitions = DispatchTopics.ensure(admin, group, 30_000);
      if (partitions > DispatchTopics.PARTITIONS) {
        Log.warnf(
            "%s has %d partitions: while the group has fewer workers than partitions, each"
                + " partition goes to one worker alone, and an idle worker may wait while a busy"
                + " one holds dispatches; recreate the topic with %d partition",
            group.dispatchTopic(), partitions, DispatchTopics.PARTITIONS);
      }
      List<AlterConfigOp> ops = new ArrayList<>();
      SHARE_GROUP_CONFIG.forEach(
          (k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
      admin
          .incrementalAlterConfigs(
              Map.of(new ConfigResource(ConfigResource.Type.GROUP, shareGroup), ops))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot prepare the dispatch topic and share group " + shareGroup + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Decides what becomes of one dispatch record: taken or skipped (ACCEPT) or not now (RELEASE).
   */
  private AcknowledgeType handle(WorkerGroupRef group, ConsumerRecord<String, byte[]> record)
      throws InterruptedException {
    EventEnvelope<?> envelope;
    try {
      envelope = codec.decode(record.value());
    } catch (EventCodec.UnreadableEventException e) {
      Log.warnf(
          "skipping unreadable record %s-%d@%d: %s",
          record.topic(), record.partition(), record.offset(), e.getMessage());
      return AcknowledgeType.REJECT;
    }
    if (!(envelope.payload() instanceof TaskDispatched d)) {
      return AcknowledgeType.ACCEPT;
    }
    if (!group.environment().equals(d.environment()) || !group.group().equals(d.workerGroup())) {
      // only the orchestrator writes here; a record of another environment or group is not ours
      Log.warnf(
          "rejecting attempt %s/%d of %s/%s read from %s (served: %s)",
          d.taskRunId(), d.attempt(), d.environment(), d.workerGroup(), record.topic(), group);
      registry.counter("dataplane.worker.dispatches.rejected").increment();
      return AcknowledgeType.REJECT;
    }
    if (attempts.isRunning(d.taskRunId(), d.attempt())) {
      return AcknowledgeType.ACCEPT; // a redelivery of what this worker holds already
    }
    // the slot seen free before the poll may have gone to another consumer of this worker: wait a
    // little for the next one rather than hand the record back at once (a fan-out frees a slot
    // every
    // few milliseconds; each hand-back counts against the record's deliveries)
    int slot = attempts.reserveSlot(config.dispatchSlotWait());
    if (slot < 0) {
      return AcknowledgeType.RELEASE; // no slot came: another worker may take it
    }
    Boolean claimed = claim(d);
    if (claimed == null) {
      attempts.releaseSlot(slot);
      return AcknowledgeType.RELEASE;
    }
    if (!claimed) {
      attempts.releaseSlot(slot);
      Log.infof("attempt %s/%d refused by the orchestrator: skipped", d.taskRunId(), d.attempt());
      registry.counter("dataplane.worker.attempts.skipped").increment();
      return AcknowledgeType.ACCEPT;
    }
    Context parent = KafkaTracing.extract(record.headers());
    attempts.accept(d, parent, slot);
    return AcknowledgeType.ACCEPT;
  }

  /**
   * Claims the attempt at the orchestrator; while it cannot be reached, keeps trying (holding the
   * record, so an outage does not use up the record's deliveries) until the worker stops or the
   * broker's acquisition lock would run out. Null: not claimed, try again later.
   */
  private Boolean claim(TaskDispatched d) {
    long deadline = System.nanoTime() + config.claimRetryFor().toNanos();
    long backoff = 200;
    // one id for every try of this claim, and for the next delivery of a record handed back
    // without an answer: a claim the orchestrator committed but could not answer is answered again.
    // The id is taken out while this delivery holds it: a consumer that receives the same record
    // meanwhile (its lock ran out) claims with an id of its own and is refused
    String key = d.taskRunId() + "/" + d.attempt();
    UUID handedBack = unansweredClaims.remove(key);
    UUID claimId = handedBack != null ? handedBack : UUID.randomUUID();
    while (true) {
      try {
        return orchestrator.claim(d.taskRunId(), d.attempt(), config.instanceId(), claimId);
      } catch (IOException e) {
        if (!running || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) > deadline) {
          forgetOldestIfFull();
          unansweredClaims.put(key, claimId);
          Log.warnf(
              "cannot claim %s/%d (%s): handed back to the group", d.taskRunId(), d.attempt(), e);
          return null;
        }
        Log.debugf("cannot claim %s/%d yet (%s); retrying", d.taskRunId(), d.attempt(), e);
        sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  /** Keeps the ids of claims handed back without an answer bounded (an outage hands back many). */
  private void forgetOldestIfFull() {
    if (unansweredClaims.size() > MAX_UNANSWERED_CLAIMS) {
      unansweredClaims.clear(); // the lost-result check recovers a claim whose id is forgotten
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
