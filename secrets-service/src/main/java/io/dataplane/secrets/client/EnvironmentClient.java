package io.dataplane.secrets.client;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.secrets.config.SecretsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
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
  private final OrchestratorHttp orchestrator;
  private final Map<String, Answer> cache = new ConcurrentHashMap<>();

  public EnvironmentClient(SecretsConfig config) {
    this.config = config.orchestrator();
    this.orchestrator = new OrchestratorHttp(this.config);
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
    Boolean exists =
        orchestrator.get(
            "/api/v1/environments/"
                + URLEncoder.encode(environment, StandardCharsets.UTF_8).replace("+", "%20"),
            "an environment check",
            res ->
                switch (res.statusCode()) {
                  case 200 -> true;
                  case 404 -> false;
                  default -> null;
                });
    if (exists != null) {
      return exists;
    }
    throw new DataplaneException(
        ErrorCodes.UNAVAILABLE,
        "cannot check environment '" + environment + "': the orchestrator does not answer");
  }
}
