package io.dataplane.secrets.support;

import static io.restassured.RestAssured.given;

import io.dataplane.common.token.AttemptClaims;
import io.dataplane.common.token.AttemptTokens;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Calls the service as the gateway and the workers do. */
public final class Api {

  /** The attempt token key of the test profile (application.properties). */
  public static final String ATTEMPT_TOKEN_KEY = "dGVzdC1hdHRlbXB0LXRva2VuLWtleS0wMTIzNDU2Nzg5";

  public static final AttemptTokens TOKENS =
      new AttemptTokens(
          Map.of("k1", Base64.getDecoder().decode(ATTEMPT_TOKEN_KEY)), "k1", Clock.systemUTC());

  private Api() {}

  public static RequestSpecification as(String actor) {
    return given()
        .header("Authorization", "Bearer " + TestStack.SERVICE_TOKEN)
        .header("X-Dataplane-Actor", actor)
        .contentType(ContentType.JSON);
  }

  public static RequestSpecification api() {
    return as("alice");
  }

  /** A unique environment name for one test. */
  public static String env(String hint) {
    return hint + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static ValidatableResponse put(String env, String name, String value) {
    return api()
        .body(Map.of("value", value))
        .put("/api/v1/environments/{env}/secrets/{name}", env, name)
        .then();
  }

  public static ValidatableResponse grant(
      String env, String name, List<String> pipelines, List<String> groups) {
    return api()
        .body(Map.of("pipelines", pipelines, "workerGroups", groups))
        .put("/api/v1/environments/{env}/secrets/{name}/grants", env, name)
        .then();
  }

  /** Claims of a fresh attempt of {@code pipeline} in {@code group}. */
  public static AttemptClaims claims(
      String env, String pipeline, String group, UUID runId, List<String> secrets) {
    return new AttemptClaims(
        env,
        pipeline,
        group,
        runId,
        UUID.randomUUID(),
        1,
        secrets,
        null,
        Instant.now().plusSeconds(300));
  }

  public static String token(AttemptClaims claims) {
    return TOKENS.sign(claims);
  }

  public static ValidatableResponse resolve(String token) {
    return resolve(Map.of("attemptToken", token));
  }

  public static ValidatableResponse resolve(Map<String, Object> body) {
    return asWorker().body(new LinkedHashMap<>(body)).post("/api/v1/resolve").then();
  }

  /** As a worker does: its own token, naming itself (never a person). */
  public static RequestSpecification asWorker() {
    return given()
        .header("Authorization", "Bearer " + TestStack.WORKER_TOKEN)
        .header("X-Dataplane-Worker", "worker-1")
        .contentType(ContentType.JSON);
  }

  /** A direct connection to the database, for what a test must see or break underneath. */
  public static Connection db() throws SQLException {
    return DriverManager.getConnection(
        org.eclipse.microprofile.config.ConfigProvider.getConfig()
            .getValue("quarkus.datasource.jdbc.url", String.class),
        "dataplane",
        "dataplane");
  }
}
