package io.dataplane.scheduler;

import static io.dataplane.scheduler.TestSupport.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.dataplane.common.events.PipelineReleased;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.Topics;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BackfillTest {

  private static long backfillFires(String id) throws Exception {
    return FiringTest.ledger(id).stream().filter(r -> r.get("kind").equals("BACKFILL")).count();
  }

  private static void run(String env, UUID runId, RunState state, RunState previous)
      throws Exception {
    TestSupport.publish(
        Topics.RUN_EVENTS,
        runId.toString(),
        new RunStateChanged(runId, env, "etl", state, previous));
  }

  @Test
  void dryRunListsThenBackfillRespectsTheConcurrencyCap() throws Exception {
    TestSupport.awaitLeader();
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = new HashMap<>();
    b.put("name", "hourly");
    b.put("pipeline", "etl");
    b.put("cron", "0 * * * *");
    b.put("timezone", "UTC");
    String id =
        api()
            .body(b)
            .post("/api/v1/environments/{env}/schedules", env)
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    try {
      // the event consumer is live once a release reaches the schedule
      TestSupport.publishPipelineEvent(
          env, "etl", new PipelineReleased(env, "etl", "rel-1", "sha256:" + "c".repeat(64), null));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "rel-1".equals(api().get("/api/v1/schedules/{id}", id).path("latestReleaseId")));

      Map<String, Object> window =
          Map.of("from", "2026-01-01T00:00:00Z", "to", "2026-01-01T05:00:00Z", "dryRun", true);
      api()
          .body(window)
          .post("/api/v1/schedules/{id}/backfill", id)
          .then()
          .statusCode(200)
          .body("fireTimes", hasSize(6))
          .body("fireTimes[0]", equalTo("2026-01-01T00:00:00Z"))
          .body("alreadyFired", hasSize(0));
      assertThat(backfillFires(id)).isZero();

      api()
          .body(Map.of("from", "2026-01-01T05:00:00Z", "to", "2026-01-01T00:00:00Z"))
          .post("/api/v1/schedules/{id}/backfill", id)
          .then()
          .statusCode(400)
          .body("details.path", contains("to"));

      String backfill =
          api()
              .body(
                  Map.of(
                      "from",
                      "2026-01-01T00:00:00Z",
                      "to",
                      "2026-01-01T05:00:00Z",
                      "maxConcurrent",
                      2))
              .post("/api/v1/schedules/{id}/backfill", id)
              .then()
              .statusCode(202)
              .body("total", equalTo(6))
              .extract()
              .path("id");
      await().atMost(Duration.ofSeconds(10)).until(() -> backfillFires(id) == 2);
      // the orchestrator starts the two runs; no third while they run
      UUID r1 = UUID.randomUUID();
      UUID r2 = UUID.randomUUID();
      run(env, r1, RunState.QUEUED, null);
      run(env, r2, RunState.QUEUED, null);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> backfillFires(id) == 2);
      run(env, r1, RunState.SUCCEEDED, RunState.RUNNING);
      await().atMost(Duration.ofSeconds(10)).until(() -> backfillFires(id) == 3);
      api()
          .get("/api/v1/backfills/{id}", backfill)
          .then()
          .statusCode(200)
          .body("state", equalTo("RUNNING"))
          .body("done", equalTo(1))
          .body("requested", equalTo(2))
          .body("pending", equalTo(3));

      List<Map<String, Object>> rows = FiringTest.ledger(id);
      assertThat(rows.stream().map(r -> r.get("requestId").toString()).toList())
          .contains(id + "@2026-01-01T00:00:00Z", id + "@2026-01-01T01:00:00Z")
          .contains(id + "@2026-01-01T02:00:00Z");
      assertThat(rows).allMatch(r -> "rel-1".equals(r.get("releaseId")));

      // a dry run now shows what was fired; cancelling stops the rest
      api()
          .body(window)
          .post("/api/v1/schedules/{id}/backfill", id)
          .then()
          .body("alreadyFired", hasSize(3));
      api()
          .post("/api/v1/backfills/{id}/cancel", backfill)
          .then()
          .statusCode(200)
          .body("state", equalTo("CANCELLED"));
      api().get("/api/v1/schedules/{id}/backfills", id).then().body("id", contains(backfill));
    } finally {
      api().delete("/api/v1/environments/{env}/schedules/{id}", env, id);
    }
  }
}
