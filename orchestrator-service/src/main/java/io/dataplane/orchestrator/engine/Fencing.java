package io.dataplane.orchestrator.engine;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import java.util.UUID;

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
   * Whether a refused claim is the same claim asked again: the worker did not get the answer to its
   * claim (the orchestrator stopped after committing it) and asks once more with the same claim id.
   * It is, when the attempt is still the current one, claimed by that worker and not started, and
   * the claim ids match; the worker then gets the claim's answer again. A claim without an id, or
   * with another id (a second delivery of the same dispatch), stays refused.
   */
  public static boolean repeatedClaim(View v, String worker, UUID claimId, UUID heldClaimId) {
    return claimId != null
        && claimId.equals(heldClaimId)
        && v.runState() == RunState.RUNNING
        && v.currentAttempt() == v.attempt()
        && v.attemptState() == AttemptState.CLAIMED
        && worker.equals(v.attemptWorker());
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
