package io.dataplane.secrets;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.dataplane.secrets.support.Api;
import io.dataplane.secrets.support.TestStack;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(TestStack.class)
class ServiceHealthTest {

  @Test
  void readyWhenItsDependenciesAnswer() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body(
            "checks.name",
            hasItems("postgres-schema", "master-keys", "Kafka connection health check"));
  }

  @Test
  void alive() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void exposesPrometheusMetrics() {
    given()
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("jvm_memory_used_bytes"))
        .body(containsString("dataplane_secrets_data_keys"));
  }

  @Test
  void unknownPathsAnswerWithTheCommonErrorModel() {
    Api.api()
        .when()
        .get("/api/v1/does-not-exist")
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
  }

  @Test
  void theApiNeedsTheServiceToken() {
    given()
        .when()
        .get("/api/v1/environments/dev/secrets")
        .then()
        .statusCode(401)
        .body("code", equalTo("UNAUTHENTICATED"));
    given()
        .header("Authorization", "Bearer not-the-token-at-all")
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/resolve")
        .then()
        .statusCode(401);
  }

  @Inject Scheduler scheduler;

  /** Issue 19: periodic jobs are jobs of the Quarkus scheduler, not threads of their own. */
  @Test
  void periodicJobsRunOnTheQuarkusScheduler() {
    assertThat(scheduler.getScheduledJobs().stream().map(Trigger::getId))
        .contains("secrets-outbox-purge", "data-key-rewrap", "master-key-reload");
    assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
        .doesNotContain("outbox-purge", "data-key-rewrap");
  }
}
