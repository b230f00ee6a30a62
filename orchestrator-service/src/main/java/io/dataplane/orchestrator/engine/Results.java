package io.dataplane.orchestrator.engine;

import io.dataplane.common.events.AttemptOutcome;

/** What a current attempt's result does to its task run. */
public final class Results {

  private Results() {}

  /** The decision on one result. */
  public sealed interface Decision {
    /** The attempt ended in {@code attemptState}. */
    AttemptState attemptState();
  }

  /** The task run succeeded with the result's outputs. */
  public record Succeed() implements Decision {
    @Override
    public AttemptState attemptState() {
      return AttemptState.SUCCEEDED;
    }
  }

  /** The attempt failed: retry or fail by the task's retry policy ({@link Failure}). */
  public record Fail(AttemptState attemptState, String error) implements Decision {}

  /** The worker was interrupted (it shut down): a new attempt, no retry used. */
  public record Requeue() implements Decision {
    @Override
    public AttemptState attemptState() {
      return AttemptState.INTERRUPTED;
    }
  }

  /**
   * @param outcome as reported (null counts as ERROR)
   * @param outputsProblem why the outputs cannot be stored (too large, not JSON), or null
   */
  public static Decision of(AttemptOutcome outcome, String error, String outputsProblem) {
    AttemptOutcome o = outcome == null ? AttemptOutcome.ERROR : outcome;
    return switch (o) {
      case SUCCEEDED ->
          outputsProblem == null ? new Succeed() : new Fail(AttemptState.FAILED, outputsProblem);
      case INTERRUPTED -> new Requeue();
      default ->
          new Fail(
              AttemptState.valueOf(o.name()),
              error == null ? "attempt " + o.name().toLowerCase() : error);
    };
  }
}
