package io.dataplane.orchestrator.service;

import io.dataplane.common.events.RunState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The engine's domain metrics (Prometheus names {@code dataplane_*}). */
@ApplicationScoped
public class EngineMetrics {

  private final MeterRegistry registry;
  private final Counter fenced;
  private final Counter redispatched;
  private final Timer taskDuration;
  private final Timer dispatchLatency;
  private final Map<String, AtomicLong> queueDepth = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> workers = new ConcurrentHashMap<>();

  public EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.fenced =
        Counter.builder("dataplane.fenced.results")
            .description("Results ignored because their attempt was not the current one")
            .register(registry);
    this.redispatched =
        Counter.builder("dataplane.dispatches.repeated")
            .description("Attempts dispatched again because no worker took them in time")
            .register(registry);
    this.taskDuration =
        Timer.builder("dataplane.task.duration")
            .description("Duration of finished task attempts, start to result")
            .publishPercentileHistogram()
            .register(registry);
    this.dispatchLatency =
        Timer.builder("dataplane.dispatch.latency")
            .description("Time from a task becoming ready to its attempt being started")
            .publishPercentileHistogram()
            .register(registry);
    for (String s : new String[] {"ACTIVE", "LOST"}) {
      workerGauge(s);
    }
  }

  public void run(RunState state) {
    registry.counter("dataplane.runs", "state", state.name()).increment();
  }

  /** A run of the environment missed its pipeline's SLA. */
  public void slaMissed(String environment) {
    registry
        .counter(
            "dataplane.sla.missed",
            java.util.List.of(io.micrometer.core.instrument.Tag.of("environment", environment)))
        .increment();
  }

  public void fenced() {
    fenced.increment();
  }

  /** An attempt a live worker stopped reporting was re-queued (its result was lost). */
  public void unreported() {
    registry.counter("dataplane.attempts.unreported").increment();
  }

  public void redispatched() {
    redispatched.increment();
  }

  public double fencedCount() {
    return fenced.count();
  }

  public void taskDuration(Duration d) {
    if (d != null && !d.isNegative()) {
      taskDuration.record(d);
    }
  }

  public void dispatchLatency(Duration d) {
    if (d != null && !d.isNegative()) {
      dispatchLatency.record(d);
    }
  }

  /** Attempts waiting per worker group, keyed {@code environment/group}. */
  public void queueDepth(Map<String, Long> byGroup) {
    queueDepth.forEach((g, v) -> v.set(byGroup.getOrDefault(g, 0L)));
    byGroup.forEach(
        (g, n) ->
            queueDepth
                .computeIfAbsent(
                    g,
                    k -> {
                      AtomicLong v = new AtomicLong();
                      Gauge.builder("dataplane.queue.depth", v, AtomicLong::get)
                          .description(
                              "Attempts dispatched and not yet claimed, per worker group of an"
                                  + " environment")
                          .tag("environment", k.substring(0, Math.max(0, k.indexOf('/'))))
                          .tag("group", k.substring(k.indexOf('/') + 1))
                          .register(registry);
                      return v;
                    })
                .set(n));
  }

  public void workers(Map<String, Long> byState) {
    workers.forEach((s, v) -> v.set(byState.getOrDefault(s, 0L)));
    byState.forEach((s, n) -> workerGauge(s).set(n));
  }

  private AtomicLong workerGauge(String state) {
    return workers.computeIfAbsent(
        state,
        k -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder("dataplane.workers", v, AtomicLong::get)
              .description("Workers known to the registry, per state")
              .tag("state", k)
              .register(registry);
          return v;
        });
  }
}
