package io.dataplane.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.dataplane.scheduler.TestSupport;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/** Issue 14, item 9: only the gateway (or an operator) manages schedules; rotation works. */
@QuarkusTest
class ServiceCredentialsTest {

  static RequestSpecification as(String token) {
    return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
  }

  @Test
  void onlyTheGatewaysTokensManageSchedules() {
    String env = TestSupport.uniqueEnv();
    // a credential the scheduler does not accept (a worker's) and one of another service
    as("test-worker-token-0123456789")
        .get("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(401);
    as("test-scheduler-token-0123456789")
        .header("X-Dataplane-Actor", "alice")
        .get("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(403)
        .body("code", equalTo("FORBIDDEN"));
    // the gateway's old and new tokens, during a rotation
    as(TestSupport.TOKEN).get("/api/v1/environments/{env}/schedules", env).then().statusCode(200);
    as("test-gateway-token-next-0123456789")
        .header("X-Dataplane-Actor", "alice")
        .get("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(200);
  }
}
