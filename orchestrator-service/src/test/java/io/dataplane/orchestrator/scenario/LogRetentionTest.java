package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.api;
import static io.dataplane.orchestrator.Api.awaitRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.dataplane.common.events.LogChunk;
import io.dataplane.orchestrator.Api;
import io.dataplane.orchestrator.engine.LogCap;
import io.dataplane.orchestrator.repository.Db;
import io.dataplane.orchestrator.service.LogRetention;
import io.dataplane.orchestrator.service.LogService;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 14, item 17: task logs do not grow forever (retention per environment, cap per run). */
@QuarkusTest
class LogRetentionTest {

  private static final Duration WITHIN = Duration.ofSeconds(30);
  private final List<TestWorker> workers = new ArrayList<>();

  @Inject Db db;
  @Inject LogRetention retention;
  @Inject LogService logs;

  @AfterEach
  void closeWorkers() {
    workers.forEach(TestWorker::close);
    workers.clear();
  }

  private record Ran(String env, String runId, UUID taskRunId) {}

  /** A finished one-task run in a new environment (the test worker logs three lines). */
  private Ran finishedRun(String env) {
    String group = Api.unique("g");
    Api.group(env, group);
    String pipeline = Api.unique("single");
    Api.deploy(env, pipeline, Api.fixture("single", group));
    TestWorker w = new TestWorker(env, group, d -> TestWorker.ok());
    workers.add(w);
    String runId = Api.start(env, pipeline, Map.of());
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    UUID taskRunId = UUID.fromString(run.getString("taskRuns[0].id"));
    org.awaitility.Awaitility.await().atMost(WITHIN).until(() -> lines(taskRunId) == 3);
    return new Ran(env, runId, taskRunId);
  }

  private long lines(UUID taskRunId) {
    return db.tx(
        tx ->
            tx.one(
                    "select count(*) from task_logs where task_run_id = ?",
                    rs -> rs.getLong(1),
                    taskRunId)
                .orElse(0L));
  }

  private void finishedDaysAgo(String runId, int days) {
    db.tx(
        tx ->
            tx.update(
                "update runs set finished_at = now() - make_interval(days => ?) where id = ?",
                days,
                UUID.fromString(runId)));
  }

  @Test
  void oldRunsLoseTheirLogsYoungOnesAndOtherEnvironmentsKeepThem() {
    String envA = Api.env();
    String envB = Api.env();
    Ran old = finishedRun(envA);
    Ran young = finishedRun(envA);
    Ran otherEnv = finishedRun(envB);
    // envA keeps logs 7 days; envB 90
    api()
        .contentType("application/json")
        .body(Map.of("retentionDays", 7))
        .put("/api/v1/environments/" + envA + "/log-retention")
        .then()
        .statusCode(200)
        .body("retentionDays", equalTo(7))
        .body("effectiveRetentionDays", equalTo(7));
    api()
        .contentType("application/json")
        .body(Map.of("retentionDays", 90))
        .put("/api/v1/environments/" + envB + "/log-retention")
        .then()
        .statusCode(200);
    finishedDaysAgo(old.runId(), 8);
    finishedDaysAgo(young.runId(), 6);
    finishedDaysAgo(otherEnv.runId(), 8);

    // batches of 2 rows: the 3 lines of the old run go in two deletes
    retention.sweep(2, 100);

    assertThat(lines(old.taskRunId())).isZero();
    assertThat(lines(young.taskRunId())).isEqualTo(3);
    assertThat(lines(otherEnv.taskRunId())).isEqualTo(3);
    // the run itself stays (its history), only its logs are gone
    api().get("/api/v1/runs/" + old.runId()).then().statusCode(200);
  }

  @Test
  void zeroDaysKeepsLogsForever() {
    String env = Api.env();
    Ran old = finishedRun(env);
    api()
        .contentType("application/json")
        .body(Map.of("retentionDays", 0))
        .put("/api/v1/environments/" + env + "/log-retention")
        .then()
        .statusCode(200);
    finishedDaysAgo(old.runId(), 10_000);
    retention.sweep(1000, 10);
    assertThat(lines(old.taskRunId())).isEqualTo(3);
  }

  @Test
  void badSettingsAreRefusedAndChangeNothing() {
    String env = Api.env();
    api()
        .contentType("application/json")
        .body(Map.of("retentionDays", -1))
        .put("/api/v1/environments/" + env + "/log-retention")
        .then()
        .statusCode(400);
    api()
        .contentType("application/json")
        .body(Map.of("maxBytesPerRun", -5))
        .put("/api/v1/environments/" + env + "/log-retention")
        .then()
        .statusCode(400);
    api()
        .contentType("application/json")
        .body(Map.of("retentionDays", 3))
        .put("/api/v1/environments/nope-" + UUID.randomUUID() + "/log-retention")
        .then()
        .statusCode(404);
    api()
        .get("/api/v1/environments/" + env + "/log-retention")
        .then()
        .statusCode(200)
        .body("retentionDays", equalTo(null))
        .body("effectiveRetentionDays", equalTo(30));
  }

  @Test
  void aRunPastItsCapDropsLinesAndSaysHowMuchOnce() {
    String env = Api.env();
    Ran ran = finishedRun(env);
    long stored =
        db.tx(
            tx ->
                tx.one(
                        "select stored_bytes from run_log_usage where run_id = ?",
                        rs -> rs.getLong(1),
                        UUID.fromString(ran.runId()))
                    .orElseThrow());
    // room for 10 more bytes: one 10-byte line fits, the rest is dropped
    api()
        .contentType("application/json")
        .body(Map.of("maxBytesPerRun", stored + 10))
        .put("/api/v1/environments/" + env + "/log-retention")
        .then()
        .statusCode(200);
    for (int chunk = 0; chunk < 3; chunk++) {
      int base = 100 + chunk * 10;
      List<LogChunk.Line> ls =
          IntStream.range(0, 10)
              .mapToObj(i -> new LogChunk.Line(base + i, Instant.now(), "stdout", "0123456789"))
              .toList();
      LogChunk c = new LogChunk(UUID.fromString(ran.runId()), ran.taskRunId(), 1, ls, false);
      logs.store(c);
      logs.store(c); // a redelivery counts once
    }
    List<String> texts =
        db.tx(
            tx ->
                tx.list(
                    "select text from task_logs where task_run_id = ? order by seq",
                    rs -> rs.getString(1),
                    ran.taskRunId()));
    // 3 lines of the run, 1 that fit, 1 marker
    assertThat(texts).hasSize(5);
    assertThat(texts.get(3)).isEqualTo("0123456789");
    assertThat(texts.stream().filter(t -> t.contains("reached their cap"))).hasSize(1);
    assertThat(texts.get(4)).contains("29 lines (290 bytes) dropped");
    // readers see it as the last line of the attempt
    api()
        .get("/api/v1/task-runs/" + ran.taskRunId() + "/logs?attempt=1&afterSeq=3")
        .then()
        .statusCode(200)
        .body("lines.size()", equalTo(2))
        .body("lines[1].seq", equalTo((int) LogCap.MARKER_SEQ));
  }
}
