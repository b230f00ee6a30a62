package io.dataplane.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.AttemptStarted;
import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.worker.support.Bundles;
import io.dataplane.worker.support.EventTap;
import io.dataplane.worker.support.ServiceStubs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker end to end: real Kafka, real processes, stand-ins for the other services. */
@QuarkusTest
@QuarkusTestResource(ServiceStubs.class)
class WorkerFlowTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static EventTap tap;
  static KafkaProducer<String, byte[]> producer;
  static final EventCodec CODEC = new EventCodec();

  @BeforeAll
  static void connect() {
    String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    tap =
        new EventTap(
            bootstrap, List.of(Topics.TASK_EVENTS, Topics.TASK_LOGS, Topics.WORKER_HEARTBEATS));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void disconnect() throws InterruptedException {
    producer.close();
    tap.close();
  }

  static TaskDispatched dispatch(
      String script,
      String runtime,
      List<String> secrets,
      String token,
      Map<String, Object> params,
      Map<String, Object> inputs,
      String bundle,
      String entrypoint,
      Long timeout) {
    return new TaskDispatched(
        "dev",
        "pipe-" + ServiceStubs.SUFFIX,
        UUID.randomUUID(),
        UUID.randomUUID(),
        "task",
        1,
        "release-1",
        bundle,
        ServiceStubs.GROUP,
        runtime,
        script,
        entrypoint,
        Map.of("GREETING", "hello"),
        params,
        secrets,
        false,
        timeout,
        inputs,
        token,
        Instant.now());
  }

  static TaskDispatched bash(String script) {
    return dispatch(script, "bash", List.of(), null, Map.of(), Map.of(), null, null, null);
  }

  static void send(String topic, String key, Event event) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topic, key, CODEC.encode(EventEnvelope.of("orchestrator-service", event))))
        .get();
  }

  static void send(TaskDispatched d) throws Exception {
    send(Topics.taskDispatch(ServiceStubs.GROUP), d.runId().toString(), d);
  }

  static AttemptFinished finished(TaskDispatched d) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                !tap.of(AttemptFinished.class, f -> f.taskRunId().equals(d.taskRunId())).isEmpty());
    return tap.of(AttemptFinished.class, f -> f.taskRunId().equals(d.taskRunId())).get(0);
  }

  static List<LogChunk.Line> lines(TaskDispatched d) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                tap.of(LogChunk.class, c -> c.taskRunId().equals(d.taskRunId()) && c.last()).size()
                    == 1);
    return tap.of(LogChunk.class, c -> c.taskRunId().equals(d.taskRunId())).stream()
        .flatMap(c -> c.lines().stream())
        .sorted((a, b) -> Long.compare(a.seq(), b.seq()))
        .toList();
  }

  static List<String> stdout(TaskDispatched d) {
    return lines(d).stream()
        .filter(l -> l.stream().equals("stdout"))
        .map(LogChunk.Line::text)
        .collect(Collectors.toList());
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
                + "echo \"day: $DP_PARAM_DAY\"\n"
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
            "day: 2026-11-22");
    assertThat(out).filteredOn(l -> l.startsWith("trace: 00-")).hasSize(1);
    List<LogChunk.Line> all = lines(d);
    assertThat(all).extracting(LogChunk.Line::seq).doesNotHaveDuplicates();
    assertThat(all.get(all.size() - 1).seq()).isEqualTo(all.size());
    assertThat(all.get(all.size() - 1).text()).contains("SUCCEEDED");
    assertThat(all).noneMatch(l -> l.text().contains(password));
    assertThat(ServiceStubs.UNAUTHENTICATED).isEmpty();
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
  void cancelKillsARunningAttempt() throws Exception {
    TaskDispatched d = bash("echo started\nsleep 120 & sleep 120\n");
    send(d);
    await()
        .atMost(WAIT)
        .until(
            () ->
                tap.of(LogChunk.class, c -> c.taskRunId().equals(d.taskRunId())).stream()
                    .anyMatch(c -> c.lines().stream().anyMatch(l -> l.text().equals("started"))));
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
                "VALUE = '" + ServiceStubs.SUFFIX + "'\n"));
    String digest = Bundles.digest(archive);
    ServiceStubs.BUNDLES.put(digest, archive);
    TaskDispatched d =
        dispatch(null, "python", List.of(), null, Map.of(), Map.of(), digest, "jobs/main.py", null);
    send(d);
    AttemptFinished f = finished(d);
    assertThat(f.outcome()).as(String.valueOf(f.error())).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(f.outputs()).containsEntry("value", ServiceStubs.SUFFIX);
    assertThat(stdout(d)).containsExactly("from bundle " + ServiceStubs.SUFFIX);
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
    assertThat(h.groups()).containsExactly(ServiceStubs.GROUP);
    assertThat(h.slots()).isEqualTo(2);
    assertThat(h.memoryTotalBytes()).isPositive();
    assertThat(h.draining()).isFalse();
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
}
