package io.dataplane.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.GqlSocket;
import io.dataplane.gateway.support.Kafka;
import io.dataplane.gateway.support.KeycloakUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions are authorized while they last, not only when they start: over real WebSockets, a
 * subscriber who loses the binding, or whose API key is revoked, is cut off at once; a caller
 * cannot open more than the configured number at once.
 */
@QuarkusTest
class SubscriptionRecheckTest {

  @BeforeEach
  void liveUpdatesAreReady() {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> "UP".equals(RestAssured.get("/q/health/ready").jsonPath().getString("status")));
  }

  private static UUID startRun(String env) {
    JsonPath r =
        Gql.as("admin")
            .run(
                "mutation($e: String!) { startRun(environment: $e, pipeline: \"p\") { id } }",
                "e",
                env);
    return UUID.fromString(r.getString("data.startRun.id"));
  }

  /** Publishes run events until the subscription delivers one: it is live from then on. */
  private static void untilLive(GqlSocket ws, Kafka kafka, UUID runId, String env)
      throws Exception {
    JsonNode first = null;
    for (int i = 0; i < 30 && first == null; i++) {
      kafka.send(
          Topics.RUN_EVENTS,
          runId.toString(),
          "orchestrator-service",
          new RunStateChanged(runId, env, "p", RunState.QUEUED, null));
      first = ws.next(1);
    }
    assertThat(first).isNotNull();
    assertThat(first.path("type").asText()).isEqualTo("next");
  }

  /** The next message that is not a (late) update: the end of the subscription. */
  private static JsonNode end(GqlSocket ws) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode m = ws.next(10);
      // an error ends a subscription as a "next" carrying errors (then "complete"), or "error"
      if (m == null || !"next".equals(m.path("type").asText()) || m.path("payload").has("errors")) {
        return m;
      }
    }
    return null;
  }

  @Test
  void aSubscriberWhoLosesTheBindingIsCutOffAtOnce() throws Exception {
    String env = Fixture.environment("recheck");
    Gql.as("bob").run("{ me { name } }");
    String binding = Fixture.bind("USER", "bob", env, "read");
    UUID runId = startRun(env);
    try (GqlSocket ws = GqlSocket.as("bob");
        Kafka kafka = new Kafka()) {
      ws.subscribe("1", "subscription { runUpdates(runId: \"" + runId + "\") { kind state } }");
      untilLive(ws, kafka, runId, env);

      Gql.as("admin").run("mutation($id: String!) { unbindRole(id: $id) { id } }", "id", binding);
      JsonNode end = end(ws);
      assertThat(end).as("the subscription ends").isNotNull();
      assertThat(end.path("type").asText()).isIn("next", "error");
      assertThat(end.path("id").asText()).isEqualTo("1");
      assertThat(end.toString()).contains("NOT_FOUND");
    }
  }

  @Test
  void aSubscriptionOfARevokedKeyEndsAtOnce() throws Exception {
    String env = Fixture.environment("recheck-key");
    UUID runId = startRun(env);
    JsonPath created =
        Gql.as("admin")
            .run(
                "mutation($i: ApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }",
                "i",
                java.util.Map.of(
                    "name",
                    Fixture.unique("live-key"),
                    "ttlDays",
                    1,
                    "scope",
                    java.util.List.of(
                        java.util.Map.of(
                            "environment", env, "permissions", java.util.List.of("READ")))));
    String key = created.getString("data.createApiKey.key");
    try (GqlSocket ws = GqlSocket.withAuthorization("ApiKey " + key);
        Kafka kafka = new Kafka()) {
      ws.subscribe("k", "subscription { runUpdates(runId: \"" + runId + "\") { kind state } }");
      untilLive(ws, kafka, runId, env);

      Gql.as("admin")
          .run(
              "mutation($id: String!) { revokeApiKey(id: $id) { id } }",
              "id",
              created.getString("data.createApiKey.apiKey.id"));
      JsonNode end = end(ws);
      assertThat(end).as("the subscription ends").isNotNull();
      assertThat(end.path("type").asText()).isIn("next", "error");
      assertThat(end.toString()).contains("UNAUTHENTICATED");
    }
  }

  @Test
  void aCallerCannotOpenMoreThanTheLimit() throws Exception {
    String name = Fixture.unique("kc-many");
    String id = KeycloakUsers.create(name);
    try {
      String token = KeycloakUsers.signIn(name);
      String env = Fixture.environment("many");
      Gql.withToken(token).run("{ me { name } }");
      Fixture.bind("USER", name, env, "read");
      UUID runId = startRun(env);
      try (GqlSocket ws = GqlSocket.withAuthorization("Bearer " + token)) {
        // the test profile allows 20 at once
        for (int i = 0; i < 21; i++) {
          ws.subscribe("s" + i, "subscription { runUpdates(runId: \"" + runId + "\") { kind } }");
        }
        JsonNode refused = end(ws);
        assertThat(refused).isNotNull();
        // subscriptions start concurrently: whichever came 21st is refused
        assertThat(refused.toString()).contains("RATE_LIMITED");
      }
    } finally {
      KeycloakUsers.delete(id);
    }
  }
}
