package io.dataplane.worker;

import static io.dataplane.worker.support.TaskKit.awaitLine;
import static io.dataplane.worker.support.TaskKit.bash;
import static io.dataplane.worker.support.TaskKit.claimed;
import static io.dataplane.worker.support.TaskKit.finished;
import static io.dataplane.worker.support.TaskKit.send;
import static io.dataplane.worker.support.TaskKit.tap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.worker.service.AttemptService;
import io.dataplane.worker.support.ServiceStubs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What SIGTERM does (Quarkus runs the same drain from its shutdown event): no new work, running
 * attempts get the grace period, the rest are reported INTERRUPTED. A profile of its own, so the
 * drained worker is not the one the other tests use.
 */
@QuarkusTest
@TestProfile(DrainTest.Draining.class)
class DrainTest {

  /** Its own application instance. */
  public static class Draining implements QuarkusTestProfile {}

  @Inject AttemptService attempts;

  @Test
  void finishesWhatFitsInTheGracePeriodAndInterruptsTheRest() throws Exception {
    tap();
    TaskDispatched quick = bash("echo quick-started; sleep 1; echo quick-done");
    TaskDispatched slow = bash("echo slow-started; sleep 120");
    send(quick);
    send(slow);
    awaitLine(quick, "quick-started");
    awaitLine(slow, "slow-started");

    long t0 = System.nanoTime();
    attempts.drain(Duration.ofSeconds(8));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));

    AttemptFinished q = finished(quick);
    assertThat(q.outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    AttemptFinished s = finished(slow);
    assertThat(s.outcome()).isEqualTo(AttemptOutcome.INTERRUPTED);
    assertThat(s.error()).contains("shut down");
    assertThat(attempts.running()).isEmpty();

    // draining: heartbeats say so, and new dispatches are left for other workers
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !tap()
                    .of(
                        WorkerHeartbeat.class,
                        h -> h.workerId().equals(ServiceStubs.WORKER_ID) && h.draining())
                    .isEmpty());
    TaskDispatched late = bash("echo late");
    ServiceStubs.REFUSE.add(late.taskRunId()); // should a later worker see it, it is skipped
    send(late);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> !claimed(late));
  }
}
