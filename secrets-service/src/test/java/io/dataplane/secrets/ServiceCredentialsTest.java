package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.claims;
import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.grant;
import static io.dataplane.secrets.support.Api.put;
import static io.dataplane.secrets.support.Api.resolve;
import static io.dataplane.secrets.support.Api.token;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.dataplane.common.token.AttemptClaims;
import io.dataplane.secrets.support.Api;
import io.dataplane.secrets.support.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One credential per calling service (issue 14, item 9) and attempt tokens only while their attempt
 * is current (item 11).
 */
@QuarkusTest
class ServiceCredentialsTest {

  static RequestSpecification as(String token) {
    return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
  }

  @Test
  void aWorkerCannotWriteSecretsRetireKeysOrNameAnActor() {
    String env = env("scoped");
    put(env, "DB_PASSWORD", "pw").statusCode(200);
    as(TestStack.WORKER_TOKEN)
        .body(Map.of("value", "mine now"))
        .put("/api/v1/environments/{env}/secrets/{name}", env, "DB_PASSWORD")
        .then()
        .statusCode(403)
        .body("code", equalTo("FORBIDDEN"));
    as(TestStack.WORKER_TOKEN)
        .delete("/api/v1/environments/{env}/secrets/{name}", env, "DB_PASSWORD")
        .then()
        .statusCode(403);
    as(TestStack.WORKER_TOKEN)
        .body(Map.of("pipelines", List.of("*"), "workerGroups", List.of("*")))
        .put("/api/v1/environments/{env}/secrets/{name}/grants", env, "DB_PASSWORD")
        .then()
        .statusCode(403);
    as(TestStack.WORKER_TOKEN).post("/api/v1/master-keys/v1/retire").then().statusCode(403);
    as(TestStack.WORKER_TOKEN).post("/api/v1/master-keys/rewrap").then().statusCode(403);
    as(TestStack.WORKER_TOKEN).get("/api/v1/master-keys").then().statusCode(403);
    as(TestStack.WORKER_TOKEN).get("/api/v1/audit?environment=" + env).then().statusCode(403);
    // the orchestrator may list names (to check a promotion), nothing more
    as(TestStack.ORCHESTRATOR_TOKEN)
        .get("/api/v1/environments/{env}/secrets", env)
        .then()
        .statusCode(200);
    as(TestStack.ORCHESTRATOR_TOKEN)
        .body(Map.of("value", "x"))
        .put("/api/v1/environments/{env}/secrets/{name}", env, "DB_PASSWORD")
        .then()
        .statusCode(403);
    as(TestStack.ORCHESTRATOR_TOKEN)
        .body(Map.of("attemptToken", "x"))
        .post("/api/v1/resolve")
        .then()
        .statusCode(403);

    // a worker's resolve that names a person is refused: only the gateway speaks for people
    AttemptClaims c = claims(env, "etl", "default", UUID.randomUUID(), List.of("DB_PASSWORD"));
    grant(env, "DB_PASSWORD", List.of("etl"), List.of()).statusCode(200);
    as(TestStack.WORKER_TOKEN)
        .header("X-Dataplane-Actor", "alice")
        .body(Map.of("attemptToken", token(c)))
        .post("/api/v1/resolve")
        .then()
        .statusCode(403)
        .body("message", containsString("actor"));
    resolve(token(c)).statusCode(200).body("values.DB_PASSWORD", equalTo("pw"));
    // the gateway's token still does everything
    Api.as("alice")
        .body(Map.of("value", "pw-2"))
        .put("/api/v1/environments/{env}/secrets/{name}", env, "DB_PASSWORD")
        .then()
        .statusCode(200);
  }

  @Test
  void duringRotationTheOldAndTheNewGatewayTokenBothWorkAndOthersNot() {
    String env = env("rotate");
    for (String t : List.of(TestStack.SERVICE_TOKEN, TestStack.GATEWAY_NEXT_TOKEN)) {
      as(t)
          .header("X-Dataplane-Actor", "alice")
          .body(Map.of("value", "v"))
          .put("/api/v1/environments/{env}/secrets/{name}", env, "K")
          .then()
          .statusCode(200);
    }
    as("test-gateway-token-retired-0123456789").get("/api/v1/master-keys").then().statusCode(401);
    given().get("/api/v1/master-keys").then().statusCode(401);
    as(TestStack.GATEWAY_NEXT_TOKEN.substring(0, 20))
        .get("/api/v1/master-keys")
        .then()
        .statusCode(401);
  }

  @Test
  void aTokenOfAFinishedOrSupersededAttemptResolvesNothing() {
    String env = env("current");
    put(env, "DB_PASSWORD", "pw").statusCode(200);
    grant(env, "DB_PASSWORD", List.of("etl"), List.of()).statusCode(200);
    AttemptClaims finished =
        claims(env, "etl", "default", UUID.randomUUID(), List.of("DB_PASSWORD"));
    TestStack.NOT_CURRENT.add(finished.taskRunId() + "/" + finished.attempt());
    resolve(token(finished)).statusCode(403).body("message", containsString("NOT_CURRENT"));

    // attempt 1 was superseded by attempt 2 of the same task run: 1 is refused, 2 resolves
    AttemptClaims first = claims(env, "etl", "default", UUID.randomUUID(), List.of("DB_PASSWORD"));
    AttemptClaims second =
        new AttemptClaims(
            first.environment(),
            first.pipeline(),
            first.workerGroup(),
            first.runId(),
            first.taskRunId(),
            2,
            first.secrets(),
            first.bundleDigest(),
            first.expiresAt());
    TestStack.NOT_CURRENT.add(first.taskRunId() + "/1");
    resolve(token(first)).statusCode(403).body("message", containsString("NOT_CURRENT"));
    resolve(token(second)).statusCode(200).body("values.DB_PASSWORD", equalTo("pw"));
    Api.api()
        .get("/api/v1/audit?runId={run}", first.runId())
        .then()
        .statusCode(200)
        .body("find { it.outcome == 'DENIED' }.reason", equalTo("NOT_CURRENT"));
  }
}
