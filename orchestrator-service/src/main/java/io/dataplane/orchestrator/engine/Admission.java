package io.dataplane.orchestrator.engine;

import io.dataplane.orchestrator.dag.PipelineDefinition.Concurrency;
import io.dataplane.orchestrator.dag.PipelineDefinition.ConcurrencyPolicy;

/** The concurrency rule: whether a QUEUED run starts, waits, or ends at once. */
public final class Admission {

  private Admission() {}

  /** What to do with the run. */
  public enum Action {
    START,
    WAIT,
    CANCEL,
    FAIL
  }

  /** The decision and, when the run ends, why. */
  public record Decision(Action action, String reason) {}

  /**
   * A newly queued run.
   *
   * @param running runs of the pipeline RUNNING now
   * @param olderQueued runs of the pipeline QUEUED before this one
   */
  public static Decision forNewRun(Concurrency c, long running, long olderQueued) {
    if (c == null) {
      return new Decision(Action.START, null);
    }
    boolean full = running >= c.max();
    if (!full && !(c.policy() == ConcurrencyPolicy.QUEUE && olderQueued > 0)) {
      return new Decision(Action.START, null);
    }
    String why = "concurrency limit of " + c.max() + " running run(s) reached";
    return switch (c.policy()) {
      case QUEUE -> new Decision(Action.WAIT, null);
      case CANCEL_NEWEST -> new Decision(Action.CANCEL, why);
      case FAIL -> new Decision(Action.FAIL, why);
    };
  }

  /** A run that waited in the queue, oldest first: it starts while there is room. */
  public static boolean mayStartQueued(Concurrency c, long running) {
    return c == null || running < c.max();
  }
}
