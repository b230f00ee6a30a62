package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.demo.GraphQLClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker killed with SIGKILL in the middle of a run and started again on its ports and
 * data (a broker of the platform's own, not the shared one): no service needs a restart, every
 * service is ready again once the broker is back, and the run ends as if nothing happened: every
 * task succeeded on one attempt, its outputs reached the tasks downstream, its logs are complete
 * and none arrived twice.
 */
class KafkaOutageTest {

  static final String GROUP = "st-" + UUID.randomUUID().toString().substring(0, 8);
  static final String ENV = "ko-" + UUID.randomUUID().toString().substring(0, 8);
  static final int CHAIN = 10;
  static final int FAN = 20;

  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** A chain passing a counter down, a fan-out of the chain's last output, and a join summing. */
  static String definition() {
    StringBuilder y = new StringBuilder("workerGroup: " + GROUP + "\ntasks:\n");
    String readN = "n=$(grep -oE '\"n\": ?[0-9]+' \"$DP_INPUTS\" | grep -oE '[0-9]+$')";
    for (int i = 0; i < CHAIN; i++) {
      String key = String.format("c%02d", i);
      y.append("  - key: ").append(key).append("\n    runtime: bash\n");
      if (i > 0) {
        y.append(String.format("    dependsOn: [c%02d]%n", i - 1));
      }
      y.append("    script: |\n");
      y.append("      ").append(i == 0 ? "n=0" : readN).append('\n');
      y.append("      echo \"").append(key).append(" 1/3\"\n");
      y.append("      sleep 0.3\n");
      y.append("      echo \"").append(key).append(" 2/3 n=$n\"\n");
      y.append("      echo \"{\\\"n\\\": $((n + 1))}\" > \"$DP_OUTPUT\"\n");
      y.append("      echo \"").append(key).append(" 3/3\"\n");
    }
    List<String> fan = new ArrayList<>();
    for (int j = 0; j < FAN; j++) {
      String key = String.format("f%02d", j);
      fan.add(key);
      y.append("  - key: ").append(key).append("\n    runtime: bash\n");
      y.append(String.format("    dependsOn: [c%02d]%n", CHAIN - 1));
      y.append("    script: |\n");
      y.append("      ").append(readN).append('\n');
      y.append("      echo \"").append(key).append(" 1/3\"\n");
      y.append("      sleep 0.2\n");
      y.append("      echo \"").append(key).append(" 2/3 n=$n\"\n");
      y.append("      echo \"{\\\"v\\\": $((n + ").append(j).append("))}\" > \"$DP_OUTPUT\"\n");
      y.append("      echo \"").append(key).append(" 3/3\"\n");
    }
    y.append("  - key: join\n    runtime: bash\n");
    y.append("    dependsOn: [").append(String.join(", ", fan)).append("]\n");
    y.append("    script: |\n");
    y.append("      echo \"join 1/3\"\n");
    y.append(
        "      total=$(grep -oE '\"v\": ?[0-9]+' \"$DP_INPUTS\" | grep -oE '[0-9]+$'"
            + " | awk '{s += $1} END {print s}')\n");
    y.append("      echo \"join 2/3 n=$total\"\n");
    y.append("      echo \"{\\\"total\\\": $total}\" > \"$DP_OUTPUT\"\n");
    y.append("      echo \"join 3/3\"\n");
    return y.toString();
  }

  /** The log lines each task must show, in order. */
  static List<String> expectedLog(String key, long n) {
    return List.of(key + " 1/3", key + " 2/3 n=" + n, key + " 3/3");
  }

  static JsonNode run(GraphQLClient gql, String runId) throws Exception {
    return gql.execute(
            "query($id: String!) { run(id: $id) { state taskRuns { id taskKey state outputs"
                + " attempts { attempt state logsComplete } } } }",
            Map.of("id", runId))
        .path("run");
  }

  static List<JsonNode> workers(GraphQLClient gql) throws Exception {
    List<JsonNode> list = new ArrayList<>();
    gql.execute(
            "query($e: String!, $g: String) { workers(environment: $e, group: $g) { workerId state lastSeen } }",
            Map.of("e", ENV, "g", GROUP))
        .path("workers")
        .forEach(list::add);
    return list;
  }

  static long succeeded(JsonNode run) {
    return StreamSupport.stream(run.path("taskRuns").spliterator(), false)
        .filter(t -> "SUCCEEDED".equals(t.path("state").asText()))
        .count();
  }

  static String get(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void theBrokerKilledAndRestartedMidRunLosesNothingAndDoublesNothing() throws Exception {
    try (Platform platform = Platform.builder(ENV + "/" + GROUP).workers(2).ownKafka().start()) {
      GraphQLClient alice = platform.graphql("alice");
      alice.execute(
          "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", ENV));
      alice.execute(
          "mutation($e: String!, $n: String!) { createWorkerGroup(environment: $e, name: $n) { name } }",
          Map.of("e", ENV, "n", GROUP));
      alice.execute(
          "mutation($e: String!, $d: String!) { savePipeline(environment: $e, name: \"outage\", definition: $d) { name } }",
          Map.of("e", ENV, "d", definition()));
      alice.execute(
          "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"outage\") { id } }",
          Map.of("e", ENV));
      Map<String, Long> pids = new LinkedHashMap<>();
      platform.services.forEach((name, s) -> pids.put(name, s.pid()));

      String runId =
          alice
              .execute(
                  "mutation($e: String!) { startRun(environment: $e, pipeline: \"outage\") { id } }",
                  Map.of("e", ENV))
              .path("startRun")
              .path("id")
              .asText();
      // followed live through the gateway, as a user watching the run would
      List<String> updates = new CopyOnWriteArrayList<>();
      try (GraphQLClient.Subscription sub =
          alice.subscribe(
              "subscription($r: String!) { runUpdates(runId: $r) { kind taskKey state } }",
              Map.of("r", runId),
              d -> {
                JsonNode u = d.path("runUpdates");
                updates.add(
                    ("RUN".equals(u.path("kind").asText()) ? "run" : u.path("taskKey").asText())
                        + " "
                        + u.path("state").asText());
              })) {

        await("a few tasks done before the outage")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> succeeded(run(alice, runId)) >= 3);
        long doneBefore = succeeded(run(alice, runId));
        assertThat(doneBefore)
            .as("tasks done when the broker dies: the chain is under way")
            .isLessThan(CHAIN);
        platform.kafka.kill();
        long killedAt = System.nanoTime();
        // the outage lasts until the orchestrator has heard nothing from the workers for longer
        // than worker-lost-after (5 s): long enough to call them lost, were it fooled by silence
        await("the workers silent for longer than worker-lost-after")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () ->
                    workers(alice).stream()
                        .allMatch(
                            w ->
                                Instant.parse(w.path("lastSeen").asText())
                                    .isBefore(Instant.now().minusSeconds(6))));
        assertThat(workers(alice))
            .as("workers while Kafka is down: silent, but not lost")
            .hasSize(2)
            .allSatisfy(w -> assertThat(w.path("state").asText()).isEqualTo("ACTIVE"));
        long downMillis = (System.nanoTime() - killedAt) / 1_000_000;
        platform.kafka.restart();
        long restartedAt = System.nanoTime();
        for (ServiceProcess s : platform.services.values()) {
          await(s.name + " ready again after the broker is back (log: " + s.log + ")")
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> s.status("/q/health/ready") == 200);
        }
        long readyMillis = (System.nanoTime() - restartedAt) / 1_000_000;

        JsonNode[] last = new JsonNode[1];
        await("the run ends")
            .atMost(Duration.ofMinutes(4))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  last[0] = run(alice, runId);
                  return List.of("SUCCEEDED", "FAILED", "CANCELLED")
                      .contains(last[0].path("state").asText());
                });
        JsonNode run = last[0];
        System.out.printf(
            "kafka outage: %d tasks done before, broker down %d ms, services ready %d ms after"
                + " its restart%n",
            doneBefore, downMillis, readyMillis);

        assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.path("taskRuns").size()).isEqualTo(CHAIN + FAN + 1);
        Map<String, JsonNode> tasks = new HashMap<>();
        run.path("taskRuns").forEach(t -> tasks.put(t.path("taskKey").asText(), t));
        for (JsonNode t : tasks.values()) {
          String key = t.path("taskKey").asText();
          assertThat(t.path("state").asText()).as(key).isEqualTo("SUCCEEDED");
          assertThat(t.path("attempts").size()).as("attempts of %s: %s", key, t).isEqualTo(1);
          JsonNode a = t.path("attempts").get(0);
          assertThat(a.path("state").asText()).as("attempt of %s", key).isEqualTo("SUCCEEDED");
          assertThat(a.path("logsComplete").asBoolean()).as("logs of %s complete", key).isTrue();
        }
        // outputs flowed downstream
        for (int i = 0; i < CHAIN; i++) {
          assertThat(tasks.get(String.format("c%02d", i)).path("outputs").path("n").asLong())
              .isEqualTo(i + 1);
        }
        for (int j = 0; j < FAN; j++) {
          assertThat(tasks.get(String.format("f%02d", j)).path("outputs").path("v").asLong())
              .isEqualTo(CHAIN + j);
        }
        long total = (long) FAN * CHAIN + (long) FAN * (FAN - 1) / 2;
        assertThat(tasks.get("join").path("outputs").path("total").asLong()).isEqualTo(total);

        // every task's log, complete and once
        for (JsonNode t : tasks.values()) {
          String key = t.path("taskKey").asText();
          JsonNode page =
              alice
                  .execute(
                      "query($t: String!, $r: String) { logs(taskRunId: $t, runId: $r) { complete lines { seq stream text } } }",
                      Map.of("t", t.path("id").asText(), "r", runId))
                  .path("logs");
          List<String> stdout = new ArrayList<>();
          List<String> system = new ArrayList<>();
          List<Long> seqs = new ArrayList<>();
          page.path("lines")
              .forEach(
                  l -> {
                    seqs.add(l.path("seq").asLong());
                    if ("stdout".equals(l.path("stream").asText())) {
                      stdout.add(l.path("text").asText());
                    } else if ("system".equals(l.path("stream").asText())) {
                      system.add(l.path("text").asText());
                    }
                  });
          assertThat(seqs)
              .as("log of %s numbered 1…n once", key)
              .isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
          assertThat(system)
              .as("the worker's closing line of %s", key)
              .singleElement()
              .asString()
              .startsWith("attempt finished: SUCCEEDED");
          long n = key.startsWith("c") ? Integer.parseInt(key.substring(1)) : CHAIN;
          if (key.equals("join")) {
            n = total;
          }
          assertThat(stdout).as("log of %s", key).containsExactlyElementsOf(expectedLog(key, n));
          assertThat(page.path("complete").asBoolean()).as("log of %s complete", key).isTrue();
        }

        // no result reached the orchestrator for an attempt that had one already
        String metrics = get(platform.url("orchestrator-service") + "/q/metrics");
        assertThat(metrics.lines().filter(l -> l.startsWith("dataplane_fenced_results_total")))
            .as("fenced (duplicate or stale) attempt results")
            .allSatisfy(
                l -> assertThat(Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).isZero());

        // the live view went on through the outage
        await("the run's end arrives through runUpdates")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> updates.contains("run SUCCEEDED"));
        assertThat(updates).contains("join SUCCEEDED");

        // and no service was restarted to get there
        platform.services.forEach(
            (name, s) -> {
              assertThat(s.alive()).as(name + " alive").isTrue();
              assertThat(s.pid())
                  .as(name + " is the process started at first")
                  .isEqualTo(pids.get(name));
            });
      }
    }
  }
}
