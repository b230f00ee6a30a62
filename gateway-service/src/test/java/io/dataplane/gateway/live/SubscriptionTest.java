package io.dataplane.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.common.events.TaskRunStateChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.GqlSocket;
import io.dataplane.gateway.support.Kafka;
import io.dataplane.gateway.support.Stub;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions over WebSocket with real tokens, fed by events published to the local Kafka. Other
 * agents publish to the same topics: everything is keyed by ids unique to the test.
 */
@QuarkusTest
class SubscriptionTest {

  @BeforeEach
  void liveUpdatesAreReady() {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                RestAssured.get("/q/health/ready")
                        .jsonPath()
                        .getList("checks.name")
                        .contains("live-updates")
                    && "UP"
                        .equals(RestAssured.get("/q/health/ready").jsonPath().getString("status")));
  }

  private static Map<String, String> startRun(String env) {
    JsonPath r =
        Gql.as("admin")
            .run(
                "mutation($e: String!) { startRun(environment: $e, pipeline: \"p\") { id taskRuns"
                    + " { id } } }",
                "e",
                env);
    return Map.of(
        "runId", r.getString("data.startRun.id"),
        "taskRunId", r.getString("data.startRun.taskRuns[0].id"));
  }

  @Test
  void runUpdatesArriveInOrder() throws Exception {
    String env = Fixture.environment("sub");
    Fixture.bind("USER", "bob", env, "read");
    Map<String, String> run = startRun(env);
    UUID runId = UUID.fromString(run.get("runId"));
    UUID taskRunId = UUID.fromString(run.get("taskRunId"));
    try (GqlSocket ws = GqlSocket.as("bob");
        Kafka kafka = new Kafka()) {
      ws.subscribe(
          "1",
          "subscription { runUpdates(runId: \""
              + runId
              + "\") { kind state previous taskKey attempt } }");
      // probe until the subscription is live (the consumer starts at the latest offsets)
      JsonNode first = null;
      for (int i = 0; i < 30 && first == null; i++) {
        kafka.send(
            Topics.RUN_EVENTS,
            runId.toString(),
            "orchestrator-service",
            new RunStateChanged(runId, env, "p", RunState.QUEUED, null));
        first = ws.next(1);
      }
      assertThat(first).isNotNull();
      assertThat(first.path("type").asText()).isEqualTo("next");
      kafka.send(
          Topics.RUN_EVENTS,
          runId.toString(),
          "orchestrator-service",
          new RunStateChanged(runId, env, "p", RunState.RUNNING, RunState.QUEUED));
      for (TaskRunState s :
          List.of(TaskRunState.QUEUED, TaskRunState.RUNNING, TaskRunState.SUCCEEDED)) {
        kafka.send(
            Topics.RUN_EVENTS,
            runId.toString(),
            "orchestrator-service",
            new TaskRunStateChanged(runId, taskRunId, "extract", 1, s, null, null));
      }
      kafka.send(
          Topics.RUN_EVENTS,
          runId.toString(),
          "orchestrator-service",
          new RunStateChanged(runId, env, "p", RunState.SUCCEEDED, RunState.RUNNING));
      List<String> seen = new ArrayList<>();
      while (seen.size() < 5) {
        JsonNode m = ws.next(10);
        assertThat(m).as("update %d", seen.size()).isNotNull();
        JsonNode u = m.path("payload").path("data").path("runUpdates");
        if (u.path("kind").asText().equals("RUN")
            && u.path("previous").isNull()
            && seen.isEmpty()) {
          continue; // a late probe
        }
        seen.add(u.path("kind").asText() + ":" + u.path("state").asText());
      }
      assertThat(seen)
          .containsExactly(
              "RUN:RUNNING",
              "TASK_RUN:QUEUED",
              "TASK_RUN:RUNNING",
              "TASK_RUN:SUCCEEDED",
              "RUN:SUCCEEDED");
    }
  }

  @Test
  void aRunOfAnotherEnvironmentCannotBeWatched() throws Exception {
    String env = Fixture.environment("sub");
    Map<String, String> run = startRun(env);
    try (GqlSocket ws = GqlSocket.as("bob")) {
      ws.subscribe(
          "1", "subscription { runUpdates(runId: \"" + run.get("runId") + "\") { state } }");
      JsonNode m = ws.next(15);
      assertThat(m).isNotNull();
      // the subscription ends with an error (graphql-transport-ws "next" carrying errors)
      assertThat(m.path("type").asText()).isIn("next", "error");
      assertThat(m.toString()).contains("NOT_FOUND").doesNotContain(env);
      assertThat(
              m.path("payload").path("data").path("runUpdates").isMissingNode()
                  || m.path("payload").path("data").path("runUpdates").isNull())
          .isTrue();
    }
  }

  private static Map<String, Object> line(long seq) {
    return Map.of(
        "seq",
        seq,
        "ts",
        Instant.now().toString(),
        "stream",
        "stdout",
        "text",
        "line " + seq,
        "attempt",
        1);
  }

  @Test
  void logTailGivesStoredLinesThenLiveOnesWithoutGapOrDuplicate() throws Exception {
    String env = Fixture.environment("sub");
    Map<String, String> run = startRun(env);
    UUID runId = UUID.fromString(run.get("runId"));
    UUID taskRunId = UUID.fromString(run.get("taskRunId"));
    Stub.logs(taskRunId.toString(), List.of(line(1), line(2), line(3)));
    try (GqlSocket ws = GqlSocket.as("admin");
        Kafka kafka = new Kafka()) {
      ws.subscribe(
          "1",
          "subscription { logTail(taskRunId: \""
              + taskRunId
              + "\", runId: \""
              + runId
              + "\") { seq text attempt } }");
      List<Long> seqs = new ArrayList<>();
      while (seqs.size() < 3) {
        JsonNode m = ws.next(15);
        assertThat(m).isNotNull();
        seqs.add(m.path("payload").path("data").path("logTail").path("seq").asLong());
      }
      assertThat(seqs).containsExactly(1L, 2L, 3L);
      // live: a chunk overlapping the stored lines
      kafka.send(
          Topics.TASK_LOGS,
          taskRunId.toString(),
          "worker-service",
          new LogChunk(
              runId, taskRunId, 1, List.of(chunkLine(3), chunkLine(4), chunkLine(5)), false));
      // then a chunk that skips 6 and 7, which the orchestrator has stored meanwhile
      Stub.logs(
          taskRunId.toString(),
          List.of(line(1), line(2), line(3), line(4), line(5), line(6), line(7), line(8)));
      kafka.send(
          Topics.TASK_LOGS,
          taskRunId.toString(),
          "worker-service",
          new LogChunk(runId, taskRunId, 1, List.of(chunkLine(8), chunkLine(9)), true));
      while (seqs.size() < 9) {
        JsonNode m = ws.next(15);
        assertThat(m).as("line after %s", seqs).isNotNull();
        seqs.add(m.path("payload").path("data").path("logTail").path("seq").asLong());
      }
      assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      assertThat(ws.next(1)).isNull();
    }
  }

  private static LogChunk.Line chunkLine(long seq) {
    return new LogChunk.Line(seq, Instant.now(), "stdout", "line " + seq);
  }

  @Test
  void workerStatsShowTheWorkersOfTheCallersEnvironment() throws Exception {
    String env = Fixture.environment("sub");
    String group = Fixture.unique("grp");
    Gql.as("admin")
        .run(
            "mutation($e: String!, $g: String!) { createWorkerGroup(environment: $e, name: $g) { name } }",
            "e",
            env,
            "g",
            group);
    Fixture.bind("USER", "bob", env, "read");
    String mine = Fixture.unique("w");
    String other = Fixture.unique("w");
    try (GqlSocket ws = GqlSocket.as("bob");
        Kafka kafka = new Kafka()) {
      ws.subscribe(
          "1",
          "subscription { workerStats(environment: \""
              + env
              + "\") { workerId groups slots freeSlots } }");
      JsonNode first = null;
      for (int i = 0; i < 30 && first == null; i++) {
        // other serves a group of the same name in another environment: not bob's
        kafka.send(
            Topics.WORKER_HEARTBEATS,
            other,
            "worker-service",
            heartbeat(other, "elsewhere/" + group));
        kafka.send(
            Topics.WORKER_HEARTBEATS, mine, "worker-service", heartbeat(mine, env + "/" + group));
        first = ws.next(1);
      }
      assertThat(first).isNotNull();
      List<String> ids = new ArrayList<>();
      for (JsonNode m = first; m != null; m = ws.next(2)) {
        ids.add(m.path("payload").path("data").path("workerStats").path("workerId").asText());
      }
      assertThat(ids).isNotEmpty().containsOnly(mine);
    }
  }

  private static WorkerHeartbeat heartbeat(String id, String group) {
    return new WorkerHeartbeat(
        id, List.of(group), "test", 0.5, 100, 1000, 0.2, 4, 3, List.of(), Instant.now(), false);
  }
}
