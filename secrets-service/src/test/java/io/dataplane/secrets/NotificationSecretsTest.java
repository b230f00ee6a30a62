package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.put;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: notification channels sign with, and read, only NOTIFY_* secrets, and only with the
 * scheduler's (or gateway's) credential.
 */
@QuarkusTest
class NotificationSecretsTest {

  private static RequestSpecification scheduler() {
    return given()
        .header("Authorization", "Bearer test-scheduler-token-0123456789")
        .contentType(ContentType.JSON);
  }

  @Test
  void theSchedulerSignsAndReadsNotifySecretsOnly() throws Exception {
    String env = env("notify");
    put(env, "NOTIFY_HOOK", "notify-key-" + env).statusCode(200);
    put(env, "NOTIFY_SLACK", "https://hooks.slack.example/T0/B0/x").statusCode(200);
    put(env, "HOOK_KEY", "trigger-key-" + env).statusCode(200);
    byte[] body = "{\"event\":\"RUN_FAILED\"}".getBytes(StandardCharsets.UTF_8);
    String payload = Base64.getEncoder().encodeToString(body);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(("notify-key-" + env).getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = HexFormat.of().formatHex(mac.doFinal(body));

    scheduler()
        .body(Map.of("payload", payload))
        .post("/api/v1/environments/{env}/secrets/{name}/hmac-sha256/sign", env, "NOTIFY_HOOK")
        .then()
        .statusCode(200)
        .body("signature", equalTo(expected));
    scheduler()
        .body(Map.of())
        .post("/api/v1/environments/{env}/secrets/{name}/notification-value", env, "NOTIFY_SLACK")
        .then()
        .statusCode(200)
        .body("value", equalTo("https://hooks.slack.example/T0/B0/x"));

    // a webhook trigger's key is no signing oracle, and no other secret can be read this way
    scheduler()
        .body(Map.of("payload", payload))
        .post("/api/v1/environments/{env}/secrets/{name}/hmac-sha256/sign", env, "HOOK_KEY")
        .then()
        .statusCode(400);
    scheduler()
        .body(Map.of())
        .post("/api/v1/environments/{env}/secrets/{name}/notification-value", env, "HOOK_KEY")
        .then()
        .statusCode(400);
    scheduler()
        .body(Map.of())
        .post("/api/v1/environments/{env}/secrets/{name}/notification-value", env, "NOTIFY_NONE")
        .then()
        .statusCode(404);
    // a worker's credential may not
    given()
        .header("Authorization", "Bearer test-worker-token-0123456789")
        .contentType(ContentType.JSON)
        .body(Map.of())
        .post("/api/v1/environments/{env}/secrets/{name}/notification-value", env, "NOTIFY_SLACK")
        .then()
        .statusCode(403);
    // each use is audited
    given()
        .header("Authorization", "Bearer test-service-token-0123456789")
        .get("/api/v1/environments/{env}/secrets/{name}/audit", env, "NOTIFY_SLACK")
        .then()
        .statusCode(200)
        .body(org.hamcrest.Matchers.containsString("notification-channel"));
  }
}
