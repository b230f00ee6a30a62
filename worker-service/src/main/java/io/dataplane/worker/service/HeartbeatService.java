package io.dataplane.worker.service;

import com.sun.management.OperatingSystemMXBean;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerGroupRef;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.worker.config.WorkerConfig;
import io.dataplane.worker.messaging.EventProducer;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends a WorkerHeartbeat every interval (one second by default), as a job of the Quarkus scheduler
 * (which checks its jobs once a second, so a shorter interval beats once a second).
 */
@ApplicationScoped
public class HeartbeatService {

  private static final String JOB = "worker-heartbeat";

  private final WorkerConfig config;
  private final AttemptService attempts;
  private final EventProducer events;
  private final String version;
  private final Scheduler scheduler;
  private boolean started;

  public HeartbeatService(
      WorkerConfig config,
      AttemptService attempts,
      EventProducer events,
      Scheduler scheduler,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.scheduler = scheduler;
    this.config = config;
    this.attempts = attempts;
    this.events = events;
    this.version = version;
  }

  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    // no delay: the first beat goes out at the scheduler's next check (within a second)
    scheduler
        .newJob(JOB)
        .setInterval(config.heartbeatInterval().toString())
        .setConcurrentExecution(ConcurrentExecution.SKIP)
        .setTask(ex -> beat())
        .schedule();
  }

  /** Sends one heartbeat now. */
  public void beat() {
    try {
      events.send(Topics.WORKER_HEARTBEATS, config.instanceId(), heartbeat(), null);
    } catch (RuntimeException e) {
      // the next beat tries again
    }
  }

  WorkerHeartbeat heartbeat() {
    double cpu = -1;
    long total = 0;
    long used = 0;
    double load = -1;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      cpu = os.getCpuLoad();
      total = os.getTotalMemorySize();
      used = total - os.getFreeMemorySize();
      load = os.getSystemLoadAverage();
    }
    return new WorkerHeartbeat(
        config.instanceId(),
        config.groups().stream().map(WorkerGroupRef::toString).distinct().toList(),
        version,
        cpu,
        used,
        total,
        load,
        attempts.slots(),
        attempts.draining() ? 0 : attempts.freeSlots(),
        attempts.running(),
        attempts.startedAt(),
        attempts.draining(),
        io.dataplane.worker.health.WorkerReadinessCheck.sandbox(attempts));
  }

  public synchronized void stop() {
    if (started) {
      scheduler.unscheduleJob(JOB);
      started = false;
    }
  }
}
