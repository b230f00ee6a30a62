package io.dataplane.gateway.health;

import io.dataplane.gateway.config.GatewayConfig;
import io.dataplane.gateway.live.LiveEvents;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the Kafka consumer behind the subscriptions holds its partitions. */
@Readiness
@ApplicationScoped
public class LiveEventsCheck implements HealthCheck {

  private final LiveEvents live;
  private final GatewayConfig config;

  public LiveEventsCheck(LiveEvents live, GatewayConfig config) {
    this.live = live;
    this.config = config;
  }

  @Override
  public HealthCheckResponse call() {
    boolean up = !config.live().enabled() || live.ready();
    return HealthCheckResponse.named("live-updates")
        .status(up)
        .withData("listeners", live.listeners())
        .build();
  }
}
