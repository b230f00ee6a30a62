package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.json.Json;
import io.dataplane.demo.GraphQLClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Crashes under load: a worker killed with SIGKILL in the middle of a 100-task run, and the
 * orchestrator killed with SIGKILL in the middle of a chain and started again. The runs finish,
 * every task succeeds once, and work is re-dispatched promptly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultToleranceTest {

  static final String GROUP = "st-" + UUID.randomUUID().toString().substring(0, 8);
  static Platform platform;
  static GraphQLClient alice;
  static final String ENV = "ft-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void start() throws Exception {
    platform = Platform.start(ENV + "/" + GROUP, 2, Map.of());
    alice = platform.graphql("alice");
    alice.execute(
        "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", ENV));
    alice.execute(
        "mutation($e: String!, $n: String!) { createWorkerGroup(environment: $e, name: $n) { name } }",
        Map.of("e", ENV, "n", GROUP));
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  static String startRun(String pipeline, String definition) throws Exception {
    alice.execute(
        "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
        Map.of("e", ENV, "p", pipeline, "d", definition));
    alice.execute(
        "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p) { id } }",
        Map.of("e", ENV, "p", pipeline));
    return alice
        .execute(
            "mutation($e: String!, $p: String!) { startRun(environment: $e, pipeline: $p) { id } }",
            Map.of("e", ENV, "p", pipeline))
        .path("startRun")
        .path("id")
        .asText();
  }

  /** The run as the orchestrator holds it, with every attempt and its dispatch time. */
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static JsonNode run(String runId) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(platform.url("orchestrator-service") + "/api/v1/runs/" + runId))
                .header("Authorization", "Bearer " + ServiceProcess.gatewayToken())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  static long succeeded(JsonNode run) {
    return StreamSupport.stream(run.path("taskRuns").spliterator(), false)
        .filter(t -> "SUCCEEDED".equals(t.path("state").asText()))
        .count();
  }

  static List<JsonNode> attempts(JsonNode taskRun) {
    List<JsonNode> list = new ArrayList<>();
    taskRun.path("attempts").forEach(list::add);
    return list;
  }

  static JsonNode awaitRunEnd(String runId, Duration atMost) {
    JsonNode[] last = new JsonNode[1];
    await("run " + runId + " ends")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              last[0] = run(runId);
              return List.of("SUCCEEDED", "FAILED", "CANCELLED")
                  .contains(last[0].path("state").asText());
            });
    return last[0];
  }

  /**
   * The dispatches of one run share one partition (they are keyed by run id); through the workers'
   * share group they still go to every worker with a free slot, not to one partition owner.
   */
  @Test
  @Order(0)
  void theTasksOfOneRunSpreadOverEveryWorkerOfTheGroup() throws Exception {
    StringBuilder yaml = new StringBuilder("workerGroup: " + GROUP + "\ntasks:\n");
    for (int i = 0; i < 16; i++) {
      yaml.append(String.format("  - key: p%02d%n    runtime: bash%n    script: sleep 0.5%n", i));
    }
    String runId = startRun("spread", yaml.toString());

    JsonNode run = awaitRunEnd(runId, Duration.ofMinutes(2));

    assertThat(run.path("state").asText()).isEqualTo("SUCCEEDED");
    Map<String, Long> attemptsPerWorker = new TreeMap<>();
    for (JsonNode t : run.path("taskRuns")) {
      for (JsonNode a : t.path("attempts")) {
        attemptsPerWorker.merge(a.path("workerId").asText(), 1L, Long::sum);
      }
    }
    assertThat(attemptsPerWorker.keySet())
        .as("workers that ran attempts of the run: %s", attemptsPerWorker)
        .containsExactlyInAnyOrder(
            platform.workerId("worker-service"), platform.workerId("worker-service-2"));
  }

  @Test
  @Order(1)
  void aWorkerKilledMidRunLosesNoTaskAndRunsNoneTwice() throws Exception {
    StringBuilder yaml = new StringBuilder("workerGroup: " + GROUP + "\ntasks:\n");
    for (int i = 0; i < 100; i++) {
      yaml.append(
          String.format(
              "  - key: t%03d%n    runtime: bash%n    script: sleep 0.4; echo done %d%n", i, i));
    }
    String runId = startRun("hundred", yaml.toString());

    await("some tasks done before the crash")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> succeeded(run(runId)) >= 10);
    // kill the worker that runs this run's attempts now
    String[] found = {null};
    await("a worker runs an attempt of the run")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              for (JsonNode t : run(runId).path("taskRuns")) {
                for (JsonNode a : t.path("attempts")) {
                  if (List.of("CLAIMED", "RUNNING").contains(a.path("state").asText())) {
                    found[0] = platform.serviceOfWorker(a.path("workerId").asText());
                  }
                }
              }
              return found[0] != null;
            });
    String victim = found[0];
    assertThat(victim).as("a worker runs an attempt of the run").isNotNull();
    Instant killedAt = Instant.now();
    platform.kill(victim);

    JsonNode run = awaitRunEnd(runId, Duration.ofMinutes(4));

    assertThat(run.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(succeeded(run)).isEqualTo(100);
    int redispatched = 0;
    for (JsonNode t : run.path("taskRuns")) {
      List<JsonNode> as = attempts(t);
      assertThat(as.stream().filter(a -> "SUCCEEDED".equals(a.path("state").asText())).count())
          .as("task %s has one successful attempt: %s", t.path("taskKey").asText(), as)
          .isEqualTo(1);
      for (int i = 1; i < as.size(); i++) {
        Instant dispatched = Instant.parse(as.get(i).path("dispatchedAt").asText());
        if (dispatched.isAfter(killedAt)) {
          redispatched++;
          assertThat(Duration.between(killedAt, dispatched))
              .as("re-dispatch of %s", t.path("taskKey").asText())
              .isLessThanOrEqualTo(Duration.ofSeconds(10));
        }
      }
    }
    assertThat(redispatched).as("the killed worker's attempts were re-dispatched").isPositive();
    platform.restart(victim);
  }

  @Test
  @Order(2)
  void theOrchestratorKilledMidRunFinishesItAfterARestartWithNoTaskRunTwice() throws Exception {
    StringBuilder yaml = new StringBuilder("workerGroup: " + GROUP + "\ntasks:\n");
    for (int i = 0; i < 12; i++) {
      yaml.append(String.format("  - key: c%02d%n    runtime: bash%n    script: sleep 0.3%n", i));
      if (i > 0) {
        yaml.append(String.format("    dependsOn: [c%02d]%n", i - 1));
      }
    }
    String runId = startRun("chain", yaml.toString());

    await("the chain is under way")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> succeeded(run(runId)) >= 3);
    platform.kill("orchestrator-service");
    platform.restart("orchestrator-service");

    JsonNode run = awaitRunEnd(runId, Duration.ofMinutes(3));

    assertThat(run.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(succeeded(run)).isEqualTo(12);
    for (JsonNode t : run.path("taskRuns")) {
      assertThat(attempts(t)).as("attempts of %s", t.path("taskKey").asText()).hasSize(1);
    }
  }

  /**
   * Issue 16: the orchestrator applies task results in batches (one transaction for many). Killed
   * with SIGKILL while results stream in, and started again: what a batch had not committed is read
   * again and applied once, what it had committed is not applied twice, and no task runs twice. The
   * restarted orchestrator applies the backlog left while it was down in batches.
   */
  @Test
  @Order(3)
  void theOrchestratorKilledWhileApplyingBatchesOfResultsLosesNoneAndRunsNoneTwice()
      throws Exception {
    int width = 60;
    StringBuilder yaml =
        new StringBuilder(
            "workerGroup: "
                + GROUP
                + "\ntasks:\n  - {key: start, runtime: bash, script: 'true'}\n");
    for (int i = 0; i < width; i++) {
      yaml.append(
          String.format(
              "  - {key: f%02d, runtime: bash, script: 'true', dependsOn: [start]}%n", i));
    }
    yaml.append("  - {key: end, runtime: bash, script: 'true', dependsOn: [");
    for (int i = 0; i < width; i++) {
      yaml.append(i == 0 ? "" : ", ").append(String.format("f%02d", i));
    }
    yaml.append("]}\n");
    String runId = startRun("burst", yaml.toString());

    await("results are streaming in")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> succeeded(run(runId)) >= 10);
    platform.kill("orchestrator-service");
    platform.restart("orchestrator-service");

    JsonNode run = awaitRunEnd(runId, Duration.ofMinutes(3));
    assertThat(run.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(succeeded(run)).isEqualTo(width + 2);
    for (JsonNode t : run.path("taskRuns")) {
      assertThat(attempts(t)).as("attempts of %s", t.path("taskKey").asText()).hasSize(1);
    }
    double count = 0;
    double sum = 0;
    for (String line : platform.get("orchestrator-service", "/q/metrics").split("\n")) {
      if (line.contains("consumer=\"task-events\"")) {
        double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (line.startsWith("dataplane_consumer_batch_size_count")) {
          count = v;
        } else if (line.startsWith("dataplane_consumer_batch_size_sum")) {
          sum = v;
        }
      }
    }
    assertThat(sum)
        .as("task events applied by the restarted orchestrator, in batches")
        .isGreaterThan(count)
        .isPositive();
  }
}
