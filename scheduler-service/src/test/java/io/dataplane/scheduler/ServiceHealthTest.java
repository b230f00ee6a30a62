package io.dataplane.scheduler;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ServiceHealthTest {

  @Test
  void readyWhenItsDependenciesAnswer() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("postgres-schema", "Kafka connection health check"));
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
        .body(containsString("jvm_memory_used_bytes"));
  }

  @Test
  void unknownPathsAnswerWithTheCommonErrorModel() {
    given()
        .when()
        .get("/api/v1/does-not-exist")
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
  }

  @Inject Scheduler scheduler;

  /** Issue 19: periodic jobs are jobs of the Quarkus scheduler, not threads of their own. */
  @Test
  void periodicJobsRunOnTheQuarkusScheduler() {
    assertThat(scheduler.getScheduledJobs().stream().map(Trigger::getId))
        .contains(
            "scheduler-housekeeping",
            "scheduler-notifications-poll",
            "scheduler-notifications-purge");
    assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
        .doesNotContain("scheduler-housekeeping", "scheduler-notifications");
  }
}
