package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.api;
import static io.dataplane.secrets.support.Api.claims;
import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.grant;
import static io.dataplane.secrets.support.Api.put;
import static io.dataplane.secrets.support.Api.resolve;
import static io.dataplane.secrets.support.Api.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.dataplane.common.token.AttemptClaims;
import io.dataplane.secrets.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ResolveTest {

  @Test
  void anAttemptGetsItsDeclaredAndGrantedSecretsAndEachReadIsAudited() {
    String env = env("resolve");
    put(env, "DB_PASSWORD", "pw-1").statusCode(200);
    put(env, "DB_PASSWORD", "pw-2").statusCode(200);
    put(env, "API_KEY", "key-" + env).statusCode(200);
    put(env, "OTHER", "not-for-you").statusCode(200);
    grant(env, "DB_PASSWORD", List.of("etl"), List.of()).statusCode(200);
    grant(env, "API_KEY", List.of(), List.of("default")).statusCode(200);
    UUID runId = UUID.randomUUID();
    AttemptClaims claims = claims(env, "etl", "default", runId, List.of("DB_PASSWORD", "API_KEY"));

    resolve(token(claims))
        .statusCode(200)
        .header("Cache-Control", "no-store")
        .body("values.DB_PASSWORD", equalTo("pw-2"))
        .body("values.API_KEY", equalTo("key-" + env))
        .body("values.OTHER", nullValue())
        .body("versions.DB_PASSWORD", equalTo(2))
        .body("versions.API_KEY", equalTo(1));
    // a subset, checked against the environment the worker expects
    resolve(Map.of("attemptToken", token(claims), "environment", env, "names", List.of("API_KEY")))
        .statusCode(200)
        .body("values.size()", equalTo(1))
        .body("values.API_KEY", equalTo("key-" + env));

    api()
        .get("/api/v1/audit?runId={run}", runId)
        .then()
        .statusCode(200)
        .body("$", hasSize(3))
        .body("name", contains("API_KEY", "API_KEY", "DB_PASSWORD"))
        .body("outcome", contains("GRANTED", "GRANTED", "GRANTED"))
        .body("action", contains("READ", "READ", "READ"))
        .body("[2].version", equalTo(2))
        .body("[2].actor", equalTo("worker:worker-1"))
        .body("[2].pipeline", equalTo("etl"))
        .body("[2].workerGroup", equalTo("default"))
        .body("[2].taskRunId", equalTo(claims.taskRunId().toString()))
        .body("[2].attempt", equalTo(1))
        .body("[2].at", notNullValue());
    api()
        .get("/api/v1/environments/{env}/secrets/DB_PASSWORD/audit", env)
        .then()
        .statusCode(200)
        .header("X-Next-Cursor", nullValue())
        .body("action", contains("READ", "GRANT", "SET", "SET"))
        .body("version", contains(2, 2, 2, 1))
        .body("actor", contains("worker:worker-1", "alice", "alice", "alice"))
        .body("[0].runId", equalTo(runId.toString()))
        .body("[1].runId", nullValue());
    api()
        .get("/api/v1/environments/{env}/secrets/DB_PASSWORD", env)
        .then()
        .body("lastReadAt", notNullValue());
    api()
        .get("/api/v1/environments/{env}/secrets/OTHER", env)
        .then()
        .body("lastReadAt", nullValue());
  }

  @Test
  void auditPagesWithACursor() {
    String env = env("pages");
    put(env, "P", "v").statusCode(200);
    grant(env, "P", List.of("etl"), List.of()).statusCode(200);
    UUID runId = UUID.randomUUID();
    for (int i = 0; i < 5; i++) {
      resolve(token(claims(env, "etl", "default", runId, List.of("P")))).statusCode(200);
    }
    String cursor =
        api()
            .get("/api/v1/audit?runId={run}&limit=3", runId)
            .then()
            .body("$", hasSize(3))
            .extract()
            .header("X-Next-Cursor");
    assertThat(cursor).isNotNull();
    api()
        .get("/api/v1/audit?runId={run}&limit=3&cursor={c}", runId, cursor)
        .then()
        .body("$", hasSize(2))
        .header("X-Next-Cursor", nullValue());
    api().get("/api/v1/audit").then().statusCode(400).body("details[0].path", equalTo("runId"));
    api().get("/api/v1/audit?runId=nope").then().statusCode(400);
  }

  @Test
  void aRequestWithoutATokenOrWithEmptyNamesIsInvalid() {
    Api.as("worker-1")
        .body("{}")
        .post("/api/v1/resolve")
        .then()
        .statusCode(400)
        .body("details[0].path", equalTo("attemptToken"));
    Api.as("worker-1")
        .body("{\"attemptToken\":\"x\",\"names\":[null]}")
        .post("/api/v1/resolve")
        .then()
        .statusCode(400)
        .body("details[0].path", equalTo("names"));
  }

  @Test
  void aTaskThatDeclaresNothingGetsNothing() {
    String env = env("nothing");
    resolve(token(claims(env, "etl", "default", UUID.randomUUID(), List.of())))
        .statusCode(200)
        .body("values", anEmptyMap());
  }

  @Test
  void aTokenForAnotherEnvironmentIsDenied() {
    String env = env("prod");
    String other = env("dev");
    put(env, "PROD_ONLY", "prod-value").statusCode(200);
    grant(env, "PROD_ONLY", List.of("etl"), List.of()).statusCode(200);
    put(other, "DEV_ONLY", "dev-value").statusCode(200);
    grant(other, "DEV_ONLY", List.of("etl"), List.of()).statusCode(200);

    // the worker expects prod, the token is for dev
    denied(
        resolve(
            Map.of(
                "attemptToken",
                token(claims(other, "etl", "default", UUID.randomUUID(), List.of("PROD_ONLY"))),
                "environment",
                env)),
        "WRONG_ENVIRONMENT");
    // a dev token naming a prod secret finds nothing: secrets are looked up in the token's env
    denied(
        resolve(token(claims(other, "etl", "default", UUID.randomUUID(), List.of("PROD_ONLY")))),
        "NOT_FOUND");
  }

  @Test
  void anExpiredTokenIsDenied() {
    String env = env("expired");
    put(env, "X", "v").statusCode(200);
    grant(env, "X", List.of("etl"), List.of()).statusCode(200);
    AttemptClaims c = claims(env, "etl", "default", UUID.randomUUID(), List.of("X"));
    AttemptClaims expired =
        new AttemptClaims(
            c.environment(),
            c.pipeline(),
            c.workerGroup(),
            c.runId(),
            c.taskRunId(),
            c.attempt(),
            c.secrets(),
            null,
            Instant.now().minusSeconds(1));
    denied(resolve(token(expired)), "EXPIRED");
  }

  @Test
  void aTamperedTokenIsDenied() throws Exception {
    String env = env("tamper");
    put(env, "X", "v").statusCode(200);
    put(env, "Y", "w").statusCode(200);
    grant(env, "X", List.of("etl"), List.of()).statusCode(200);
    String token = token(claims(env, "etl", "default", UUID.randomUUID(), List.of("X")));
    String[] parts = token.split("\\.");
    // declare one more secret and grant ourselves another pipeline, keep the signature
    String json = new String(Base64.getUrlDecoder().decode(parts[2]), "UTF-8");
    String forged = json.replace("\"X\"", "\"X\",\"Y\"").replace("\"etl\"", "\"admin\"");
    assertThat(forged).isNotEqualTo(json);
    String tampered =
        parts[0]
            + "."
            + parts[1]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(forged.getBytes("UTF-8"))
            + "."
            + parts[3];
    denied(resolve(tampered), "BAD_SIGNATURE");
    denied(resolve("v1.k1.garbage"), "MALFORMED");
    String otherKid = parts[0] + ".k2." + parts[2] + "." + parts[3];
    denied(resolve(otherKid), "UNKNOWN_KEY");
  }

  @Test
  void anUndeclaredNameIsDenied() {
    String env = env("undeclared");
    put(env, "DECLARED", "a").statusCode(200);
    put(env, "NOT_DECLARED", "b").statusCode(200);
    grant(env, "DECLARED", List.of("etl"), List.of()).statusCode(200);
    grant(env, "NOT_DECLARED", List.of("etl"), List.of()).statusCode(200);
    UUID runId = UUID.randomUUID();
    String token = token(claims(env, "etl", "default", runId, List.of("DECLARED")));

    denied(
        resolve(Map.of("attemptToken", token, "names", List.of("DECLARED", "NOT_DECLARED"))),
        "UNDECLARED");

    api()
        .get("/api/v1/audit?runId={run}", runId)
        .then()
        .body("$", hasSize(1))
        .body("[0].name", equalTo("NOT_DECLARED"))
        .body("[0].outcome", equalTo("DENIED"))
        .body("[0].reason", equalTo("UNDECLARED"))
        .body("[0].version", nullValue());
  }

  @Test
  void aWorkerGroupGrantReachesThatEnvironmentsGroupOnly() {
    // prod's and dev's etl are two groups: a grant on prod's secret names prod's etl
    String prod = env("wg-prod");
    String dev = env("wg-dev");
    put(prod, "DB", "prod-value").statusCode(200);
    put(dev, "DB", "dev-value").statusCode(200);
    grant(prod, "DB", List.of(), List.of("etl")).statusCode(200);
    resolve(token(claims(prod, "any", "etl", UUID.randomUUID(), List.of("DB"))))
        .statusCode(200)
        .body("values.DB", equalTo("prod-value"));
    ValidatableResponse r =
        resolve(token(claims(dev, "any", "etl", UUID.randomUUID(), List.of("DB"))));
    denied(r, "NOT_GRANTED");
    r.body(org.hamcrest.Matchers.not(containsString("prod-value")));
  }

  @Test
  void anUngrantedNameIsDeniedAndNothingIsHandedOut() {
    String env = env("ungranted");
    put(env, "GRANTED", "a").statusCode(200);
    put(env, "UNGRANTED", "b").statusCode(200);
    grant(env, "GRANTED", List.of("etl"), List.of()).statusCode(200);
    grant(env, "UNGRANTED", List.of("reports"), List.of("gpu")).statusCode(200);
    UUID runId = UUID.randomUUID();

    ValidatableResponse r =
        resolve(token(claims(env, "etl", "default", runId, List.of("GRANTED", "UNGRANTED"))));
    denied(r, "NOT_GRANTED");
    r.body(org.hamcrest.Matchers.not(containsString("\"a\"")));
    api()
        .get("/api/v1/audit?runId={run}", runId)
        .then()
        .body("outcome", contains("DENIED"))
        .body("name", contains("UNGRANTED"));
    // no grant at all: nobody may read
    put(env, "NO_GRANTS", "c").statusCode(200);
    denied(
        resolve(token(claims(env, "etl", "default", runId, List.of("NO_GRANTS")))), "NOT_GRANTED");
    // the worker-group grant lets any pipeline of that group read
    resolve(token(claims(env, "other", "gpu", runId, List.of("UNGRANTED"))))
        .statusCode(200)
        .body("values.UNGRANTED", equalTo("b"));
  }

  @Test
  void aDeletedSecretCannotBeResolved() {
    String env = env("deleted");
    put(env, "GONE", "v").statusCode(200);
    grant(env, "GONE", List.of("etl"), List.of()).statusCode(200);
    api().delete("/api/v1/environments/{env}/secrets/GONE", env).then().statusCode(204);
    denied(
        resolve(token(claims(env, "etl", "default", UUID.randomUUID(), List.of("GONE")))),
        "NOT_FOUND");
  }

  @Test
  void whenTheAuditCannotBeWrittenTheReadIsDenied() throws Exception {
    String env = env("auditfail");
    String name = "AUDITFAIL_" + UUID.randomUUID().toString().replace("-", "_");
    put(env, name, "must-not-leak").statusCode(200);
    grant(env, name, List.of("etl"), List.of()).statusCode(200);
    UUID runId = UUID.randomUUID();
    try (Connection c = Api.db();
        Statement s = c.createStatement()) {
      // the audit table refuses this secret's rows, as a full disk or a revoked grant would
      s.execute(
          "create or replace function secrets.refuse_test_audit() returns trigger language plpgsql"
              + " as $$ begin if new.name like 'AUDITFAIL_%' then"
              + " raise exception 'audit refused for the test'; end if; return new; end $$");
      s.execute("drop trigger if exists refuse_test_audit on secrets.secret_read");
      s.execute(
          "create trigger refuse_test_audit before insert on secrets.secret_read"
              + " for each row execute function secrets.refuse_test_audit()");
    }
    try {
      resolve(token(claims(env, "etl", "default", runId, List.of(name))))
          .statusCode(503)
          .body("code", equalTo("UNAVAILABLE"))
          .body("message", containsString("could not be audited"))
          .body(org.hamcrest.Matchers.not(containsString("must-not-leak")));
    } finally {
      try (Connection c = Api.db();
          Statement s = c.createStatement()) {
        s.execute("drop trigger if exists refuse_test_audit on secrets.secret_read");
      }
    }
    api().get("/api/v1/audit?runId={run}", runId).then().body("$", hasSize(0));
    // once the audit works again, so does the read
    resolve(token(claims(env, "etl", "default", runId, List.of(name))))
        .statusCode(200)
        .body("values." + name, equalTo("must-not-leak"));
    api().get("/api/v1/audit?runId={run}", runId).then().body("$", hasSize(1));
  }

  @Test
  void readsAndDenialsAreCounted() {
    String env = env("metrics");
    put(env, "M", "v").statusCode(200);
    grant(env, "M", List.of("etl"), List.of()).statusCode(200);
    resolve(token(claims(env, "etl", "default", UUID.randomUUID(), List.of("M")))).statusCode(200);
    resolve(token(claims(env, "nope", "nope", UUID.randomUUID(), List.of("M")))).statusCode(403);
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .contains("dataplane_secrets_reads_total{environment=\"" + env + "\"} 1.0")
        .contains("dataplane_secrets_denials_total{reason=\"NOT_GRANTED\"}")
        .contains("dataplane_secrets_decryption_failures_total")
        .contains("dataplane_secrets_data_keys{master_key_version=\"v1\"}");
  }

  private static void denied(ValidatableResponse r, String reason) {
    r.statusCode(403)
        .body("code", equalTo("FORBIDDEN"))
        .body("message", containsString("(" + reason + ")"))
        .body("values", nullValue());
  }
}
