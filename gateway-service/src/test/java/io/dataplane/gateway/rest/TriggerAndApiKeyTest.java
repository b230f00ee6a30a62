package io.dataplane.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.Stub;
import io.dataplane.gateway.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** API keys (shown once, hashed, scoped, revocable, expiring) and the REST trigger. */
@QuarkusTest
class TriggerAndApiKeyTest {

  @Inject AgroalDataSource dataSource;

  private static Response trigger(
      String key, String env, String pipeline, String idem, Object body) {
    var spec = given().contentType(ContentType.JSON).body(body);
    if (key != null) {
      spec = spec.header("X-Api-Key", key);
    }
    if (idem != null) {
      spec = spec.header("Idempotency-Key", idem);
    }
    return spec.post("/api/v1/environments/" + env + "/pipelines/" + pipeline + "/runs");
  }

  @Test
  void theSameIdempotencyKeyGivesTheSameRun() {
    String env = Fixture.environment("trg");
    String key = Fixture.apiKey("admin", env, "etl", "execute");
    String idem = UUID.randomUUID().toString();
    Map<String, Object> body = Map.of("params", Map.of("day", "2026-11-21"));
    Response first = trigger(key, env, "etl", idem, body);
    assertThat(first.statusCode()).isEqualTo(201);
    String runId = first.jsonPath().getString("runId");
    assertThat(runId).isNotBlank();
    assertThat(first.jsonPath().getBoolean("created")).isTrue();
    Response second = trigger(key, env, "etl", idem, body);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.jsonPath().getString("runId")).isEqualTo(runId);
    assertThat(second.jsonPath().getBoolean("created")).isFalse();
    Response other = trigger(key, env, "etl", UUID.randomUUID().toString(), body);
    assertThat(other.statusCode()).isEqualTo(201);
    assertThat(other.jsonPath().getString("runId")).isNotEqualTo(runId);
    // the orchestrator got the params, an idempotent requestId and the API trigger, for the owner
    List<Map<String, Object>> starts =
        Stub.calls().stream()
            .filter(
                c -> ("/api/v1/environments/" + env + "/pipelines/etl/runs").equals(c.get("path")))
            .toList();
    assertThat(starts).hasSize(2);
    JsonPath sent = new JsonPath((String) starts.get(0).get("body"));
    assertThat(sent.getString("params.day")).isEqualTo("2026-11-21");
    assertThat(sent.getString("trigger")).isEqualTo("API");
    // an idempotent request id, scoped to the caller, different for another Idempotency-Key
    assertThat(sent.getString("requestId")).startsWith("api:");
    assertThat(new JsonPath((String) starts.get(1).get("body")).getString("requestId"))
        .isNotEqualTo(sent.getString("requestId"));
    assertThat(starts.get(0).get("actor")).isEqualTo("admin");
  }

  @Test
  void startRunWithTheSameRequestIdGivesTheSameRunToTheSameCaller() {
    String env = Fixture.environment("trg");
    Fixture.bind("USER", "alice", env, "execute");
    String q =
        "mutation($e: String!, $r: String) { startRun(environment: $e, pipeline: \"p\","
            + " requestId: $r) { id } }";
    String first = Gql.as("admin").run(q, "e", env, "r", "nightly-1").getString("data.startRun.id");
    String again = Gql.as("admin").run(q, "e", env, "r", "nightly-1").getString("data.startRun.id");
    String alices =
        Gql.as("alice").run(q, "e", env, "r", "nightly-1").getString("data.startRun.id");
    String other = Gql.as("admin").run(q, "e", env, "r", "nightly-2").getString("data.startRun.id");
    String none1 = Gql.as("admin").run(q, "e", env).getString("data.startRun.id");
    String none2 = Gql.as("admin").run(q, "e", env).getString("data.startRun.id");
    assertThat(again).isEqualTo(first);
    assertThat(List.of(alices, other, none1, none2)).doesNotContain(first).doesNotHaveDuplicates();
  }

  @Test
  void anIdempotencyKeyCannotBeReusedForAnotherPipeline() {
    String env = Fixture.environment("trg");
    String key = Fixture.apiKey("admin", env, null, "execute");
    String idem = UUID.randomUUID().toString();
    assertThat(trigger(key, env, "a", idem, Map.of()).statusCode()).isEqualTo(201);
    Response clash = trigger(key, env, "b", idem, Map.of());
    assertThat(clash.statusCode()).isEqualTo(409);
    assertThat(clash.jsonPath().getString("code")).isEqualTo("CONFLICT");
  }

  @Test
  void theTriggerNeedsExecuteWithinTheKeyScope() {
    String env = Fixture.environment("trg");
    String other = Fixture.environment("trg");
    String readOnly = Fixture.apiKey("admin", env, null, "read");
    Response denied = trigger(readOnly, env, "etl", "k1", Map.of());
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.jsonPath().getString("code")).isEqualTo("FORBIDDEN");
    String onePipeline = Fixture.apiKey("admin", env, "etl", "execute");
    assertThat(trigger(onePipeline, env, "other", null, Map.of()).statusCode()).isEqualTo(403);
    assertThat(trigger(onePipeline, other, "etl", null, Map.of()).statusCode()).isEqualTo(403);
    assertThat(trigger(null, env, "etl", null, Map.of()).statusCode()).isEqualTo(401);
    // a key acts for its owner: bob's key cannot do more than bob (nothing here)
    String bobs = Fixture.apiKey("bob", env, null, "execute");
    assertThat(trigger(bobs, env, "etl", null, Map.of()).statusCode()).isEqualTo(403);
  }

  @Test
  void triggerInputIsChecked() {
    String env = Fixture.environment("trg");
    String key = Fixture.apiKey("admin", env, null, "execute");
    Response bad = trigger(key, env, "Bad Name", "x y", Map.of());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.jsonPath().getString("code")).isEqualTo("INVALID_INPUT");
    assertThat(bad.jsonPath().getList("details.path")).contains("name", "Idempotency-Key");
  }

  @Test
  void keysAreShownOnceStoredHashedAndRevocable() throws Exception {
    String env = Fixture.environment("key");
    JsonPath created =
        Gql.as("alice")
            .run(
                "mutation($e: String!) { createApiKey(input: {name: \"ci\", ttlDays: 7, scope:"
                    + " [{environment: $e, permissions: [READ]}]}) { key apiKey { id prefix"
                    + " expiresAt } } }",
                "e",
                env);
    String key = created.getString("data.createApiKey.key");
    String id = created.getString("data.createApiKey.apiKey.id");
    assertThat(key).startsWith("dpk_").hasSizeGreaterThan(40);
    JsonPath listed = Gql.as("alice").run("{ apiKeys { id prefix } }");
    assertThat(listed.getList("data.apiKeys.id")).contains(id);
    assertThat(listed.prettify()).doesNotContain(key);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from api_keys where key_hash = ? or key_hash = ?")) {
      ps.setString(1, key);
      ps.setString(2, sha256(key));
      var rs = ps.executeQuery();
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1); // found by its hash only
    }
    assertThat(Gql.withKey(key).run("{ me { name apiKeyId } }").getString("data.me.name"))
        .isEqualTo("alice");
    // bob cannot revoke alice's key
    JsonPath bobTries =
        Gql.as("bob").run("mutation($i: String!) { revokeApiKey(id: $i) { id } }", "i", id);
    assertThat(Gql.codes(bobTries)).containsExactly("FORBIDDEN");
    JsonPath revoked =
        Gql.as("alice")
            .run("mutation($i: String!) { revokeApiKey(id: $i) { revokedAt } }", "i", id);
    assertThat(revoked.getString("data.revokeApiKey.revokedAt")).isNotNull();
    assertThat(Gql.withKey(key).post("{ me { name } }", null).statusCode()).isEqualTo(401);
  }

  @Test
  void expiredKeysAreRefused() throws Exception {
    String env = Fixture.environment("key");
    String key = Fixture.apiKey("alice", env, null, "read");
    assertThat(Gql.withKey(key).post("{ me { name } }", null).statusCode()).isEqualTo(200);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "update api_keys set expires_at = now() - interval '1 minute' where key_hash = ?")) {
      ps.setString(1, sha256(key));
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    assertThat(Gql.withKey(key).post("{ me { name } }", null).statusCode()).isEqualTo(401);
  }

  @Test
  void keysAlsoWorkInTheAuthorizationHeader() {
    String env = Fixture.environment("key");
    String key = Fixture.apiKey("alice", env, null, "read");
    Response r =
        given()
            .header("Authorization", "ApiKey " + key)
            .contentType(ContentType.JSON)
            .body(Map.of("query", "{ me { name } }"))
            .post("/graphql");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.jsonPath().getString("data.me.name")).isEqualTo("alice");
  }

  @Test
  void binaryFilesTravelThroughRest() {
    String env = Fixture.environment("fil");
    byte[] bytes = new byte[] {0, 1, 2, (byte) 0xff, 10, 13};
    String token = Tokens.of("admin");
    given()
        .header("Authorization", "Bearer " + token)
        .contentType("application/octet-stream")
        .body(bytes)
        .put("/api/files/" + env + "/p/data/blob.bin")
        .then()
        .statusCode(200);
    byte[] back =
        given()
            .header("Authorization", "Bearer " + token)
            .get("/api/files/" + env + "/p/data/blob.bin")
            .then()
            .statusCode(200)
            .extract()
            .asByteArray();
    assertThat(back).isEqualTo(bytes);
    // bob has no rights in this environment
    given()
        .header("Authorization", "Bearer " + Tokens.of("bob"))
        .get("/api/files/" + env + "/p/data/blob.bin")
        .then()
        .statusCode(403);
    // a path climbing out of the pipeline never reaches the filestore
    int status =
        given()
            .header("Authorization", "Bearer " + token)
            .urlEncodingEnabled(false)
            .get("/api/files/" + env + "/p/data/%2E%2E/%2E%2E/q/x")
            .statusCode();
    assertThat(status).isIn(400, 404);
    assertThat(Stub.calls()).noneSatisfy(c -> assertThat((String) c.get("path")).contains(".."));
  }

  static String sha256(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
