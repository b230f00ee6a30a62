package io.dataplane.gateway.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/** Steers the {@link BackendStub} over HTTP. */
public final class Stub {

  private Stub() {}

  public static String url() {
    return ConfigProvider.getConfig().getValue("dataplane.test.stub-url", String.class);
  }

  public static List<Map<String, Object>> calls() {
    return given()
        .get(url() + "/_stub/calls")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("$");
  }

  public static void down(String service) {
    given().post(url() + "/_stub/down/" + service).then().statusCode(204);
  }

  public static void up(String service) {
    given().delete(url() + "/_stub/down/" + service).then().statusCode(204);
  }

  public static void logs(String taskRunId, Object lines) {
    given()
        .contentType(ContentType.JSON)
        .body(lines)
        .post(url() + "/_stub/logs/" + taskRunId)
        .then()
        .statusCode(204);
  }

  public static void workers(Object workers) {
    given()
        .contentType(ContentType.JSON)
        .body(workers)
        .put(url() + "/_stub/workers")
        .then()
        .statusCode(204);
  }

  public static void run(Object run) {
    given()
        .contentType(ContentType.JSON)
        .body(run)
        .post(url() + "/_stub/runs")
        .then()
        .statusCode(201);
  }
}
