package io.dataplane.orchestrator.engine;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;

/**
 * Which attempt may act: {@code (taskRunId, attempt)} is the fencing token, and only the current
 * attempt of a task run that has not ended may be claimed, start or report a result.
 */
public final class Fencing {

  private Fencing() {}

  /** What the engine knows of a task run and one of its attempts, at the time of an event. */
  public record View(
      RunState runState,
      TaskRunState taskRunState,
      int currentAttempt,
      int attempt,
      AttemptState attemptState,
      String attemptWorker) {}

  /**
   * Why the attempt cannot be claimed (the states that forbid it), or null when it can: the run is
   * running, the attempt is its task run's current one, the task run is queued and the attempt is
   * still only dispatched.
   */
  public static String claimRefusal(View v) {
    if (v.runState() != RunState.RUNNING
        || v.currentAttempt() != v.attempt()
        || v.taskRunState() != TaskRunState.QUEUED
        || v.attemptState() != AttemptState.DISPATCHED) {
      return "attempt "
          + v.attemptState()
          + (v.attemptWorker() == null ? "" : " by " + v.attemptWorker())
          + ", task run "
          + v.taskRunState()
          + " at attempt "
          + v.currentAttempt();
    }
    return null;
  }

  /**
   * Whether an event (start or result) from {@code worker} about the attempt comes from its current
   * holder: the attempt is the current one, still active, its task run not ended, and it is claimed
   * by that worker or by nobody yet. A null {@code worker} is accepted only when {@code
   * anonymousAllowed} (a result proven by its attempt token).
   */
  public static boolean current(View v, String worker, boolean anonymousAllowed) {
    if (v.attemptState() == null
        || v.currentAttempt() != v.attempt()
        || v.taskRunState().isTerminal()
        || !v.attemptState().isActive()) {
      return false;
    }
    if (v.attemptWorker() == null) {
      return true;
    }
    return worker == null ? anonymousAllowed : v.attemptWorker().equals(worker);
  }

  /**
   * Whether the orchestrator itself may end or replace the active current attempt (re-queue after a
   * lost worker, deadline): the run is running and the attempt is the current, active one.
   */
  public static boolean replaceable(View v) {
    return v.runState() == RunState.RUNNING
        && v.attemptState() != null
        && v.attemptState().isActive()
        && v.currentAttempt() == v.attempt()
        && !v.taskRunState().isTerminal();
  }
}
