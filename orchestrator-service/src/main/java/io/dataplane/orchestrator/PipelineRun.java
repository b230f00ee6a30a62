package io.dataplane.orchestrator;

import io.dataplane.common.events.RunState;
import io.dataplane.orchestrator.engine.Waiting;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One execution of a release; {@code taskRuns} is filled when one run is read; {@code
 * waitingReason} says why it does not run (null when it runs or ended, or when not computed);
 * {@code slaDueAt} is when its pipeline's SLA says it must have ended, {@code slaMissedAt} when it
 * was found to have missed it.
 */
public record PipelineRun(
    UUID id,
    String environment,
    String pipeline,
    UUID releaseId,
    String requestId,
    Map<String, Object> params,
    String trigger,
    String requestedBy,
    RunState state,
    String error,
    UUID rerunOf,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant deadlineAt,
    Instant slaDueAt,
    Instant slaMissedAt,
    List<TaskRun> taskRuns,
    Waiting.Reason waitingReason) {

  /** This PipelineRun with other task runs and waiting reason. */
  public PipelineRun with(List<TaskRun> trs, Waiting.Reason reason) {
    return new PipelineRun(
        id,
        environment,
        pipeline,
        releaseId,
        requestId,
        params,
        trigger,
        requestedBy,
        state,
        error,
        rerunOf,
        createdAt,
        startedAt,
        finishedAt,
        deadlineAt,
        slaDueAt,
        slaMissedAt,
        trs,
        reason);
  }
}
