package io.dataplane.scheduler.service;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dataplane.common.json.Json;
import io.dataplane.scheduler.config.SchedulerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
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

  private final ServiceHttp orchestrator;

  public RunLookup(SchedulerConfig config) {
    this.orchestrator = new ServiceHttp(config.orchestratorUrl());
  }

  /**
   * The run as JSON, or empty when no orchestrator is configured or it does not know the run.
   *
   * @throws IOException when the orchestrator cannot be reached (the event is retried)
   */
  public Optional<Map<String, Object>> run(UUID runId) throws IOException {
    if (!orchestrator.configured()) {
      return Optional.empty();
    }
    HttpResponse<byte[]> res =
        orchestrator.send(
            orchestrator.request("/api/v1/runs/" + runId, Duration.ofSeconds(5)).GET());
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
