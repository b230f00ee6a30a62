package io.dataplane.filestore;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/** Issue 14, item 9: a worker may download bundles, nothing else; only the gateway names actors. */
@QuarkusTest
class ServiceCredentialsTest {

  static final String WORKER = "test-worker-token-0123456789";
  static final String BUNDLE = "/api/v1/bundles/sha256:" + "0".repeat(64);

  static RequestSpecification as(String token) {
    return given().header("Authorization", "Bearer " + token);
  }

  @Test
  void aWorkerFetchesBundlesButCannotWriteFilesOrNameAnActor() {
    // reaches the endpoint (the bundle does not exist), not refused
    as(WORKER).get(BUNDLE).then().statusCode(404);
    as(WORKER)
        .contentType("text/plain")
        .body("print('mine')")
        .put("/api/v1/environments/dev/pipelines/etl/files/jobs/x.py")
        .then()
        .statusCode(403)
        .body("code", equalTo("FORBIDDEN"));
    as(WORKER).post("/api/v1/environments/dev/pipelines/etl/bundles").then().statusCode(403);
    as(WORKER).header("X-Dataplane-Actor", "alice").get(BUNDLE).then().statusCode(403);
    // the gateway's old and new tokens both work while it rotates
    as("test-service-token-0123456789").get(BUNDLE).then().statusCode(404);
    as("test-gateway-token-next-0123456789")
        .header("X-Dataplane-Actor", "alice")
        .get(BUNDLE)
        .then()
        .statusCode(404);
    as("test-gateway-token-retired-0123456789").get(BUNDLE).then().statusCode(401);
  }
}
