package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.api;
import static io.dataplane.orchestrator.Api.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.SlaMissed;
import io.dataplane.orchestrator.Api;
import io.dataplane.orchestrator.scenario.TestWorker.Hang;
import io.dataplane.orchestrator.scenario.TestWorker.Succeed;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, SLAs: a run that is still running when its SLA is due is marked, once, while running.
 */
@QuarkusTest
class SlaTest {

  private static final Duration WITHIN = Duration.ofSeconds(30);
  private final List<TestWorker> workers = new ArrayList<>();

  @AfterEach
  void closeWorkers() {
    workers.forEach(TestWorker::close);
    workers.clear();
  }

  @Test
  void aRunStillRunningWhenItsSlaIsDueIsMarkedOnceWhileItRuns() {
    String env = Api.env();
    String group = Api.unique("g");
    Api.group(env, group);
    Api.deploy(
        env,
        "late",
        "workerGroup: "
            + group
            + "\nsla: {maxDuration: 2s}\n"
            + "tasks:\n  - {key: slow, runtime: bash, script: 'sleep 60'}\n");
    workers.add(new TestWorker(env, group, d -> new Hang()));
    EventCodec codec = new EventCodec();
    List<SlaMissed> missed = new CopyOnWriteArrayList<>();
    try (KafkaConsumer<String, byte[]> c = Api.runEvents()) {
      Instant before = Instant.now();
      String id = Api.start(env, "late", Map.of());
      JsonPath r = run(id);
      Instant due = Instant.parse(r.getString("slaDueAt"));
      assertThat(due).isBetween(before.plusSeconds(1), before.plusSeconds(4));
      assertThat(r.getString("slaMissedAt")).isNull();
      JsonPath late =
          await()
              .atMost(WITHIN)
              .pollInterval(Duration.ofMillis(100))
              .until(() -> run(id), x -> x.getString("slaMissedAt") != null);
      assertThat(late.getString("state")).isEqualTo("RUNNING"); // marked while it runs
      assertThat(Instant.parse(late.getString("slaMissedAt"))).isAfterOrEqualTo(due);
      await()
          .atMost(WITHIN)
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(200))) {
                  if (codec.decode(rec.value()).payload() instanceof SlaMissed s
                      && s.runId().toString().equals(id)) {
                    missed.add(s);
                  }
                }
                return !missed.isEmpty();
              });
      SlaMissed s = missed.get(0);
      assertThat(s.environment()).isEqualTo(env);
      assertThat(s.pipeline()).isEqualTo("late");
      assertThat(s.sla()).isEqualTo("maxDuration PT2S");
      assertThat(s.state()).isEqualTo(RunState.RUNNING);
      assertThat(s.dueAt()).isEqualTo(due);
      // ending it does not mark it again
      api().post("/api/v1/runs/{id}/cancel", id).then().statusCode(200);
      Api.awaitRun(id, "CANCELLED", WITHIN);
      assertThat(run(id).getString("slaMissedAt")).isEqualTo(late.getString("slaMissedAt"));
      for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofSeconds(1))) {
        if (codec.decode(rec.value()).payload() instanceof SlaMissed m
            && m.runId().toString().equals(id)) {
          missed.add(m);
        }
      }
      assertThat(missed).hasSize(1);
    }
    String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics).contains("dataplane_sla_missed_total{environment=\"" + env + "\"} 1.0");
  }

  @Test
  void aRunThatEndsInTimeMissesNothing() {
    String env = Api.env();
    String group = Api.unique("g");
    Api.group(env, group);
    Api.deploy(
        env,
        "quick",
        "workerGroup: "
            + group
            + "\nsla: {maxDuration: 1h}\n"
            + "tasks:\n  - {key: fast, runtime: bash, script: 'true'}\n");
    workers.add(new TestWorker(env, group, d -> new Succeed(0, null)));
    String id = Api.start(env, "quick", Map.of());
    JsonPath r = Api.awaitRun(id, "SUCCEEDED", WITHIN);
    assertThat(r.getString("slaDueAt")).isNotNull();
    assertThat(r.getString("slaMissedAt")).isNull();
  }
}
