package io.dataplane.secrets.client;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.secrets.config.SecretsConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks the orchestrator, owner of environments, whether one exists ({@code GET
 * /api/v1/environments/{env}}) and remembers the answer briefly.
 */
@ApplicationScoped
public class EnvironmentClient {

  private record Answer(boolean exists, Instant until) {}

  private final SecretsConfig.Orchestrator config;
  private final HttpClient http;
  private final String serviceToken;
  private final Map<String, Answer> cache = new ConcurrentHashMap<>();

  public EnvironmentClient(SecretsConfig config) {
    this.config = config.orchestrator();
    this.http = HttpClient.newBuilder().connectTimeout(this.config.timeout()).build();
    this.serviceToken = ServiceAuth.outgoingToken();
  }

  /**
   * @throws DataplaneException NOT_FOUND for an unknown environment, UNAVAILABLE when the
   *     orchestrator cannot say
   */
  public void requireExists(String environment) {
    if (!exists(environment)) {
      throw new DataplaneException(
          ErrorCodes.NOT_FOUND, "environment '" + environment + "' does not exist");
    }
  }

  public boolean exists(String environment) {
    Instant now = Instant.now();
    Answer cached = cache.get(environment);
    if (cached != null && now.isBefore(cached.until())) {
      return cached.exists();
    }
    boolean exists = ask(environment);
    cache.put(
        environment,
        new Answer(exists, now.plus(exists ? config.cacheTtl() : config.negativeCacheTtl())));
    if (cache.size() > 10_000) {
      cache.entrySet().removeIf(e -> now.isAfter(e.getValue().until()));
    }
    return exists;
  }

  private boolean ask(String environment) {
    String base = config.url().replaceAll("/+$", "");
    HttpRequest.Builder req =
        HttpRequest.newBuilder(
                URI.create(
                    base
                        + "/api/v1/environments/"
                        + URLEncoder.encode(environment, StandardCharsets.UTF_8)
                            .replace("+", "%20")))
            .timeout(config.timeout())
            .header("Accept", "application/json")
            .GET();
    if (!serviceToken.isEmpty()) {
      req.header("Authorization", "Bearer " + serviceToken);
    }
    try {
      HttpResponse<Void> res = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
      if (res.statusCode() == 200) {
        return true;
      }
      if (res.statusCode() == 404) {
        return false;
      }
      Log.warnf("orchestrator answered %d to an environment check", res.statusCode());
    } catch (IOException e) {
      Log.warnf("orchestrator unreachable for an environment check: %s", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new DataplaneException(
        ErrorCodes.UNAVAILABLE,
        "cannot check environment '" + environment + "': the orchestrator does not answer");
  }
}
