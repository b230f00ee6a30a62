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
import java.util.Map;
import java.util.Optional;

/**
 * The secrets of notification channels, at secrets-service (scope {@code secrets:notify}, secrets
 * named {@code NOTIFY_*} only): a webhook body is signed there (the signing key never leaves it); a
 * Slack URL or SMTP password is read for one delivery and kept in memory only for it. Every use is
 * audited by secrets-service.
 */
@ApplicationScoped
public class ChannelSecrets {

  /** A secret that does not exist or may not be used: a configuration error, not retried. */
  public static final class MissingException extends IOException {
    public MissingException(String message) {
      super(message);
    }
  }

  private final Optional<String> baseUrl;
  private final Optional<String> token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public ChannelSecrets(SchedulerConfig config) {
    this.baseUrl =
        config.secretsUrl().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    this.token = Optional.of(ServiceAuth.outgoingToken()).filter(t -> !t.isEmpty());
  }

  /** HMAC-SHA256 of {@code body} under the key in the secret, hex. */
  public String sign(String env, String name, byte[] body) throws IOException {
    Map<?, ?> res =
        call(
            env,
            name,
            "hmac-sha256/sign",
            Map.of("payload", Base64.getEncoder().encodeToString(body)));
    return (String) res.get("signature");
  }

  /** The value of the secret (a Slack URL, an SMTP password). */
  public String value(String env, String name) throws IOException {
    return (String) call(env, name, "notification-value", Map.of()).get("value");
  }

  private Map<?, ?> call(String env, String name, String op, Map<String, Object> body)
      throws IOException {
    if (baseUrl.isEmpty()) {
      throw new MissingException(
          "dataplane.scheduler.secrets-url is not set: channel secrets cannot be used");
    }
    HttpRequest.Builder req =
        HttpRequest.newBuilder(
                URI.create(
                    baseUrl.get()
                        + "/api/v1/environments/"
                        + URLEncoder.encode(env, StandardCharsets.UTF_8)
                        + "/secrets/"
                        + URLEncoder.encode(name, StandardCharsets.UTF_8)
                        + "/"
                        + op))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body)));
    token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
    HttpResponse<byte[]> res;
    try {
      res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (res.statusCode() == 404 || res.statusCode() == 400 || res.statusCode() == 403) {
      throw new MissingException(
          "secret " + name + " cannot be used (secrets-service answered " + res.statusCode() + ")");
    }
    if (res.statusCode() / 100 != 2) {
      throw new IOException("secrets-service answered " + res.statusCode());
    }
    return Json.mapper().readValue(res.body(), Map.class);
  }
}
