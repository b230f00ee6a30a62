package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The platform's workers run tasks in the bubblewrap sandbox (the default, which fails closed), and
 * a task that tries what an attacker would gets nothing: it cannot read the worker's environment
 * (its service token) through /proc, nor have a host file published as its output through a link.
 * The {@code workers} query shows the sandbox of every worker.
 */
class SandboxSystemTest {

  static final String GROUP = "sb-" + UUID.randomUUID().toString().substring(0, 8);
  static final String ENV = "sb-" + UUID.randomUUID().toString().substring(0, 8);
  static final String PIPELINE = "hostile";

  static String definition() {
    return """
        workerGroup: %s
        tasks:
          - key: read-worker-env
            runtime: bash
            script: |
              hostname
              echo "processes=$(ls -d /proc/[0-9]* | wc -l)"
              for f in /proc/[0-9]*/environ; do cat "$f" 2>/dev/null | tr '\\0' '\\n'; done \\
                | grep -c DATAPLANE_SERVICE_TOKEN || true
              echo "home=$(ls /root /home 2>&1 | head -1)"
          - key: link-output
            runtime: bash
            script: |
              ln -sf /etc/passwd "$DP_OUTPUT" || echo refused
          - key: link-json-output
            runtime: python
            script: |
              import os, json
              out = os.environ["DP_OUTPUT"]
              try:
                  os.remove(out)
                  os.symlink("/proc/1/environ", out)
                  print("linked")
              except OSError as e:
                  print("refused", type(e).__name__)
        """
        .formatted(GROUP);
  }

  static Platform platform;

  @BeforeAll
  static void start() throws Exception {
    platform = Platform.start(ENV + "/" + GROUP, Map.of());
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void workersAreSandboxedAndAHostileTaskGetsNothingOfTheHost() throws Exception {
    RecordedGraphQL alice = new RecordedGraphQL(platform, "alice");
    alice.data("mutation($e: String!) { createEnvironment(name: $e) { name } }", Map.of("e", ENV));
    alice.data(
        "mutation($e: String!, $g: String!) { createWorkerGroup(environment: $e, name: $g) { name } }",
        Map.of("e", ENV, "g", GROUP));

    // every worker says it runs tasks in bubblewrap, to the operator and on its metrics
    await("the workers report")
        .atMost(Duration.ofSeconds(30))
        .until(() -> workers(alice).size() == platform.workerServices().size());
    assertThat(workers(alice))
        .extracting(w -> w.path("sandbox").asText())
        .isNotEmpty()
        .containsOnly("bwrap");
    for (String worker : platform.workerServices()) {
      assertThat(platform.get(worker, "/q/health/ready"))
          .containsPattern("\"sandbox\"\\s*:\\s*\"bwrap\"");
      assertThat(platform.get(worker, "/q/metrics"))
          .containsPattern("dataplane_worker_sandboxed\\{[^}]*mode=\"bwrap\"[^}]*} 1\\.0");
    }

    alice.data(
        "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
        Map.of("e", ENV, "p", PIPELINE, "d", definition()));
    alice.data(
        "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p) { id } }",
        Map.of("e", ENV, "p", PIPELINE));
    String runId =
        alice
            .data(
                "mutation($e: String!, $p: String!) { startRun(environment: $e, pipeline: $p) { id } }",
                Map.of("e", ENV, "p", PIPELINE))
            .path("startRun")
            .path("id")
            .asText();
    JsonNode[] run = {null};
    await("the run ends")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              run[0] =
                  alice
                      .data(
                          "query($id: String!) { run(id: $id) { state taskRuns { id taskKey state outputs error } } }",
                          Map.of("id", runId))
                      .path("run");
              return Set.of("SUCCEEDED", "FAILED", "CANCELLED")
                  .contains(run[0].path("state").asText());
            });
    Map<String, JsonNode> tasks = new LinkedHashMap<>();
    run[0].path("taskRuns").forEach(t -> tasks.put(t.path("taskKey").asText(), t));
    assertThat(run[0].path("state").asText()).as(run[0].toPrettyString()).isEqualTo("SUCCEEDED");

    // inside the sandbox: its own host name, its own processes, no worker environment, no homes
    List<String> env = stdout(alice, tasks.get("read-worker-env"), runId);
    assertThat(env).as(String.join("\n", env)).contains("dataplane-task", "0");
    assertThat(env).noneMatch(l -> l.startsWith("home=") && !l.contains("No such file"));
    int processes =
        Integer.parseInt(
            env.stream()
                .filter(l -> l.startsWith("processes="))
                .findFirst()
                .orElseThrow()
                .substring("processes=".length()));
    assertThat(processes).as("the task sees its own processes only").isLessThan(10);

    // the output file is a bind mount: it cannot be turned into a link to a host file
    assertThat(stdout(alice, tasks.get("link-output"), runId)).containsExactly("refused");
    assertThat(stdout(alice, tasks.get("link-json-output"), runId))
        .singleElement()
        .asString()
        .startsWith("refused");
    for (JsonNode t : tasks.values()) {
      assertThat(t.path("outputs").toString()).doesNotContain("root:", "DATAPLANE_");
    }
  }

  private static List<JsonNode> workers(RecordedGraphQL gql) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    gql.data(
            "query($e: String!, $g: String) { workers(environment: $e, group: $g) { workerId state sandbox } }",
            Map.of("e", ENV, "g", GROUP))
        .path("workers")
        .forEach(
            w -> {
              if ("ACTIVE".equals(w.path("state").asText())) {
                out.add(w);
              }
            });
    return out;
  }

  private static List<String> stdout(RecordedGraphQL gql, JsonNode task, String runId)
      throws Exception {
    List<String> lines = new ArrayList<>();
    gql.data(
            "query($t: String!, $r: String) { logs(taskRunId: $t, runId: $r, limit: 1000) { lines { stream text } } }",
            Map.of("t", task.path("id").asText(), "r", runId))
        .path("logs")
        .path("lines")
        .forEach(
            l -> {
              if ("stdout".equals(l.path("stream").asText())) {
                lines.add(l.path("text").asText());
              }
            });
    return lines;
  }
}
