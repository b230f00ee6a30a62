package io.dataplane.secrets.client;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.json.Json;
import io.dataplane.secrets.config.SecretsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks the orchestrator whether an attempt is current, i.e. claimed or running and not superseded
 * ({@code GET /api/v1/attempts/{taskRunId}/{attempt}/current}). Only "yes" is remembered, and only
 * for {@code dataplane.secrets.orchestrator.attempt-cache-ttl}: an attempt that ends stops
 * resolving within that time; one that is not claimed yet is asked about again.
 */
@ApplicationScoped
public class AttemptClient {

  private final SecretsConfig.Orchestrator config;
  private final OrchestratorHttp orchestrator;
  private final Map<String, Instant> currentUntil = new ConcurrentHashMap<>();

  public AttemptClient(SecretsConfig config) {
    this.config = config.orchestrator();
    this.orchestrator = new OrchestratorHttp(this.config);
  }

  /**
   * @throws DataplaneException UNAVAILABLE when the orchestrator cannot say
   */
  public boolean isCurrent(UUID taskRunId, int attempt) {
    String key = taskRunId + "/" + attempt;
    Instant now = Instant.now();
    Instant until = currentUntil.get(key);
    if (until != null && now.isBefore(until)) {
      return true;
    }
    boolean current = ask(taskRunId, attempt);
    if (current) {
      currentUntil.put(key, now.plus(config.attemptCacheTtl()));
    } else {
      currentUntil.remove(key);
    }
    if (currentUntil.size() > 10_000) {
      currentUntil.entrySet().removeIf(e -> now.isAfter(e.getValue()));
    }
    return current;
  }

  private boolean ask(UUID taskRunId, int attempt) {
    Boolean current =
        orchestrator.get(
            "/api/v1/attempts/" + taskRunId + "/" + attempt + "/current",
            "an attempt check",
            res ->
                switch (res.statusCode()) {
                  case 200 -> Json.mapper().readTree(res.body()).path("current").asBoolean(false);
                  case 404 -> false;
                  default -> null;
                });
    if (current != null) {
      return current;
    }
    throw new DataplaneException(
        ErrorCodes.UNAVAILABLE,
        "cannot check with the orchestrator that the attempt is current; retry later");
  }
}
