package io.dataplane.orchestrator;

import static io.dataplane.orchestrator.Api.api;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Draft history (issue 17): versions kept, diffed and restored; bounded per pipeline. */
@QuarkusTest
class DraftHistoryTest {

  private static final String V1 = "tasks:\n  - {key: a, runtime: bash, script: echo one}\n";
  private static final String V2 =
      "tasks:\n  - {key: a, runtime: bash, script: echo two}\n  - {key: b, runtime: bash, script:"
          + " echo b, dependsOn: [a]}\n";

  /** Calls made for a person of this name. */
  private static RequestSpecification as(String actor) {
    return given()
        .header("Authorization", "Bearer " + Api.TOKEN)
        .header("X-Dataplane-Actor", actor);
  }

  private static void save(String env, String p, String yaml, String actor, int status) {
    as(actor)
        .contentType("application/yaml")
        .body(yaml.getBytes(StandardCharsets.UTF_8))
        .put("/api/v1/environments/{env}/pipelines/{p}", env, p)
        .then()
        .statusCode(status);
  }

  private static JsonPath history(String env, String p) {
    return api()
        .get("/api/v1/environments/{env}/pipelines/{p}/drafts", env, p)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  @Test
  void eachDistinctSaveIsKeptDiffableAndRestorable() {
    String env = Api.env();
    save(env, "p", V1, "ann", 201);
    // the same definition again (only a comment differs): no new version
    save(env, "p", "# again\n" + V1, "ann", 200);
    save(env, "p", V2, "ben", 200);
    JsonPath h = history(env, "p");
    assertThat(h.getList("version", Integer.class)).containsExactly(2, 1);
    assertThat(h.getList("savedBy", String.class)).containsExactly("ben", "ann");
    assertThat(h.getString("[0].digest")).startsWith("sha256:");
    assertThat(h.getString("[0].digest")).isNotEqualTo(h.getString("[1].digest"));
    String v1 = h.getString("[1].id");
    String v2 = h.getString("[0].id");

    JsonPath diff =
        api()
            .queryParam("from", v1)
            .queryParam("to", v2)
            .get("/api/v1/environments/{env}/pipelines/{p}/drafts/diff", env, "p")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(diff.getList("changes.path", String.class)).contains("tasks.a.script", "tasks.b");
    assertThat(diff.getString("changes.find { it.path == 'tasks.b' }.kind")).isEqualTo("added");

    // draft against a release: release v2, then the draft (v2) against it changes nothing
    String release =
        api()
            .contentType("application/json")
            .body("{}")
            .post("/api/v1/environments/{env}/pipelines/{p}/releases", env, "p")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    api()
        .queryParam("from", release)
        .get("/api/v1/environments/{env}/pipelines/{p}/drafts/diff", env, "p")
        .then()
        .statusCode(200)
        .body("changes.size()", equalTo(0));
    api()
        .queryParam("from", v1)
        .queryParam("to", release)
        .get("/api/v1/environments/{env}/pipelines/{p}/drafts/diff", env, "p")
        .then()
        .statusCode(200)
        .body("changes.path", org.hamcrest.Matchers.hasItem("tasks.b"));

    // restoring v1 makes it the draft and records a new version pointing back to it
    as("cat")
        .post("/api/v1/environments/{env}/pipelines/{p}/drafts/{id}/restore", env, "p", v1)
        .then()
        .statusCode(200)
        .body("definition.tasks.size()", equalTo(1))
        .body("updatedBy", equalTo("cat"));
    JsonPath after = history(env, "p");
    assertThat(after.getList("version", Integer.class)).containsExactly(3, 2, 1);
    assertThat(after.getString("[0].restoredFrom")).isEqualTo(v1);
    assertThat(after.getString("[0].digest")).isEqualTo(h.getString("[1].digest"));
    api()
        .get("/api/v1/environments/{env}/pipelines/{p}/drafts/{id}", env, "p", v1)
        .then()
        .statusCode(200)
        .body("source", containsString("echo one"));
  }

  @Test
  void historyIsBoundedAndForeignOrBadVersionsAreRefused() {
    String env = Api.env();
    // a careless loop: 12 distinct saves keep only the newest 5 (drafts.keep in tests)
    for (int i = 0; i < 12; i++) {
      save(
          env,
          "loop",
          "tasks:\n  - {key: a, runtime: bash, script: echo " + i + "}\n",
          "x",
          i == 0 ? 201 : 200);
    }
    assertThat(history(env, "loop").getList("version", Integer.class))
        .containsExactly(12, 11, 10, 9, 8);

    // a version of another pipeline (or environment) is unknown here
    String other = Api.env();
    save(other, "loop", V1, "x", 201);
    String foreign = history(other, "loop").getString("[0].id");
    api()
        .post("/api/v1/environments/{env}/pipelines/{p}/drafts/{id}/restore", env, "loop", foreign)
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
    api()
        .queryParam("from", foreign)
        .get("/api/v1/environments/{env}/pipelines/{p}/drafts/diff", env, "loop")
        .then()
        .statusCode(404);
    api()
        .queryParam("from", "not-an-id")
        .get("/api/v1/environments/{env}/pipelines/{p}/drafts/diff", env, "loop")
        .then()
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"));
    api()
        .get("/api/v1/environments/{env}/pipelines/{p}/drafts", env, "nope")
        .then()
        .statusCode(404);

    // a version naming a worker group deleted since cannot be restored; the draft stays
    Api.group(env, "gone");
    save(
        env,
        "g",
        "tasks:\n  - {key: a, runtime: bash, script: echo g, workerGroup: gone}\n",
        "x",
        201);
    String withGroup = history(env, "g").getString("[0].id");
    save(env, "g", V1, "x", 200);
    api().delete("/api/v1/environments/{env}/worker-groups/gone", env).then().statusCode(204);
    api()
        .post("/api/v1/environments/{env}/pipelines/{p}/drafts/{id}/restore", env, "g", withGroup)
        .then()
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"));
    api()
        .get("/api/v1/environments/{env}/pipelines/{p}", env, "g")
        .then()
        .statusCode(200)
        .body("source", equalTo(V1));
    assertThat(history(env, "g").getList("version", Integer.class)).containsExactly(2, 1);
  }
}
