package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.put;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

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

/** Issue 17: webhook HMAC signatures are checked here; the key never leaves the service. */
@QuarkusTest
class HmacVerifyTest {

  private static RequestSpecification scheduler() {
    return given()
        .header("Authorization", "Bearer test-scheduler-token-0123456789")
        .contentType(ContentType.JSON);
  }

  private static String sign(String key, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  @Test
  void aSignatureIsValidOnlyUnderTheSecretsKeyAndOnlyForTheSchedulerOrGateway() throws Exception {
    String env = env("hmac");
    String key = "whsec-" + env;
    put(env, "HOOK_KEY", key).statusCode(200);
    byte[] body = "{\"ref\":\"main\"}".getBytes(StandardCharsets.UTF_8);
    String payload = Base64.getEncoder().encodeToString(body);
    String path = "/api/v1/environments/{env}/secrets/{name}/hmac-sha256/verify";

    scheduler()
        .body(Map.of("payload", payload, "signature", sign(key, body)))
        .post(path, env, "HOOK_KEY")
        .then()
        .statusCode(200)
        .body("valid", equalTo(true))
        .body(not(containsString(key)));
    scheduler()
        .body(Map.of("payload", payload, "signature", sign("forged", body)))
        .post(path, env, "HOOK_KEY")
        .then()
        .statusCode(200)
        .body("valid", equalTo(false));
    scheduler()
        .body(Map.of("payload", payload, "signature", sign(key, body)))
        .post(path, env("other"), "HOOK_KEY")
        .then()
        .statusCode(404);
    scheduler()
        .body(Map.of("payload", payload, "signature", "abc"))
        .post(path, env, "HOOK_KEY")
        .then()
        .statusCode(400);
    // a worker's credential may not use it
    given()
        .header("Authorization", "Bearer test-worker-token-0123456789")
        .contentType(ContentType.JSON)
        .body(Map.of("payload", payload, "signature", sign(key, body)))
        .post(path, env, "HOOK_KEY")
        .then()
        .statusCode(403);
  }
}
