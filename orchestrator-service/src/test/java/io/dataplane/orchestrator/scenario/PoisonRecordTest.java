package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.api;
import static io.dataplane.orchestrator.Api.attempts;
import static io.dataplane.orchestrator.Api.awaitRun;
import static io.dataplane.orchestrator.Api.run;
import static io.dataplane.orchestrator.Api.taskState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.AttemptStarted;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.common.messaging.DeadLetters;
import io.dataplane.orchestrator.Api;
import io.dataplane.orchestrator.scenario.TestWorker.Action;
import io.dataplane.orchestrator.scenario.TestWorker.Hang;
import io.dataplane.orchestrator.scenario.TestWorker.Succeed;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, items 3 and 4: no record, output or parameter stops the orchestrator. Each test ends by
 * running a NEW pipeline run to success through the same consumers and outbox.
 */
@QuarkusTest
class PoisonRecordTest {

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

  /** A new run of a new pipeline still succeeds: nothing is stuck behind what came before. */
  private void aNewRunStillSucceeds() {
    Setup s = deploy("single");
    worker(s, d -> TestWorker.ok());
    awaitRun(Api.start(s.env(), s.pipeline(), Map.of()), "SUCCEEDED", WITHIN);
  }

  @Test
  void nulAndUnpairedSurrogatesInOutputsAndLogsAreStoredReplaced() {
    Setup s = deploy("outputs");
    Map<String, Object> outputs = new HashMap<>();
    outputs.put("x", "a\u0000b");
    outputs.put("k\ud800", List.of("\udc00", "ok"));
    TestWorker w =
        worker(
            s, d -> d.taskKey().equals("producer") ? new Succeed(200, outputs) : TestWorker.ok());
    String runId = Api.start(s.env(), s.pipeline(), Map.of());
    await().atMost(WITHIN).until(() -> !w.claimed().isEmpty());
    TaskDispatched p = w.claimed().get(0);
    w.send(
        new LogChunk(
            p.runId(),
            p.taskRunId(),
            p.attempt(),
            List.of(new LogChunk.Line(10, Instant.now(), "stdout", "nul\u0000here\ud800")),
            false));
    JsonPath run = awaitRun(runId, "SUCCEEDED", WITHIN);
    assertThat(run.getMap("taskRuns.find { it.taskKey == 'producer' }.outputs"))
        .containsEntry("x", "a\uFFFDb")
        .containsEntry("k\uFFFD", List.of("\uFFFD", "ok"));
    await()
        .atMost(WITHIN)
        .untilAsserted(
            () ->
                api()
                    .get("/api/v1/task-runs/{id}/logs", p.taskRunId())
                    .then()
                    .statusCode(200)
                    .body(containsString("nul\uFFFDhere\uFFFD")));
    aNewRunStillSucceeds();
  }

  @Test
  void recordsThatCanNeverBeProcessedGoToTheDeadLettersAndTheConsumerMovesOn() throws Exception {
    Setup s = deploy("single");
    TestWorker w = worker(s, d -> new Hang());
    String runId = Api.start(s.env(), s.pipeline(), Map.of());
    await().atMost(WITHIN).until(() -> "RUNNING".equals(taskState(run(runId), "only")));
    TaskDispatched d = w.claimed().get(0);
    String marker = "poison-" + UUID.randomUUID();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      // not an event at all
      producer
          .send(
              new ProducerRecord<>(
                  Topics.TASK_EVENTS, w.workerId, marker.getBytes(StandardCharsets.UTF_8)))
          .get();
      // an event whose data the database refuses (timestamp out of range): retrying cannot help
      EventEnvelope<AttemptStarted> refused =
          EventEnvelope.of(
              "worker-service",
              new AttemptStarted(
                  d.runId(),
                  d.taskRunId(),
                  d.attempt(),
                  w.workerId,
                  Instant.parse("+300000-01-01T00:00:00Z"),
                  d.attemptToken()));
      w.send(refused);

      List<ConsumerRecord<String, byte[]>> dead =
          deadLetters(
              r ->
                  new String(r.value(), StandardCharsets.UTF_8).contains(marker)
                      || new String(r.value(), StandardCharsets.UTF_8)
                          .contains(refused.eventId().toString()),
              2);
      assertThat(dead).allSatisfy(r -> assertThat(r.key()).isEqualTo(Topics.TASK_EVENTS));
      assertThat(dead)
          .extracting(r -> header(r, DeadLetters.REASON))
          .containsExactlyInAnyOrder(DeadLetters.UNREADABLE, DeadLetters.REFUSED_BY_DATABASE);
      assertThat(dead)
          .allSatisfy(
              r -> {
                assertThat(header(r, DeadLetters.TOPIC)).isEqualTo(Topics.TASK_EVENTS);
                assertThat(header(r, DeadLetters.OFFSET)).matches("\\d+");
                assertThat(header(r, DeadLetters.PARTITION)).matches("\\d+");
                assertThat(header(r, DeadLetters.CONSUMER)).contains("orchestrator");
              });
    }
    api()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("dataplane_dead_letters_total"))
        .body(containsString("reason=\"refused-by-database\""));
    // the consumer moved on: the hung run can be cancelled and a new run succeeds
    api().post("/api/v1/runs/{id}/cancel", runId).then().statusCode(200);
    awaitRun(runId, "CANCELLED", WITHIN);
    aNewRunStillSucceeds();
  }

  /**
   * Issue 16, group commit: results that arrive together are applied in one transaction; a burst
   * with a record the database refuses is applied one by one instead, so that only that record goes
   * to the dead letters; a duplicate in the burst is applied once.
   */
  @Test
  void aBurstOfResultsIsAppliedTogetherAndAPoisonedOneAlone() throws Exception {
    Setup s = deploy("join20");
    TestWorker w = worker(s, d -> d.taskKey().startsWith("p") ? new Hang() : TestWorker.ok());
    double[] before = batchSizes();

    // a clean burst: twenty results (and one duplicate) in one produce request
    String clean = Api.start(s.env(), s.pipeline(), Map.of());
    List<TaskDispatched> first = awaitClaims(w, clean, 20);
    List<EventEnvelope<?>> burst = new ArrayList<>();
    first.forEach(d -> burst.add(finished(w, d)));
    burst.add(1, burst.get(0));
    sendTogether(burst);
    awaitRun(clean, "SUCCEEDED", WITHIN);
    double[] after = batchSizes();
    assertThat(after[1] - before[1])
        .as("records applied in batches: more than batches (one transaction held several)")
        .isGreaterThan(after[0] - before[0]);

    // a poisoned burst: the same, with an event the database refuses in the middle
    String poisoned = Api.start(s.env(), s.pipeline(), Map.of());
    List<TaskDispatched> second = awaitClaims(w, poisoned, 20);
    List<EventEnvelope<?>> burst2 = new ArrayList<>();
    second.forEach(d -> burst2.add(finished(w, d)));
    TaskDispatched victim = second.get(15); // its result comes after the poison
    EventEnvelope<AttemptStarted> refused =
        EventEnvelope.of(
            "worker-service",
            new AttemptStarted(
                victim.runId(),
                victim.taskRunId(),
                victim.attempt(),
                w.workerId,
                Instant.parse("+300000-01-01T00:00:00Z"),
                victim.attemptToken()));
    burst2.add(10, refused);
    sendTogether(burst2);
    JsonPath run = awaitRun(poisoned, "SUCCEEDED", WITHIN);
    assertThat(attempts(run, "p01")).hasSize(1);
    assertThat(
            deadLetters(
                r ->
                    new String(r.value(), StandardCharsets.UTF_8)
                        .contains(refused.eventId().toString()),
                1))
        .extracting(r -> header(r, DeadLetters.REASON))
        .containsExactly(DeadLetters.REFUSED_BY_DATABASE);
  }

  private static List<TaskDispatched> awaitClaims(TestWorker w, String runId, int count) {
    await()
        .atMost(WITHIN)
        .until(
            () ->
                w.claimed().stream().filter(d -> d.runId().toString().equals(runId)).count()
                    >= count);
    return w.claimed().stream().filter(d -> d.runId().toString().equals(runId)).toList();
  }

  private static EventEnvelope<?> finished(TestWorker w, TaskDispatched d) {
    return EventEnvelope.of(
        "worker-service",
        new AttemptFinished(
                d.runId(),
                d.taskRunId(),
                d.attempt(),
                w.workerId,
                AttemptOutcome.SUCCEEDED,
                0,
                Map.of("blob", "small"),
                null,
                1,
                Instant.now())
            .withToken(d.attemptToken()));
  }

  /** Sends the events as one produce request (one key, one partition), so they are read at once. */
  private static void sendTogether(List<EventEnvelope<?>> events) {
    EventCodec codec = new EventCodec();
    String key = "burst-" + UUID.randomUUID();
    Properties p = new Properties();
    p.put("bootstrap.servers", "127.0.0.1:9092");
    p.put("linger.ms", "1000");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      events.forEach(
          e -> producer.send(new ProducerRecord<>(Topics.TASK_EVENTS, key, codec.encode(e))));
      producer.flush();
    }
  }

  /** The task-events consumer's batches so far: {count, sum of their sizes}. */
  private static double[] batchSizes() {
    String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
    double count = 0;
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.contains("consumer=\"task-events\"")) {
        double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (line.startsWith("dataplane_consumer_batch_size_count")) {
          count = v;
        } else if (line.startsWith("dataplane_consumer_batch_size_sum")) {
          sum = v;
        }
      }
    }
    return new double[] {count, sum};
  }

  @Test
  void aJoinWhoseInputsAreTooLargeFailsWithInputsTooLargeAndTheOutboxGoesOn() {
    Setup s = deploy("join20");
    // 20 upstream outputs of 60 KiB each: a 1.2 MB dispatch for the join
    Map<String, Object> big = Map.of("blob", "x".repeat(60 * 1024));
    TestWorker w =
        worker(s, d -> d.taskKey().startsWith("p") ? new Succeed(0, big) : TestWorker.ok());
    String runId = Api.start(s.env(), s.pipeline(), Map.of());
    JsonPath run = awaitRun(runId, "FAILED", Duration.ofSeconds(60));
    assertThat(taskState(run, "join")).isEqualTo("FAILED");
    assertThat(run.getString("taskRuns.find { it.taskKey == 'join' }.error"))
        .startsWith("INPUTS_TOO_LARGE")
        .contains("1048576");
    assertThat(attempts(run, "join")).isEmpty();
    assertThat(taskState(run, "after")).isEqualTo("UPSTREAM_FAILED");
    assertThat(w.dispatched()).noneMatch(d -> d.taskKey().equals("join"));
    aNewRunStillSucceeds();
  }

  @Test
  void runParamsOver256KibAreRefusedClearly() {
    Setup s = deploy("outputs");
    api()
        .contentType("application/json")
        .body(Map.of("params", Map.of("greeting", "x".repeat(2 * 1024 * 1024))))
        .post("/api/v1/environments/{env}/pipelines/{p}/runs", s.env(), s.pipeline())
        .then()
        .statusCode(413)
        .body("code", org.hamcrest.Matchers.equalTo("TOO_LARGE"))
        .body("message", containsString("262144"));
    api()
        .contentType("application/json")
        .body(Map.of("params", Map.of("greeting", "nul\u0000")))
        .post("/api/v1/environments/{env}/pipelines/{p}/runs", s.env(), s.pipeline())
        .then()
        .statusCode(400);
    aNewRunStillSucceeds();
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", "127.0.0.1:9092");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static boolean ours(ConsumerRecord<String, byte[]> r) {
    String group =
        org.eclipse.microprofile.config.ConfigProvider.getConfig()
            .getValue("dataplane.orchestrator.consumer-group", String.class);
    String consumer = header(r, DeadLetters.CONSUMER);
    return consumer != null
        && consumer.startsWith(
            io.dataplane.orchestrator.messaging.EventOutbox.SOURCE + "/" + group + ".");
  }

  private static List<ConsumerRecord<String, byte[]>> deadLetters(
      java.util.function.Predicate<ConsumerRecord<String, byte[]>> match, int count) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.DEAD_LETTERS));
      await()
          .atMost(WITHIN)
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                  // only this orchestrator's: other checkouts' share the broker and its topics
                  if (r.value() != null && match.test(r) && ours(r)) {
                    found.add(r);
                  }
                }
                return found.size() >= count;
              });
    }
    return found;
  }
}
