package io.dataplane.secrets.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.json.Json;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.secrets.config.SecretsConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
  private final HttpClient http;
  private final String serviceToken;
  private final Map<String, Instant> currentUntil = new ConcurrentHashMap<>();

  public AttemptClient(SecretsConfig config) {
    this.config = config.orchestrator();
    this.http = HttpClient.newBuilder().connectTimeout(this.config.timeout()).build();
    this.serviceToken = ServiceAuth.outgoingToken();
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
    String base = config.url().replaceAll("/+$", "");
    HttpRequest.Builder req =
        HttpRequest.newBuilder(
                URI.create(base + "/api/v1/attempts/" + taskRunId + "/" + attempt + "/current"))
            .timeout(config.timeout())
            .header("Accept", "application/json")
            .GET();
    if (!serviceToken.isEmpty()) {
      req.header("Authorization", "Bearer " + serviceToken);
    }
    try {
      HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() == 200) {
        JsonNode body = Json.mapper().readTree(res.body());
        return body.path("current").asBoolean(false);
      }
      if (res.statusCode() == 404) {
        return false;
      }
      Log.warnf("orchestrator answered %d to an attempt check", res.statusCode());
    } catch (IOException e) {
      Log.warnf("orchestrator unreachable for an attempt check: %s", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new DataplaneException(
        ErrorCodes.UNAVAILABLE,
        "cannot check with the orchestrator that the attempt is current; retry later");
  }
}
