package io.dataplane.worker.health;

import io.dataplane.worker.messaging.ControlConsumer;
import io.dataplane.worker.messaging.DispatchConsumer;
import io.dataplane.worker.service.AttemptService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the worker takes work (started, subscribed to its dispatch topics, not draining). */
@Readiness
@ApplicationScoped
public class WorkerReadinessCheck implements HealthCheck {

  private final AttemptService attempts;
  private final ControlConsumer control;
  private final DispatchConsumer dispatch;

  public WorkerReadinessCheck(
      AttemptService attempts, ControlConsumer control, DispatchConsumer dispatch) {
    this.attempts = attempts;
    this.control = control;
    this.dispatch = dispatch;
  }

  @Override
  public HealthCheckResponse call() {
    boolean up = !attempts.draining() && attempts.mode() != null && dispatch.ready();
    return HealthCheckResponse.named("worker")
        .status(up)
        .withData("sandbox", String.valueOf(attempts.mode()))
        .withData("slots", attempts.slots())
        .withData("freeSlots", attempts.freeSlots())
        .withData("draining", attempts.draining())
        .withData("listeningForCancels", control.ready())
        .withData("takingDispatches", dispatch.ready())
        .build();
  }
}
