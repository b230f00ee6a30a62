package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.demo.Demo;
import io.dataplane.demo.FailureNotice;
import io.dataplane.demo.GraphQLClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The demo scenario through the gateway, as alice signed in at the real Keycloak, against the six
 * packaged services: every task succeeds, the flaky one on its second attempt, outputs flow
 * downstream, and the secret shows up nowhere in plain.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoScenarioTest {

  static final String GROUP = "st-" + UUID.randomUUID().toString().substring(0, 8);
  static Platform platform;
  static final String environment = "st-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void start() throws Exception {
    platform = Platform.start(environment + "/" + GROUP, Map.of());
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  /**
   * Metrics no service can show after this scenario: counters that only appear once they count
   * something the demo never does (a denied secret read, a failed decryption).
   */
  static final Set<String> NOT_PRODUCED_BY_THE_DEMO =
      Set.of("dataplane_secrets_denials_total", "dataplane_secrets_decryption_failures_total");

  @Test
  @Order(1)
  void theDemoRunSucceedsWithRetriesOutputsAndRedaction() throws Exception {
    String env = environment;
    Demo.Settings local = Demo.Settings.local(env);
    Demo.Settings settings =
        new Demo.Settings(
            URI.create(platform.url("gateway-service") + "/graphql"),
            local.tokenEndpoint(),
            local.clientId(),
            "alice",
            "alice",
            env,
            "demo-etl",
            GROUP,
            Duration.ofMinutes(3));
    List<String> printed = new CopyOnWriteArrayList<>();

    Demo.Result r = new Demo(settings, printed::add).run();

    assertThat(r.state()).as(String.join("\n", printed)).isEqualTo("SUCCEEDED");
    Map<String, JsonNode> tasks = new HashMap<>();
    r.run().path("taskRuns").forEach(t -> tasks.put(t.path("taskKey").asText(), t));
    assertThat(tasks).containsOnlyKeys("extract", "transform", "check", "load");
    assertThat(tasks.values())
        .allSatisfy(t -> assertThat(t.path("state").asText()).isEqualTo("SUCCEEDED"));

    JsonNode checkAttempts = tasks.get("check").path("attempts");
    assertThat(checkAttempts.size()).isEqualTo(2);
    assertThat(
            StreamSupport.stream(checkAttempts.spliterator(), false)
                .map(a -> a.path("state").asText()))
        .containsExactly("FAILED", "SUCCEEDED");
    assertThat(tasks.get("extract").path("outputs").path("rows").asInt()).isEqualTo(21);
    assertThat(tasks.get("transform").path("outputs").path("rows").asInt()).isEqualTo(42);
    assertThat(tasks.get("load").path("outputs").path("loaded").asInt()).isEqualTo(42);

    // followed live: the run's and the tasks' transitions arrived through runUpdates
    assertThat(r.updates()).contains("run SUCCEEDED", "check QUEUED", "load SUCCEEDED");
    // logs arrived through logTail, with the secret redacted
    assertThat(r.logs().get("extract")).anySatisfy(l -> assertThat(l).contains("token ***"));
    assertThat(r.logs().get("transform")).anySatisfy(l -> assertThat(l).contains("token ***"));
    assertThat(String.join("\n", printed)).doesNotContain(r.secretValue());
    assertThat(platform.allServiceLogs()).doesNotContain(r.secretValue());

    // then the failure notification of a pipeline that fails on purpose arrives, signed, once
    FailureNotice.Notice n = r.notice();
    assertThat(n.event()).as(String.join("\n", printed)).isEqualTo("RUN_FAILED");
    assertThat(n.signed()).isTrue();
    assertThat(n.title())
        .isEqualTo("[" + env + "] pipeline " + FailureNotice.PIPELINE + ": run FAILED");
    assertThat(n.link())
        .isEqualTo(platform.url("gateway-service") + "/e/" + env + "/runs/" + n.runId());
    assertThat(printed).anySatisfy(l -> assertThat(l).startsWith("Notification received: ["));
  }

  /** Every metric the chart's dashboard and alerts query is exposed by the services it names. */
  @Test
  @Order(2)
  void theDashboardsMetricsAreExposedByTheRunningServices() throws Exception {
    // the demo never reaches the scheduler's API: one read makes it serve a request
    platform
        .graphql("alice")
        .execute(
            "query($e: String!) { schedules(environment: $e) { id } }", Map.of("e", environment));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, String> expositions = new HashMap<>();
    for (String service : platform.ports.keySet()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(platform.url(service) + "/q/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(service).isEqualTo(200);
      expositions.put(service, r.body());
    }
    List<String> missing = new ArrayList<>();
    List<String> listed =
        Files.readAllLines(ServiceProcess.root().resolve("helm/dataplane/metrics.txt"));
    for (String line : listed) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      for (String service : f[1].split(",")) {
        String body = expositions.get(service);
        boolean exposed =
            body != null
                && body.lines().anyMatch(l -> l.startsWith(f[0] + "{") || l.startsWith(f[0] + " "));
        if (!exposed && !NOT_PRODUCED_BY_THE_DEMO.contains(f[0])) {
          missing.add(f[0] + " in " + service);
        }
      }
    }
    assertThat(listed).anyMatch(l -> l.startsWith("dataplane_runs_total"));
    assertThat(missing)
        .as("metrics the dashboard or alerts query but no service exposes")
        .isEmpty();
  }

  /**
   * One trace from a GraphQL {@code startRun} through the gateway, the orchestrator, Kafka and the
   * worker into the task process: the task's {@code TRACEPARENT} carries the trace id of the
   * caller's {@code traceparent}.
   */
  @Test
  @Order(3)
  void oneTraceFromStartRunToTheTaskProcess() throws Exception {
    GraphQLClient gql = platform.graphql("alice");
    String yaml =
        "workerGroup: "
            + GROUP
            + "\ntasks:\n  - key: traced\n    runtime: bash\n"
            + "    script: echo \"traceparent=$TRACEPARENT\"\n";
    gql.execute(
        "mutation($e: String!, $d: String!) { savePipeline(environment: $e, name: \"traced\", definition: $d) { name } }",
        Map.of("e", environment, "d", yaml));
    gql.execute(
        "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"traced\") { id } }",
        Map.of("e", environment));
    String traceId = UUID.randomUUID().toString().replace("-", "");
    JsonNode started =
        gql.executeRaw(
            "mutation($e: String!) { startRun(environment: $e, pipeline: \"traced\") { id } }",
            Map.of("e", environment),
            Map.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
    String runId = started.path("data").path("startRun").path("id").asText();
    assertThat(runId).as(started.toString()).isNotBlank();

    String[] line = {null};
    await("the traced task's log")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              JsonNode run =
                  gql.execute(
                          "query($id: String!) { run(id: $id) { state taskRuns { id } } }",
                          Map.of("id", runId))
                      .path("run");
              if (!"SUCCEEDED".equals(run.path("state").asText())) {
                return false;
              }
              JsonNode lines =
                  gql.execute(
                          "query($t: String!, $r: String) { logs(taskRunId: $t, runId: $r) { lines { text } } }",
                          Map.of("t", run.path("taskRuns").get(0).path("id").asText(), "r", runId))
                      .path("logs")
                      .path("lines");
              for (JsonNode l : lines) {
                if (l.path("text").asText().startsWith("traceparent=")) {
                  line[0] = l.path("text").asText();
                }
              }
              return line[0] != null;
            });
    assertThat(line[0]).matches("traceparent=00-" + traceId + "-[0-9a-f]{16}-0[01]");
  }
}
