package io.dataplane.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FencingTest {

  private static Fencing.View view(
      RunState run, TaskRunState tr, int current, int attempt, AttemptState a, String worker) {
    return new Fencing.View(run, tr, current, attempt, a, worker);
  }

  private final Fencing.View dispatched =
      view(RunState.RUNNING, TaskRunState.QUEUED, 2, 2, AttemptState.DISPATCHED, null);

  @Test
  void aDispatchedCurrentAttemptOfARunningRunCanBeClaimed() {
    assertThat(Fencing.claimRefusal(dispatched)).isNull();
  }

  @Test
  void aClaimIsRefusedForAnythingElse() {
    assertThat(
            Fencing.claimRefusal(
                view(RunState.RUNNING, TaskRunState.RUNNING, 2, 2, AttemptState.CLAIMED, "w1")))
        .isEqualTo("attempt CLAIMED by w1, task run RUNNING at attempt 2");
    // a superseded attempt (the task run moved on to attempt 3)
    assertThat(
            Fencing.claimRefusal(
                view(RunState.RUNNING, TaskRunState.QUEUED, 3, 2, AttemptState.DISPATCHED, null)))
        .isNotNull();
    // the run was cancelled
    assertThat(
            Fencing.claimRefusal(
                view(
                    RunState.CANCELLED,
                    TaskRunState.CANCELLED,
                    2,
                    2,
                    AttemptState.CANCELLED,
                    null)))
        .isNotNull();
    // a lost attempt stays lost
    assertThat(
            Fencing.claimRefusal(
                view(RunState.RUNNING, TaskRunState.QUEUED, 2, 2, AttemptState.LOST, null)))
        .isNotNull();
  }

  @Test
  void onlyTheSameClaimAskedAgainByItsHolderIsAnsweredAgain() {
    UUID id = UUID.randomUUID();
    Fencing.View claimed =
        view(RunState.RUNNING, TaskRunState.RUNNING, 1, 1, AttemptState.CLAIMED, "w1");
    assertThat(Fencing.repeatedClaim(claimed, "w1", id, id)).isTrue();
    // a claim without an id, or a second delivery's claim (another id)
    assertThat(Fencing.repeatedClaim(claimed, "w1", null, id)).isFalse();
    assertThat(Fencing.repeatedClaim(claimed, "w1", null, null)).isFalse();
    assertThat(Fencing.repeatedClaim(claimed, "w1", UUID.randomUUID(), id)).isFalse();
    // another worker quoting the id
    assertThat(Fencing.repeatedClaim(claimed, "w2", id, id)).isFalse();
    // the attempt started already, was superseded, or its run was cancelled
    assertThat(
            Fencing.repeatedClaim(
                view(RunState.RUNNING, TaskRunState.RUNNING, 1, 1, AttemptState.RUNNING, "w1"),
                "w1",
                id,
                id))
        .isFalse();
    assertThat(
            Fencing.repeatedClaim(
                view(RunState.RUNNING, TaskRunState.QUEUED, 2, 1, AttemptState.CLAIMED, "w1"),
                "w1",
                id,
                id))
        .isFalse();
    assertThat(
            Fencing.repeatedClaim(
                view(RunState.CANCELLED, TaskRunState.RUNNING, 1, 1, AttemptState.CLAIMED, "w1"),
                "w1",
                id,
                id))
        .isFalse();
  }

  @Test
  void onlyTheHolderOrAnUnclaimedAttemptIsCurrent() {
    Fencing.View claimed =
        view(RunState.RUNNING, TaskRunState.RUNNING, 1, 1, AttemptState.CLAIMED, "w1");
    assertThat(Fencing.current(claimed, "w1", false)).isTrue();
    assertThat(Fencing.current(claimed, "w2", true)).isFalse();
    assertThat(Fencing.current(dispatched, "w9", false)).isTrue();
  }

  @Test
  void anAnonymousEventIsCurrentOnlyWhereAllowed() {
    Fencing.View claimed =
        view(RunState.RUNNING, TaskRunState.RUNNING, 1, 1, AttemptState.CLAIMED, "w1");
    assertThat(Fencing.current(claimed, null, false)).isFalse();
    assertThat(Fencing.current(claimed, null, true)).isTrue();
  }

  @Test
  void staleAttemptsAreFenced() {
    // a result of attempt 1 after attempt 2 was dispatched
    assertThat(
            Fencing.current(
                view(RunState.RUNNING, TaskRunState.QUEUED, 2, 1, AttemptState.LOST, "w1"),
                "w1",
                true))
        .isFalse();
    // an ended attempt of a finished task run
    assertThat(
            Fencing.current(
                view(
                    RunState.SUCCEEDED, TaskRunState.SUCCEEDED, 1, 1, AttemptState.SUCCEEDED, "w1"),
                "w1",
                true))
        .isFalse();
    // an attempt the engine does not know
    assertThat(
            Fencing.current(
                view(RunState.RUNNING, TaskRunState.QUEUED, 1, 1, null, null), "w", true))
        .isFalse();
  }

  @Test
  void theEngineReplacesOnlyTheActiveCurrentAttemptOfARunningRun() {
    assertThat(Fencing.replaceable(dispatched)).isTrue();
    assertThat(
            Fencing.replaceable(
                view(RunState.RUNNING, TaskRunState.RUNNING, 1, 1, AttemptState.RUNNING, "w")))
        .isTrue();
    assertThat(
            Fencing.replaceable(
                view(RunState.RUNNING, TaskRunState.QUEUED, 2, 1, AttemptState.LOST, "w")))
        .isFalse();
    assertThat(
            Fencing.replaceable(
                view(RunState.FAILED, TaskRunState.CANCELLED, 1, 1, AttemptState.CANCELLED, "w")))
        .isFalse();
  }
}
