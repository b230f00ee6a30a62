package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.demo.GraphQLClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A worker group belongs to one environment: two workers, one serving {@code dev/default} and one
 * {@code prod/default}. Every attempt of a dev run is on the dev worker and every attempt of a prod
 * run on the prod worker, also while the other worker idles with free slots or is gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerGroupIsolationTest {

  static final String X = UUID.randomUUID().toString().substring(0, 8);
  static final String DEV = "dev-" + X;
  static final String PROD = "prod-" + X;
  static final String DEV_WORKER = "worker-service";
  static final String PROD_WORKER = "worker-service-2";

  static Platform platform;
  static GraphQLClient alice;

  @BeforeAll
  static void start() throws Exception {
    platform =
        Platform.builder(DEV + "/default").workers(2).groupsOfWorker(2, PROD + "/default").start();
    alice = platform.graphql("alice");
    for (String env : List.of(DEV, PROD)) {
      // a new environment has its worker group default
      alice.execute(
          "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", env));
      release(env, "fan", definition(8));
    }
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  /** {@code n} independent tasks on the default group. */
  static String definition(int n) {
    StringBuilder y = new StringBuilder("tasks:\n");
    for (int i = 0; i < n; i++) {
      y.append("  - {key: t")
          .append(i)
          .append(", runtime: bash, script: \"echo $DP_TASK; sleep 0.2\"}\n");
    }
    return y.toString();
  }

  static void release(String env, String pipeline, String definition) throws Exception {
    alice.execute(
        "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
        Map.of("e", env, "p", pipeline, "d", definition));
    alice.execute(
        "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p, bundle: false) { id } }",
        Map.of("e", env, "p", pipeline));
  }

  static String startRun(String env, String pipeline) throws Exception {
    return alice
        .execute(
            "mutation($e: String!, $p: String!) { startRun(environment: $e, pipeline: $p) { id } }",
            Map.of("e", env, "p", pipeline))
        .path("startRun")
        .path("id")
        .asText();
  }

  static JsonNode run(String runId) throws Exception {
    return alice
        .execute(
            "query($id: String!) { run(id: $id) { state environment waitingReason { kind workerGroup message tasks } taskRuns { taskKey state waitingReason { kind } attempts { attempt workerId } } } }",
            Map.of("id", runId))
        .path("run");
  }

  static JsonNode awaitRun(String runId, String state) {
    JsonNode[] last = new JsonNode[1];
    await("run " + runId + " " + state)
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              last[0] = run(runId);
              return state.equals(last[0].path("state").asText());
            });
    return last[0];
  }

  /** The worker id of every attempt of the run that a worker took (dispatched ones have none). */
  static List<String> workersOf(JsonNode run) {
    List<String> ids = new ArrayList<>();
    run.path("taskRuns")
        .forEach(
            t ->
                t.path("attempts")
                    .forEach(
                        a -> {
                          if (a.path("workerId").isTextual()) {
                            ids.add(a.path("workerId").asText());
                          }
                        }));
    return ids;
  }

  @Test
  @Order(1)
  void devTasksRunOnTheDevWorkerOnlyAndProdTasksOnTheProdWorkerOnly() throws Exception {
    List<String> devRuns = new ArrayList<>();
    List<String> prodRuns = new ArrayList<>();
    // interleaved, so both queues are full at once and both workers are busy and free in turns
    for (int i = 0; i < 3; i++) {
      devRuns.add(startRun(DEV, "fan"));
      prodRuns.add(startRun(PROD, "fan"));
    }
    String devWorker = platform.workerId(DEV_WORKER);
    String prodWorker = platform.workerId(PROD_WORKER);
    for (String id : devRuns) {
      JsonNode r = awaitRun(id, "SUCCEEDED");
      assertThat(workersOf(r)).as("dev run %s", id).hasSize(8).containsOnly(devWorker);
    }
    for (String id : prodRuns) {
      JsonNode r = awaitRun(id, "SUCCEEDED");
      assertThat(workersOf(r)).as("prod run %s", id).hasSize(8).containsOnly(prodWorker);
    }

    // each environment lists its own worker, with the environment/group pair it serves
    JsonNode devWorkers =
        alice
            .execute(
                "query($e: String!) { workers(environment: $e) { workerId groups } }",
                Map.of("e", DEV))
            .path("workers");
    List<String> ids = new ArrayList<>();
    devWorkers.forEach(w -> ids.add(w.path("workerId").asText()));
    assertThat(ids).containsExactly(devWorker);
    assertThat(devWorkers.get(0).path("groups").get(0).asText()).isEqualTo(DEV + "/default");
  }

  @Test
  @Order(2)
  void aProdTaskWaitsForAProdWorkerWhileTheDevWorkerIdles() throws Exception {
    platform.kill(PROD_WORKER);
    String prodRun = startRun(PROD, "fan");
    String devRun = startRun(DEV, "fan");
    awaitRun(devRun, "SUCCEEDED");
    // the dev worker has every slot free and prod's queue is full: still nothing of prod runs
    // there (no redispatch to it either: it is not a worker of prod's group)
    await("prod's tasks wait for a prod worker")
        .during(Duration.ofSeconds(8))
        .atMost(Duration.ofSeconds(12))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> workersOf(run(prodRun)).isEmpty());
    // and the run says why (issue 17): once the killed worker is known lost, no worker serves
    // prod's group; each of its tasks says the same
    JsonNode[] waiting = new JsonNode[1];
    await("the prod run waits for want of a worker")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              waiting[0] = run(prodRun);
              return "NO_WORKER".equals(waiting[0].path("waitingReason").path("kind").asText());
            });
    assertThat(waiting[0].path("waitingReason").path("workerGroup").asText())
        .isEqualTo(PROD + "/default");
    assertThat(waiting[0].path("waitingReason").path("message").asText())
        .startsWith("task ")
        .contains("worker group " + PROD + "/default");
    waiting[0]
        .path("taskRuns")
        .forEach(
            t -> assertThat(t.path("waitingReason").path("kind").asText()).isEqualTo("NO_WORKER"));
    platform.restart(PROD_WORKER);
    JsonNode r = awaitRun(prodRun, "SUCCEEDED");
    assertThat(workersOf(r)).hasSize(8).containsOnly(platform.workerId(PROD_WORKER));
  }
}
