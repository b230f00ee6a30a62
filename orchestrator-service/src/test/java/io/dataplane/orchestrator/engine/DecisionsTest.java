package io.dataplane.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.orchestrator.dag.PipelineDefinition.Concurrency;
import io.dataplane.orchestrator.dag.PipelineDefinition.ConcurrencyPolicy;
import io.dataplane.orchestrator.dag.PipelineDefinition.Retries;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Retry or fail, results, timeouts, concurrency, cancel and rerun: each a pure decision. */
class DecisionsTest {

  private static final Instant NOW = Instant.parse("2026-12-07T04:00:00Z");

  @Test
  void aFailureWithRetriesLeftRetriesAfterTheBackoff() {
    Retries r = new Retries(2, "exponential", "PT1S", "PT1M", 0);
    assertThat(Failure.decide(r, 0, NOW, 0.5))
        .isEqualTo(new Failure.RetryAt(NOW.plusSeconds(1), 1));
    assertThat(Failure.decide(r, 1, NOW, 0.5))
        .isEqualTo(new Failure.RetryAt(NOW.plusSeconds(2), 2));
    assertThat(Failure.decide(r, 2, NOW, 0.5)).isInstanceOf(Failure.Fail.class);
  }

  @Test
  void noRetriesMeansTheTaskFails() {
    assertThat(Failure.decide(Retries.NONE, 0, NOW, 0.1)).isInstanceOf(Failure.Fail.class);
  }

  @Test
  void resultsDecideTheTaskRun() {
    assertThat(Results.of(AttemptOutcome.SUCCEEDED, null, null))
        .isInstanceOf(Results.Succeed.class);
    assertThat(Results.of(AttemptOutcome.SUCCEEDED, null, "outputs are 70000 bytes"))
        .isEqualTo(new Results.Fail(AttemptState.FAILED, "outputs are 70000 bytes"));
    assertThat(Results.of(AttemptOutcome.INTERRUPTED, null, null))
        .isInstanceOf(Results.Requeue.class);
    assertThat(Results.of(AttemptOutcome.FAILED, "exit 3", null))
        .isEqualTo(new Results.Fail(AttemptState.FAILED, "exit 3"));
    assertThat(Results.of(AttemptOutcome.TIMED_OUT, null, null))
        .isEqualTo(new Results.Fail(AttemptState.TIMED_OUT, "attempt timed_out"));
    // a worker that sends no outcome at all: an error, never a success
    assertThat(Results.of(null, null, null))
        .isEqualTo(new Results.Fail(AttemptState.ERROR, "attempt error"));
  }

  @Test
  void everyOutcomeEndsTheAttemptInAnAllowedState() {
    for (AttemptOutcome o : AttemptOutcome.values()) {
      AttemptState to = Results.of(o, null, null).attemptState();
      assertThat(to.isActive()).isFalse();
      assertThat(AttemptState.RUNNING.allows(to)).isTrue();
    }
  }

  @Test
  void timeouts() {
    Duration grace = Duration.ofSeconds(10);
    assertThat(Deadlines.attempt(null, NOW, grace)).isNull();
    assertThat(Deadlines.attempt("PT5S", NOW, grace)).isEqualTo(NOW.plusSeconds(15));
    assertThat(Deadlines.run("PT1H", NOW)).isEqualTo(NOW.plusSeconds(3600));
    assertThat(Deadlines.run(null, NOW)).isNull();
    // a timer that fires early is armed again; one within the clock's slack counts as due
    assertThat(Deadlines.due(NOW.plusSeconds(1), NOW)).isFalse();
    assertThat(Deadlines.due(NOW.plusMillis(3), NOW)).isTrue();
    assertThat(Deadlines.due(NOW.minusSeconds(1), NOW)).isTrue();
  }

  @Test
  void concurrency() {
    assertThat(Admission.forNewRun(null, 50, 50).action()).isEqualTo(Admission.Action.START);
    Concurrency queue = new Concurrency(1, ConcurrencyPolicy.QUEUE);
    assertThat(Admission.forNewRun(queue, 0, 0).action()).isEqualTo(Admission.Action.START);
    assertThat(Admission.forNewRun(queue, 1, 0).action()).isEqualTo(Admission.Action.WAIT);
    // room, but an older run waits: it goes first
    assertThat(Admission.forNewRun(queue, 0, 1).action()).isEqualTo(Admission.Action.WAIT);
    Admission.Decision cancel =
        Admission.forNewRun(new Concurrency(2, ConcurrencyPolicy.CANCEL_NEWEST), 2, 0);
    assertThat(cancel.action()).isEqualTo(Admission.Action.CANCEL);
    assertThat(cancel.reason()).isEqualTo("concurrency limit of 2 running run(s) reached");
    assertThat(Admission.forNewRun(new Concurrency(2, ConcurrencyPolicy.FAIL), 3, 0).action())
        .isEqualTo(Admission.Action.FAIL);
    assertThat(Admission.forNewRun(new Concurrency(2, ConcurrencyPolicy.FAIL), 1, 5).action())
        .isEqualTo(Admission.Action.START);
    assertThat(Admission.mayStartQueued(queue, 0)).isTrue();
    assertThat(Admission.mayStartQueued(queue, 1)).isFalse();
  }

  @Test
  void cancelAndRerun() {
    assertThat(RunRules.cancelRefusal(RunState.RUNNING)).isNull();
    assertThat(RunRules.cancelRefusal(RunState.QUEUED)).isNull();
    assertThat(RunRules.cancelRefusal(RunState.SUCCEEDED)).contains("ended already");
    assertThat(RunRules.rerunRefusal(RunState.RUNNING)).isEqualTo("has not ended yet");
    assertThat(RunRules.rerunRefusal(RunState.SUCCEEDED)).contains("nothing to rerun");
    assertThat(RunRules.rerunRefusal(RunState.FAILED)).isNull();
    assertThat(RunRules.rerunRefusal(RunState.CANCELLED)).isNull();
    assertThat(RunRules.reusedByRerun(TaskRunState.SUCCEEDED)).isTrue();
    assertThat(RunRules.reusedByRerun(TaskRunState.UPSTREAM_FAILED)).isFalse();
    assertThat(RunRules.reusedByRerun(TaskRunState.CANCELLED)).isFalse();
  }

  @Test
  void aRetryIsDueOnlyForAQueuedTaskRunWaitingForOne() {
    assertThat(RunRules.retryDue(RunState.RUNNING, TaskRunState.QUEUED, NOW)).isTrue();
    assertThat(RunRules.retryDue(RunState.RUNNING, TaskRunState.QUEUED, null)).isFalse();
    assertThat(RunRules.retryDue(RunState.CANCELLED, TaskRunState.QUEUED, NOW)).isFalse();
    assertThat(RunRules.retryDue(RunState.RUNNING, TaskRunState.RUNNING, NOW)).isFalse();
  }

  @Test
  void upstreamAndRunErrorsNameTheTasks() {
    io.dataplane.orchestrator.dag.Dag dag =
        io.dataplane.orchestrator.dag.Dag.of(
            new java.util.LinkedHashMap<>(
                java.util.Map.of(
                    "a",
                    java.util.List.of(),
                    "b",
                    java.util.List.of(),
                    "c",
                    java.util.List.of("a", "b"))));
    java.util.Map<String, TaskRunState> s = new java.util.LinkedHashMap<>();
    s.put("a", TaskRunState.SUCCEEDED);
    s.put("b", TaskRunState.FAILED);
    s.put("c", TaskRunState.PENDING);
    assertThat(RunRules.upstreamFailed(dag, s)).containsExactly("c");
    assertThat(RunRules.upstreamError(dag, s, "c"))
        .isEqualTo("upstream task(s) did not succeed: b");
    s.put("c", TaskRunState.UPSTREAM_FAILED);
    assertThat(RunRules.outcome(s)).isEqualTo(RunState.FAILED);
    assertThat(RunRules.outcomeError(RunState.FAILED, s)).isEqualTo("task(s) failed: b");
    assertThat(RunRules.outcomeError(RunState.SUCCEEDED, s)).isNull();
  }
}
