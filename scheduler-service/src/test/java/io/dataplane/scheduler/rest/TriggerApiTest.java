package io.dataplane.scheduler.rest;

import static io.dataplane.scheduler.TestSupport.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.RunRequested;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.scheduler.TestSupport;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Issue 17: event triggers through the scheduler's API, with real PostgreSQL and Kafka. */
@QuarkusTest
@QuarkusTestResource(value = BackendStub.class, restrictToAnnotatedClass = true)
class TriggerApiTest {

  private static Map<String, Object> completion(String name, String upstream, String pipeline) {
    Map<String, Object> b = new HashMap<>();
    b.put("name", name);
    b.put("kind", "COMPLETION");
    b.put("upstreamPipeline", upstream);
    b.put("pipeline", pipeline);
    return b;
  }

  private static String create(String env, Map<String, Object> body) {
    return api()
        .body(body)
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  /** RunRequested events in the outbox with this request id. */
  private static List<RunRequested> requested(String requestId) throws Exception {
    List<RunRequested> out = new ArrayList<>();
    EventCodec codec = new EventCodec();
    try (Connection c = TestSupport.db();
        PreparedStatement ps =
            c.prepareStatement("select payload from outbox where topic = ? order by id")) {
      ps.setString(1, Topics.RUN_REQUESTS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (codec.decode(rs.getBytes(1)).payload() instanceof RunRequested rr
              && rr.requestId().equals(requestId)) {
            out.add(rr);
          }
        }
      }
    }
    return out;
  }

  private static void runEnded(String env, String pipeline, UUID runId, RunState state)
      throws Exception {
    TestSupport.publish(
        Topics.RUN_EVENTS,
        runId.toString(),
        new RunStateChanged(runId, env, pipeline, state, RunState.RUNNING));
  }

  @Test
  void crudPauseAndValidation() {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = completion("after-extract", "extract", "load");
    b.put("params", Map.of("day", "{{ upstream.outputs.extract.day }}"));
    String id = create(env, b);
    api()
        .get("/api/v1/environments/{env}/triggers/{id}", env, id)
        .then()
        .statusCode(200)
        .body("onState", equalTo("SUCCEEDED"))
        .body("state", equalTo("ENABLED"))
        .body("releaseMode", equalTo("LATEST"))
        .body("createdBy", equalTo("tester"));
    api().get("/api/v1/environments/{env}/triggers", env).then().body("items.id", hasItem(id));
    // another environment does not see it
    api()
        .get("/api/v1/environments/{env}/triggers/{id}", TestSupport.uniqueEnv(), id)
        .then()
        .statusCode(404);
    api()
        .post("/api/v1/environments/{env}/triggers/{id}/pause", env, id)
        .then()
        .statusCode(200)
        .body("state", equalTo("PAUSED"))
        .body("stateReason", equalTo("paused by tester"));
    api()
        .post("/api/v1/environments/{env}/triggers/{id}/resume", env, id)
        .then()
        .body("state", equalTo("ENABLED"));
    b.put("onState", "any");
    b.put("releaseId", "rel-7");
    api()
        .body(b)
        .put("/api/v1/environments/{env}/triggers/{id}", env, id)
        .then()
        .statusCode(200)
        .body("onState", equalTo("ANY"))
        .body("releaseMode", equalTo("PINNED"));
    // a name clash
    api()
        .body(completion("after-extract", "x", "y"))
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(409);
    api().delete("/api/v1/environments/{env}/triggers/{id}", env, id).then().statusCode(204);
    api().get("/api/v1/environments/{env}/triggers/{id}", env, id).then().statusCode(404);
  }

  @Test
  void invalidDefinitionsNameTheirField() {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> other = completion("x", "prod/extract", "load");
    api()
        .body(other)
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(400)
        .body("details.path", hasItem("upstreamPipeline"))
        .body("details.message", hasItem(containsString("another environment")));
    Map<String, Object> bad = completion("x", "extract", "load");
    bad.put("params", Map.of("day", "{{#upstream}} never closed"));
    bad.put("onState", "MAYBE");
    api()
        .body(bad)
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(400)
        .body("details.path", hasItem("params.day"))
        .body("details.path", hasItem("onState"));
    api()
        .body(Map.of("name", "k", "kind", "KAFKA", "pipeline", "load", "topic", Topics.RUN_EVENTS))
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(400)
        .body("details.path", hasItem("topic"));
    api()
        .body(Map.of("name", "k", "kind", "CRON", "pipeline", "load"))
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(400)
        .body("details.path", hasItem("kind"));
  }

  @Test
  void aTriggerLoopIsRefused() {
    String env = TestSupport.uniqueEnv();
    create(env, completion("a-to-b", "a", "b"));
    api()
        .body(completion("b-to-a", "b", "a"))
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(409)
        .body("message", containsString("b → a → b"));
    api()
        .body(completion("self", "a", "a"))
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(409)
        .body("message", containsString("loop"));
    // the same edges in another environment are no loop there
    create(TestSupport.uniqueEnv(), completion("b-to-a", "b", "a"));
  }

  @Test
  void aCompletionStartsOneRunWithTheUpstreamOutputsEvenWhenRedelivered() throws Exception {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = completion("load-after-extract", "extract", "load");
    b.put("params", Map.of("day", "{{ upstream.outputs.extract.day }}", "mode", "full"));
    String id = create(env, b);
    Map<String, Object> failedOnly = completion("alert-on-failure", "extract", "alert");
    failedOnly.put("onState", "FAILED");
    String failedId = create(env, failedOnly);

    UUID run = UUID.randomUUID();
    BackendStub.RUNS.put(
        run.toString(),
        Map.of(
            "id", run.toString(),
            "requestId", "api:someone",
            "params", Map.of(),
            "taskRuns",
                List.of(Map.of("taskKey", "extract", "outputs", Map.of("day", "2026-12-06")))));
    runEnded(env, "extract", run, RunState.SUCCEEDED);
    runEnded(env, "extract", run, RunState.SUCCEEDED); // the same event again

    String requestId = "trigger:" + id + "@" + run;
    await().atMost(Duration.ofSeconds(20)).until(() -> !requested(requestId).isEmpty());
    List<RunRequested> rr = requested(requestId);
    assertThat(rr).hasSize(1);
    assertThat(rr.get(0).pipeline()).isEqualTo("load");
    assertThat(rr.get(0).environment()).isEqualTo(env);
    assertThat(rr.get(0).trigger()).isEqualTo("EVENT");
    assertThat(rr.get(0).params()).containsEntry("day", "2026-12-06").containsEntry("mode", "full");
    api()
        .get("/api/v1/environments/{env}/triggers/{id}/fires", env, id)
        .then()
        .body("items", hasSize(1))
        .body("items[0].outcome", equalTo("REQUESTED"))
        .body("items[0].requestId", equalTo(requestId))
        .body("items[0].chainDepth", equalTo(1));
    // the FAILED-only trigger did not fire on a success
    api()
        .get("/api/v1/environments/{env}/triggers/{id}/fires", env, failedId)
        .then()
        .body("items", hasSize(0));
    // let the redelivered event be processed too, then still one run
    UUID later = UUID.randomUUID();
    runEnded(env, "extract", later, RunState.FAILED);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !requested("trigger:" + failedId + "@" + later).isEmpty());
    assertThat(requested(requestId)).hasSize(1);
  }

  @Test
  void aTemplateErrorRecordsAFailedFireAndStartsNothing() throws Exception {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = completion("needs-load-output", "extract", "report");
    b.put("params", Map.of("day", "{{ upstream.outputs.load.day }}"));
    String id = create(env, b);
    UUID run = UUID.randomUUID();
    runEnded(env, "extract", run, RunState.SUCCEEDED);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/api/v1/environments/{env}/triggers/{id}/fires", env, id)
                    .then()
                    .body("items", hasSize(1))
                    .body("items[0].outcome", equalTo("FAILED"))
                    .body("items[0].reason", containsString("upstream.outputs.load.day")));
    assertThat(requested("trigger:" + id + "@" + run)).isEmpty();
  }

  @Test
  void aChainDeeperThanTheLimitStops() throws Exception {
    String env = TestSupport.uniqueEnv();
    String id = create(env, completion("deep", "p9", "p10"));
    // the upstream run was itself started by a trigger fire at depth 10 (the limit)
    String upstreamRequest = "trigger:" + UUID.randomUUID() + "@" + UUID.randomUUID();
    try (Connection c = TestSupport.db();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into trigger_fires (trigger_id, event_id, request_id, fired_at, outcome,"
                    + " chain_depth) values (?, ?, ?, now(), 'REQUESTED', 10)")) {
      ps.setObject(1, UUID.randomUUID());
      ps.setString(2, UUID.randomUUID().toString());
      ps.setString(3, upstreamRequest);
      ps.executeUpdate();
    }
    UUID run = UUID.randomUUID();
    BackendStub.RUNS.put(
        run.toString(), Map.of("id", run.toString(), "requestId", upstreamRequest));
    runEnded(env, "p9", run, RunState.SUCCEEDED);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/api/v1/environments/{env}/triggers/{id}/fires", env, id)
                    .then()
                    .body("items[0].outcome", equalTo("FAILED"))
                    .body("items[0].chainDepth", equalTo(11))
                    .body("items[0].reason", containsString("max-chain-depth")));
    assertThat(requested("trigger:" + id + "@" + run)).isEmpty();
  }

  private static io.restassured.specification.RequestSpecification hook() {
    return given()
        .header("Authorization", "Bearer " + TestSupport.TOKEN)
        .contentType(ContentType.JSON);
  }

  @Test
  void aTokenWebhookRefusesForgeriesReplaysHugeBodiesAndNul() throws Exception {
    String env = TestSupport.uniqueEnv();
    var created =
        api()
            .body(Map.of("name", "on-push", "kind", "WEBHOOK", "pipeline", "build"))
            .post("/api/v1/environments/{env}/triggers", env)
            .then()
            .statusCode(201)
            .body("auth", equalTo("TOKEN"))
            .body("token", startsWith("dph_"))
            .body("hookPath", notNullValue())
            .extract();
    String id = created.path("id");
    String token = created.path("token");
    // the token is shown once
    api()
        .get("/api/v1/environments/{env}/triggers/{id}", env, id)
        .then()
        .body("token", nullValue());
    String url = "/api/v1/triggers/" + id + "/deliveries";

    hook()
        .header("X-Dataplane-Hook-Token", token + "x")
        .header("X-Dataplane-Delivery", "d-1")
        .body("{\"ref\":\"main\"}")
        .post(url)
        .then()
        .statusCode(401);
    hook()
        .header("X-Dataplane-Hook-Token", token)
        .body("{\"ref\":\"main\"}")
        .post(url)
        .then()
        .statusCode(400)
        .body("message", containsString("delivery id"));
    hook()
        .header("X-Dataplane-Hook-Token", token)
        .header("X-Dataplane-Delivery", "d-1")
        .body("{\"ref\":\"main\"}")
        .post(url)
        .then()
        .statusCode(202)
        .body("outcome", equalTo("REQUESTED"));
    List<RunRequested> rr = requested("trigger:" + id + "@hook:d-1");
    assertThat(rr).hasSize(1);
    assertThat(rr.get(0).params()).containsEntry("ref", "main");
    // a replay of the same delivery within the window
    hook()
        .header("X-Dataplane-Hook-Token", token)
        .header("X-Dataplane-Delivery", "d-1")
        .body("{\"ref\":\"main\"}")
        .post(url)
        .then()
        .statusCode(409)
        .body("message", containsString("replay window"));
    assertThat(requested("trigger:" + id + "@hook:d-1")).hasSize(1);
    // 2 MB
    byte[] big =
        ("{\"x\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    hook()
        .header("X-Dataplane-Hook-Token", token)
        .header("X-Dataplane-Delivery", "d-big")
        .body(big)
        .post(url)
        .then()
        .statusCode(413);
    // a NUL character in a param: recorded failed, no run
    hook()
        .header("X-Dataplane-Hook-Token", token)
        .header("X-Dataplane-Delivery", "d-nul")
        .body("{\"ref\":\"ma\\u0000in\"}")
        .post(url)
        .then()
        .statusCode(422)
        .body("reason", containsString("NUL"));
    assertThat(requested("trigger:" + id + "@hook:d-nul")).isEmpty();
    // not a JSON object
    hook()
        .header("X-Dataplane-Hook-Token", token)
        .header("X-Dataplane-Delivery", "d-arr")
        .body("[1,2]")
        .post(url)
        .then()
        .statusCode(400);
  }

  @Test
  void anHmacWebhookChecksTheSignatureOverTheRawBody() throws Exception {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = new HashMap<>();
    b.put("name", "gh");
    b.put("kind", "WEBHOOK");
    b.put("pipeline", "build");
    b.put("auth", "HMAC");
    b.put("secretName", "HOOK_KEY");
    b.put("params", Map.of("sha", "{{ body.head_commit.id }}"));
    String id = create(env, b);
    String url = "/api/v1/triggers/" + id + "/deliveries";
    String body = "{\"head_commit\": {\"id\": \"abc123\"}}";
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(BackendStub.HOOK_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String good =
        "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));

    // forged: signed with another key, or the body changed after signing
    mac.init(new SecretKeySpec("wrong".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String forged =
        "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    hook()
        .header("X-Hub-Signature-256", forged)
        .header("X-GitHub-Delivery", "g-1")
        .body(body)
        .post(url)
        .then()
        .statusCode(401);
    hook()
        .header("X-Hub-Signature-256", good)
        .header("X-GitHub-Delivery", "g-1")
        .body(body.replace("abc123", "evil99"))
        .post(url)
        .then()
        .statusCode(401);
    hook().header("X-GitHub-Delivery", "g-1").body(body).post(url).then().statusCode(401);
    // the forgeries did not spend the delivery id
    hook()
        .header("X-Hub-Signature-256", good)
        .header("X-GitHub-Delivery", "g-1")
        .body(body)
        .post(url)
        .then()
        .statusCode(202);
    List<RunRequested> rr = requested("trigger:" + id + "@hook:g-1");
    assertThat(rr).hasSize(1);
    assertThat(rr.get(0).params()).containsEntry("sha", "abc123").hasSize(1);
  }
}
