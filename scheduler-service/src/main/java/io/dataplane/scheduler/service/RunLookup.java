package io.dataplane.scheduler.service;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dataplane.common.json.Json;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.scheduler.config.SchedulerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads a run (its request id, params and task outputs) from orchestrator-service, which owns runs,
 * with the scheduler's service token (scope {@code runs:read}). Off when {@code
 * dataplane.scheduler.orchestrator-url} is not set: completion triggers then see no outputs.
 */
@ApplicationScoped
public class RunLookup {

  private final Optional<String> baseUrl;
  private final Optional<String> token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public RunLookup(SchedulerConfig config) {
    this.baseUrl =
        config.orchestratorUrl().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    this.token = Optional.of(ServiceAuth.outgoingToken()).filter(t -> !t.isEmpty());
  }

  /**
   * The run as JSON, or empty when no orchestrator is configured or it does not know the run.
   *
   * @throws IOException when the orchestrator cannot be reached (the event is retried)
   */
  public Optional<Map<String, Object>> run(UUID runId) throws IOException {
    if (baseUrl.isEmpty()) {
      return Optional.empty();
    }
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(baseUrl.get() + "/api/v1/runs/" + runId))
            .timeout(Duration.ofSeconds(5))
            .GET();
    token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
    HttpResponse<byte[]> res;
    try {
      res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (res.statusCode() == 404) {
      return Optional.empty();
    }
    if (res.statusCode() / 100 != 2) {
      throw new IOException("orchestrator-service answered " + res.statusCode() + " for a run");
    }
    return Optional.of(
        Json.mapper().readValue(res.body(), new TypeReference<Map<String, Object>>() {}));
  }
}
