package io.dataplane.orchestrator.engine;

import io.dataplane.orchestrator.dag.PipelineDefinition.Retries;
import java.time.Duration;

/** Delay before a retry: fixed or exponential from {@code initialDelay}, with jitter, capped. */
public final class Backoff {

  private Backoff() {}

  /**
   * @param retry 1 for the first retry, 2 for the second, ...
   * @param random a number in [0, 1) (jitter varies the delay by up to ±jitter of it)
   */
  public static Duration delay(Retries policy, int retry, double random) {
    long initial = Duration.parse(policy.initialDelay()).toMillis();
    long cap = Duration.parse(policy.maxDelay()).toMillis();
    double base = initial;
    if ("exponential".equals(policy.backoff())) {
      base = initial * Math.pow(2, Math.max(0, retry - 1));
    }
    double jittered = base * (1 + policy.jitter() * (2 * random - 1));
    long ms = (long) Math.min(Math.max(0, jittered), cap);
    return Duration.ofMillis(ms);
  }
}
