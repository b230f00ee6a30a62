package io.dataplane.scheduler.service;

import io.dataplane.common.json.Json;
import io.dataplane.scheduler.config.SchedulerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Map;

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

  private final ServiceHttp secrets;

  public ChannelSecrets(SchedulerConfig config) {
    this.secrets = new ServiceHttp(config.secretsUrl());
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
    if (!secrets.configured()) {
      throw new MissingException(
          "dataplane.scheduler.secrets-url is not set: channel secrets cannot be used");
    }
    HttpResponse<byte[]> res =
        secrets.send(
            secrets.post(
                ServiceHttp.secretPath(env, name, op), Json.mapper().writeValueAsBytes(body)));
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
