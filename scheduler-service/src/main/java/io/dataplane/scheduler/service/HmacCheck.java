package io.dataplane.scheduler.service;

import io.dataplane.common.json.Json;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.scheduler.config.SchedulerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Asks secrets-service whether an HMAC-SHA256 signature of a webhook body is right under the key in
 * an environment secret (scope {@code secrets:hmac}); the key never leaves secrets-service, and the
 * comparison there is constant-time.
 */
@ApplicationScoped
public class HmacCheck {

  private final Optional<String> baseUrl;
  private final Optional<String> token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public HmacCheck(SchedulerConfig config) {
    this.baseUrl =
        config.secretsUrl().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    this.token = Optional.of(ServiceAuth.outgoingToken()).filter(t -> !t.isEmpty());
  }

  public boolean configured() {
    return baseUrl.isPresent();
  }

  /** Whether {@code signature} is HMAC-SHA256(key of the secret, body). */
  public boolean matches(String environment, String secretName, byte[] body, byte[] signature)
      throws IOException {
    if (baseUrl.isEmpty()) {
      return false;
    }
    byte[] request =
        Json.mapper()
            .writeValueAsBytes(
                Map.of(
                    "payload", Base64.getEncoder().encodeToString(body),
                    "signature", HexFormat.of().formatHex(signature)));
    HttpRequest.Builder req =
        HttpRequest.newBuilder(
                URI.create(
                    baseUrl.get()
                        + "/api/v1/environments/"
                        + URLEncoder.encode(environment, StandardCharsets.UTF_8)
                        + "/secrets/"
                        + URLEncoder.encode(secretName, StandardCharsets.UTF_8)
                        + "/hmac-sha256/verify"))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request));
    token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
    HttpResponse<byte[]> res;
    try {
      res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
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
