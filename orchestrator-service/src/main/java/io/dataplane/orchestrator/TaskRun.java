package io.dataplane.orchestrator;

import io.dataplane.common.events.TaskRunState;
import io.dataplane.orchestrator.engine.Waiting;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One task inside a run.
 *
 * @param attempt the current attempt (0 before the first dispatch)
 * @param retryAt when the next retry is due, while waiting for it
 * @param reusedFrom the task run of an earlier run whose success a rerun reused
 * @param waitingReason why it does not run (null when it runs or ended, or when not computed)
 */
public record TaskRun(
    UUID id,
    UUID runId,
    String taskKey,
    String workerGroup,
    TaskRunState state,
    int attempt,
    int retriesUsed,
    Instant retryAt,
    Instant readyAt,
    Map<String, Object> outputs,
    String error,
    Instant startedAt,
    Instant finishedAt,
    UUID reusedFrom,
    List<Attempt> attempts,
    Waiting.Reason waitingReason) {

  /** This TaskRun with other attempts and waiting reason. */
  public TaskRun with(List<Attempt> as, Waiting.Reason reason) {
    return new TaskRun(
        id,
        runId,
        taskKey,
        workerGroup,
        state,
        attempt,
        retriesUsed,
        retryAt,
        readyAt,
        outputs,
        error,
        startedAt,
        finishedAt,
        reusedFrom,
        as,
        reason);
  }
}
