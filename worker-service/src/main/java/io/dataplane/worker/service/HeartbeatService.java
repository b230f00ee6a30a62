package io.dataplane.worker.service;

import com.sun.management.OperatingSystemMXBean;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerGroupRef;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.worker.config.WorkerConfig;
import io.dataplane.worker.messaging.EventProducer;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Sends a WorkerHeartbeat every interval (one second by default). */
@ApplicationScoped
public class HeartbeatService {

  private final WorkerConfig config;
  private final AttemptService attempts;
  private final EventProducer events;
  private final String version;
  private ScheduledExecutorService scheduler;

  public HeartbeatService(
      WorkerConfig config,
      AttemptService attempts,
      EventProducer events,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.config = config;
    this.attempts = attempts;
    this.events = events;
    this.version = version;
  }

  public synchronized void start() {
    if (scheduler != null) {
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dp-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long every = config.heartbeatInterval().toMillis();
    scheduler.scheduleAtFixedRate(this::beat, 0, every, TimeUnit.MILLISECONDS);
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
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }
}
