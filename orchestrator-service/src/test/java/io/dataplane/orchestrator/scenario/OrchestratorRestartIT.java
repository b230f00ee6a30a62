package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.attempts;
import static io.dataplane.orchestrator.Api.awaitRun;
import static io.dataplane.orchestrator.Api.run;
import static io.dataplane.orchestrator.Api.taskState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.TaskDispatched;
import io.dataplane.orchestrator.Api;
import io.dataplane.testing.Ports;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged orchestrator is killed (SIGKILL) while a run is in flight and started again: the run
 * finishes, no task runs twice, and a retry whose backoff was running at the crash is dispatched
 * after the restart.
 */
class OrchestratorRestartIT {

  private final List<Process> processes = new ArrayList<>();
  private final List<Ports.Reservation> reservations = new ArrayList<>();
  private final String group = "orchestrator-it-" + UUID.randomUUID();
  private int port;

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    reservations.forEach(Ports.Reservation::close);
  }

  private Process startOrchestrator(int n) throws IOException {
    String jar = System.getProperty("orchestrator.jar", "target/quarkus-app/quarkus-run.jar");
    ProcessBuilder pb =
        new ProcessBuilder(
            System.getProperty("java.home") + "/bin/java",
            "-Xmx256m",
            "-Dquarkus.profile=test",
            "-Dquarkus.http.port=" + port,
            "-Dquarkus.log.console.json.enabled=false",
            "-Ddataplane.orchestrator.consumer-group=" + group,
            "-jar",
            jar);
    pb.redirectErrorStream(true);
    pb.redirectOutput(new File("target/restart-it-" + n + ".log"));
    Process p = pb.start();
    processes.add(p);
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> RestAssured.get("/q/health/ready").statusCode() == 200);
    return p;
  }

  @Test
  void aRunInFlightFinishesAfterACrashAndNoTaskRunsTwice() throws Exception {
    Ports.Reservation reservation = Ports.reserve();
    reservations.add(reservation);
    port = reservation.port;
    RestAssured.port = port;
    RestAssured.config =
        RestAssured.config()
            .httpClient(
                io.restassured.config.HttpClientConfig.httpClientConfig()
                    .setParam("http.connection.timeout", 2000)
                    .setParam("http.socket.timeout", 10000));
    Process first = startOrchestrator(1);

    String env = Api.env();
    String workerGroup = Api.unique("g");
    Api.group(env, workerGroup);
    Api.deploy(env, "restart", Api.fixture("restart", workerGroup));
    try (TestWorker w =
        new TestWorker(
            env,
            workerGroup,
            d ->
                d.taskKey().equals("flaky") && d.attempt() == 1
                    ? new TestWorker.Fail(0, "flaked")
                    : new TestWorker.Succeed(
                        d.taskKey().equals("a") ? 3000 : 500, Map.of("k", d.taskKey())))) {
      String runId = Api.start(env, "restart", Map.of());
      // a is running and flaky's retry is waiting for its backoff: crash now
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                JsonPath r = run(runId);
                return "RUNNING".equals(taskState(r, "a"))
                    && r.getString("taskRuns.find { it.taskKey == 'flaky' }.retryAt") != null;
              });
      first.destroyForcibly().waitFor();

      // a finishes while the orchestrator is down; its result waits in Kafka
      startOrchestrator(2);
      JsonPath run = awaitRun(runId, "SUCCEEDED", Duration.ofSeconds(60));
      assertThat(attempts(run, "a")).hasSize(1);
      assertThat(attempts(run, "b")).hasSize(1);
      assertThat(attempts(run, "c")).hasSize(1);
      assertThat(attempts(run, "flaky"))
          .extracting(m -> m.get("state"))
          .containsExactly("FAILED", "SUCCEEDED");
      Map<String, Long> claims =
          w.claimed().stream()
              .collect(Collectors.groupingBy(TaskDispatched::taskKey, Collectors.counting()));
      assertThat(claims)
          .containsEntry("a", 1L)
          .containsEntry("b", 1L)
          .containsEntry("c", 1L)
          .containsEntry("flaky", 2L);
      assertThat(
              (Map<String, Object>)
                  w.claimed().stream()
                      .filter(d -> d.taskKey().equals("c"))
                      .findFirst()
                      .orElseThrow()
                      .inputs()
                      .get("b"))
          .containsEntry("k", "b");
    }
  }
}
