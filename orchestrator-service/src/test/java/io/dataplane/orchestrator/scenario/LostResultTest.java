package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.attempts;
import static io.dataplane.orchestrator.Api.awaitRun;
import static io.dataplane.orchestrator.Api.run;
import static io.dataplane.orchestrator.Api.taskState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.TaskDispatched;
import io.dataplane.orchestrator.Api;
import io.dataplane.orchestrator.scenario.TestWorker.Action;
import io.dataplane.orchestrator.scenario.TestWorker.Hang;
import io.dataplane.orchestrator.scenario.TestWorker.LateBeats;
import io.dataplane.orchestrator.scenario.TestWorker.Vanish;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 5 (orchestrator side): an attempt a live worker no longer reports in its
 * heartbeats (its result was lost) is re-queued, with attempt-unreported-after switched on (2 s).
 */
@QuarkusTest
@TestProfile(LostResultTest.Unreported.class)
class LostResultTest {

  /** attempt-unreported-after on, short. */
  public static class Unreported implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      // workers may go without a heartbeat for longer than the default here (LateBeats)
      return Map.of(
          "dataplane.orchestrator.attempt-unreported-after", "2s",
          "dataplane.orchestrator.worker-lost-after", "10s");
    }
  }

  private static final Duration WITHIN = Duration.ofSeconds(30);
  private final List<TestWorker> workers = new ArrayList<>();

  @AfterEach
  void closeWorkers() {
    workers.forEach(TestWorker::close);
    workers.clear();
  }

  private record Setup(String env, String group, String pipeline) {}

  private Setup deploy(String fixture) {
    String env = Api.env();
    String group = Api.unique("g");
    Api.group(env, group);
    String pipeline = fixture.replace('.', '-');
    Api.deploy(env, pipeline, Api.fixture(fixture, group));
    return new Setup(env, group, pipeline);
  }

  private TestWorker worker(Setup s, Function<TaskDispatched, Action> behaviour) {
    TestWorker w = new TestWorker(s.env(), s.group(), behaviour);
    workers.add(w);
    return w;
  }

  @Test
  void anAttemptALiveWorkerStoppedReportingIsRequeued() {
    Setup s = deploy("single");
    TestWorker w = worker(s, d -> d.attempt() == 1 ? new Vanish() : TestWorker.ok());
    String runId = Api.start(s.env(), s.pipeline(), Map.of());
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    List<Map<String, Object>> as = attempts(run, "only");
    assertThat(as).hasSize(2);
    assertThat(as.get(0).get("state")).isEqualTo("LOST");
    assertThat((String) as.get(0).get("error")).contains("no longer reports");
    assertThat(w.claimed()).hasSize(2);
  }

  @Test
  void anAttemptStillReportedIsNotRequeuedEvenWithoutAResult() {
    Setup s = deploy("single");
    TestWorker w = worker(s, d -> new Hang());
    String runId = Api.start(s.env(), s.pipeline(), Map.of());
    await().atMost(WITHIN).until(() -> "RUNNING".equals(taskState(run(runId), "only")));
    // well past attempt-unreported-after (2 s in tests): still one attempt, still running
    await()
        .pollDelay(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(7))
        .until(() -> attempts(run(runId), "only").size() == 1);
    assertThat(taskState(run(runId), "only")).isEqualTo("RUNNING");
    assertThat(w.claimed()).hasSize(1);
  }

  /**
   * The race that kept this off: a heartbeat built just before a claim and read after it leaves the
   * attempt out although its result does not exist yet; it must not count as "no longer reported".
   */
  @Test
  void aHeartbeatBuiltBeforeTheClaimAndReadAfterItRequeuesNothing() {
    Setup s = deploy("single");
    // the result comes 4.5 s after the claim, well past attempt-unreported-after (2 s)
    TestWorker w = worker(s, d -> new LateBeats(4_500));
    String runId = Api.start(s.env(), s.pipeline(), Map.of());
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    List<Map<String, Object>> as = attempts(run, "only");
    assertThat(as).hasSize(1);
    assertThat(as.get(0).get("state")).isEqualTo("SUCCEEDED");
    assertThat(w.claimed()).hasSize(1);
  }

  /** A 200-task fan-out (heartbeats and results read late under load) re-queues nothing. */
  @Test
  void aWideFanOutRequeuesNothing() {
    Setup s = deploy("fanout");
    TestWorker w = worker(s, d -> TestWorker.ok());
    String runId = Api.start(s.env(), s.pipeline(), Map.of());
    JsonPath run = awaitRun(runId, "SUCCEEDED", Duration.ofSeconds(120));
    assertThat(run.getList("taskRuns")).hasSize(202);
    assertThat(run.getList("taskRuns.attempts.state", List.class).stream().flatMap(List::stream))
        .containsOnly("SUCCEEDED");
    Map<String, Long> perTask =
        w.claimed().stream()
            .collect(Collectors.groupingBy(TaskDispatched::taskKey, Collectors.counting()));
    assertThat(perTask).hasSize(202);
    assertThat(perTask.values()).containsOnly(1L);
  }
}
