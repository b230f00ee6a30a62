package io.dataplane.worker.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.json.Json;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Resolves an attempt's declared secrets at secrets-service with its attempt token. */
@ApplicationScoped
public class SecretsClient {

  /** secrets-service refused (403) or answered something unusable; the message says why. */
  public static final class SecretsUnavailableException extends IOException {
    public SecretsUnavailableException(String message) {
      super(message);
    }
  }

  private final ServiceHttp http;
  private final String base;

  public SecretsClient(ServiceHttp http, WorkerConfig config) {
    this.http = http;
    this.base = config.secretsUrl();
  }

  /**
   * The values of {@code names}, resolved with the attempt's token for {@code environment} (a token
   * of another environment is refused). Never logged.
   *
   * @param workerId recorded in secrets-service's audit as the worker that read them
   */
  public Map<String, String> resolve(
      String attemptToken, String environment, List<String> names, String workerId)
      throws IOException {
    Map<String, Object> payload = new HashMap<>();
    payload.put("attemptToken", attemptToken);
    payload.put("environment", environment);
    payload.put("names", names);
    byte[] body = Json.mapper().writeValueAsBytes(payload);
    HttpRequest request =
        http.request(base, "/api/v1/resolve")
            .header("Content-Type", "application/json")
            .header(ServiceAuth.WORKER_HEADER, workerId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.client().send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while resolving secrets", e);
    }
    if (response.statusCode() != 200) {
      String reason = "";
      try {
        reason = Json.mapper().readTree(response.body()).path("message").asText("");
      } catch (IOException ignored) {
        // no error body
      }
      throw new SecretsUnavailableException(
          "secrets-service refused to resolve the task's secrets (HTTP "
              + response.statusCode()
              + (reason.isEmpty() ? "" : ": " + reason)
              + ")");
    }
    JsonNode values = Json.mapper().readTree(response.body()).path("values");
    Map<String, String> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }
}
