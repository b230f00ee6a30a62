package io.dataplane.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.orchestrator.dag.PipelineDefinition.Concurrency;
import io.dataplane.orchestrator.dag.PipelineDefinition.ConcurrencyPolicy;
import io.dataplane.orchestrator.engine.Waiting.Group;
import io.dataplane.orchestrator.engine.Waiting.KeyedReason;
import io.dataplane.orchestrator.engine.Waiting.Kind;
import io.dataplane.orchestrator.engine.Waiting.Reason;
import io.dataplane.orchestrator.engine.Waiting.Task;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 17 "Why is this waiting?": the rule, without Quarkus or a database. */
class WaitingTest {

  private static final Group BUSY = new Group("prod/etl", 2, 2, 4, 0);
  private static final Group ROOM = new Group("prod/etl", 1, 1, 2, 1);

  private static Task queued(AttemptState attempt, Instant retryAt, Integer position) {
    return new Task("load", TaskRunState.QUEUED, attempt, retryAt, List.of(), position);
  }

  @Test
  void aPendingTaskWaitsForItsUnfinishedUpstreamTasksByName() {
    Reason r =
        Waiting.task(
            new Task("load", TaskRunState.PENDING, null, null, List.of("a", "b"), null), BUSY);
    assertThat(r.kind()).isEqualTo(Kind.UPSTREAM_RUNNING);
    assertThat(r.tasks()).containsExactly("a", "b");
    assertThat(r.message()).isEqualTo("waits for upstream task(s) a, b");
  }

  @Test
  void aPendingTaskWhoseUpstreamJustEndedIsNotWaiting() {
    assertThat(
            Waiting.task(new Task("load", TaskRunState.PENDING, null, null, List.of(), null), BUSY))
        .isNull();
  }

  @Test
  void aDispatchWithoutAnyWorkerSaysNoWorkerServesTheGroup() {
    Reason r = Waiting.task(queued(AttemptState.DISPATCHED, null, 1), Group.empty("prod/etl"));
    assertThat(r.kind()).isEqualTo(Kind.NO_WORKER);
    assertThat(r.workerGroup()).isEqualTo("prod/etl");
    assertThat(r.message()).isEqualTo("no worker serves worker group prod/etl");
  }

  @Test
  void workersThatAreLostDrainingOrUnsandboxedCountAsNone() {
    Reason r =
        Waiting.task(queued(AttemptState.DISPATCHED, null, 3), new Group("prod/etl", 2, 0, 0, 0));
    assertThat(r.kind()).isEqualTo(Kind.NO_WORKER);
    assertThat(r.message())
        .contains("2 registered")
        .contains("lost, draining or without a sandbox");
  }

  @Test
  void allSlotsBusyGivesThePlaceInTheGroupsQueue() {
    Reason r = Waiting.task(queued(AttemptState.DISPATCHED, null, 7), BUSY);
    assertThat(r.kind()).isEqualTo(Kind.SLOTS_BUSY);
    assertThat(r.position()).isEqualTo(7);
    assertThat(r.message())
        .isEqualTo("all 4 slot(s) of the 2 worker(s) of prod/etl are busy; number 7 in queue");
  }

  @Test
  void aDispatchWithFreeSlotsIsInTransit() {
    assertThat(Waiting.task(queued(AttemptState.DISPATCHED, null, 1), ROOM).kind())
        .isEqualTo(Kind.DISPATCHED);
  }

  @Test
  void aFailedTaskWaitingForItsRetrySaysUntilWhen() {
    Instant due = Instant.parse("2026-12-07T08:00:00Z");
    Reason r = Waiting.task(queued(AttemptState.FAILED, due, null), ROOM);
    assertThat(r.kind()).isEqualTo(Kind.RETRY_BACKOFF);
    assertThat(r.until()).isEqualTo(due);
  }

  @Test
  void claimedRunningAndEndedTasksDoNotWait() {
    assertThat(Waiting.task(queued(AttemptState.CLAIMED, null, null), BUSY)).isNull();
    assertThat(
            Waiting.task(
                new Task("x", TaskRunState.RUNNING, AttemptState.RUNNING, null, List.of(), null),
                BUSY))
        .isNull();
    assertThat(
            Waiting.task(
                new Task("x", TaskRunState.FAILED, AttemptState.FAILED, null, List.of(), null),
                BUSY))
        .isNull();
  }

  @Test
  void aQueuedRunNamesTheRunsHoldingTheConcurrencyLimit() {
    Reason r =
        Waiting.run(
            RunState.QUEUED,
            new Concurrency(1, ConcurrencyPolicy.QUEUE),
            List.of("run-1"),
            2,
            false,
            List.of());
    assertThat(r.kind()).isEqualTo(Kind.CONCURRENCY_LIMIT);
    assertThat(r.runs()).containsExactly("run-1");
    assertThat(r.position()).isEqualTo(2);
    assertThat(r.message())
        .isEqualTo(
            "held by the pipeline's concurrency limit of 1 running run(s): run-1; number 2 in"
                + " queue");
  }

  @Test
  void aRunningRunWithNothingRunningShowsItsMostPressingTask() {
    Reason upstream =
        new Reason(
            Kind.UPSTREAM_RUNNING,
            "waits for upstream task(s) a",
            null,
            null,
            null,
            List.of("a"),
            null);
    Reason noWorker =
        new Reason(
            Kind.NO_WORKER,
            "no worker serves worker group prod/etl",
            null,
            1,
            null,
            null,
            "prod/etl");
    Reason r =
        Waiting.run(
            RunState.RUNNING,
            null,
            List.of(),
            0,
            false,
            List.of(new KeyedReason("b", upstream), new KeyedReason("a", noWorker)));
    assertThat(r.kind()).isEqualTo(Kind.NO_WORKER);
    assertThat(r.tasks()).containsExactly("a");
    assertThat(r.message()).isEqualTo("task a: no worker serves worker group prod/etl");
  }

  @Test
  void aRunWithARunningTaskOrThatEndedDoesNotWait() {
    List<KeyedReason> tasks =
        List.of(
            new KeyedReason(
                "b", new Reason(Kind.UPSTREAM_RUNNING, "x", null, null, null, List.of("a"), null)));
    assertThat(Waiting.run(RunState.RUNNING, null, List.of(), 0, true, tasks)).isNull();
    assertThat(Waiting.run(RunState.FAILED, null, List.of(), 0, false, tasks)).isNull();
    assertThat(Waiting.run(RunState.QUEUED, null, List.of(), 1, false, tasks)).isNull();
  }
}
