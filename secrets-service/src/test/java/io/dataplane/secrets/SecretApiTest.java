package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.api;
import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.grant;
import static io.dataplane.secrets.support.Api.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.dataplane.secrets.support.Api;
import io.dataplane.secrets.support.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SecretApiTest {

  @Test
  void setCreatesVersionsAndNeverReturnsTheValue() {
    String env = env("api");
    String value = "hunter2-" + env;

    put(env, "DB_PASSWORD", value)
        .statusCode(200)
        .body("environment", equalTo(env))
        .body("name", equalTo("DB_PASSWORD"))
        .body("version", equalTo(1))
        .body("createdBy", equalTo("alice"))
        .body("grants.pipelines", empty())
        .body("lastReadAt", nullValue())
        .body(not(value));
    Api.as("bob")
        .body(Map.of("value", value + "-2"))
        .put("/api/v1/environments/{env}/secrets/DB_PASSWORD", env)
        .then()
        .statusCode(200)
        .body("version", equalTo(2))
        .body("createdBy", equalTo("alice"))
        .body("updatedBy", equalTo("bob"));
    put(env, "API_KEY", "k").statusCode(200);

    api()
        .get("/api/v1/environments/{env}/secrets/DB_PASSWORD", env)
        .then()
        .statusCode(200)
        .body("version", equalTo(2))
        .body("createdAt", notNullValue())
        .body(not(value));
    api()
        .get("/api/v1/environments/{env}/secrets", env)
        .then()
        .statusCode(200)
        .body("name", contains("API_KEY", "DB_PASSWORD"))
        .body("version", contains(1, 2))
        .body(not(value));
  }

  @Test
  void deleteDestroysTheValuesAndVersionsNeverRepeat() throws Exception {
    String env = env("del");
    put(env, "TOKEN", "first").statusCode(200);
    put(env, "TOKEN", "second").statusCode(200);

    api().delete("/api/v1/environments/{env}/secrets/TOKEN", env).then().statusCode(204);

    api()
        .get("/api/v1/environments/{env}/secrets/TOKEN", env)
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
    api().get("/api/v1/environments/{env}/secrets", env).then().body("$", empty());
    // the audit outlives the secret and says who changed what
    api()
        .get("/api/v1/environments/{env}/secrets/TOKEN/audit", env)
        .then()
        .statusCode(200)
        .body("action", contains("DELETE", "SET", "SET"))
        .body("version", contains(2, 2, 1))
        .body("outcome", contains("DONE", "DONE", "DONE"))
        .body("actor", contains("alice", "alice", "alice"))
        .body("[0].at", notNullValue());
    api().delete("/api/v1/environments/{env}/secrets/TOKEN", env).then().statusCode(404);
    try (Connection c = Api.db();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from secret_version v join secret s on s.id = v.secret_id"
                    + " where s.environment = ?")) {
      ps.setString(1, env);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).as("sealed versions left after delete").isZero();
      }
    }

    put(env, "TOKEN", "third").statusCode(200).body("version", equalTo(3));
  }

  @Test
  void grantsAreReplacedAndValidated() {
    String env = env("grants");
    put(env, "S3_KEY", "v").statusCode(200);

    grant(env, "S3_KEY", List.of("etl", "reports", "etl"), List.of("gpu"))
        .statusCode(200)
        .body("grants.pipelines", contains("etl", "reports"))
        .body("grants.workerGroups", contains("gpu"));
    grant(env, "S3_KEY", List.of("etl"), List.of())
        .statusCode(200)
        .body("grants.pipelines", contains("etl"))
        .body("grants.workerGroups", empty());

    grant(env, "S3_KEY", List.of("bad name"), List.of("Not_A_Group!"))
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"))
        .body("details.path", contains("pipelines[0]", "workerGroups[0]"));
    grant(env, "MISSING", List.of("etl"), List.of()).statusCode(404);
    api()
        .get("/api/v1/environments/{env}/secrets/S3_KEY", env)
        .then()
        .body("grants.pipelines", contains("etl"));
  }

  @Test
  void invalidNamesAreRefusedAndNothingIsStored() {
    String env = env("names");
    for (String bad :
        new String[] {"1ABC", "has-dash", "has.dot", "A".repeat(129), "sp ace", "ü"}) {
      put(env, bad, "v")
          .statusCode(400)
          .body("code", equalTo("INVALID_INPUT"))
          .body("details[0].path", equalTo("name"));
    }
    put(env, "_ok_" + "A".repeat(124), "v").statusCode(200);
    api().get("/api/v1/environments/{env}/secrets", env).then().body("$", hasSize(1));
  }

  @Test
  void emptyOrOversizedValuesAreRefusedAndNothingIsStored() {
    String env = env("values");
    put(env, "EMPTY", "")
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"))
        .body("details[0].path", equalTo("value"));
    api()
        .body("{}")
        .put("/api/v1/environments/{env}/secrets/NULLVALUE", env)
        .then()
        .statusCode(400)
        .body("details[0].path", equalTo("value"));
    put(env, "BIG", "x".repeat(64 * 1024 + 1))
        .statusCode(413)
        .body("code", equalTo("TOO_LARGE"))
        .body("message", containsString("65537 bytes"));
    // 64 KiB counted in UTF-8 bytes, not characters
    put(env, "BIG_UTF8", "é".repeat(32 * 1024 + 1)).statusCode(413);
    put(env, "EXACT", "x".repeat(64 * 1024)).statusCode(200);

    api().get("/api/v1/environments/{env}/secrets", env).then().body("name", contains("EXACT"));
  }

  @Test
  void anUnknownEnvironmentIsRefusedAndNothingIsStored() throws Exception {
    String env = "unknown-" + env("e");
    put(env, "X", "v")
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"))
        .body("message", equalTo("environment '" + env + "' does not exist"));
    try (Connection c = Api.db();
        PreparedStatement ps =
            c.prepareStatement("select count(*) from secret where environment = ?")) {
      ps.setString(1, env);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
  }

  @Test
  void environmentChecksCarryTheServiceTokenAndAreCached() {
    String env = env("cache");
    int unauthenticated = TestStack.UNAUTHENTICATED_CHECKS.get();
    for (int i = 0; i < 5; i++) {
      put(env, "K" + i, "v").statusCode(200);
    }
    assertThat(TestStack.ENVIRONMENT_CHECKS.getOrDefault(env, new AtomicInteger()).get())
        .isEqualTo(1);
    assertThat(TestStack.UNAUTHENTICATED_CHECKS.get()).isEqualTo(unauthenticated);
  }

  @Test
  void concurrentSetsGetDistinctVersions() throws Exception {
    String env = env("race");
    put(env, "RACE", "v0").statusCode(200);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> versions = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String value = "v" + (i + 1);
        versions.add(
            pool.submit(() -> put(env, "RACE", value).statusCode(200).extract().path("version")));
      }
      Set<Integer> seen = new TreeSet<>();
      for (Future<Integer> f : versions) {
        seen.add(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(seen).hasSize(20).first().isEqualTo(2);
      assertThat(seen).last().isEqualTo(21);
    } finally {
      pool.shutdownNow();
    }
    api().get("/api/v1/environments/{env}/secrets/RACE", env).then().body("version", equalTo(21));
  }

  @Test
  void badJsonGetsTheErrorModel() {
    api()
        .body("{not json")
        .put("/api/v1/environments/dev/secrets/X")
        .then()
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"));
  }

  private static org.hamcrest.Matcher<String> not(String value) {
    return org.hamcrest.Matchers.not(containsString(value));
  }
}
