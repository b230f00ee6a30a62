package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.api;
import static io.dataplane.orchestrator.Api.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.WorkerGroupUnserved;
import io.dataplane.orchestrator.Api;
import io.dataplane.orchestrator.scenario.TestWorker.Action;
import io.dataplane.orchestrator.scenario.TestWorker.Fail;
import io.dataplane.orchestrator.scenario.TestWorker.Hang;
import io.dataplane.orchestrator.scenario.TestWorker.Ignore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 "Why is this waiting?": each reason, as the REST API (and through it GraphQL) shows it
 * on a run and its task runs, from the engine's real state.
 */
@QuarkusTest
class WaitingReasonTest {

  private static final Duration WITHIN = Duration.ofSeconds(30);
  private final List<TestWorker> workers = new ArrayList<>();

  @AfterEach
  void closeWorkers() {
    workers.forEach(TestWorker::close);
    workers.clear();
  }

  private record Setup(String env, String group, String pipeline) {}

  private static Setup deploy(String yaml) {
    String env = Api.env();
    String group = Api.unique("g");
    Api.group(env, group);
    String pipeline = Api.unique("p");
    Api.deploy(env, pipeline, yaml.replace("${GROUP}", group));
    return new Setup(env, group, pipeline);
  }

  private void worker(Setup s, Function<TaskDispatched, Action> behaviour) {
    workers.add(new TestWorker(s.env(), s.group(), behaviour));
  }

  private static String start(Setup s) {
    return Api.start(s.env(), s.pipeline(), Map.of());
  }

  private static String task(JsonPath run, String key, String field) {
    return run.getString("taskRuns.find { it.taskKey == '" + key + "' }.waitingReason." + field);
  }

  /** Waits until the task's reason has the kind, and returns the run as read then. */
  private static JsonPath awaitTaskReason(String runId, String key, String kind) {
    return await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> run(runId), r -> kind.equals(task(r, key, "kind")));
  }

  @Test
  void aTaskOfAGroupWithoutWorkersSaysSoAndSoDoesItsRunAndTheOutageIsToldOnce() {
    Setup s =
        deploy("workerGroup: ${GROUP}\ntasks:\n  - {key: only, runtime: bash, script: 'true'}\n");
    KafkaConsumer<String, byte[]> events = Api.runEvents();
    String id = start(s);
    JsonPath r = awaitTaskReason(id, "only", "NO_WORKER");
    // told once (unserved-alert-after is 2s in tests, the check runs every 250 ms)
    List<WorkerGroupUnserved> told = new ArrayList<>();
    EventCodec codec = new EventCodec();
    Runnable read =
        () -> {
          for (ConsumerRecord<String, byte[]> rec : events.poll(Duration.ofMillis(200))) {
            if (codec.decode(rec.value()).payload() instanceof WorkerGroupUnserved u
                && u.environment().equals(s.env())) {
              told.add(u);
            }
          }
        };
    try (events) {
      await("the outage is told")
          .atMost(WITHIN)
          .until(
              () -> {
                read.run();
                return !told.isEmpty();
              });
      await("and only once")
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                read.run();
                return told.size() == 1;
              });
    }
    assertThat(told.get(0).workerGroup()).isEqualTo(s.group());
    assertThat(told.get(0).pipelines()).containsExactly(s.pipeline());
    assertThat(told.get(0).waitingTasks()).isEqualTo(1);
    assertThat(told.get(0).registered()).isZero();
    assertThat(task(r, "only", "workerGroup")).isEqualTo(s.env() + "/" + s.group());
    assertThat(task(r, "only", "message"))
        .isEqualTo("no worker serves worker group " + s.env() + "/" + s.group());
    assertThat(r.getString("waitingReason.kind")).isEqualTo("NO_WORKER");
    assertThat(r.getList("waitingReason.tasks")).containsExactly("only");
    assertThat(r.getString("waitingReason.message")).startsWith("task only: no worker serves");
  }

  @Test
  void allSlotsBusyGivesTheQueuePlaceAndTheJoinWaitsForItsUpstreamTasks() {
    // nine parallel tasks and a join; the worker has 8 slots: it holds eight, the ninth waits
    String parallel =
        IntStream.rangeClosed(1, 9)
            .mapToObj(i -> "  - {key: p" + i + ", runtime: bash, script: 'true'}\n")
            .collect(Collectors.joining());
    String deps =
        IntStream.rangeClosed(1, 9).mapToObj(i -> "p" + i).collect(Collectors.joining(", "));
    Setup s =
        deploy(
            "workerGroup: ${GROUP}\ntasks:\n"
                + parallel
                + "  - {key: join, runtime: bash, script: 'true', dependsOn: ["
                + deps
                + "]}\n");
    List<String> held = new ArrayList<>();
    worker(
        s,
        d -> {
          synchronized (held) {
            if (held.size() < 8 || held.contains(d.taskKey())) {
              if (!held.contains(d.taskKey())) {
                held.add(d.taskKey());
              }
              return new Hang();
            }
            return new Ignore();
          }
        });
    String id = start(s);
    await().atMost(WITHIN).until(() -> held.size() == 8);
    String waiting =
        IntStream.rangeClosed(1, 9)
            .mapToObj(i -> "p" + i)
            .filter(k -> !held.contains(k))
            .findFirst()
            .orElseThrow();
    JsonPath r = awaitTaskReason(id, waiting, "SLOTS_BUSY");
    assertThat(task(r, waiting, "position")).isEqualTo("1");
    assertThat(task(r, waiting, "message"))
        .isEqualTo(
            "all 8 slot(s) of the 1 worker(s) of "
                + s.env()
                + "/"
                + s.group()
                + " are busy; number 1 in queue");
    assertThat(r.getList("taskRuns.find { it.taskKey == 'join' }.waitingReason.tasks"))
        .containsExactlyInAnyOrderElementsOf(List.of(deps.split(", ")));
    assertThat(task(r, "join", "kind")).isEqualTo("UPSTREAM_RUNNING");
    assertThat(task(r, held.get(0), "kind")).isNull(); // it runs
    assertThat(r.getString("waitingReason")).isNull(); // its tasks run: the run is not waiting
  }

  @Test
  void aFailedTaskWaitingForItsRetrySaysUntilWhen() {
    Setup s =
        deploy(
            "workerGroup: ${GROUP}\ntasks:\n  - key: flaky\n    runtime: bash\n    script: 'false'\n"
                + "    retries: {max: 2, backoff: fixed, initialDelay: 1h, maxDelay: 1h}\n");
    worker(s, d -> new Fail(0, "exit 1"));
    Instant before = Instant.now();
    String id = start(s);
    JsonPath r = awaitTaskReason(id, "flaky", "RETRY_BACKOFF");
    Instant until = Instant.parse(task(r, "flaky", "until"));
    assertThat(until).isAfter(before.plus(Duration.ofMinutes(59)));
    assertThat(r.getString("waitingReason.kind")).isEqualTo("RETRY_BACKOFF");
  }

  @Test
  void aQueuedRunNamesTheRunHoldingTheConcurrencyLimitAlsoInTheList() {
    Setup s =
        deploy(
            "workerGroup: ${GROUP}\nconcurrency: {max: 1, policy: QUEUE}\ntasks:\n"
                + "  - {key: only, runtime: bash, script: 'true'}\n");
    worker(s, d -> new Hang());
    String first = start(s);
    String second = start(s);
    String third = start(s);
    JsonPath r = run(third);
    assertThat(r.getString("state")).isEqualTo("QUEUED");
    assertThat(r.getString("waitingReason.kind")).isEqualTo("CONCURRENCY_LIMIT");
    assertThat(r.getList("waitingReason.runs")).containsExactly(first);
    assertThat(r.getInt("waitingReason.position")).isEqualTo(2);
    assertThat(run(second).getInt("waitingReason.position")).isEqualTo(1);
    JsonPath page =
        api()
            .queryParam("environment", s.env())
            .queryParam("pipeline", s.pipeline())
            .get("/api/v1/runs")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(page.getString("items.find { it.id == '" + second + "' }.waitingReason.kind"))
        .isEqualTo("CONCURRENCY_LIMIT");
  }
}
