package io.dataplane.scheduler.service;

import io.dataplane.common.json.Json;
import io.dataplane.scheduler.config.SchedulerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * Asks secrets-service whether an HMAC-SHA256 signature of a webhook body is right under the key in
 * an environment secret (scope {@code secrets:hmac}); the key never leaves secrets-service, and the
 * comparison there is constant-time.
 */
@ApplicationScoped
public class HmacCheck {

  private final ServiceHttp secrets;

  public HmacCheck(SchedulerConfig config) {
    this.secrets = new ServiceHttp(config.secretsUrl());
  }

  public boolean configured() {
    return secrets.configured();
  }

  /** Whether {@code signature} is HMAC-SHA256(key of the secret, body). */
  public boolean matches(String environment, String secretName, byte[] body, byte[] signature)
      throws IOException {
    if (!secrets.configured()) {
      return false;
    }
    byte[] request =
        Json.mapper()
            .writeValueAsBytes(
                Map.of(
                    "payload", Base64.getEncoder().encodeToString(body),
                    "signature", HexFormat.of().formatHex(signature)));
    HttpResponse<byte[]> res =
        secrets.send(
            secrets.post(
                ServiceHttp.secretPath(environment, secretName, "hmac-sha256/verify"), request));
    if (res.statusCode() == 404) {
      return false;
    }
    if (res.statusCode() / 100 != 2) {
      throw new IOException("secrets-service answered " + res.statusCode());
    }
    Object valid = Json.mapper().readValue(res.body(), Map.class).get("valid");
    return Boolean.TRUE.equals(valid);
  }
}
