package io.dataplane.worker.service;

import io.dataplane.common.events.AttemptOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The worker's metrics about its attempts (docs/worker.md, Metrics): how long dispatches waited,
 * how long spawns took, how attempts ended, log bytes and redactions; and the gauges of its state.
 * Plain Java over a Micrometer registry.
 */
public final class WorkerMetrics {

  private final MeterRegistry registry;
  private final Timer queueWait;
  private final Timer spawn;
  private final Counter logBytes;
  private final Counter redactions;

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.queueWait =
        Timer.builder("dataplane.worker.queue.wait")
            .description("time from dispatch to the attempt being taken by a worker")
            .register(registry);
    this.spawn =
        Timer.builder("dataplane.worker.spawn.latency")
            .description("time to start a task process")
            .register(registry);
    this.logBytes = registry.counter("dataplane.worker.log.bytes");
    this.redactions = registry.counter("dataplane.worker.log.redactions");
  }

  /** A dispatch taken now; a clock ahead of the orchestrator's records nothing. */
  public void taken(Instant dispatchedAt, Instant now) {
    if (dispatchedAt == null) {
      return;
    }
    Duration wait = Duration.between(dispatchedAt, now);
    if (!wait.isNegative()) {
      queueWait.record(wait);
    }
  }

  /** An attempt ended: its outcome, its spawn time (0: never spawned) and the redactions made. */
  public void finished(AttemptOutcome outcome, long spawnNanos, long redacted) {
    registry.counter("dataplane.worker.attempts.finished", "outcome", outcome.name()).increment();
    if (spawnNanos > 0) {
      spawn.record(spawnNanos, TimeUnit.NANOSECONDS);
    }
    if (redacted > 0) {
      redactions.increment(redacted);
    }
  }

  /** Bytes of task output published. */
  public Counter logBytes() {
    return logBytes;
  }

  /** A gauge read from {@code source} (held weakly by Micrometer: keep {@code source} alive). */
  public <T> void gauge(String name, T source, ToDoubleFunction<T> value) {
    registry.gauge(name, List.of(), source, value);
  }

  /** Same, with one tag. */
  public <T> void gauge(String name, Tag tag, T source, ToDoubleFunction<T> value) {
    registry.gauge(name, List.of(tag), source, value);
  }

  /** A counter whose value is read from {@code source}. */
  public <T> void counter(String name, T source, ToDoubleFunction<T> value) {
    registry.more().counter(name, List.of(), source, value);
  }
}
