package io.dataplane.scheduler.service;

import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.repository.ScheduleRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scheduler's domain metrics: fire lag, missed fires, leadership and schedules by state.
 * Prometheus names: {@code dataplane_schedule_fire_lag_seconds}, {@code
 * dataplane_schedule_missed_fires_total}, {@code dataplane_scheduler_leader}, {@code
 * dataplane_schedules{state}}.
 */
@ApplicationScoped
public class SchedulerMetrics {

  private final Timer fireLag;
  private final Counter missed;
  private final Counter fires;
  private final AtomicInteger leader = new AtomicInteger();
  private final ScheduleRepository repository;
  private volatile Map<Schedule.State, Long> byState;
  private volatile long byStateAt;

  public SchedulerMetrics(MeterRegistry registry, ScheduleRepository repository) {
    this.repository = repository;
    this.fireLag =
        Timer.builder("dataplane.schedule.fire.lag")
            .description("Time from a fire's scheduled instant to the commit of its ledger row")
            .publishPercentileHistogram()
            .publishPercentiles(0.5, 0.99)
            .serviceLevelObjectives(
                Duration.ofMillis(25),
                Duration.ofMillis(50),
                Duration.ofMillis(75),
                Duration.ofMillis(100),
                Duration.ofMillis(150),
                Duration.ofMillis(250))
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    this.missed =
        Counter.builder("dataplane.schedule.missed.fires")
            .description("Fire times dropped by a misfire policy")
            .register(registry);
    this.fires =
        Counter.builder("dataplane.schedule.fires")
            .description("Fires written to the ledger (scheduled and backfill)")
            .register(registry);
    Gauge.builder("dataplane.scheduler.leader", leader, AtomicInteger::get)
        .description("1 on the instance that holds the scheduler leadership, else 0")
        .register(registry);
    for (Schedule.State s : Schedule.State.values()) {
      Gauge.builder("dataplane.schedules", this, m -> m.count(s))
          .tag("state", s.name())
          .description("Schedules by state")
          .register(registry);
    }
  }

  public void fired(Duration lag) {
    fireLag.record(lag.isNegative() ? Duration.ZERO : lag);
    fires.increment();
  }

  public void missed(long n) {
    if (n > 0) {
      missed.increment(n);
    }
  }

  public void leader(boolean isLeader) {
    leader.set(isLeader ? 1 : 0);
  }

  private double count(Schedule.State state) {
    long now = System.currentTimeMillis();
    if (byState == null || now - byStateAt > 5000) {
      try {
        byState = repository.countByState();
        byStateAt = now;
      } catch (SQLException e) {
        Log.debugf("schedules by state unavailable: %s", e.getMessage());
        return Double.NaN;
      }
    }
    return byState.getOrDefault(state, 0L);
  }
}
