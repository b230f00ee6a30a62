package io.dataplane.filestore;

import static io.dataplane.filestore.support.Api.api;
import static io.dataplane.filestore.support.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.dataplane.filestore.support.OrchestratorStub;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Files are written only into environments the orchestrator knows. */
@QuarkusTest
@TestProfile(EnvironmentCheckTest.WithOrchestrator.class)
class EnvironmentCheckTest {

  public static class WithOrchestrator implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(OrchestratorStub.class));
    }
  }

  @Test
  void writesToAnUnknownEnvironmentAreRefused() {
    String env = unique("nowhere");
    api()
        .contentType("text/plain")
        .body("x")
        .put("/api/v1/environments/" + env + "/pipelines/p/files/a.txt")
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"))
        .body("message", containsString("environment " + env));
    api()
        .post("/api/v1/environments/" + env + "/pipelines/p/bundles")
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
  }

  @Test
  void writesToAKnownEnvironmentWorkAndTheAnswerIsCached() {
    String env = unique("known");
    int before = OrchestratorStub.CALLS.get();
    for (String f : List.of("a.txt", "b.txt", "c.txt")) {
      api()
          .contentType("text/plain")
          .body("x")
          .put("/api/v1/environments/" + env + "/pipelines/p/files/" + f)
          .then()
          .statusCode(201);
    }
    api().post("/api/v1/environments/" + env + "/pipelines/p/bundles").then().statusCode(201);
    assertThat(OrchestratorStub.CALLS.get() - before).isEqualTo(1);
  }
}
