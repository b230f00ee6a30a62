package io.dataplane.gateway.graphql;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.Stub;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: event triggers through GraphQL, authorized and audited like schedules, and the public
 * webhook endpoint (scheduler-service stood in by the stub, which echoes what it received).
 */
@QuarkusTest
class TriggerGraphQLTest {

  private static final String CREATE =
      "mutation($e: String!, $i: TriggerInput!) { createTrigger(environment: $e, input: $i) {"
          + " id kind state upstreamPipeline onState params token createdBy } }";

  @Test
  void triggersAreManagedThroughGraphQLAndAudited() {
    String env = Fixture.environment("trg");
    Gql admin = Gql.as("admin");
    JsonPath created =
        ok(
            admin.run(
                CREATE,
                "e",
                env,
                "i",
                Map.of(
                    "pipeline", "load",
                    "kind", "COMPLETION",
                    "upstreamPipeline", "extract",
                    "onState", "SUCCEEDED",
                    "params", Map.of("day", "{{ upstream.outputs.extract.day }}"))));
    String id = created.getString("data.createTrigger.id");
    assertThat(created.getString("data.createTrigger.kind")).isEqualTo("COMPLETION");
    assertThat(created.getString("data.createTrigger.params.day"))
        .isEqualTo("{{ upstream.outputs.extract.day }}");

    JsonPath listed =
        ok(admin.run("query($e: String!) { triggers(environment: $e) { id } }", "e", env));
    assertThat(listed.getList("data.triggers.id")).containsExactly(id);
    JsonPath paused =
        ok(
            admin.run(
                "mutation($e: String!, $id: String!) { pauseTrigger(environment: $e, id: $id) {"
                    + " state } }",
                "e",
                env,
                "id",
                id));
    assertThat(paused.getString("data.pauseTrigger.state")).isEqualTo("PAUSED");
    JsonPath resumed =
        ok(
            admin.run(
                "mutation($e: String!, $id: String!) { pauseTrigger(environment: $e, id: $id,"
                    + " paused: false) { state } }",
                "e",
                env,
                "id",
                id));
    assertThat(resumed.getString("data.pauseTrigger.state")).isEqualTo("ENABLED");
    JsonPath updated =
        ok(
            admin.run(
                "mutation($e: String!, $id: String!, $i: TriggerInput!) { updateTrigger("
                    + "environment: $e, id: $id, input: $i) { onState } }",
                "e",
                env,
                "id",
                id,
                "i",
                Map.of(
                    "pipeline", "load",
                    "kind", "COMPLETION",
                    "upstreamPipeline", "extract",
                    "onState", "ANY")));
    assertThat(updated.getString("data.updateTrigger.onState")).isEqualTo("ANY");
    ok(
        admin.run(
            "query($e: String!, $id: String!) { triggerFires(environment: $e, id: $id) }",
            "e",
            env,
            "id",
            id));
    // seen from another environment, the trigger does not exist
    JsonPath elsewhere =
        admin.run(
            "query($e: String!, $id: String!) { trigger(environment: $e, id: $id) { id } }",
            "e",
            Fixture.environment("trg2"),
            "id",
            id);
    assertThat(Gql.codes(elsewhere)).contains("NOT_FOUND");
    ok(
        admin.run(
            "mutation($e: String!, $id: String!) { deleteTrigger(environment: $e, id: $id) }",
            "e",
            env,
            "id",
            id));
    JsonPath audit =
        ok(admin.run("{ auditLog(actor: \"admin\", limit: 50) { action environment } }"));
    assertThat(audit.getList("data.auditLog.action"))
        .contains(
            "createTrigger", "pauseTrigger", "resumeTrigger", "updateTrigger", "deleteTrigger");
  }

  @Test
  void readersMayListButNotCreateAndInputIsChecked() {
    String env = Fixture.environment("trg");
    // a key that may only read the environment
    Gql reader = Gql.withKey(Fixture.apiKey("admin", env, null, "read"));
    JsonPath refused =
        reader.run(CREATE, "e", env, "i", Map.of("pipeline", "load", "kind", "WEBHOOK"));
    assertThat(Gql.codes(refused)).contains("FORBIDDEN");
    ok(reader.run("query($e: String!) { triggers(environment: $e) { id } }", "e", env));
    JsonPath bad =
        Gql.as("admin").run(CREATE, "e", env, "i", Map.of("pipeline", "load", "kind", "CRON"));
    assertThat(Gql.codes(bad)).contains("INVALID_INPUT");
    JsonPath noUpstream =
        Gql.as("admin")
            .run(CREATE, "e", env, "i", Map.of("pipeline", "load", "kind", "COMPLETION"));
    assertThat(Gql.codes(noUpstream)).contains("INVALID_INPUT");
  }

  @Test
  void aWebhookDeliveryNeedsNoSignInIsRelayedByteForByteAndIsCapped() throws Exception {
    String hook = UUID.randomUUID().toString();
    byte[] body = "{\"ref\": \"main\",  \"x\": [1, 2]}".getBytes(StandardCharsets.UTF_8);
    Response r =
        given()
            .header("X-Dataplane-Token", "dph_abc")
            .header("X-Dataplane-Delivery", "d-1")
            .header("X-Hub-Signature-256", "sha256=" + "a".repeat(64))
            .contentType("application/json")
            .body(body)
            .post("/api/v1/hooks/" + hook);
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
    assertThat(r.jsonPath().getString("token")).isEqualTo("dph_abc");
    assertThat(r.jsonPath().getString("delivery")).isEqualTo("d-1");
    assertThat(r.jsonPath().getString("signature")).isEqualTo("sha256=" + "a".repeat(64));
    assertThat(r.jsonPath().getString("bodySha256"))
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));

    String big = UUID.randomUUID().toString();
    byte[] twoMb = new byte[2 * 1024 * 1024];
    java.util.Arrays.fill(twoMb, (byte) 'a');
    given()
        .contentType("application/octet-stream")
        .body(twoMb)
        .post("/api/v1/hooks/" + big)
        .then()
        .statusCode(413);
    List<Map<String, Object>> calls = Stub.calls();
    assertThat(calls).noneMatch(c -> String.valueOf(c.get("path")).contains("/triggers/" + big));

    given().body("{}").post("/api/v1/hooks/not-a-hook").then().statusCode(404);

    // the scheduler's refusals reach the sender with their status and reason (not as a 503)
    given()
        .header("X-Dataplane-Token", "dph_abc")
        .header("X-Dataplane-Delivery", "replayed")
        .contentType("application/json")
        .body(body)
        .post("/api/v1/hooks/" + hook)
        .then()
        .statusCode(409)
        .body("message", org.hamcrest.Matchers.containsString("already received"));
    given()
        .header("X-Dataplane-Token", "forged")
        .header("X-Dataplane-Delivery", "d-2")
        .contentType("application/json")
        .body(body)
        .post("/api/v1/hooks/" + hook)
        .then()
        .statusCode(401);
  }

  private static JsonPath ok(JsonPath r) {
    assertThat(Gql.codes(r)).as(r.prettify()).isEmpty();
    return r;
  }
}
