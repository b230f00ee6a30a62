package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.api;
import static io.dataplane.orchestrator.Api.awaitRun;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.AttemptStarted;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.orchestrator.Api;
import io.dataplane.orchestrator.scenario.TestWorker.Hang;
import io.dataplane.orchestrator.scenario.TestWorker.Ignore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: each calling service has its own credential and scopes (item 9), and an attempt is
 * "current" (its token may resolve secrets) only while claimed or running (item 11).
 */
@QuarkusTest
class AttemptCredentialsTest {

  static final String WORKER_TOKEN = "test-worker-token-0123456789";
  static final String SECRETS_TOKEN = "test-secrets-token-0123456789";
  static final String SCHEDULER_TOKEN = "test-scheduler-token-0123456789";
  static final String GATEWAY_NEXT_TOKEN = "test-gateway-token-next-0123456789";
  private static final Duration WITHIN = Duration.ofSeconds(30);

  private final List<TestWorker> workers = new ArrayList<>();

  @AfterEach
  void closeWorkers() {
    workers.forEach(TestWorker::close);
    workers.clear();
  }

  static RequestSpecification as(String token) {
    return given().header("Authorization", "Bearer " + token).contentType("application/json");
  }

  static boolean current(TaskDispatched d) {
    return as(SECRETS_TOKEN)
        .get("/api/v1/attempts/{id}/{n}/current", d.taskRunId(), d.attempt())
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getBoolean("current");
  }

  @Test
  void aWorkerMayClaimButNotManageOrSpeakForSomeone() {
    String env = Api.env();
    as(WORKER_TOKEN)
        .body(Map.of("name", Api.unique("env")))
        .post("/api/v1/environments")
        .then()
        .statusCode(403)
        .body("code", equalTo("FORBIDDEN"));
    as(WORKER_TOKEN).get("/api/v1/environments/{env}/pipelines", env).then().statusCode(403);
    as(WORKER_TOKEN).get("/api/v1/environments/{env}", env).then().statusCode(403);
    // another service checks an environment exists, nothing more
    as(SCHEDULER_TOKEN).get("/api/v1/environments/{env}", env).then().statusCode(200);
    as(SCHEDULER_TOKEN)
        .body(Map.of("name", "g"))
        .post("/api/v1/environments/{env}/worker-groups", env)
        .then()
        .statusCode(403);
    // a claim naming a person is refused; the claim endpoint itself is the worker's
    as(WORKER_TOKEN)
        .header("X-Dataplane-Actor", "alice")
        .body(Map.of("taskRunId", java.util.UUID.randomUUID(), "attempt", 1, "workerId", "w"))
        .post("/api/v1/attempts/claim")
        .then()
        .statusCode(403);
    as(WORKER_TOKEN)
        .body(Map.of("taskRunId", java.util.UUID.randomUUID(), "attempt", 1, "workerId", "w"))
        .post("/api/v1/attempts/claim")
        .then()
        .statusCode(404);
    // only secrets-service (and the gateway) may ask whether an attempt is current
    as(WORKER_TOKEN)
        .get("/api/v1/attempts/{id}/1/current", java.util.UUID.randomUUID())
        .then()
        .statusCode(403);
    // the gateway's old and new token both work while it rotates
    as(GATEWAY_NEXT_TOKEN)
        .header("X-Dataplane-Actor", "alice")
        .get("/api/v1/environments/{env}/pipelines", env)
        .then()
        .statusCode(200);
    api().get("/api/v1/environments/{env}/pipelines", env).then().statusCode(200);
  }

  @Test
  void anAttemptIsCurrentOnlyWhileClaimedOrRunningAndNotAfterItFinished() {
    String env = Api.env();
    String group = Api.unique("g");
    Api.group(env, group);
    Api.deploy(env, "single", Api.fixture("single", group));
    TestWorker w = new TestWorker(env, group, d -> new Ignore());
    workers.add(w);
    String runId = Api.start(env, "single", Map.of());
    await().atMost(WITHIN).until(() -> !w.dispatched().isEmpty());
    TaskDispatched d = w.dispatched().get(0);
    assertThat(current(d)).as("dispatched, not claimed").isFalse();
    assertThat(w.claim(d)).isEqualTo(200);
    assertThat(current(d)).as("claimed").isTrue();
    w.send(
        new AttemptFinished(
            d.runId(),
            d.taskRunId(),
            d.attempt(),
            w.workerId,
            AttemptOutcome.SUCCEEDED,
            0,
            Map.of(),
            null,
            1,
            Instant.now()));
    awaitRun(runId, "SUCCEEDED", WITHIN);
    assertThat(current(d)).as("finished").isFalse();
  }

  static AttemptFinished succeeded(TaskDispatched d, String workerId, String token) {
    return result(d, workerId, AttemptOutcome.SUCCEEDED, token);
  }

  static AttemptFinished result(
      TaskDispatched d, String workerId, AttemptOutcome outcome, String token) {
    return new AttemptFinished(
        d.runId(),
        d.taskRunId(),
        d.attempt(),
        workerId,
        outcome,
        outcome == AttemptOutcome.SUCCEEDED ? 0 : 1,
        Map.of(),
        null,
        1,
        Instant.now(),
        token);
  }

  @Test
  void startsAndResultsCountOnlyWithTheAttemptsOwnToken() {
    String env = Api.env();
    String group = Api.unique("g");
    Api.group(env, group);
    Api.deploy(env, "chain", Api.fixture("chain", group));
    TestWorker w = new TestWorker(env, group, d -> new Ignore());
    workers.add(w);
    String runId = Api.start(env, "chain", Map.of());
    await().atMost(WITHIN).until(() -> !w.dispatched().isEmpty());
    TaskDispatched a = w.dispatched().get(0);
    assertThat(w.claim(a)).isEqualTo(200);
    // forged failures naming the attempt: no token, a token of another attempt, a garbled one
    // (accepted, any of them would fail task a and fence the genuine success below)
    // signed with the real key, but for attempt 2 of the same task run
    String otherAttemptsToken =
        io.dataplane.common.token.AttemptTokens.fromBase64(
                "k1",
                org.eclipse.microprofile.config.ConfigProvider.getConfig()
                    .getValue("dataplane.attempt-token.key", String.class))
            .sign(
                new io.dataplane.common.token.AttemptClaims(
                    env,
                    "chain",
                    group,
                    a.runId(),
                    a.taskRunId(),
                    a.attempt() + 1,
                    java.util.List.of(),
                    null,
                    Instant.now().plusSeconds(600)));
    w.sendAsIs(result(a, w.workerId, AttemptOutcome.FAILED, null));
    w.sendAsIs(result(a, w.workerId, AttemptOutcome.FAILED, otherAttemptsToken));
    w.sendAsIs(result(a, w.workerId, AttemptOutcome.FAILED, a.attemptToken() + "x"));
    w.sendAsIs(
        new AttemptStarted(a.runId(), a.taskRunId(), a.attempt(), w.workerId, Instant.now()));
    // the genuine result, sent after them on the same partition, is the one that counts
    w.sendAsIs(succeeded(a, w.workerId, a.attemptToken()));
    await().atMost(WITHIN).until(() -> w.dispatched().size() >= 2);
    JsonPath run = Api.run(runId);
    assertThat(Api.attempts(run, "a")).hasSize(1);
    assertThat(Api.taskState(run, "a")).isEqualTo("SUCCEEDED");
    Api.api().post("/api/v1/runs/{id}/cancel", runId).then().statusCode(200);
  }

  @Test
  void aSupersededOrCancelledAttemptIsNotCurrent() {
    String env = Api.env();
    String group = Api.unique("g");
    Api.group(env, group);
    Api.deploy(env, "single", Api.fixture("single", group));
    TestWorker first =
        new TestWorker(env, group, d -> d.attempt() == 1 ? new Hang() : new Ignore());
    workers.add(first);
    await()
        .atMost(WITHIN)
        .until(
            () ->
                api()
                    .get("/api/v1/workers")
                    .jsonPath()
                    .getList("findAll { it.workerId == '" + first.workerId + "' }.state")
                    .contains("ACTIVE"));
    String runId = Api.start(env, "single", Map.of());
    await().atMost(WITHIN).until(() -> first.claimed().size() == 1);
    TaskDispatched one = first.claimed().get(0);
    assertThat(current(one)).isTrue();
    // the first worker falls silent: it is lost, attempt 2 takes over, attempt 1 is fenced
    TestWorker second =
        new TestWorker(env, group, d -> d.attempt() >= 2 ? new Hang() : new Ignore());
    workers.add(second);
    first.silent(true);
    await().atMost(WITHIN).until(() -> !second.claimed().isEmpty());
    TaskDispatched two = second.claimed().get(0);
    assertThat(two.attempt()).isEqualTo(2);
    assertThat(current(one)).as("superseded").isFalse();
    assertThat(current(two)).isTrue();
    api().post("/api/v1/runs/{id}/cancel", runId).then().statusCode(200);
    await().atMost(WITHIN).until(() -> !current(two));
  }
}
