package io.dataplane.orchestrator.engine;

import io.dataplane.orchestrator.dag.PipelineDefinition.Retries;
import java.time.Instant;

/** What happens to a task run whose attempt failed: a retry at a time, or the task fails. */
public sealed interface Failure {

  /** The next attempt is dispatched at {@code due}; the retry is counted. */
  record RetryAt(Instant due, int retry) implements Failure {}

  /** No retry is left: the task run fails. */
  record Fail() implements Failure {}

  /**
   * @param retriesUsed retries used before this failure
   * @param random a number in [0, 1) for the jitter
   */
  static Failure decide(Retries policy, int retriesUsed, Instant now, double random) {
    if (retriesUsed < policy.max()) {
      int retry = retriesUsed + 1;
      return new RetryAt(now.plus(Backoff.delay(policy, retry, random)), retry);
    }
    return new Fail();
  }
}
