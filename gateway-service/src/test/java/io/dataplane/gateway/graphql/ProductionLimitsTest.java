package io.dataplane.gateway.graphql;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Production settings: a low rate limit per principal, no introspection, no published schema. */
@QuarkusTest
@TestProfile(ProductionLimitsTest.Limits.class)
class ProductionLimitsTest {

  static final int LIMIT = 20;

  /**
   * Twenty requests a minute per principal, counted under a key prefix of this run only (other
   * tests share the Redis); introspection and the schema off, as in prod.
   */
  public static class Limits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "dataplane.gateway.rate-limit.requests", String.valueOf(LIMIT),
          "dataplane.gateway.rate-limit.key-prefix", "test:rl:" + java.util.UUID.randomUUID() + ":",
          "dataplane.gateway.rate-limit.window", "PT1M",
          "quarkus.smallrye-graphql.field-visibility", "no-introspection",
          "quarkus.smallrye-graphql.schema-available", "false");
    }
  }

  @Test
  void aPrincipalOverItsLimitGets429WithRetryAfter() {
    String env = Fixture.environment("rl");
    // a fresh principal (an API key), so earlier runs in the same minute do not count
    String key = Fixture.apiKey("alice", env, null, "read");
    for (int i = 0; i < LIMIT; i++) {
      assertThat(Gql.withKey(key).post("{ me { name } }", null).statusCode()).isEqualTo(200);
    }
    Response limited = Gql.withKey(key).post("{ me { name } }", null);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.jsonPath().getString("code")).isEqualTo("RATE_LIMITED");
    long retryAfter = Long.parseLong(limited.getHeader("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 60L);
    // the REST trigger counts against the same principal
    Response trigger =
        given()
            .header("X-Api-Key", key)
            .contentType(ContentType.JSON)
            .body(Map.of())
            .post("/api/v1/environments/" + env + "/pipelines/p/runs");
    assertThat(trigger.statusCode()).isEqualTo(429);
    // another principal is not affected
    String other = Fixture.apiKey("alice", env, null, "read");
    assertThat(Gql.withKey(other).post("{ me { name } }", null).statusCode()).isEqualTo(200);
  }

  @Test
  void introspectionAndTheSchemaAreOff() {
    String env = Fixture.environment("rl");
    String key = Fixture.apiKey("admin", env, null, "read");
    Response r = Gql.withKey(key).post("{ __schema { types { name } } }", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.jsonPath().getList("errors")).isNotEmpty();
    assertThat(r.jsonPath().getString("data")).isNull();
    assertThat(given().get("/graphql/schema.graphql").statusCode()).isIn(401, 404);
  }

  @Test
  void batchesAreLimited() {
    String env = Fixture.environment("rl");
    String key = Fixture.apiKey("admin", env, null, "read");
    Response r =
        given()
            .header("X-Api-Key", key)
            .contentType(ContentType.JSON)
            .body(
                List.of(
                    Map.of("query", "{ me { name } }"),
                    Map.of("query", "{ me { name } }"),
                    Map.of("query", "{ me { name } }"),
                    Map.of("query", "{ me { name } }"),
                    Map.of("query", "{ me { name } }"),
                    Map.of("query", "{ me { name } }")))
            .post("/graphql");
    // batched (array) requests are not accepted at all: one operation per request
    assertThat(r.jsonPath().getList("errors")).isNotEmpty();
    assertThat(r.asString()).doesNotContain("\"me\"");
  }
}
