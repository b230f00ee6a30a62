package io.dataplane.scheduler.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.events.Topics;
import io.dataplane.common.json.Json;
import io.dataplane.scheduler.Trigger;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.dataplane.scheduler.repository.TriggerRepository;
import io.dataplane.scheduler.service.TriggerFirer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Kafka topic triggers: one consumer (group {@code dataplane.scheduler.triggers.consumer-group})
 * follows every topic an enabled KAFKA trigger names, re-reading the set every {@code
 * topic-refresh}. A message whose JSON field matches a trigger's filter fires it (event id {@code
 * topic-partition-offset}); offsets are committed only after every run of the batch was requested
 * (ledger and outbox committed). A message that cannot start a run (not a JSON object, too large, a
 * template error, a NUL) goes to {@code dataplane.dead-letters} with the reason; a failure of the
 * database or the broker restarts the consumer from the last commit.
 */
@ApplicationScoped
public class TopicTriggerConsumer {

  /** Why a message went to the dead letters. */
  public static final String NOT_A_RUN = "cannot-start-a-run";

  private final TriggerRepository repository;
  private final TriggerFirer firer;
  private final SchedulerConfig config;
  private final OutboxRelay relay;
  private final MeterRegistry meters;
  private final ConsumerLoop loop;

  public TopicTriggerConsumer(
      TriggerRepository repository,
      TriggerFirer firer,
      SchedulerConfig config,
      OutboxRelay relay,
      MeterRegistry meters,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.repository = repository;
    this.firer = firer;
    this.config = config;
    this.relay = relay;
    this.meters = meters;
    Properties props =
        ConsumerLoop.properties(
            bootstrap,
            config.triggers().consumerGroup(),
            config.triggers().topicOffsetReset(),
            "scheduler-topics-" + config.instanceId());
    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5000);
    this.loop =
        new ConsumerLoop("scheduler-topic-triggers", "topic trigger consumer", props, meters);
  }

  void onStart(@Observes StartupEvent ev) {
    loop.start(this::consume);
  }

  void onStop(@Observes ShutdownEvent ev) {
    loop.stop();
  }

  private void consume(KafkaConsumer<String, byte[]> c) throws Exception {
    Set<String> subscribed = Set.of();
    Instant refreshAt = Instant.MIN;
    Map<String, List<Trigger>> byTopic = Map.of();
    while (loop.running()) {
      if (!Instant.now().isBefore(refreshAt)) {
        byTopic = topics();
        refreshAt = Instant.now().plus(config.triggers().topicRefresh());
        if (!byTopic.keySet().equals(subscribed)) {
          subscribed = Set.copyOf(byTopic.keySet());
          if (subscribed.isEmpty()) {
            c.unsubscribe();
          } else {
            c.subscribe(new TreeSet<>(subscribed));
          }
          Log.infof("topic triggers follow %s", new TreeSet<>(subscribed));
        }
      }
      if (subscribed.isEmpty()) {
        // nothing to follow: wait for the next refresh (woken at shutdown)
        loop.pause(config.triggers().topicRefresh());
        continue;
      }
      Map<String, List<Trigger>> current = byTopic;
      loop.process(
          c,
          c.poll(Duration.ofSeconds(1)),
          r -> handle(r, current.getOrDefault(r.topic(), List.of())),
          this::deadLetter);
    }
  }

  private Map<String, List<Trigger>> topics() throws Exception {
    Map<String, List<Trigger>> out = new LinkedHashMap<>();
    for (Trigger t : repository.kafkaTriggers()) {
      out.computeIfAbsent(t.topic(), k -> new ArrayList<>()).add(t);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private void handle(ConsumerRecord<String, byte[]> r, List<Trigger> triggers) throws Exception {
    if (triggers.isEmpty()) {
      return;
    }
    byte[] value = r.value() == null ? new byte[0] : r.value();
    if (value.length > config.triggers().maxBodyBytes()) {
      deadLetter(
          r, NOT_A_RUN, "message larger than " + config.triggers().maxBodyBytes() + " bytes");
      return;
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(value);
    } catch (Exception e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      deadLetter(r, NOT_A_RUN, "the message is not a JSON object (its fields become params)");
      return;
    }
    Map<String, Object> message = Json.mapper().convertValue(node, Map.class);
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("message", message);
    context.put("key", r.key() == null ? "" : r.key());
    context.put("topic", r.topic());
    context.put("partition", r.partition());
    context.put("offset", r.offset());
    String eventId = r.topic() + "-" + r.partition() + "-" + r.offset();
    for (Trigger t : triggers) {
      if (t.filterField() != null && !matches(node, t.filterField(), t.filterValue())) {
        continue;
      }
      TriggerFirer.Result res = firer.fire(t, eventId, context, message, "message " + eventId, 0);
      if (res.outcome() == TriggerFirer.Outcome.FAILED) {
        deadLetter(r, NOT_A_RUN, "trigger " + t.id() + ": " + res.reason());
      }
    }
  }

  /** Whether the field (dots for nesting) holds the value (its text, for numbers and booleans). */
  public static boolean matches(JsonNode message, String field, String value) {
    JsonNode n = message;
    for (String part : field.split("\\.")) {
      if (n == null || !n.isObject()) {
        return false;
      }
      n = n.get(part);
    }
    return n != null && n.isValueNode() && n.asText().equals(value);
  }

  private void deadLetter(ConsumerRecord<String, byte[]> r, String reason, String detail)
      throws Exception {
    relay.deadLetter(r, reason, detail);
    meters
        .counter("dataplane.dead.letters", "topic", "topic-trigger", "reason", reason)
        .increment();
    Log.warnf(
        "message %s-%d@%d cannot start a run (%s); sent to %s",
        r.topic(), r.partition(), r.offset(), detail, Topics.DEAD_LETTERS);
  }
}
