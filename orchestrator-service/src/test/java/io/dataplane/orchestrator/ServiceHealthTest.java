package io.dataplane.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ServiceHealthTest {

  @Inject Scheduler scheduler;

  /** Issue 19: periodic jobs are jobs of the Quarkus scheduler, not threads of their own. */
  @Test
  void periodicJobsRunOnTheQuarkusScheduler() {
    assertThat(scheduler.getScheduledJobs().stream().map(Trigger::getId))
        .contains(
            "orchestrator-worker-check", "orchestrator-housekeeping", "orchestrator-log-retention");
  }

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
  void apiNeedsTheServiceToken() {
    given()
        .when()
        .get("/api/v1/environments")
        .then()
        .statusCode(401)
        .body("code", equalTo("UNAUTHENTICATED"));
    given()
        .header("Authorization", "Bearer wrong-token-0123456789")
        .get("/api/v1/environments")
        .then()
        .statusCode(401);
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

  /** Each of the hand-built Kafka clients has its client metrics bound (issue 9). */
  @Test
  void exposesTheKafkaClientMetricsOfEveryConsumerAndTheOutboxProducer() {
    List<String> consumers = List.of("run-requests", "task-events", "heartbeats", "task-logs");
    await("kafka client metrics")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              String m = given().get("/q/metrics").then().statusCode(200).extract().asString();
              for (String c : consumers) {
                assertThat(m)
                    .contains(
                        "kafka_consumer_fetch_manager_records_lag_max{client_id=\"orchestrator-"
                            + c
                            + "-");
              }
              assertThat(m)
                  .contains("kafka_producer_record_send_total{client_id=\"orchestrator-outbox-");
            });
  }

  @Test
  void unknownPathsAnswerWithTheCommonErrorModel() {
    given()
        .header("Authorization", "Bearer " + Api.TOKEN)
        .when()
        .get("/api/v1/does-not-exist")
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
  }
}
