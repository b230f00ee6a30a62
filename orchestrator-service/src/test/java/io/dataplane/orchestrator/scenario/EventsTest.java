package io.dataplane.orchestrator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.PipelineDeleted;
import io.dataplane.common.events.PipelineReleased;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.common.events.TaskRunStateChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.orchestrator.Api;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The events the orchestrator publishes through its outbox, read back from Kafka. */
@QuarkusTest
class EventsTest {

  @Test
  void runAndPipelineEventsArePublishedInOrder() throws Exception {
    List<Event> seen = new CopyOnWriteArrayList<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "events-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    EventCodec codec = new EventCodec();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(Topics.RUN_EVENTS, Topics.PIPELINE_EVENTS));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                c.poll(Duration.ofMillis(100));
                return !c.assignment().isEmpty();
              });
      c.assignment().forEach(c::position);

      String env = Api.env();
      String group = Api.unique("g");
      Api.group(env, group);
      String release = Api.deploy(env, "events", Api.fixture("single", group));
      try (TestWorker w = new TestWorker(env, group, d -> TestWorker.ok())) {
        String runId = Api.start(env, "events", Map.of());
        Api.awaitRun(runId, "SUCCEEDED", Duration.ofSeconds(30));
        Api.api().delete("/api/v1/environments/{e}/pipelines/events", env).then().statusCode(204);
        UUID id = UUID.fromString(runId);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                      seen.add(codec.decode(r.value()).payload());
                    } catch (RuntimeException e) {
                      // not an event this test reads
                    }
                  }
                  return seen.stream()
                          .anyMatch(
                              e -> e instanceof PipelineDeleted d && d.environment().equals(env))
                      && seen.stream()
                          .anyMatch(
                              e ->
                                  e instanceof RunStateChanged r
                                      && r.runId().equals(id)
                                      && r.state() == RunState.SUCCEEDED);
                });
        assertThat(
                seen.stream()
                    .filter(e -> e instanceof RunStateChanged r && r.runId().equals(id))
                    .map(e -> ((RunStateChanged) e).state()))
            .containsExactly(RunState.QUEUED, RunState.RUNNING, RunState.SUCCEEDED);
        assertThat(
                seen.stream()
                    .filter(e -> e instanceof TaskRunStateChanged t && t.runId().equals(id))
                    .map(e -> ((TaskRunStateChanged) e).state()))
            .containsExactly(TaskRunState.QUEUED, TaskRunState.RUNNING, TaskRunState.SUCCEEDED);
        assertThat(seen)
            .anySatisfy(
                e -> {
                  assertThat(e).isInstanceOf(PipelineReleased.class);
                  assertThat(((PipelineReleased) e).releaseId()).isEqualTo(release);
                });
      }
    }
  }
}
