package io.dataplane.orchestrator;

import io.dataplane.common.events.WorkerHeartbeat.RunningAttempt;
import java.time.Instant;
import java.util.List;

/**
 * A worker process as its heartbeats describe it; {@code state} is ACTIVE or LOST; {@code sandbox}
 * is bwrap, none or unavailable (null from workers that do not say).
 */
public record Worker(
    String workerId,
    List<String> groups,
    String state,
    String version,
    double cpuLoad,
    long memoryUsedBytes,
    long memoryTotalBytes,
    double systemLoad,
    int slots,
    int freeSlots,
    List<RunningAttempt> running,
    boolean draining,
    Instant startedAt,
    Instant lastSeen,
    String sandbox) {

  public static final String ACTIVE = "ACTIVE";
  public static final String LOST = "LOST";
}
