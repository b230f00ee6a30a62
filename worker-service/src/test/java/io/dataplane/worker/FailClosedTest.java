package io.dataplane.worker;

import static io.dataplane.worker.support.TaskKit.bash;
import static io.dataplane.worker.support.TaskKit.claimed;
import static io.dataplane.worker.support.TaskKit.send;
import static io.dataplane.worker.support.TaskKit.tap;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.worker.support.ServiceStubs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A worker whose sandbox cannot start (here: bubblewrap is not where the configuration says) and
 * that was not allowed to run tasks without one takes no work: not ready, with the reason in its
 * readiness check, its heartbeats and its metric; a dispatch is left for other workers.
 */
@QuarkusTest
@TestProfile(FailClosedTest.NoBubblewrap.class)
class FailClosedTest {

  /** The default sandbox (bwrap), and no bubblewrap. */
  public static class NoBubblewrap implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("dataplane.worker.bwrap", "/nonexistent/bwrap");
    }
  }

  @Test
  void aWorkerThatCannotSandboxIsNotReadyAndTakesNoWork() throws Exception {
    JsonPath ready =
        given().when().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
    Map<String, Object> worker = ready.getMap("checks.find { it.name == 'worker' }");
    assertThat(worker).containsEntry("status", "DOWN");
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) worker.get("data");
    assertThat(data).containsEntry("sandbox", "unavailable");
    assertThat((String) data.get("sandboxProblem"))
        .contains("bubblewrap is not installed (/nonexistent/bwrap)");

    assertThat(given().when().get("/q/metrics").asString())
        .containsPattern("dataplane_worker_sandboxed\\{[^}]*mode=\"unavailable\"[^}]*} 0\\.0");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !tap()
                    .of(
                        WorkerHeartbeat.class,
                        h ->
                            h.workerId().equals(ServiceStubs.WORKER_ID)
                                && "unavailable".equals(h.sandbox())
                                && h.slots() == 0)
                    .isEmpty());

    TaskDispatched d = bash("echo must-not-run");
    ServiceStubs.REFUSE.add(d.taskRunId()); // should a later worker see it, it is skipped
    send(d);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> !claimed(d));
  }
}
