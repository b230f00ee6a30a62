package io.dataplane.scheduler.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.scheduler.config.SchedulerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks orchestrator-service whether an environment exists (it owns environments), caching answers
 * for 30 s. Off when {@code dataplane.scheduler.orchestrator-url} is not set.
 */
@ApplicationScoped
public class EnvironmentCheck {

  private static final long TTL_MILLIS = 30_000;

  private final ServiceHttp orchestrator;
  private final Map<String, Long> known = new ConcurrentHashMap<>();

  @Inject
  public EnvironmentCheck(SchedulerConfig config) {
    this(config, Optional.of(ServiceAuth.outgoingToken()).filter(t -> !t.isEmpty()));
  }

  /** With the scheduler's own service token (DATAPLANE_SERVICE_TOKENS_SCHEDULER) or none. */
  public EnvironmentCheck(SchedulerConfig config, Optional<String> token) {
    this.orchestrator = new ServiceHttp(config.orchestratorUrl(), token);
  }

  /** Throws NOT_FOUND when the orchestrator does not know the environment. */
  public void requireExists(String environment) {
    if (!orchestrator.configured()) {
      return;
    }
    Long at = known.get(environment);
    if (at != null && System.currentTimeMillis() - at < TTL_MILLIS) {
      return;
    }
    HttpRequest.Builder req =
        orchestrator
            .request(
                "/api/v1/environments/" + ServiceHttp.segment(environment), Duration.ofSeconds(3))
            .GET();
    int status;
    try {
      status = orchestrator.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new DataplaneException(
          ErrorCodes.UNAVAILABLE,
          "orchestrator-service cannot be reached to check the environment");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataplaneException(ErrorCodes.UNAVAILABLE, "interrupted");
    }
    if (status == 404) {
      throw DataplaneException.notFound("environment " + environment);
    }
    if (status / 100 != 2) {
      throw new DataplaneException(
          ErrorCodes.UNAVAILABLE,
          "orchestrator-service answered " + status + " for the environment");
    }
    known.put(environment, System.currentTimeMillis());
  }
}
