package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.demo.GraphQLClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 17 through the gateway's GraphQL API, against the six packaged services: each kind of event
 * trigger starts its runs (a completion trigger declared in a definition, a signed webhook, a Kafka
 * topic), and a waiting run or task says why, for each reason a real stack can hold still.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunsOnEventsTest {

  static final String X = UUID.randomUUID().toString().substring(0, 8);
  static final String ENV = "ev-" + X;
  static final Duration WITHIN = Duration.ofMinutes(2);

  static Platform platform;
  static GraphQLClient alice;

  @BeforeAll
  static void start() throws Exception {
    platform =
        Platform.builder(ENV + "/default")
            // two slots, so that two long tasks fill the worker (SLOTS_BUSY)
            .env("worker-service", Map.of("DATAPLANE_WORKER_SLOTS", "2"))
            // a frozen worker stays "live" long enough to see a task in transit (DISPATCHED)
            .env("orchestrator-service", Map.of("DATAPLANE_ORCHESTRATOR_WORKER_LOST_AFTER", "30s"))
            .env(
                "scheduler-service",
                Map.of(
                    "DATAPLANE_SCHEDULER_TRIGGERS_CONSUMER_GROUP", "topic-triggers-" + X,
                    "DATAPLANE_SCHEDULER_TRIGGERS_TOPIC_OFFSET_RESET", "earliest",
                    "DATAPLANE_SCHEDULER_TRIGGERS_TOPIC_REFRESH", "500ms"))
            .start();
    alice = platform.graphql("alice");
    alice.execute(
        "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", ENV));
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  static JsonNode release(String pipeline, String definition) throws Exception {
    JsonNode saved =
        alice.executeRaw(
            "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
            Map.of("e", ENV, "p", pipeline, "d", definition));
    if (saved.path("errors").size() > 0) {
      return saved;
    }
    alice.execute(
        "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p, bundle: false) { id } }",
        Map.of("e", ENV, "p", pipeline));
    return saved;
  }

  static String startRun(String pipeline) throws Exception {
    return alice
        .execute(
            "mutation($e: String!, $p: String!) { startRun(environment: $e, pipeline: $p) { id } }",
            Map.of("e", ENV, "p", pipeline))
        .path("startRun")
        .path("id")
        .asText();
  }

  static JsonNode run(String id) throws Exception {
    return alice
        .execute(
            "query($id: String!) { run(id: $id) { id state params requestId"
                + " waitingReason { kind message runs tasks until workerGroup position }"
                + " taskRuns { taskKey state waitingReason { kind message tasks until } } } }",
            Map.of("id", id))
        .path("run");
  }

  static JsonNode awaitRun(String id, String state) {
    JsonNode[] last = new JsonNode[1];
    await("run " + id + " " + state)
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              last[0] = run(id);
              return state.equals(last[0].path("state").asText());
            });
    return last[0];
  }

  /** The runs of a pipeline, newest first. */
  static List<JsonNode> runs(String pipeline) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    alice
        .execute(
            "query($e: String!, $p: String!) { runs(environment: $e, pipeline: $p) { items { id state params requestId } } }",
            Map.of("e", ENV, "p", pipeline))
        .path("runs")
        .path("items")
        .forEach(out::add);
    return out;
  }

  /** Waits until the pipeline has exactly {@code n} runs, all SUCCEEDED, and returns them. */
  static List<JsonNode> awaitSucceededRuns(String pipeline, int n) {
    List<JsonNode> last = new ArrayList<>();
    await(n + " succeeded runs of " + pipeline)
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              last.clear();
              last.addAll(runs(pipeline));
              return last.size() == n
                  && last.stream().allMatch(r -> "SUCCEEDED".equals(r.path("state").asText()));
            });
    return last;
  }

  static JsonNode trigger(String name) throws Exception {
    for (JsonNode t :
        alice
            .execute(
                "query($e: String!) { triggers(environment: $e) { id name pipeline kind state declared hookPath } }",
                Map.of("e", ENV))
            .path("triggers")) {
      if (name.equals(t.path("name").asText())) {
        return t;
      }
    }
    return null;
  }

  @Test
  @Order(1)
  void aCompletionTriggerDeclaredInTheDefinitionStartsTheNextPipelineWithTheUpstreamOutput()
      throws Exception {
    release(
        "extract",
        "tasks:\n  - {key: extract, runtime: bash, script: 'echo \"{\\\"day\\\": \\\"2026-12-07\\\"}\" > \"$DP_OUTPUT\"'}\n");
    release(
        "load",
        """
        params:
          day: {type: string, required: true}
        triggers:
          - name: after-extract
            kind: completion
            upstreamPipeline: extract
            params: {day: "{{ upstream.outputs.extract.day }}"}
        tasks:
          - {key: load, runtime: bash, script: 'echo "loading $DP_PARAM_day"'}
        """);
    await("the declared trigger")
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> trigger("load/after-extract") != null);
    JsonNode t = trigger("load/after-extract");
    assertThat(t.path("declared").asBoolean()).isTrue();
    assertThat(t.path("state").asText()).isEqualTo("ENABLED");

    String upstream = startRun("extract");
    awaitRun(upstream, "SUCCEEDED");
    JsonNode load = awaitSucceededRuns("load", 1).get(0);
    assertThat(load.path("params").path("day").asText()).isEqualTo("2026-12-07");
    assertThat(load.path("requestId").asText())
        .isEqualTo("trigger:" + t.path("id").asText() + "@" + upstream);

    // a careless definition: a token webhook, which nobody would ever see the token of
    JsonNode refused =
        release(
            "load",
            "triggers:\n  - {name: hook, kind: webhook}\n"
                + "tasks:\n  - {key: load, runtime: bash, script: 'true'}\n");
    assertThat(refused.path("errors").toString()).contains("triggers[0].auth").contains("HMAC");
    // the API cannot delete what the definition declares
    JsonNode delete =
        alice.executeRaw(
            "mutation($e: String!, $id: String!) { deleteTrigger(environment: $e, id: $id) }",
            Map.of("e", ENV, "id", t.path("id").asText()));
    assertThat(delete.path("errors").get(0).path("extensions").path("code").asText())
        .isEqualTo("CONFLICT");
  }

  @Test
  @Order(2)
  void aSignedWebhookStartsOneRunPerDelivery() throws Exception {
    release(
        "build",
        "params:\n  ref: {type: string}\n"
            + "tasks:\n  - {key: build, runtime: bash, script: 'echo \"building $DP_PARAM_ref\"'}\n");
    String key = "k-" + UUID.randomUUID();
    alice.execute(
        "mutation($e: String!, $v: String!) { setSecret(environment: $e, name: \"HOOK_KEY\", value: $v) { name } }",
        Map.of("e", ENV, "v", key));
    JsonNode created =
        alice
            .execute(
                "mutation($e: String!, $i: TriggerInput!) { createTrigger(environment: $e, input: $i) { id hookPath } }",
                Map.of(
                    "e",
                    ENV,
                    "i",
                    Map.of(
                        "name", "on-push",
                        "pipeline", "build",
                        "kind", "WEBHOOK",
                        "auth", "HMAC",
                        "secretName", "HOOK_KEY",
                        "params", Map.of("ref", "{{ body.ref }}"))))
            .path("createTrigger");
    URI hook = URI.create(platform.url("gateway-service") + created.path("hookPath").asText());
    byte[] body = "{\"ref\": \"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
    String delivery = UUID.randomUUID().toString();

    assertThat(deliver(hook, body, sign(key, body), delivery)).isEqualTo(202);
    // the same delivery again (a replay), and a forgery: neither starts a run
    assertThat(deliver(hook, body, sign(key, body), delivery)).isEqualTo(409);
    assertThat(deliver(hook, body, sign("not-the-key", body), UUID.randomUUID().toString()))
        .isEqualTo(401);

    JsonNode run = awaitSucceededRuns("build", 1).get(0);
    assertThat(run.path("params").path("ref").asText()).isEqualTo("refs/heads/main");
    await("no second run")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> runs("build").size() == 1);
  }

  static String sign(String key, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  static final HttpClient HTTP = HttpClient.newHttpClient();

  static int deliver(URI hook, byte[] body, String signature, String delivery) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(hook)
                .header("Content-Type", "application/json")
                .header("X-Hub-Signature-256", signature)
                .header("X-Dataplane-Delivery", delivery)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  @Order(3)
  void aKafkaMessageThatMatchesTheFilterStartsARun() throws Exception {
    release(
        "ship",
        "params:\n  order: {type: string}\n"
            + "tasks:\n  - {key: ship, runtime: bash, script: 'echo \"shipping $DP_PARAM_order\"'}\n");
    String topic = ENV + ".orders";
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    alice.execute(
        "mutation($e: String!, $i: TriggerInput!) { createTrigger(environment: $e, input: $i) { id } }",
        Map.of(
            "e",
            ENV,
            "i",
            Map.of(
                "name", "on-order",
                "pipeline", "ship",
                "kind", "KAFKA",
                "topic", topic,
                "filterField", "type",
                "filterValue", "order.created",
                "params", Map.of("order", "{{ message.order.id }}"))));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(
          new ProducerRecord<>(
              topic, "o-1", "{\"type\": \"order.cancelled\", \"order\": {\"id\": \"o-1\"}}"));
      producer.send(
          new ProducerRecord<>(
              topic, "o-2", "{\"type\": \"order.created\", \"order\": {\"id\": \"o-2\"}}"));
      producer.flush();
    }
    JsonNode run = awaitSucceededRuns("ship", 1).get(0);
    assertThat(run.path("params").path("order").asText()).isEqualTo("o-2");
    assertThat(run.path("requestId").asText()).endsWith("@" + topic + "-0-1");
  }

  /** Waits until the run's (or one of its task's) reason has the kind, and returns the run. */
  static JsonNode awaitReason(String runId, String taskKey, String kind) {
    JsonNode[] last = new JsonNode[1];
    await("run " + runId + (taskKey == null ? "" : " task " + taskKey) + " waits: " + kind)
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              last[0] = run(runId);
              return kind.equals(reasonOf(last[0], taskKey).path("kind").asText());
            });
    return last[0];
  }

  static JsonNode reasonOf(JsonNode run, String taskKey) {
    if (taskKey == null) {
      return run.path("waitingReason");
    }
    for (JsonNode t : run.path("taskRuns")) {
      if (taskKey.equals(t.path("taskKey").asText())) {
        return t.path("waitingReason");
      }
    }
    return run.path("noSuchTask");
  }

  @Test
  @Order(4)
  void eachWaitingReasonIsShownThroughGraphQL() throws Exception {
    alice.execute(
        "mutation($e: String!) { createWorkerGroup(environment: $e, name: \"nobody\") { name } }",
        Map.of("e", ENV));
    release(
        "flaky",
        "tasks:\n  - {key: f, runtime: bash, script: 'exit 1', retries: {max: 1, initialDelay: 10m}}\n");
    release(
        "nowhere", "workerGroup: nobody\ntasks:\n  - {key: n, runtime: bash, script: 'true'}\n");
    release(
        "hold",
        "concurrency: {max: 1, policy: QUEUE}\ntasks:\n  - {key: h, runtime: bash, script: 'sleep 600'}\n");
    release(
        "chain",
        "tasks:\n  - {key: a, runtime: bash, script: 'sleep 600'}\n"
            + "  - {key: b, runtime: bash, script: 'true', dependsOn: [a]}\n");
    release("wide", "tasks:\n  - {key: w, runtime: bash, script: 'sleep 600'}\n");
    release("quick", "tasks:\n  - {key: q, runtime: bash, script: 'true'}\n");
    List<String> started = new ArrayList<>();

    // RETRY_BACKOFF: failed once, its retry is due in 10 minutes
    String flaky = startRun("flaky");
    started.add(flaky);
    JsonNode r = awaitReason(flaky, "f", "RETRY_BACKOFF");
    assertThat(Instant.parse(reasonOf(r, "f").path("until").asText()))
        .isAfter(Instant.now().plusSeconds(500));

    // NO_WORKER: its group has no worker at all
    String nowhere = startRun("nowhere");
    started.add(nowhere);
    r = awaitReason(nowhere, null, "NO_WORKER");
    assertThat(r.path("waitingReason").path("workerGroup").asText()).isEqualTo(ENV + "/nobody");

    // CONCURRENCY_LIMIT: the second run of a max-1 pipeline names the run that holds the limit
    String first = startRun("hold");
    started.add(first);
    awaitRun(first, "RUNNING");
    String second = startRun("hold");
    started.add(second);
    r = awaitReason(second, null, "CONCURRENCY_LIMIT");
    assertThat(r.path("state").asText()).isEqualTo("QUEUED");
    assertThat(r.path("waitingReason").path("runs").get(0).asText()).isEqualTo(first);
    assertThat(r.path("waitingReason").path("position").asInt()).isEqualTo(1);

    // UPSTREAM_RUNNING: b waits for a (which takes the worker's second slot)
    String chain = startRun("chain");
    started.add(chain);
    r = awaitReason(chain, "b", "UPSTREAM_RUNNING");
    assertThat(reasonOf(r, "b").path("tasks").get(0).asText()).isEqualTo("a");

    // SLOTS_BUSY: both slots of the only worker hold sleeping tasks
    String wide = startRun("wide");
    started.add(wide);
    r = awaitReason(wide, "w", "SLOTS_BUSY");
    assertThat(reasonOf(r, "w").path("message").asText()).contains("2 slot(s)");

    for (String id : started) {
      alice.executeRaw("mutation($id: String!) { cancelRun(id: $id) { id } }", Map.of("id", id));
    }
    for (String id : started) {
      await("run " + id + " ends")
          .atMost(WITHIN)
          .pollInterval(Duration.ofMillis(300))
          .until(() -> List.of("CANCELLED", "FAILED").contains(run(id).path("state").asText()));
    }

    // DISPATCHED: the worker's last heartbeat says it has room, but it is frozen and takes
    // nothing; until it is called lost (worker-lost-after), the task is in transit
    await("the worker reports both slots free")
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                alice
                        .execute(
                            "query($e: String!) { workers(environment: $e) { freeSlots } }",
                            Map.of("e", ENV))
                        .path("workers")
                        .path(0)
                        .path("freeSlots")
                        .asInt()
                    == 2);
    platform.signal("worker-service", "STOP");
    String quick;
    try {
      quick = startRun("quick");
      r = awaitReason(quick, "q", "DISPATCHED");
      assertThat(reasonOf(r, "q").path("message").asText()).isNotEmpty();
    } finally {
      platform.signal("worker-service", "CONT");
    }
    awaitRun(quick, "SUCCEEDED");
  }
}
