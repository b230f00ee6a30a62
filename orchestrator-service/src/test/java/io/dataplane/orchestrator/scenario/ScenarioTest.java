package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.api;
import static io.dataplane.orchestrator.Api.attempts;
import static io.dataplane.orchestrator.Api.awaitRun;
import static io.dataplane.orchestrator.Api.run;
import static io.dataplane.orchestrator.Api.taskState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.RunRequested;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.orchestrator.Api;
import io.dataplane.orchestrator.repository.Db;
import io.dataplane.orchestrator.scenario.TestWorker.Action;
import io.dataplane.orchestrator.scenario.TestWorker.Fail;
import io.dataplane.orchestrator.scenario.TestWorker.Hang;
import io.dataplane.orchestrator.scenario.TestWorker.Ignore;
import io.dataplane.orchestrator.scenario.TestWorker.Succeed;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scenario tests: fixture pipelines run through the real orchestrator, PostgreSQL and Kafka, with a
 * test worker on a worker group of each test's own.
 */
@QuarkusTest
class ScenarioTest {

  private static final Duration WITHIN = Duration.ofSeconds(30);
  @Inject Db db;
  private final List<TestWorker> workers = new ArrayList<>();

  @AfterEach
  void closeWorkers() {
    workers.forEach(TestWorker::close);
    workers.clear();
  }

  /** An environment and worker group of this test, the fixture deployed there. */
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

  private static String start(Setup s) {
    return Api.start(s.env(), s.pipeline(), Map.of());
  }

  @Test
  void chainRunsInOrderAndDispatchesWithoutPolling() {
    Setup s = deploy("chain");
    TestWorker w = worker(s, d -> TestWorker.ok());
    String runId = start(s);
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    assertThat(w.claimed()).extracting(TaskDispatched::taskKey).containsExactly("a", "b", "c");
    // the next task is dispatched right after the previous one's result, not at a sweep or poll
    List<Map<String, Object>> a = attempts(run, "a");
    List<Map<String, Object>> b = attempts(run, "b");
    Instant aDone = Instant.parse((String) a.get(0).get("finishedAt"));
    Instant bDispatched = Instant.parse((String) b.get(0).get("dispatchedAt"));
    assertThat(Duration.between(aDone, bDispatched)).isLessThan(Duration.ofMillis(500));
    assertThat(run.getString("startedAt")).isNotNull();
    assertThat(run.getString("finishedAt")).isNotNull();
  }

  @Test
  void aWorkerGroupBelongsToOneEnvironment() {
    // dev and prod both have a group of the same name; a worker serves dev's only
    String group = Api.unique("g");
    String dev = Api.env();
    String prod = Api.env();
    for (String env : List.of(dev, prod)) {
      Api.group(env, group);
      Api.deploy(env, "single", Api.fixture("single", group));
    }
    TestWorker devWorker = worker(new Setup(dev, group, "single"), d -> TestWorker.ok());
    String prodRun = Api.start(prod, "single", Map.of());
    String devRun = Api.start(dev, "single", Map.of());
    awaitRun(devRun, "SUCCEEDED", WITHIN);
    // prod's task waits in prod's queue, counted there
    await()
        .atMost(WITHIN)
        .until(
            () ->
                api()
                    .get("/q/metrics")
                    .asString()
                    .contains(
                        "dataplane_queue_depth{environment=\""
                            + prod
                            + "\",group=\""
                            + group
                            + "\"} 1.0"));
    assertThat(taskState(run(prodRun), "only")).isEqualTo("QUEUED");
    TestWorker prodWorker = worker(new Setup(prod, group, "single"), d -> TestWorker.ok());
    awaitRun(prodRun, "SUCCEEDED", WITHIN);
    assertThat(devWorker.dispatched()).extracting(TaskDispatched::environment).containsOnly(dev);
    assertThat(prodWorker.dispatched()).extracting(TaskDispatched::environment).containsOnly(prod);
    // the registry lists each worker under its environment only
    assertThat(
            api()
                .get("/api/v1/workers?environment={e}&group={g}", prod, group)
                .jsonPath()
                .getList("workerId", String.class))
        .contains(prodWorker.workerId)
        .doesNotContain(devWorker.workerId);
    api().get("/api/v1/workers?group={g}", group).then().statusCode(400);
  }

  @Test
  void diamondJoinsAfterBothBranches() {
    Setup s = deploy("diamond");
    TestWorker w = worker(s, d -> new Succeed(d.taskKey().equals("b") ? 300 : 0, null));
    String runId = start(s);
    awaitRun(runId, "SUCCEEDED", WITHIN);
    List<String> order = w.claimed().stream().map(TaskDispatched::taskKey).toList();
    assertThat(order.get(0)).isEqualTo("a");
    assertThat(order.get(3)).isEqualTo("d");
    assertThat(order).containsExactlyInAnyOrder("a", "b", "c", "d");
    TaskDispatched d = w.claimed().get(3);
    assertThat(d.inputs()).containsOnlyKeys("b", "c");
  }

  @Test
  void aRunWhoseTaskRunsPredateTheDependencyCountStillMovesOn() {
    // task runs created before V1_23 have no count of unmet dependencies: their run moves on by
    // reading the whole run, as before
    Setup s = deploy("diamond");
    TestWorker w =
        worker(
            s,
            d -> {
              if (d.taskKey().equals("a")) {
                int n =
                    db.tx(
                        tx ->
                            tx.update(
                                "update task_runs set unmet_deps = null where run_id = ?",
                                d.runId()));
                assertThat(n).isEqualTo(4);
              }
              return TestWorker.ok();
            });
    String runId = start(s);
    awaitRun(runId, "SUCCEEDED", WITHIN);
    List<String> order = w.claimed().stream().map(TaskDispatched::taskKey).toList();
    assertThat(order).hasSize(4);
    assertThat(order.get(0)).isEqualTo("a");
    assertThat(order.get(3)).isEqualTo("d");
  }

  @Test
  void wideFanOutAndFanIn() {
    Setup s = deploy("fanout");
    TestWorker w = worker(s, d -> TestWorker.ok());
    String runId = start(s);
    JsonPath run = awaitRun(runId, "SUCCEEDED", Duration.ofSeconds(90));
    assertThat(run.getList("taskRuns")).hasSize(202);
    assertThat(run.getList("taskRuns.state", String.class)).containsOnly("SUCCEEDED");
    // each task ran exactly once
    Map<String, Long> perTask =
        w.claimed().stream()
            .collect(Collectors.groupingBy(TaskDispatched::taskKey, Collectors.counting()));
    assertThat(perTask).hasSize(202);
    assertThat(perTask.values()).containsOnly(1L);
    assertThat(w.claimed().get(201).taskKey()).isEqualTo("end");
  }

  @Test
  void retryThenSuccess() {
    Setup s = deploy("retry");
    TestWorker w =
        worker(
            s,
            d ->
                d.taskKey().equals("flaky") && d.attempt() < 3
                    ? new Fail(0, "flaked")
                    : TestWorker.ok());
    String runId = start(s);
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    List<Map<String, Object>> as = attempts(run, "flaky");
    assertThat(as).extracting(m -> m.get("state")).containsExactly("FAILED", "FAILED", "SUCCEEDED");
    // exponential backoff: 200ms, then 400ms (±10%) between a failure and the next dispatch
    Instant firstFail = Instant.parse((String) as.get(0).get("finishedAt"));
    Instant second = Instant.parse((String) as.get(1).get("dispatchedAt"));
    Instant secondFail = Instant.parse((String) as.get(1).get("finishedAt"));
    Instant third = Instant.parse((String) as.get(2).get("dispatchedAt"));
    assertThat(Duration.between(firstFail, second))
        .isBetween(Duration.ofMillis(170), Duration.ofMillis(1000));
    assertThat(Duration.between(secondFail, third))
        .isBetween(Duration.ofMillis(350), Duration.ofMillis(1200));
    assertThat(run.getInt("taskRuns.find { it.taskKey == 'flaky' }.retriesUsed")).isEqualTo(2);
    assertThat(w.claimed()).hasSize(4);
  }

  @Test
  void retriesExhaustedFailTheRun() {
    Setup s = deploy("exhausted");
    worker(s, d -> new Fail(0, "boom"));
    String runId = start(s);
    JsonPath run = awaitRun(runId, "FAILED", WITHIN);
    assertThat(attempts(run, "broken")).hasSize(2);
    assertThat(taskState(run, "broken")).isEqualTo("FAILED");
    assertThat(taskState(run, "after")).isEqualTo("UPSTREAM_FAILED");
    assertThat(run.getString("error")).contains("broken");
    assertThat(run.getString("taskRuns.find { it.taskKey == 'broken' }.error")).isEqualTo("boom");
  }

  @Test
  void serverSideTimeout() {
    Setup s = deploy("timeout");
    TestWorker w = worker(s, d -> new Hang());
    String runId = start(s);
    JsonPath run = awaitRun(runId, "FAILED", WITHIN);
    assertThat(attempts(run, "slow"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.get("state")).isEqualTo("TIMED_OUT");
              assertThat((String) a.get("error")).contains("timed out");
            });
    assertThat(taskState(run, "after")).isEqualTo("UPSTREAM_FAILED");
    // the worker was told to kill the process
    await().atMost(WITHIN).until(() -> !w.cancels().isEmpty());
  }

  @Test
  void cancelStopsRunningAttempts() {
    Setup s = deploy("cancel");
    TestWorker w = worker(s, d -> new Hang());
    String runId = start(s);
    await().atMost(WITHIN).until(() -> "RUNNING".equals(taskState(run(runId), "long")));
    api().post("/api/v1/runs/{id}/cancel", runId).then().statusCode(200);
    JsonPath run = awaitRun(runId, "CANCELLED", WITHIN);
    assertThat(taskState(run, "long")).isEqualTo("CANCELLED");
    assertThat(taskState(run, "after")).isEqualTo("CANCELLED");
    // (a heartbeat sent just before the cancel arrived may earn a second, fencing CancelAttempt)
    await().atMost(WITHIN).until(() -> !w.cancels().isEmpty());
    assertThat(w.cancels()).allSatisfy(c -> assertThat(c.runId().toString()).isEqualTo(runId));
    // a second cancel is a conflict; the run keeps its state
    api().post("/api/v1/runs/{id}/cancel", runId).then().statusCode(409);
  }

  @Test
  void upstreamFailurePropagates() {
    Setup s = deploy("upstream");
    TestWorker w =
        worker(s, d -> d.taskKey().equals("a") ? new Fail(0, "a broke") : TestWorker.ok());
    String runId = start(s);
    JsonPath run = awaitRun(runId, "FAILED", WITHIN);
    assertThat(taskState(run, "a")).isEqualTo("FAILED");
    assertThat(taskState(run, "b")).isEqualTo("UPSTREAM_FAILED");
    assertThat(taskState(run, "c")).isEqualTo("UPSTREAM_FAILED");
    assertThat(taskState(run, "side")).isEqualTo("SUCCEEDED");
    assertThat(w.claimed())
        .extracting(TaskDispatched::taskKey)
        .containsExactlyInAnyOrder("a", "side");
  }

  @Test
  @SuppressWarnings("unchecked")
  void outputsArePassedDownstreamAndRerunReusesThem() {
    Setup s = deploy("outputs");
    Map<String, Integer> consumerCalls = new ConcurrentHashMap<>();
    TestWorker w =
        worker(
            s,
            d -> {
              if (d.taskKey().equals("producer")) {
                return new Succeed(0, Map.of("rows", 42, "table", "orders"));
              }
              // the first run's consumer fails, the rerun's succeeds
              return consumerCalls.merge("n", 1, Integer::sum) == 1
                  ? new Fail(0, "first time")
                  : TestWorker.ok();
            });
    String runId = Api.start(s.env(), s.pipeline(), Map.of("params", Map.of("greeting", "hi")));
    JsonPath run = awaitRun(runId, "FAILED", WITHIN);
    assertThat(run.getMap("taskRuns.find { it.taskKey == 'producer' }.outputs"))
        .containsEntry("rows", 42);
    TaskDispatched consumer =
        w.claimed().stream().filter(d -> d.taskKey().equals("consumer")).findFirst().orElseThrow();
    assertThat(consumer.inputs()).containsKey("producer");
    assertThat((Map<String, Object>) consumer.inputs().get("producer"))
        .containsEntry("table", "orders");
    assertThat(consumer.params()).containsEntry("greeting", "hi");
    assertThat(consumer.attemptToken()).startsWith("v1.k1.");

    // rerun from the failed task: producer is reused, not run again
    String rerun =
        api()
            .contentType("application/json")
            .body("{}")
            .post("/api/v1/runs/{id}/rerun", runId)
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    JsonPath r2 = awaitRun(rerun, "SUCCEEDED", WITHIN);
    assertThat(r2.getString("rerunOf")).isEqualTo(runId);
    assertThat(r2.getString("taskRuns.find { it.taskKey == 'producer' }.reusedFrom")).isNotNull();
    assertThat(w.claimed().stream().filter(d -> d.taskKey().equals("producer")).count())
        .isEqualTo(1);
    TaskDispatched second =
        w.claimed().stream()
            .filter(d -> d.taskKey().equals("consumer"))
            .reduce((x, y) -> y)
            .orElseThrow();
    assertThat(second.runId().toString()).isEqualTo(rerun);
    assertThat((Map<String, Object>) second.inputs().get("producer")).containsEntry("rows", 42);
  }

  @Test
  void outputsOver64KibFailTheAttempt() {
    Setup s = deploy("single");
    worker(s, d -> new Succeed(0, Map.of("blob", "x".repeat(70_000))));
    String runId = start(s);
    JsonPath run = awaitRun(runId, "FAILED", WITHIN);
    assertThat(run.getString("taskRuns[0].error")).contains("64 KiB");
  }

  @Test
  void concurrencyQueueWaitsForTheRunningOne() {
    Setup s = deploy("concurrency-queue");
    worker(s, d -> new Succeed(700, null));
    String first = start(s);
    String second = start(s);
    assertThat(run(second).getString("state")).isEqualTo("QUEUED");
    awaitRun(first, "SUCCEEDED", WITHIN);
    JsonPath r2 = awaitRun(second, "SUCCEEDED", WITHIN);
    assertThat(Instant.parse(r2.getString("startedAt")))
        .isAfterOrEqualTo(Instant.parse(run(first).getString("finishedAt")).minusMillis(5));
  }

  @Test
  void concurrencyCancelNewest() {
    Setup s = deploy("concurrency-cancel-newest");
    worker(s, d -> new Succeed(500, null));
    String first = start(s);
    String second = start(s);
    assertThat(run(second).getString("state")).isEqualTo("CANCELLED");
    assertThat(run(second).getString("error")).contains("concurrency");
    awaitRun(first, "SUCCEEDED", WITHIN);
  }

  @Test
  void concurrencyFail() {
    Setup s = deploy("concurrency-fail");
    worker(s, d -> new Succeed(500, null));
    String first = start(s);
    String second = start(s);
    assertThat(run(second).getString("state")).isEqualTo("FAILED");
    awaitRun(first, "SUCCEEDED", WITHIN);
  }

  @Test
  void maxDurationFailsTheRun() {
    Setup s = deploy("maxduration");
    TestWorker w = worker(s, d -> new Hang());
    String runId = start(s);
    JsonPath run = awaitRun(runId, "FAILED", WITHIN);
    assertThat(run.getString("error")).contains("maxDuration");
    await().atMost(WITHIN).until(() -> !w.cancels().isEmpty());
  }

  @Test
  void duplicateRunRequestedStartsOneRun() throws Exception {
    Setup s = deploy("single");
    TestWorker w = worker(s, d -> TestWorker.ok());
    String requestId = "req-" + UUID.randomUUID();
    RunRequested rr =
        new RunRequested(requestId, s.env(), s.pipeline(), null, Map.of(), "alice", "API");
    var producer = kafkaProducer();
    var codec = new io.dataplane.common.events.EventCodec();
    for (int i = 0; i < 3; i++) {
      producer
          .send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  Topics.RUN_REQUESTS, rr.key(), codec.encode(EventEnvelope.of("test", rr))))
          .get();
    }
    producer.close();
    await()
        .atMost(WITHIN)
        .until(
            () ->
                api()
                        .get("/api/v1/runs?environment={e}", s.env())
                        .jsonPath()
                        .getList("items")
                        .size()
                    == 1);
    String runId =
        api().get("/api/v1/runs?environment={e}", s.env()).jsonPath().getString("items[0].id");
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    assertThat(run.getString("requestId")).isEqualTo(requestId);
    assertThat(run.getString("requestedBy")).isEqualTo("alice");
    // the REST start with the same requestId answers 200 with the same run
    String again =
        api()
            .contentType("application/json")
            .body(Map.of("requestId", requestId))
            .post("/api/v1/environments/{e}/pipelines/{p}/runs", s.env(), s.pipeline())
            .then()
            .statusCode(200)
            .extract()
            .path("id");
    assertThat(again).isEqualTo(runId);
    assertThat(api().get("/api/v1/runs?environment={e}", s.env()).jsonPath().getList("items"))
        .hasSize(1);
    assertThat(w.claimed()).hasSize(1);
  }

  @Test
  void duplicateAndStaleResultsAreIgnoredAndCounted() {
    Setup s = deploy("chain");
    // a's result is sent by the test itself, twice, plus a stale one
    TestWorker w = worker(s, d -> d.taskKey().equals("a") ? new Hang() : TestWorker.ok());
    String runId = start(s);
    await().atMost(WITHIN).until(() -> "RUNNING".equals(taskState(run(runId), "a")));
    TaskDispatched a = w.claimed().get(0);
    double fencedBefore = fencedCount();
    AttemptFinished ok =
        new AttemptFinished(
            a.runId(),
            a.taskRunId(),
            1,
            w.workerId,
            AttemptOutcome.SUCCEEDED,
            0,
            Map.of("n", 1),
            null,
            5,
            Instant.now());
    EventEnvelope<?> env = w.send(ok);
    w.send(env); // the same event again (redelivery)
    w.send(
        new AttemptFinished(
            a.runId(),
            a.taskRunId(),
            1,
            w.workerId,
            AttemptOutcome.FAILED,
            1,
            null,
            "late duplicate",
            5,
            Instant.now())); // another result for a finished attempt
    w.send(
        new AttemptFinished(
            a.runId(),
            a.taskRunId(),
            7,
            w.workerId,
            AttemptOutcome.FAILED,
            1,
            null,
            "no such attempt",
            5,
            Instant.now()));
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    assertThat(attempts(run, "a")).hasSize(1);
    assertThat(taskState(run, "a")).isEqualTo("SUCCEEDED");
    await().atMost(WITHIN).until(() -> fencedCount() >= fencedBefore + 2);
    // the claim of an attempt that is over is a conflict
    assertThat(w.claim(a)).isEqualTo(409);
  }

  @Test
  void secondClaimIsAConflict() {
    Setup s = deploy("single");
    TestWorker w = worker(s, d -> new Ignore());
    String runId = start(s);
    await().atMost(WITHIN).until(() -> !w.dispatched().isEmpty());
    TaskDispatched d = w.dispatched().get(0);
    assertThat(w.claim(d)).isEqualTo(200);
    assertThat(w.claim(d)).isEqualTo(409);
    api()
        .contentType("application/json")
        .body(Map.of("taskRunId", d.taskRunId(), "attempt", 1, "workerId", "someone-else"))
        .post("/api/v1/attempts/claim")
        .then()
        .statusCode(409)
        .body("code", org.hamcrest.Matchers.equalTo("CONFLICT"));
    assertThat(taskState(run(runId), "only")).isEqualTo("RUNNING");
    api().post("/api/v1/runs/{id}/cancel", runId).then().statusCode(200);
  }

  @Test
  void aClaimAskedAgainWithItsIdIsAnsweredAgainAndNoOtherIs() {
    Setup s = deploy("single");
    TestWorker w = worker(s, d -> new Ignore());
    String runId = start(s);
    await().atMost(WITHIN).until(() -> !w.dispatched().isEmpty());
    TaskDispatched d = w.dispatched().get(0);
    String claimId = UUID.randomUUID().toString();
    String first = claim(d, w.workerId, claimId).statusCode(200).extract().path("deadlineAt");
    // the answer was lost on the way: the same claim asked again gets the same answer
    claim(d, w.workerId, claimId)
        .statusCode(200)
        .body("claimed", org.hamcrest.Matchers.equalTo(true))
        .body("deadlineAt", org.hamcrest.Matchers.equalTo(first));
    // a second delivery of the dispatch (another id), another worker with the id, no id: refused
    for (io.restassured.response.ValidatableResponse refused :
        List.of(
            claim(d, w.workerId, UUID.randomUUID().toString()),
            claim(d, "someone-else", claimId),
            claim(d, w.workerId, null))) {
      refused.statusCode(409).body("code", org.hamcrest.Matchers.equalTo("CONFLICT"));
    }
    // a claim id that is not a UUID is a clear 400, not a server error
    claim(d, w.workerId, "not-a-uuid").statusCode(400);
    assertThat(taskState(run(runId), "only")).isEqualTo("RUNNING");
    api().post("/api/v1/runs/{id}/cancel", runId).then().statusCode(200);
  }

  /** Claims the dispatch's attempt for {@code workerId}, with {@code claimId} when not null. */
  private io.restassured.response.ValidatableResponse claim(
      TaskDispatched d, String workerId, String claimId) {
    Map<String, Object> body = new HashMap<>();
    body.put("taskRunId", d.taskRunId());
    body.put("attempt", d.attempt());
    body.put("workerId", workerId);
    if (claimId != null) {
      body.put("claimId", claimId);
    }
    return api().contentType("application/json").body(body).post("/api/v1/attempts/claim").then();
  }

  @Test
  void workersShowWhetherTheyRunTasksSandboxed() {
    Setup s = deploy("single");
    TestWorker w = worker(s, d -> TestWorker.ok());
    await().atMost(WITHIN).until(() -> workerState(w.workerId).equals("ACTIVE"));
    List<Map<String, Object>> ws = api().get("/api/v1/workers").jsonPath().getList("$");
    assertThat(ws)
        .filteredOn(x -> w.workerId.equals(x.get("workerId")))
        .singleElement()
        .extracting(x -> x.get("sandbox"))
        .isEqualTo("bwrap");
  }

  @Test
  void aDispatchNoWorkerTookWhileOneHadRoomIsSentAgain() {
    Setup s = deploy("single");
    // the first record of the attempt is "lost": read, never claimed
    AtomicInteger deliveries = new AtomicInteger();
    TestWorker w =
        worker(s, d -> deliveries.incrementAndGet() == 1 ? new Ignore() : TestWorker.ok());
    await().atMost(WITHIN).until(() -> workerState(w.workerId).equals("ACTIVE"));
    String runId = start(s);
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    assertThat(w.dispatched())
        .extracting(TaskDispatched::attempt)
        .containsOnly(1)
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(attempts(run, "only")).extracting(m -> m.get("state")).containsExactly("SUCCEEDED");
    assertThat(api().get("/q/metrics").asString())
        .containsPattern("dataplane_dispatches_repeated_total [1-9]");
  }

  @Test
  void dispatchesWaitingTheirTurnBehindOthersAreNotSentAgain() {
    Setup s = deploy("fanout");
    // a worker that reads one dispatch every 30 ms: the fan-out's 200 tasks wait up to 6 s in the
    // queue, longer than redispatch-after (2 s), while the worker reports free slots all along
    TestWorker w =
        worker(
            s,
            d -> {
              sleepMillis(30);
              return TestWorker.ok();
            });
    await().atMost(WITHIN).until(() -> workerState(w.workerId).equals("ACTIVE"));
    double repeatedBefore = counter("dataplane_dispatches_repeated_total");
    String runId = start(s);
    awaitRun(runId, "SUCCEEDED", WITHIN);
    assertThat(w.dispatched()).as("each task dispatched once").hasSize(202);
    assertThat(counter("dataplane_dispatches_repeated_total")).isEqualTo(repeatedBefore);
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void silentWorkerIsLostAndItsAttemptRequeued() {
    Setup s = deploy("single");
    // the first worker takes attempt 1 and then goes silent; the second takes what is re-queued
    TestWorker first = worker(s, d -> d.attempt() == 1 ? new Hang() : new Ignore());
    await().atMost(WITHIN).until(() -> workerState(first.workerId).equals("ACTIVE"));
    String runId = start(s);
    await().atMost(WITHIN).until(() -> first.claimed().size() == 1);
    TestWorker second = worker(s, d -> d.attempt() >= 2 ? TestWorker.ok() : new Ignore());
    first.silent(true);
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    List<Map<String, Object>> as = attempts(run, "only");
    assertThat(as).extracting(m -> m.get("state")).containsExactly("LOST", "SUCCEEDED");
    assertThat(as).extracting(m -> m.get("outcome")).containsExactly(null, "SUCCEEDED");
    assertThat(as.get(0).get("workerId")).isEqualTo(first.workerId);
    assertThat(as.get(1).get("workerId")).isEqualTo(second.workerId);
    assertThat(run.getInt("taskRuns[0].retriesUsed")).isZero(); // no retry was used
    assertThat(workerState(first.workerId)).isEqualTo("LOST");

    // it comes back still running attempt 1: it is told to kill it, and its late result is fenced
    double fencedBefore = fencedCount();
    first.silent(false);
    await().atMost(WITHIN).until(() -> first.cancels().size() >= 1);
    assertThat(first.cancels().get(0).attempt()).isEqualTo(1);
    TaskDispatched stale = first.claimed().get(0);
    first.send(
        new AttemptFinished(
            stale.runId(),
            stale.taskRunId(),
            1,
            first.workerId,
            AttemptOutcome.FAILED,
            1,
            null,
            "late",
            1,
            Instant.now()));
    await().atMost(WITHIN).until(() -> fencedCount() >= fencedBefore + 1);
    assertThat(run(runId).getString("state")).isEqualTo("SUCCEEDED");
    await().atMost(WITHIN).until(() -> workerState(first.workerId).equals("ACTIVE"));
  }

  @Test
  void logsAreStoredInOrderAndPaged() {
    Setup s = deploy("single");
    worker(s, d -> TestWorker.ok());
    String runId = start(s);
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    String tr = run.getString("taskRuns[0].id");
    await()
        .atMost(WITHIN)
        .until(
            () ->
                api().get("/api/v1/task-runs/{id}/logs", tr).jsonPath().getBoolean("complete")
                    || api()
                        .get("/api/v1/task-runs/{id}/logs?afterSeq=2", tr)
                        .jsonPath()
                        .getBoolean("complete"));
    JsonPath page1 =
        api()
            .get("/api/v1/task-runs/{id}/logs?limit=2", tr)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(page1.getList("lines.seq", Integer.class)).containsExactly(1, 2);
    assertThat(page1.getBoolean("complete")).isFalse();
    JsonPath page2 =
        api()
            .get("/api/v1/task-runs/{id}/logs?afterSeq={n}", tr, page1.getLong("nextSeq"))
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(page2.getList("lines.text", String.class)).containsExactly("end SUCCEEDED");
    assertThat(page2.getBoolean("complete")).isTrue();
    // the live stream sends every line, then ends
    String sse =
        api()
            .accept("text/event-stream")
            .get("/api/v1/task-runs/{id}/logs/stream", tr)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(sse).contains("start only").contains("end SUCCEEDED");
    assertThat(sse.split("data:")).hasSize(4);
    api().get("/api/v1/task-runs/{id}/logs/stream", UUID.randomUUID()).then().statusCode(404);
  }

  @Test
  void metricsAreExposed() {
    Setup s = deploy("single");
    worker(s, d -> TestWorker.ok());
    awaitRun(start(s), "SUCCEEDED", WITHIN);
    String m = api().get("/q/metrics").asString();
    assertThat(m)
        .contains("dataplane_runs_total{state=\"SUCCEEDED\"}")
        .contains("dataplane_task_duration_seconds_count")
        .contains("dataplane_dispatch_latency_seconds_count")
        .contains("dataplane_fenced_results_total")
        .contains("dataplane_workers{state=\"ACTIVE\"}");
    await()
        .atMost(WITHIN)
        .until(
            () ->
                api()
                    .get("/q/metrics")
                    .asString()
                    .contains(
                        "dataplane_queue_depth{environment=\""
                            + s.env()
                            + "\",group=\""
                            + s.group()
                            + "\"}"));
    // the consumer of the run's task events reports its lag (what the consumer-lag alert reads)
    await("records lag of the task-events consumer")
        .atMost(WITHIN)
        .until(
            () ->
                api()
                    .get("/q/metrics")
                    .asString()
                    .lines()
                    .filter(l -> l.startsWith("kafka_consumer_fetch_manager_records_lag_max{"))
                    .filter(l -> l.contains("client_id=\"orchestrator-task-events-"))
                    .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .anyMatch(lag -> lag >= 0));
  }

  private static String workerState(String workerId) {
    List<Map<String, Object>> ws = api().get("/api/v1/workers").jsonPath().getList("$");
    return ws.stream()
        .filter(w -> workerId.equals(w.get("workerId")))
        .map(w -> (String) w.get("state"))
        .findFirst()
        .orElse("UNKNOWN");
  }

  private static double fencedCount() {
    return counter("dataplane_fenced_results_total");
  }

  private static double counter(String name) {
    for (String line : api().get("/q/metrics").asString().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  private static org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> kafkaProducer() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "127.0.0.1:9092");
    p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
    p.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class);
    return new org.apache.kafka.clients.producer.KafkaProducer<>(p);
  }
}
