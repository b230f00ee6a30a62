package io.dataplane.scheduler.rest;

import static io.dataplane.scheduler.TestSupport.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.dataplane.common.events.PipelineReleased;
import io.dataplane.common.triggers.TriggerSpec;
import io.dataplane.scheduler.TestSupport;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: triggers declared in a pipeline's definition ({@code triggers:}) follow the pipeline's
 * current release, announced on {@code dataplane.pipeline-events}; real PostgreSQL and Kafka.
 */
@QuarkusTest
@QuarkusTestResource(value = BackendStub.class, restrictToAnnotatedClass = true)
class DeclaredTriggerTest {

  private static TriggerSpec completion(String name, String upstream, boolean enabled) {
    return new TriggerSpec(
        name,
        null,
        "COMPLETION",
        null,
        upstream,
        "SUCCEEDED",
        null,
        null,
        null,
        null,
        null,
        Map.of("day", "{{ upstream.outputs.extract.day }}"),
        enabled);
  }

  private static TriggerSpec kafka(String name, String topic) {
    return new TriggerSpec(
        name, null, "KAFKA", "orders", null, null, topic, "type", "created", null, null, Map.of(),
        true);
  }

  private static void release(String env, String pipeline, String rel, List<TriggerSpec> specs)
      throws Exception {
    TestSupport.publishPipelineEvent(
        env,
        pipeline,
        new PipelineReleased(env, pipeline, rel, "sha256:" + "d".repeat(64), null, specs));
  }

  private static JsonPath trigger(String env, String name) {
    JsonPath all =
        api().get("/api/v1/environments/{env}/triggers", env).then().extract().jsonPath();
    List<Map<String, Object>> items = all.getList("items");
    for (int i = 0; i < items.size(); i++) {
      if (name.equals(items.get(i).get("name"))) {
        return new JsonPath(
            api()
                .get("/api/v1/environments/{env}/triggers/{id}", env, items.get(i).get("id"))
                .then()
                .extract()
                .asString());
      }
    }
    return null;
  }

  private static void awaitState(String env, String name, String state) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonPath t = trigger(env, name);
              assertThat(t).as(name).isNotNull();
              assertThat(t.getString("state")).isEqualTo(state);
            });
  }

  @Test
  void aReleaseCreatesChangesAndStopsItsDeclaredTriggers() throws Exception {
    String env = TestSupport.uniqueEnv();
    release(
        env,
        "load",
        "rel-1",
        List.of(completion("after-extract", "extract", true), kafka("orders", "orders")));
    awaitState(env, "load/orders", "ENABLED");
    JsonPath t = trigger(env, "load/after-extract");
    assertThat(t.getBoolean("declared")).isTrue();
    assertThat(t.getString("pipeline")).isEqualTo("load");
    assertThat(t.getString("createdBy")).isEqualTo("release rel-1");
    assertThat(t.getString("latestReleaseId")).isEqualTo("rel-1");
    // the topic of a definition is relative to the environment it is released in
    assertThat(trigger(env, "load/orders").getString("topic")).isEqualTo(env + ".orders");
    String id = t.getString("id");

    // the API cannot change or delete it, only pause it
    api()
        .body(
            Map.of("name", "x", "kind", "COMPLETION", "upstreamPipeline", "a", "pipeline", "load"))
        .put("/api/v1/environments/{env}/triggers/{id}", env, id)
        .then()
        .statusCode(409)
        .body("message", containsString("declared in the definition of pipeline load"));
    api().delete("/api/v1/environments/{env}/triggers/{id}", env, id).then().statusCode(409);
    api()
        .post("/api/v1/environments/{env}/triggers/{id}/pause", env, id)
        .then()
        .statusCode(200)
        .body("state", equalTo("PAUSED"));

    // release 2 changes one (onState) and drops the other; a user's pause outlives the release
    TriggerSpec changed =
        new TriggerSpec(
            "after-extract",
            null,
            "COMPLETION",
            null,
            "extract",
            "ANY",
            null,
            null,
            null,
            null,
            null,
            Map.of(),
            true);
    release(env, "load", "rel-2", List.of(changed));
    awaitState(env, "load/orders", "STOPPED");
    JsonPath after = trigger(env, "load/after-extract");
    assertThat(after.getString("id")).isEqualTo(id);
    assertThat(after.getString("onState")).isEqualTo("ANY");
    assertThat(after.getString("state")).isEqualTo("PAUSED");
    assertThat(after.getString("latestReleaseId")).isEqualTo("rel-2");
    assertThat(trigger(env, "load/orders").getString("stateReason"))
        .contains("no longer declared by the definition of release rel-2");

    // an older orchestrator (no triggers in the event) leaves them alone
    TestSupport.publishPipelineEvent(
        env, "load", new PipelineReleased(env, "load", "rel-3", "sha256:" + "e".repeat(64), null));
    // declaring it again starts it again
    release(env, "load", "rel-4", List.of(changed, kafka("orders", "orders")));
    awaitState(env, "load/orders", "ENABLED");
    assertThat(trigger(env, "load/after-extract").getString("state")).isEqualTo("PAUSED");
  }

  @Test
  void aDeclaredLoopIsStoppedWithItsReasonAndApiNamesNeverClash() throws Exception {
    String env = TestSupport.uniqueEnv();
    release(env, "b", "rel-b", List.of(completion("after-a", "a", true)));
    awaitState(env, "b/after-a", "ENABLED");
    // a's definition would close a → b → a: the release goes through, the trigger is stopped
    release(env, "a", "rel-a", List.of(completion("after-b", "b", true)));
    awaitState(env, "a/after-b", "STOPPED");
    assertThat(trigger(env, "a/after-b").getString("stateReason")).contains("loop");
    // enabled: false in the definition creates it paused; the API cannot take a declared name
    release(env, "c", "rel-c", List.of(completion("later", "a", false)));
    awaitState(env, "c/later", "PAUSED");
    api()
        .body(
            Map.of(
                "name", "c/later", "kind", "COMPLETION", "upstreamPipeline", "a", "pipeline", "c"))
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(400)
        .body("details[0].path", equalTo("name"));
    // the same release announced twice (a redelivery) changes nothing
    release(env, "c", "rel-c", List.of(completion("later", "a", false)));
    awaitState(env, "c/later", "PAUSED");
  }
}
