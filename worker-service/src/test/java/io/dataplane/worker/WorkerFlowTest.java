package io.dataplane.worker;

import static io.dataplane.worker.support.TaskKit.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.AttemptStarted;
import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.worker.support.Bundles;
import io.dataplane.worker.support.EventTap;
import io.dataplane.worker.support.ServiceStubs;
import io.dataplane.worker.support.TaskKit;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker end to end: real Kafka, real processes, stand-ins for the other services. */
@QuarkusTest
@QuarkusTestResource(ServiceStubs.class)
class WorkerFlowTest {

  static EventTap tap;

  @BeforeAll
  static void connect() {
    tap = TaskKit.tap();
  }

  @Test
  void runsATaskWithItsEnvironmentSecretsAndInputsAndReportsOutputs() throws Exception {
    String token = "token-" + UUID.randomUUID();
    String password = "pw-" + UUID.randomUUID();
    Map<String, String> granted = new HashMap<>();
    granted.put("DB_PASSWORD", password);
    granted.put("NOT_DECLARED", "other-secret-value");
    ServiceStubs.SECRETS.put(token, granted);
    TaskDispatched d =
        dispatch(
            "echo \"$GREETING from $DP_TASK attempt $DP_ATTEMPT of $DP_RUN_ID\"\n"
                + "echo \"password: $DB_PASSWORD\"\n"
                + "echo \"undeclared: ${NOT_DECLARED:-absent}\"\n"
                + "echo \"day: $DP_PARAM_DAY $DP_PARAM_day\"\n"
                + "echo \"trace: ${TRACEPARENT:-none}\"\n"
                + "python3 -c 'import json,os; i=json.load(open(os.environ[\"DP_INPUTS\"]));"
                + " json.dump({\"rows\": i[\"extract\"][\"rows\"] * 2},"
                + " open(os.environ[\"DP_OUTPUT\"], \"w\"))'\n",
            "bash",
            List.of("DB_PASSWORD"),
            token,
            Map.of("day", "2026-11-22"),
            Map.of("extract", Map.of("rows", 21)),
            null,
            null,
            null);
    send(d);

    AttemptFinished f = finished(d);
    assertThat(f.outcome()).as(String.valueOf(f.error())).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(f.exitCode()).isZero();
    assertThat(f.workerId()).isEqualTo(ServiceStubs.WORKER_ID);
    assertThat(f.outputs()).containsEntry("rows", 42);
    assertThat(tap.of(AttemptStarted.class, s -> s.taskRunId().equals(d.taskRunId()))).hasSize(1);

    List<String> out = stdout(d);
    assertThat(out)
        .contains(
            "hello from task attempt 1 of " + d.runId(),
            "password: ***",
            "undeclared: absent",
            "day: 2026-11-22 2026-11-22");
    assertThat(out).filteredOn(l -> l.startsWith("trace: 00-")).hasSize(1);
    List<LogChunk.Line> all = lines(d);
    assertThat(all).extracting(LogChunk.Line::seq).doesNotHaveDuplicates();
    assertThat(all.get(all.size() - 1).seq()).isEqualTo(all.size());
    assertThat(all.get(all.size() - 1).text()).contains("SUCCEEDED");
    assertThat(all).noneMatch(l -> l.text().contains(password));
    assertThat(ServiceStubs.UNAUTHENTICATED).isEmpty();
    assertThat(ServiceStubs.RESOLVE_REQUESTS)
        .contains("dev [\"DB_PASSWORD\"] by worker:" + ServiceStubs.WORKER_ID);
  }

  @Test
  void reportsAFailingExitCode() throws Exception {
    TaskDispatched d = bash("echo failing >&2; exit 3");
    send(d);
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).isEqualTo(AttemptOutcome.FAILED);
    assertThat(f.exitCode()).isEqualTo(3);
    assertThat(lines(d)).anyMatch(l -> l.stream().equals("stderr") && l.text().equals("failing"));
  }

  @Test
  void skipsAnAttemptWhoseClaimIsRefused() throws Exception {
    TaskDispatched refused = bash("echo should never run");
    ServiceStubs.REFUSE.add(refused.taskRunId());
    send(refused);
    TaskDispatched next = bash("echo next");
    send(next);
    assertThat(finished(next).outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(ServiceStubs.CLAIM_REQUESTS)
        .contains(refused.taskRunId() + ":1@" + ServiceStubs.WORKER_ID);
    assertThat(tap.of(AttemptStarted.class, s -> s.taskRunId().equals(refused.taskRunId())))
        .isEmpty();
    assertThat(tap.of(AttemptFinished.class, s -> s.taskRunId().equals(refused.taskRunId())))
        .isEmpty();
  }

  @Test
  void rejectsADispatchOfAnotherEnvironmentOrGroupOnItsTopic() throws Exception {
    // only the orchestrator writes the topic; a record for prod or another group is not run here
    TaskDispatched prod = retarget(bash("echo prod"), "prod", ServiceStubs.GROUP);
    TaskDispatched other = retarget(bash("echo other"), ServiceStubs.ENVIRONMENT, "other");
    String topic = Topics.taskDispatch(ServiceStubs.ENVIRONMENT, ServiceStubs.GROUP);
    send(topic, prod.runId().toString(), prod);
    send(topic, other.runId().toString(), other);
    TaskDispatched mine = bash("echo mine");
    send(mine);
    assertThat(finished(mine).outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    for (TaskDispatched d : List.of(prod, other)) {
      assertThat(claimed(d)).as("claimed %s/%s", d.environment(), d.workerGroup()).isFalse();
      assertThat(tap.of(AttemptStarted.class, s -> s.taskRunId().equals(d.taskRunId()))).isEmpty();
    }
  }

  private static TaskDispatched retarget(TaskDispatched d, String environment, String group) {
    return new TaskDispatched(
        environment,
        d.pipeline(),
        d.runId(),
        d.taskRunId(),
        d.taskKey(),
        d.attempt(),
        d.releaseId(),
        d.bundleDigest(),
        group,
        d.runtime(),
        d.script(),
        d.entrypoint(),
        d.env(),
        d.params(),
        d.secrets(),
        d.network(),
        d.timeoutMillis(),
        d.inputs(),
        d.attemptToken(),
        d.dispatchedAt());
  }

  @Test
  void keepsADispatchWhileTheOrchestratorCannotBeReached() throws Exception {
    TaskDispatched d = bash("echo finally");
    ServiceStubs.UNAVAILABLE.put(d.taskRunId(), new java.util.concurrent.atomic.AtomicInteger(2));
    send(d);
    assertThat(finished(d).outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(ServiceStubs.CLAIM_REQUESTS)
        .filteredOn(r -> r.startsWith(d.taskRunId() + ":1@"))
        .hasSize(3);
    assertThat(tap.of(AttemptStarted.class, s -> s.taskRunId().equals(d.taskRunId()))).hasSize(1);
  }

  @Test
  void runsAClaimWhoseAnswerWasLost() throws Exception {
    TaskDispatched d = bash("echo claimed once");
    ServiceStubs.LOSE_ANSWER.put(d.taskRunId(), new java.util.concurrent.atomic.AtomicInteger(1));
    send(d);
    assertThat(finished(d).outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(ServiceStubs.CLAIM_REQUESTS)
        .filteredOn(r -> r.startsWith(d.taskRunId() + ":1@"))
        .hasSize(2);
    assertThat(tap.of(AttemptStarted.class, s -> s.taskRunId().equals(d.taskRunId()))).hasSize(1);
  }

  @Test
  void runsAClaimWhoseAnswerWasLostAfterTheRecordWasHandedBack() throws Exception {
    // the orchestrator stays away for 14 tries after committing the claim: at most 13 fit in
    // claim-retry-for (20 s, backing off to 2 s), so the record goes back to the group, and its
    // next delivery claims with the same id and is answered
    TaskDispatched d = bash("echo claimed once, after a hand-back");
    ServiceStubs.LOSE_ANSWER.put(d.taskRunId(), new java.util.concurrent.atomic.AtomicInteger(14));
    send(d);
    assertThat(finished(d).outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(ServiceStubs.CLAIM_REQUESTS)
        .filteredOn(r -> r.startsWith(d.taskRunId() + ":1@"))
        .hasSize(15);
    assertThat(tap.of(AttemptStarted.class, s -> s.taskRunId().equals(d.taskRunId()))).hasSize(1);
  }

  @Test
  void cancelKillsARunningAttempt() throws Exception {
    TaskDispatched d = bash("echo started\nsleep 120 & sleep 120\n");
    send(d);
    awaitLine(d, "started");
    send(
        Topics.TASK_CONTROL,
        ServiceStubs.WORKER_ID,
        new CancelAttempt(ServiceStubs.WORKER_ID, d.runId(), d.taskRunId(), 1, "cancelled by bob"));
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).isEqualTo(AttemptOutcome.CANCELLED);
    assertThat(f.exitCode()).isNull();
    assertThat(f.error()).isEqualTo("cancelled by bob");
    assertThat(f.durationMillis()).isLessThan(60_000);
  }

  @Test
  void timesOut() throws Exception {
    TaskDispatched d =
        dispatch("sleep 30", "bash", List.of(), null, Map.of(), Map.of(), null, null, 300L);
    send(d);
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).isEqualTo(AttemptOutcome.TIMED_OUT);
    assertThat(f.error()).contains("timed out");
  }

  @Test
  void runsAnEntrypointFromTheBundle() throws Exception {
    byte[] archive =
        Bundles.tarGz(
            Map.of(
                "jobs/main.py",
                "import helper, json, os\n"
                    + "print('from bundle', helper.VALUE)\n"
                    + "json.dump({'value': helper.VALUE}, open(os.environ['DP_OUTPUT'], 'w'))\n",
                "jobs/helper.py",
                "VALUE = '" + ServiceStubs.SUFFIX + "'\n",
                "tool.sh",
                "#!/bin/sh\necho tool ran with \"$1\"\n"));
    String digest = Bundles.digest(archive);
    ServiceStubs.BUNDLES.put(digest, archive);
    TaskDispatched d =
        dispatch(null, "python", List.of(), null, Map.of(), Map.of(), digest, "jobs/main.py", null);
    send(d);
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).as(String.valueOf(f.error())).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(f.outputs()).containsEntry("value", ServiceStubs.SUFFIX);
    assertThat(stdout(d)).containsExactly("from bundle " + ServiceStubs.SUFFIX);

    // an inline script of the same release finds the bundle's files where it runs, read-only
    TaskDispatched inline =
        dispatch(
            "./tool.sh arg\n"
                + "cat jobs/helper.py\n"
                + "python3 -c 'import jobs.helper as h; print(\"imported\", h.VALUE)'\n"
                + "if (echo x > jobs/new.txt) 2>/dev/null; then echo WROTE; else echo read-only; fi\n"
                + "echo mine > scratch.txt && cat scratch.txt\n",
            "bash",
            List.of(),
            null,
            Map.of(),
            Map.of(),
            digest,
            null,
            null);
    send(inline);
    AttemptFinished fi = finished(inline);
    assertThat(fi.outcome()).as(String.valueOf(fi.error())).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(stdout(inline))
        .containsExactly(
            "tool ran with arg",
            "VALUE = '" + ServiceStubs.SUFFIX + "'",
            "imported " + ServiceStubs.SUFFIX,
            "read-only",
            "mine");
  }

  @Test
  void refusesABundleWhoseBytesDoNotMatchTheDigest() throws Exception {
    byte[] good = Bundles.tarGz(Map.of("main.sh", "echo good " + UUID.randomUUID()));
    String digest = Bundles.digest(good);
    ServiceStubs.BUNDLES.put(digest, Bundles.tarGz(Map.of("main.sh", "echo tampered")));
    TaskDispatched d =
        dispatch(null, "bash", List.of(), null, Map.of(), Map.of(), digest, "main.sh", null);
    send(d);
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).isEqualTo(AttemptOutcome.ERROR);
    assertThat(f.error()).contains("digest mismatch");
    assertThat(tap.of(AttemptStarted.class, s -> s.taskRunId().equals(d.taskRunId()))).isEmpty();
    assertThat(lines(d))
        .singleElement()
        .extracting(LogChunk.Line::text)
        .asString()
        .contains("digest mismatch");
  }

  @Test
  void failsWhenSecretsAreRefused() throws Exception {
    TaskDispatched d =
        dispatch(
            "echo never",
            "bash",
            List.of("API_KEY"),
            "unknown-token",
            Map.of(),
            Map.of(),
            null,
            null,
            null);
    send(d);
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).isEqualTo(AttemptOutcome.ERROR);
    assertThat(f.error()).contains("HTTP 403").contains("expired");
  }

  @Test
  void takesNoMoreAttemptsThanItHasSlots() throws Exception {
    TaskDispatched a = bash("echo a-started; sleep 120");
    TaskDispatched b = bash("echo b-started; sleep 120");
    send(a);
    send(b);
    awaitLine(a, "a-started");
    awaitLine(b, "b-started");
    TaskDispatched c = bash("echo c-ran");
    send(c);
    // both slots are busy: the third dispatch stays in Kafka, unclaimed
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> !claimed(c));
    await()
        .atMost(WAIT)
        .until(
            () ->
                !tap.of(
                        WorkerHeartbeat.class,
                        h -> h.workerId().equals(ServiceStubs.WORKER_ID) && h.freeSlots() == 0)
                    .isEmpty());
    send(
        Topics.TASK_CONTROL,
        ServiceStubs.WORKER_ID,
        new CancelAttempt(ServiceStubs.WORKER_ID, a.runId(), a.taskRunId(), 1, "make room"));
    assertThat(finished(c).outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(finished(a).outcome()).isEqualTo(AttemptOutcome.CANCELLED);
    send(
        Topics.TASK_CONTROL,
        ServiceStubs.WORKER_ID,
        new CancelAttempt(ServiceStubs.WORKER_ID, b.runId(), b.taskRunId(), 1, "done"));
    assertThat(finished(b).outcome()).isEqualTo(AttemptOutcome.CANCELLED);
  }

  @Test
  void sendsHeartbeatsEverySecond() {
    await()
        .atMost(WAIT)
        .until(
            () ->
                tap.of(WorkerHeartbeat.class, h -> h.workerId().equals(ServiceStubs.WORKER_ID))
                        .size()
                    >= 2);
    WorkerHeartbeat h =
        tap.of(WorkerHeartbeat.class, x -> x.workerId().equals(ServiceStubs.WORKER_ID)).get(0);
    assertThat(h.groups()).containsExactly(ServiceStubs.ENVIRONMENT + "/" + ServiceStubs.GROUP);
    assertThat(h.slots()).isEqualTo(2);
    assertThat(h.memoryTotalBytes()).isPositive();
    assertThat(h.draining()).isFalse();
  }

  @Inject Scheduler scheduler;

  @Test
  void heartbeatsAreAJobOfTheQuarkusScheduler() {
    assertThat(scheduler.getScheduledJob("worker-heartbeat")).isNotNull();
    assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
        .doesNotContain("dp-heartbeat");
  }

  @Test
  void exposesWorkerMetrics() throws Exception {
    TaskDispatched d = bash("echo metrics");
    send(d);
    finished(d);
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("dataplane_worker_attempts_finished_total"))
        .body(containsString("dataplane_worker_spawn_latency_seconds"))
        .body(containsString("dataplane_worker_slots_free"));
  }

  /** Issue 14, item 3: text PostgreSQL refuses never leaves the worker. */
  @Test
  void nulBytesAndUnpairedSurrogatesInOutputsAndLogsAreReplaced() throws Exception {
    TaskDispatched d =
        bash(
            "printf 'before\\0after\\n'\n"
                + "python3 -c 'import json,os; json.dump({\"x\": \"\\u0000\","
                + " \"k\\u0000\": [\"\\ud800\"]}, open(os.environ[\"DP_OUTPUT\"], \"w\"))'\n");
    send(d);
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).as(String.valueOf(f.error())).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(f.outputs())
        .containsEntry("x", "\uFFFD")
        .containsEntry("k\uFFFD", List.of("\uFFFD"));
    assertThat(stdout(d)).contains("before\uFFFDafter");
    assertThat(stdout(d)).allSatisfy(l -> assertThat(l).doesNotContain("\u0000"));
  }

  /** Issue 14, item 4: an output larger than the cap fails the attempt with a clear error. */
  @Test
  void anOutputLargerThanTheCapFailsTheAttemptClearly() throws Exception {
    TaskDispatched d =
        bash(
            "python3 -c 'import json,os; json.dump({\"x\": \"y\" * 100000},"
                + " open(os.environ[\"DP_OUTPUT\"], \"w\"))'\n");
    send(d);
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).isNotEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(f.outputs()).isNull();
    assertThat(f.error()).contains("65536");
  }
}
