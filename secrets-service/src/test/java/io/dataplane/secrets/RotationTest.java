package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.api;
import static io.dataplane.secrets.support.Api.claims;
import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.grant;
import static io.dataplane.secrets.support.Api.put;
import static io.dataplane.secrets.support.Api.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.json.Json;
import io.dataplane.secrets.support.Api;
import io.dataplane.secrets.support.TestStack;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Master key rotation as an operator does it (docs/secrets.md): a new key file appears in the
 * mounted directory and becomes active, the service re-reads it, the background job re-wraps every
 * data key, all while tasks keep reading; then the old version is drained and retired.
 */
@QuarkusTest
class RotationTest {

  private static final int READS = 1000;
  private static final int SECRETS = 10;

  @TestHTTPResource("/api/v1/resolve")
  URL resolveUrl;

  @Test
  void rotationUnderConcurrentReadsLosesNone() throws Exception {
    String env = env("rotate");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < SECRETS; i++) {
      String name = "ROT_" + i;
      names.add(name);
      put(env, name, value(env, i)).statusCode(200);
      grant(env, name, List.of("etl"), List.of()).statusCode(200);
    }
    api()
        .get("/api/v1/master-keys")
        .then()
        .statusCode(200)
        .body("active", equalTo("v1"))
        .body("versions.version", hasItem("v1"));

    String newVersion = "t" + HexFormat.of().formatHex(random(4));
    Path keyDir = TestStack.keyDir;
    UUID runId = UUID.randomUUID();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService pool = Executors.newFixedThreadPool(48);
    AtomicInteger done = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    try {
      List<Future<?>> reads = new ArrayList<>();
      for (int i = 0; i < READS; i++) {
        reads.add(
            pool.submit(
                () -> {
                  try {
                    read(http, token(claims(env, "etl", "default", runId, names)), env, failures);
                  } catch (Exception e) {
                    failures.add(e.toString());
                  } finally {
                    done.incrementAndGet();
                  }
                }));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= 50);

      // the operator adds a key version and makes it active (a Kubernetes Secret update)
      Files.writeString(keyDir.resolve(newVersion), b64(random(32)));
      Files.writeString(keyDir.resolve("active"), newVersion);
      api()
          .post("/api/v1/master-keys/reload")
          .then()
          .statusCode(200)
          .body("active", equalTo(newVersion));
      int readsBeforeRotation = done.get();

      // the background job moves this test's data keys while the reads go on
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> dataKeys(env, "<>", newVersion) == 0);

      for (Future<?> f : reads) {
        f.get(180, TimeUnit.SECONDS);
      }
      assertThat(failures).as("failed reads").isEmpty();
      assertThat(done.get()).isEqualTo(READS);
      assertThat(readsBeforeRotation)
          .as("the rotation happened during the reads")
          .isLessThan(READS);
      assertThat(dataKeys(env, "=", newVersion)).isEqualTo(SECRETS);
      assertThat(auditRows(runId))
          .as("one audit row per secret per read")
          .isEqualTo(READS * SECRETS);
      given()
          .get("/q/metrics")
          .then()
          .body(containsString("dataplane_secrets_data_keys{master_key_version=\"" + newVersion))
          .body(containsString("dataplane_secrets_rewraps_total{outcome=\"ok\"}"));

      // the active version cannot be retired
      api()
          .post("/api/v1/master-keys/{v}/retire", newVersion)
          .then()
          .statusCode(409)
          .body("code", equalTo("CONFLICT"))
          .body("message", containsString("active"));
    } finally {
      pool.shutdownNow();
      // rotate back to the configured v1 so later runs find every data key under their keys
      Files.deleteIfExists(keyDir.resolve("active"));
      api().post("/api/v1/master-keys/reload").then().statusCode(200).body("active", equalTo("v1"));
    }

    // while data keys still use it, the old version cannot be retired either
    if (dataKeys(null, "=", newVersion) > 0) {
      api()
          .post("/api/v1/master-keys/{v}/retire", newVersion)
          .then()
          .statusCode(409)
          .body("message", containsString("still wraps"));
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> dataKeys(null, "=", newVersion) == 0);
    api()
        .post("/api/v1/master-keys/{v}/retire", newVersion)
        .then()
        .statusCode(200)
        .body("versions.find { it.version == '" + newVersion + "' }.retired", equalTo(true))
        .body("versions.find { it.version == '" + newVersion + "' }.dataKeys", equalTo(0));
    // now its key can leave the configuration
    Files.delete(keyDir.resolve(newVersion));
    api()
        .post("/api/v1/master-keys/reload")
        .then()
        .statusCode(200)
        .body("versions.find { it.version == '" + newVersion + "' }.configured", equalTo(false))
        .body("versions.find { it.version == '" + newVersion + "' }.retired", equalTo(true));
    // and every value still reads
    Api.resolve(token(claims(env, "etl", "default", runId, names)))
        .statusCode(200)
        .body("values.ROT_3", equalTo(value(env, 3)));
    // leave no trace of the throw-away version for the next run
    try (Connection c = Api.db();
        PreparedStatement ps =
            c.prepareStatement("delete from master_key_retirement where version = ?")) {
      ps.setString(1, newVersion);
      ps.executeUpdate();
    }
  }

  @Test
  void masterKeysComeFromPropertiesEnvironmentAndTheDirectory() {
    api()
        .get("/api/v1/master-keys")
        .then()
        .statusCode(200)
        .body("versions.find { it.version == 'v1' }.configured", equalTo(true))
        // DATAPLANE_SECRETS_MASTER_KEYS_ENV0 (set by the build for the tests)
        .body("versions.find { it.version == 'env0' }.configured", equalTo(true))
        .body("versions.find { it.version == 'env0' }.active", equalTo(false));
    api().post("/api/v1/master-keys/{v}/retire", "nope").then().statusCode(404);
    api().post("/api/v1/master-keys/{v}/retire", "Not Valid").then().statusCode(400);
  }

  @Test
  void dataKeysUnderAMasterKeyThatIsNotConfiguredAreReported() throws Exception {
    String env = env("lost");
    put(env, "LOST", "lost-value").statusCode(200);
    grant(env, "LOST", List.of("etl"), List.of()).statusCode(200);
    String lost = "lost" + HexFormat.of().formatHex(random(3));
    try (Connection c = Api.db();
        PreparedStatement ps =
            c.prepareStatement(
                "update secret_version set master_key_version = ? from secret s"
                    + " where s.id = secret_id and s.environment = ?")) {
      ps.setString(1, lost);
      ps.setString(2, env);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    try {
      api()
          .post("/api/v1/master-keys/rewrap")
          .then()
          .statusCode(200)
          .body("failed", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
      given()
          .get("/q/health/ready")
          .then()
          .statusCode(200)
          .body(
              "checks.find { it.name == 'master-keys' }.data.'notConfigured." + lost + "'",
              equalTo("1 data keys"));
      api()
          .get("/api/v1/master-keys")
          .then()
          .body("versions.find { it.version == '" + lost + "' }.configured", equalTo(false))
          .body("versions.find { it.version == '" + lost + "' }.dataKeys", equalTo(1));
      given()
          .get("/q/metrics")
          .then()
          .body(containsString("dataplane_secrets_rewrap_stuck"))
          .body(containsString("dataplane_secrets_data_keys{master_key_version=\"" + lost));
      Api.resolve(token(claims(env, "etl", "default", UUID.randomUUID(), List.of("LOST"))))
          .statusCode(500)
          .body("code", equalTo("DECRYPTION_FAILED"));
    } finally {
      api().delete("/api/v1/environments/{env}/secrets/LOST", env).then().statusCode(204);
    }
    api().post("/api/v1/master-keys/rewrap").then().statusCode(200);
    given()
        .get("/q/health/ready")
        .then()
        .body(
            "checks.find { it.name == 'master-keys' }.data.'notConfigured." + lost + "'",
            nullValue());
  }

  @Test
  void aBrokenKeyFileKeepsTheCurrentKeys() throws Exception {
    Path bad = TestStack.keyDir.resolve("broken");
    Files.writeString(bad, "dG9vLXNob3J0");
    try {
      api()
          .post("/api/v1/master-keys/reload")
          .then()
          .statusCode(400)
          .body("message", containsString("'broken' must be 32 bytes"))
          .body(org.hamcrest.Matchers.not(containsString("dG9vLXNob3J0")));
      api().get("/api/v1/master-keys").then().body("active", equalTo("v1"));
    } finally {
      Files.delete(bad);
    }
  }

  private void read(
      HttpClient http, String token, String env, ConcurrentLinkedQueue<String> failures)
      throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(resolveUrl.toString()))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + TestStack.SERVICE_TOKEN)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    Json.mapper().writeValueAsString(Map.of("attemptToken", token))))
            .build();
    HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 200) {
      failures.add(res.statusCode() + " " + res.body());
      return;
    }
    JsonNode values = Json.mapper().readTree(res.body()).get("values");
    for (int i = 0; i < SECRETS; i++) {
      JsonNode v = values.get("ROT_" + i);
      if (v == null || !v.asText().equals(value(env, i))) {
        failures.add("wrong value for ROT_" + i);
      }
    }
  }

  private static String value(String env, int i) {
    return "value-" + i + "-" + env;
  }

  private static long dataKeys(String env, String op, String version) throws Exception {
    try (Connection c = Api.db();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from secret_version v join secret s on s.id = v.secret_id"
                    + " where v.master_key_version "
                    + op
                    + " ?"
                    + (env == null ? "" : " and s.environment = ?"))) {
      ps.setString(1, version);
      if (env != null) {
        ps.setString(2, env);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long auditRows(UUID runId) throws Exception {
    try (Connection c = Api.db();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from secret_read where run_id = ? and outcome = 'GRANTED'")) {
      ps.setObject(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
