package io.dataplane.filestore.client;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.filestore.config.FilestoreConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks the orchestrator, which owns environments, whether one exists; answers are cached briefly.
 * Off (every well-formed name accepted) when {@code dataplane.filestore.orchestrator-url} is unset.
 */
@ApplicationScoped
public class OrchestratorClient {

  private static final Duration KNOWN_FOR = Duration.ofSeconds(30);
  private static final Duration UNKNOWN_FOR = Duration.ofSeconds(5);

  private final Optional<String> baseUrl;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(boolean exists, long until) {}

  public OrchestratorClient(FilestoreConfig config) {
    this.baseUrl =
        config.orchestratorUrl().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    this.token = ServiceAuth.outgoingToken();
  }

  /**
   * Throws 404 NOT_FOUND if the orchestrator does not know {@code environment}, 503 UNAVAILABLE if
   * it cannot be asked.
   */
  public void requireEnvironment(String environment) {
    if (baseUrl.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    Cached c = cache.get(environment);
    if (c == null || c.until() - now < 0) {
      boolean exists = ask(environment);
      c = new Cached(exists, now + (exists ? KNOWN_FOR : UNKNOWN_FOR).toNanos());
      cache.put(environment, c);
    }
    if (!c.exists()) {
      throw DataplaneException.notFound("environment " + environment);
    }
  }

  private boolean ask(String environment) {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(
                    baseUrl.get()
                        + "/api/v1/environments/"
                        + URLEncoder.encode(environment, StandardCharsets.UTF_8)))
            .timeout(Duration.ofSeconds(3))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .GET()
            .build();
    try {
      int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status == 200) {
        return true;
      }
      if (status == 404) {
        return false;
      }
      Log.warnf("orchestrator answered %d for environment %s", status, environment);
    } catch (IOException e) {
      Log.warnf("cannot reach the orchestrator at %s: %s", baseUrl.get(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new DataplaneException(
        ErrorCodes.UNAVAILABLE,
        "cannot check environment " + environment + " with the orchestrator");
  }
}
