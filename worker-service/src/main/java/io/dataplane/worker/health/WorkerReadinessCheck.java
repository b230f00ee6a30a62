package io.dataplane.worker.health;

import io.dataplane.worker.messaging.ControlConsumer;
import io.dataplane.worker.messaging.DispatchConsumer;
import io.dataplane.worker.service.AttemptService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the worker takes work: started with a working sandbox (or explicitly allowed none),
 * subscribed to its dispatch topics, not draining. When the sandbox cannot start, {@code
 * sandboxProblem} says why.
 */
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
        .withData("sandbox", sandbox(attempts))
        .withData("slots", attempts.slots())
        .withData("freeSlots", attempts.freeSlots())
        .withData("draining", attempts.draining())
        .withData("listeningForCancels", control.ready())
        .withData("takingDispatches", dispatch.ready())
        .withData("sandboxProblem", String.valueOf(attempts.sandboxProblem()))
        .build();
  }

  /** {@code bwrap}, {@code none} or {@code unavailable}: as the heartbeat says it. */
  public static String sandbox(AttemptService attempts) {
    return attempts.mode() == null
        ? "unavailable"
        : attempts.mode().name().toLowerCase(java.util.Locale.ROOT);
  }
}
