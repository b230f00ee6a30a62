package io.dataplane.orchestrator;

import static io.dataplane.orchestrator.Api.api;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Deleting an environment (issue 17): refused while it holds something, naming it. */
@QuarkusTest
class EnvironmentDeletionTest {

  private static final String ONE = "tasks:\n  - {key: a, runtime: bash, script: echo a}\n";

  @Test
  void refusedWhileItHoldsRunsPipelinesOrGroupsThenDeletedAndItsNameReusable() {
    String env = Api.env();
    Api.group(env, "etl");
    for (int i = 0; i < 7; i++) {
      Api.deploy(env, "p" + i, ONE);
    }
    // no worker serves the environment: the run waits
    String run = Api.start(env, "p0", Map.of());
    api()
        .delete("/api/v1/environments/{env}", env)
        .then()
        .statusCode(409)
        .body("code", equalTo("CONFLICT"))
        .body(
            "message",
            allOf(
                containsString("1 unfinished run(s): " + run),
                containsString("7 pipeline(s): p0, p1, p2, p3, p4, and 2 more"),
                containsString("1 worker group(s): etl")));
    // nothing was lost
    api().get("/api/v1/environments/{env}/pipelines/p6", env).then().statusCode(200);

    api().post("/api/v1/runs/{id}/cancel", run).then().statusCode(200);
    Api.awaitRun(run, "CANCELLED", Duration.ofSeconds(20));
    for (int i = 0; i < 7; i++) {
      api().delete("/api/v1/environments/{env}/pipelines/p" + i, env).then().statusCode(204);
    }
    api()
        .delete("/api/v1/environments/{env}", env)
        .then()
        .statusCode(409)
        .body("message", allOf(containsString("worker group(s): etl"), not(containsString("run"))));
    api().delete("/api/v1/environments/{env}/worker-groups/etl", env).then().statusCode(204);

    api().delete("/api/v1/environments/{env}", env).then().statusCode(204);
    api().get("/api/v1/environments/{env}", env).then().statusCode(404);
    // twice: it is gone
    api()
        .delete("/api/v1/environments/{env}", env)
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
    // the name can be used again; the run history stays readable
    api()
        .contentType("application/json")
        .body(Map.of("name", env))
        .post("/api/v1/environments")
        .then()
        .statusCode(201);
    api().get("/api/v1/runs/{id}", run).then().statusCode(200).body("state", equalTo("CANCELLED"));
    api()
        .delete("/api/v1/environments/{env}", Api.unique("never"))
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
  }
}
